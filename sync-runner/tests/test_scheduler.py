"""The scheduler with a stand-in for PyAirbyte (a function that takes a while): what it promises the relay and a
user who asks for a sync while one is running."""
from __future__ import annotations

import threading
import time

import pytest

from sync_runner.scheduler import Scheduler


class SlowSync:
    """Counts runs and how many overlap; each run lasts until released (or `seconds`)."""

    def __init__(self, seconds: float = 0.0, fail: bool = False) -> None:
        self.seconds, self.fail = seconds, fail
        self.runs, self.active, self.most_at_once = 0, 0, 0
        self.started = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, connection: str):
        with self._lock:
            self.runs += 1
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
            number = self.runs
        self.started.set()
        self.release.wait(self.seconds) if self.seconds else self.release.wait(10)
        with self._lock:
            self.active -= 1
        if self.fail:
            raise RuntimeError(f"run {number} failed")
        return {"connection": connection, "run": number}


def wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_requests_during_a_run_lead_to_exactly_one_more_run_never_two_at_once():
    sync = SlowSync()
    scheduler = Scheduler(sync, {"shipments_to_netsuite": None}).start()
    try:
        scheduler.request_sync("shipments_to_netsuite")
        assert sync.started.wait(5)
        for _ in range(5):  # a burst of webhooks while the first sync runs
            scheduler.request_sync("shipments_to_netsuite")
        assert scheduler.is_running("shipments_to_netsuite")
        sync.release.set()
        assert wait_until(lambda: sync.runs == 2 and not scheduler.is_running("shipments_to_netsuite"))
        time.sleep(0.2)  # nothing else was asked for: no third run may follow
        assert sync.runs == 2 and sync.most_at_once == 1
    finally:
        scheduler.stop(5)


def test_a_waiting_request_returns_the_summary_of_a_run_that_started_after_it():
    sync = SlowSync(seconds=0.2)
    scheduler = Scheduler(sync, {"c": None}).start()
    try:
        scheduler.request_sync("c")
        assert sync.started.wait(5)
        # asked while run 1 is under way: run 1 may have read before our change, so only run 2 counts
        assert scheduler.request_sync("c", wait=True, timeout=5) == {"connection": "c", "run": 2}
    finally:
        scheduler.stop(5)


def test_a_waiting_request_gets_the_failure_so_the_relay_asks_again():
    scheduler = Scheduler(SlowSync(seconds=0.01, fail=True), {"c": None}).start()
    try:
        with pytest.raises(RuntimeError, match="run 1 failed"):
            scheduler.request_sync("c", wait=True, timeout=5)
        # the runner survives a failed sync: the next request runs again
        with pytest.raises(RuntimeError, match="run 2 failed"):
            scheduler.request_sync("c", wait=True, timeout=5)
    finally:
        scheduler.stop(5)


def test_connections_run_on_their_schedule_and_independently():
    fast, manual = SlowSync(seconds=0.01), SlowSync(seconds=0.01)
    scheduler = Scheduler(lambda name: fast(name) if name == "fast" else manual(name),
                          {"fast": 0.1, "manual": None}).start()
    try:
        assert wait_until(lambda: fast.runs >= 3, seconds=3)
        assert manual.runs == 0  # no schedule: runs only when asked
    finally:
        assert scheduler.stop(5)


def test_after_stop_no_sync_starts_and_requests_are_refused():
    sync = SlowSync(seconds=0.01)
    scheduler = Scheduler(sync, {"c": 0.1}).start()
    assert wait_until(lambda: sync.runs >= 1)
    assert scheduler.stop(5)
    runs = sync.runs
    time.sleep(0.3)
    assert sync.runs == runs
    with pytest.raises(RuntimeError, match="shutting down"):
        scheduler.request_sync("c")


def test_an_unknown_connection_is_refused():
    scheduler = Scheduler(SlowSync(), {"c": None})
    with pytest.raises(KeyError, match="nope"):
        scheduler.request_sync("nope")
