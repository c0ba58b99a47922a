"""A strict local emulator of NetSuite's REST API (TBA and OAuth 2.0 M2M auth, SuiteQL, item fulfillments).

`start_emulator()` runs one account on a free 127.0.0.1 port in a background thread.
"""
from __future__ import annotations

from emulators.common.server import BackgroundServer, RunningEmulator

from .app import NetSuiteEmulatorApp
from .backend import NetSuiteBackend


def start_emulator(port: int | None = None, account_id: str = "1234567", seed: int = 1, items: int = 20,
                   locations: int = 3, customers: int = 10, orders: int = 10, concurrency_limit: int = 5,
                   latency_ms: float = 0, features: tuple[str, ...] = ()) -> RunningEmulator:
    """`features`: account features switched on at start, NetSuite ids or aliases (README "Account features");
    a control-plane reset switches them off again."""
    backend = NetSuiteBackend(account_id=account_id, seed=seed, items=items, locations=locations,
                              customers=customers, orders=orders, concurrency_limit=concurrency_limit,
                              latency_ms=latency_ms)
    if features:
        backend.db.features.apply({name: True for name in features}, lambda fid: "")
    server = BackgroundServer(NetSuiteEmulatorApp(backend), port=port).start()
    return RunningEmulator(backend, server)


__all__ = ["start_emulator", "RunningEmulator", "NetSuiteBackend", "NetSuiteEmulatorApp"]
