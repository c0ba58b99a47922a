"""Fixed windows per key on the emulator clock, as both ShipStation APIs count: 60 s, as the real API, unless a
test shortens them (`POST /__emulator/rate-limits {"window_seconds": 3}`) to see a whole limit cycle in seconds.

A window opens at a key's first request and lasts `window_seconds`; `X-Rate-Limit-Reset` (and a 429's
`Retry-After`) is the countdown (seconds left, rounded up), not a timestamp (D1 requirements; a live capture
showed limit 40, remaining 29, reset 22).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # whole seconds until the window ends, rounded up

    def headers(self) -> dict[str, str]:
        return {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": str(self.remaining),
                "X-Rate-Limit-Reset": str(self.reset)}


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window_seconds = window_seconds  # changed mid-window, it applies to the windows already open too
        # A request from a key already refused in the same window: a client that did not wait out the Retry-After
        # it was given (it rounds up, so waiting it always lands in the next window). Tests read it to prove a
        # client obeys 429s; only meaningful for a client sending one request at a time.
        self.early_retries = 0
        self._windows: dict[str, tuple[float, int, bool]] = {}  # key -> (window start, counted, refused yet)
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> Decision:
        with self._lock:
            start, count, refused = self._windows.get(key, (now, 0, False))
            if now >= start + self.window_seconds:
                start, count, refused = now, 0, False
            elif refused:
                self.early_retries += 1
            reset = max(1, math.ceil(start + self.window_seconds - now))
            if count >= self.limit:
                self._windows[key] = (start, count, True)
                return Decision(False, self.limit, 0, reset)
            count += 1
            self._windows[key] = (start, count, refused)
            return Decision(True, self.limit, self.limit - count, reset)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
            self.early_retries = 0
