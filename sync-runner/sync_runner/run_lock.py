"""One run of a connection at a time, across threads and processes (a `sync-runner run` while `serve` is up):
two runs would read the same state and both write it back, and the destinations would see every record twice."""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class ConnectionBusy(RuntimeError):
    pass


@contextmanager
def run_lock(path: Path, connection: str, wait_seconds: float) -> Iterator[None]:
    """Holds an exclusive flock on `path`; waits up to `wait_seconds` for a run already under way to end.
    flock belongs to the open file, so two opens in one process exclude each other too; the kernel drops it when
    a process dies, so no stale lock is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ConnectionBusy(f"{connection} is already running (lock {path}); "
                                         f"waited {wait_seconds:.0f} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
