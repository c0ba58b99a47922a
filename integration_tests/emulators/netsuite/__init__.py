"""A strict local emulator of NetSuite's REST API (TBA and OAuth 2.0 M2M auth, SuiteQL, item fulfillments).

`start_emulator()` runs one account on a free 127.0.0.1 port in a background thread.
"""
from __future__ import annotations

from emulators.common.server import BackgroundServer

from .app import NetSuiteEmulatorApp
from .backend import NetSuiteBackend


class RunningEmulator:
    def __init__(self, backend: NetSuiteBackend, server: BackgroundServer) -> None:
        self.backend = backend
        self._server = server

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "RunningEmulator":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_emulator(port: int | None = None, account_id: str = "1234567", seed: int = 1, items: int = 20,
                   locations: int = 3, customers: int = 10, orders: int = 10, concurrency_limit: int = 5,
                   latency_ms: float = 0) -> RunningEmulator:
    backend = NetSuiteBackend(account_id=account_id, seed=seed, items=items, locations=locations,
                              customers=customers, orders=orders, concurrency_limit=concurrency_limit,
                              latency_ms=latency_ms)
    server = BackgroundServer(NetSuiteEmulatorApp(backend), port=port).start()
    return RunningEmulator(backend, server)


__all__ = ["start_emulator", "RunningEmulator", "NetSuiteBackend", "NetSuiteEmulatorApp"]
