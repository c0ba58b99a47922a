"""A real ShipStation emulator, a relay in front of it on a free loopback port, and a trigger that records syncs."""
from __future__ import annotations

import json
import secrets
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from emulators.shipstation import start_emulator

from webhook_relay.config import RelayConfig
from webhook_relay.relay import Relay
from webhook_relay.server import RelayServer, free_port
from webhook_relay.trigger import CallableTrigger

V1_SECRET = secrets.token_urlsafe(32)


class RecordingTrigger(CallableTrigger):
    """Counts syncs, remembers the most that ran at once, and can take a while like a real sync does."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__(self._sync)
        self.seconds = seconds
        self.calls: list[str] = []
        self.running = 0
        self.max_running = 0
        self._lock = threading.Lock()

    def _sync(self, connection: str) -> None:
        with self._lock:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self.calls.append(connection)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll `predicate` until truthy or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


@pytest.fixture
def emulator():
    # Rate limits raised: these tests are about the relay, not about waiting out ShipStation's minute windows.
    with start_emulator(seed=3, orders=12, v1_rate_limit=5000, v2_rate_limit=5000) as ss:
        yield ss


def relay_config(emulator, database, port: int, **overrides) -> RelayConfig:
    creds = emulator.credentials
    raw = {
        "database": str(database),
        "public_url": f"http://127.0.0.1:{port}",
        "v1_secret": V1_SECRET,
        "shipstation": {"v1": {"api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]},
                        "v2": {"api_key": creds["v2_api_key"]}, "base_url": emulator.base_url},
        "jwks_url": f"{emulator.base_url}/jwks",
        "trigger": {"connection": "sync1"},
        "coalesce_seconds": 0.3,
        "rate_limit_per_minute": {"v1": 5000, "v2": 5000},
        **overrides,
    }
    return RelayConfig.from_dict(raw, environ={})


@pytest.fixture
def start_relay(emulator, tmp_path):
    """start_relay(trigger, start_relay=True, database=..., **config overrides) -> RelayServer, stopped after."""
    servers = []

    def start(trigger=None, start_relay: bool = True, database=None, **overrides) -> RelayServer:
        port = free_port()
        config = relay_config(emulator, database or tmp_path / "relay.sqlite3", port, **overrides)
        relay = Relay(config, trigger or RecordingTrigger())
        server = RelayServer(relay, port=port, start_relay=start_relay).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        server.relay.stop()  # a no-op beyond closing the store when the server already stopped it


def v1_url(server, secret: str = V1_SECRET) -> str:
    return f"{server.base_url}/webhooks/shipstation/v1/{secret}"


def v2_url(server) -> str:
    return f"{server.base_url}/webhooks/shipstation/v2"


def signed(emulator, payload: dict | bytes, timestamp: str | None = None) -> tuple[bytes, dict]:
    """A body and the headers ShipStation would send, signed with the emulator's own (published) key."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = timestamp or time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    headers = {"Content-Type": "application/json", **emulator.app.signer.sign(stamp, body)}
    return body, headers


def control(emulator, route: str, body: dict | None = None) -> dict:
    answer = requests.post(f"{emulator.base_url}/__emulator/{route}", json=body or {}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def api_requests(emulator) -> dict:
    return requests.get(f"{emulator.base_url}/__emulator/stats", timeout=10).json()["requests"]


@pytest.fixture
def kit():
    """The helpers above, for test modules (pytest's importlib mode does not let them import conftest)."""
    return SimpleNamespace(RecordingTrigger=RecordingTrigger, wait_until=wait_until, v1_url=v1_url, v2_url=v2_url,
                           signed=signed, control=control, api_requests=api_requests, secret=V1_SECRET)
