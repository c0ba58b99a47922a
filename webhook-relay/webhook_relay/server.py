"""Serve the relay with uvicorn: in the foreground (the command line) or in a background thread (the local
runner, tests). Access logging is off because the v1 route's path holds the secret."""
from __future__ import annotations

import socket
import threading
import time

import uvicorn

from .app import create_app
from .relay import Relay


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _uvicorn_config(relay: Relay, host: str, port: int, log_level: str, start_relay: bool = True) -> uvicorn.Config:
    return uvicorn.Config(create_app(relay, manage_lifecycle=start_relay), host=host, port=port, log_level=log_level, access_log=False,
                          lifespan="on", timeout_keep_alive=30)


def serve(relay: Relay) -> None:
    uvicorn.Server(_uvicorn_config(relay, relay.config.host, relay.config.port, "info")).run()


class RelayServer:
    """The relay on `host:port` (a free loopback port unless told) in a daemon thread; `stop` drains it."""

    def __init__(self, relay: Relay, host: str = "127.0.0.1", port: int | None = None,
                 start_relay: bool = True) -> None:
        """`start_relay=False` serves without starting (or stopping) the relay's background work: the caller
        owns its lifecycle."""
        self.relay, self.host, self.port = relay, host, port or free_port(host)
        self._server = uvicorn.Server(_uvicorn_config(relay, self.host, self.port, "warning", start_relay))
        self._thread = threading.Thread(target=self._server.run, daemon=True, name=f"webhook-relay-{self.port}")

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "RelayServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the webhook relay did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> "RelayServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
