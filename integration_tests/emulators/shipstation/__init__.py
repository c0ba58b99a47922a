"""Strict local emulator of ShipStation's v1 and v2 APIs (see README-like notes in each module).

    with start_emulator(seed=1) as ss:
        creds = requests.get(f"{ss.base_url}/__emulator/credentials").json()
"""
from __future__ import annotations

from emulators.common.clock import Clock
from emulators.common.server import BackgroundServer, RunningEmulator

from .app import EmulatorApp, build_app
from .backend import ShipStationBackend

__all__ = ["RunningShipStation", "ShipStationBackend", "build_app", "start_emulator"]


class RunningShipStation(RunningEmulator):
    def __init__(self, app: EmulatorApp, server: BackgroundServer) -> None:
        super().__init__(app.backend, server)
        self.app = app

    @property
    def credentials(self) -> dict:
        b = self.backend
        return {"v1_api_key": b.v1_api_key, "v1_api_secret": b.v1_api_secret, "v2_api_key": b.v2_api_key}


def start_emulator(port: int | None = None, seed: int = 1, items: int = 20, locations: int = 3,
                   customers: int = 10, orders: int = 10, latency_ms: float = 0, v1_rate_limit: int = 40,
                   v2_rate_limit: int = 200) -> RunningShipStation:
    backend = ShipStationBackend(Clock(), v1_rate_limit=v1_rate_limit, v2_rate_limit=v2_rate_limit, seed=seed,
                                 items=items, locations=locations, customers=customers, orders=orders)
    app = build_app(backend, latency_ms)
    server = BackgroundServer(app, port)
    backend.base_url = server.base_url
    server.start()
    return RunningShipStation(app, server)
