"""Run an ASGI app on 127.0.0.1 in a background thread (tests) or in the foreground (the command line)."""
from __future__ import annotations

import socket
import threading
import time

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BackgroundServer:
    """Starts an app on a free loopback port and waits until it answers; `stop` shuts it down."""

    def __init__(self, app, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
                                lifespan="off", timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name=f"emulator-{self.port}")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"emulator did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_forever(app, port: int) -> None:
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", lifespan="off")


class RunningEmulator:
    """What `start_emulator` of each emulator hands a test: its address, its state, and a way to stop it."""

    def __init__(self, backend, server: BackgroundServer) -> None:
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
