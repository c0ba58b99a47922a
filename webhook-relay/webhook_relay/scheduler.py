"""Turns many "please sync" requests into few syncs: requests within `window_seconds` become one sync, requests
that arrive while a sync runs become exactly one more after it, and one connection never has two syncs at once
(one thread per connection runs them one after another).
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from .trigger import SyncTrigger

log = logging.getLogger("webhook_relay.scheduler")


class CoalescingScheduler:
    def __init__(self, trigger: SyncTrigger, window_seconds: float = 1.0,
                 before_sync: Callable[[str], object] | None = None,
                 after_sync: Callable[[str, object], None] | None = None,
                 retry_seconds: float = 5.0, max_failures: int = 5,
                 deliver: Callable[[str, object], None] | None = None) -> None:
        """`before_sync` runs just before a sync and returns what it covers; `after_sync` gets that back once the
        sync succeeded (the relay marks those notifications triggered). `deliver(connection, covered)` is the
        sync itself when given (the relay's fast path), else the trigger's request_sync."""
        self.trigger, self.window = trigger, window_seconds
        self._deliver = deliver or (lambda connection, covered: self.trigger.request_sync(connection))
        self._before = before_sync or (lambda connection: None)
        self._after = after_sync or (lambda connection, covered: None)
        self.retry_seconds, self.max_failures = retry_seconds, max_failures
        self._lock = threading.Lock()
        self._pending: dict[str, bool] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stop = threading.Event()
        self.syncs_started = 0

    def request(self, connection: str) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._pending[connection] = True
            thread = self._threads.get(connection)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._run, args=(connection,), daemon=True,
                                          name=f"sync-{connection}")
                self._threads[connection] = thread
                thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops asking for new syncs; a sync already running is left to finish (up to `timeout`)."""
        self._stop.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)

    def _run(self, connection: str) -> None:
        failures = 0
        while not self._stop.is_set():
            # The window: let the rest of a burst arrive, so it rides on this sync.
            if self._stop.wait(self.window if failures == 0 else self.retry_seconds * failures):
                return
            with self._lock:
                if not self._pending.get(connection):
                    self._threads.pop(connection, None)
                    return
                self._pending[connection] = False
            covered = self._before(connection)
            try:
                self.syncs_started += 1
                self._deliver(connection, covered)
            except Exception as exc:  # a failed trigger must not end the relay; it is retried, boundedly
                failures += 1
                log.warning("sync of %s could not be started (%s/%s): %s", connection, failures,
                            self.max_failures, exc)
                with self._lock:
                    if failures >= self.max_failures:
                        # The notifications stay "fetched": the next request or a restart asks again.
                        self._threads.pop(connection, None)
                        return
                    self._pending[connection] = True
                continue
            failures = 0
            try:
                self._after(connection, covered)
            except Exception:  # e.g. the store closed while a long sync ran: the work stays pending, not lost
                log.exception("could not record the end of the sync of %s", connection)
