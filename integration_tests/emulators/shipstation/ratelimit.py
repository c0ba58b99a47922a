"""Fixed 60-second windows per key on the emulator clock, as both ShipStation APIs count.

A window opens at a key's first request and lasts 60 s; `X-Rate-Limit-Reset` is the countdown (seconds left),
not a timestamp (D1 requirements; a live capture showed limit 40, remaining 29, reset 22).
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
    reset: int  # whole seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": str(self.remaining),
                "X-Rate-Limit-Reset": str(self.reset)}


class RateLimiter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, requests counted)
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> Decision:
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now >= start + WINDOW_SECONDS:
                start, count = now, 0
            reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
            if count >= self.limit:
                self._windows[key] = (start, count)
                return Decision(False, self.limit, 0, reset)
            count += 1
            self._windows[key] = (start, count)
            return Decision(True, self.limit, self.limit - count, reset)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
