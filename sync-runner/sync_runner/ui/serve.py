"""Serves the page with uvicorn until Ctrl-C: on 127.0.0.1 by default; on any other address only with a token,
generated here and printed once (security.py)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn

from .app import Page, build_app
from .data import load_for_page
from .security import is_loopback, new_token


class UiServer:
    """The page's server in a background thread (the tests and `make ui` alike use it)."""

    def __init__(self, page: Page, host: str = "127.0.0.1", port: int = 8765) -> None:
        self.token = None if is_loopback(host) else new_token()
        app = build_app(page, token=self.token, loopback_only=is_loopback(host))
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     access_log=False))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # the caller's to handle
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="sync-runner-ui")
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"

    @property
    def address(self) -> str:
        """Where to open the page (with the token, when one is needed)."""
        return self.url + (f"?token={self.token}" if self.token else "")

    def start(self, timeout: float = 15) -> "UiServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the page could not listen on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve_ui(config_path: str | Path, host: str = "127.0.0.1", port: int = 8765) -> int:
    """`sync-runner ui`: prints where to open the page, serves it until Ctrl-C."""
    config, missing = load_for_page(config_path)  # tolerates unset ${ENV}: the page shows runs, applies nothing
    server = UiServer(Page(config, missing), host=host, port=port).start()
    print(f"operations page over {config.state_dir}: open {server.address}", flush=True)
    if server.token:
        print("  (listening beyond this machine: the address above carries the page's token; keep it private)",
              flush=True)
    if missing:
        print(f"  (environment variables not set: {', '.join(sorted(missing))}: the page shows the runs, "
              "'apply again' is off)", flush=True)
    print("Ctrl-C stops it.", flush=True)
    try:
        while server._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0
