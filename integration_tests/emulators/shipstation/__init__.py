"""Strict local emulator of ShipStation's v1 and v2 APIs (see README-like notes in each module).

    with start_emulator(seed=1) as ss:
        creds = requests.get(f"{ss.base_url}/__emulator/credentials").json()
"""
from __future__ import annotations

from emulators.common.clock import Clock
from emulators.common.server import BackgroundServer

from .app import EmulatorApp, build_app
from .backend import ShipStationBackend

__all__ = ["RunningEmulator", "ShipStationBackend", "build_app", "start_emulator"]


class RunningEmulator:
    def __init__(self, app: EmulatorApp, server: BackgroundServer) -> None:
        self.app, self._server = app, server
        self.backend: ShipStationBackend = app.backend

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def credentials(self) -> dict:
        b = self.backend
        return {"v1_api_key": b.v1_api_key, "v1_api_secret": b.v1_api_secret, "v2_api_key": b.v2_api_key}

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "RunningEmulator":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_emulator(port: int | None = None, seed: int = 1, items: int = 20, locations: int = 3,
                   customers: int = 10, orders: int = 10, latency_ms: float = 0, v1_rate_limit: int = 40,
                   v2_rate_limit: int = 200) -> RunningEmulator:
    backend = ShipStationBackend(Clock(), v1_rate_limit=v1_rate_limit, v2_rate_limit=v2_rate_limit, seed=seed,
                                 items=items, locations=locations, customers=customers, orders=orders)
    app = build_app(backend, latency_ms)
    server = BackgroundServer(app, port)
    backend.base_url = server.base_url
    server.start()
    return RunningEmulator(app, server)
