"""Keeps the connections running: each on its schedule, and whenever asked (`request_sync`, e.g. by the webhook
relay). One thread per connection runs its syncs one after another, so one connection never has two at once;
requests that arrive while a sync runs become exactly one more sync after it (that one reads what they were
about; more would read the same thing again).

The same thread also runs the webhook relay's fast path (`apply_records`: the destination alone, fed the records
the relay built), so a fast-path run and a sync of one connection never overlap either."""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Callable

log = logging.getLogger("sync_runner.scheduler")

RunOnce = Callable[[str], object]  # runs the named connection once, returns its summary, raises if it failed
ApplyOnce = Callable[[str, list], object]  # applies records with the named connection's destination alone
RESULTS_KEPT = 16


class _Lane:
    """One connection's queue: request tickets counted up, runs cover every ticket issued before they start."""

    def __init__(self, name: str, interval_seconds: float | None) -> None:
        self.name, self.interval = name, interval_seconds
        self.requested = 0  # tickets issued
        self.covered = 0  # tickets covered by runs that have ended
        self.running = False
        self.next_due = time.monotonic() if interval_seconds else None  # a schedule starts with a catch-up run
        self.results: deque[tuple[int, object, BaseException | None]] = deque(maxlen=RESULTS_KEPT)
        self.applies: deque[dict] = deque()  # fast-path jobs, run in order before the next sync
        self.thread: threading.Thread | None = None


class Scheduler:
    def __init__(self, run_once: RunOnce, schedules: dict[str, float | None],
                 apply_once: ApplyOnce | None = None) -> None:
        """`schedules`: connection name -> interval in seconds, or None to run only on request. `apply_once`
        (the runner's `apply`) makes `apply_records` available."""
        self._run_once = run_once
        self._apply_once = apply_once
        self._lanes = {name: _Lane(name, interval) for name, interval in schedules.items()}
        self._changed = threading.Condition()
        self._stopping = False
        self.runs_started = 0

    def start(self) -> "Scheduler":
        for lane in self._lanes.values():
            lane.thread = threading.Thread(target=self._loop, args=(lane,), daemon=True, name=f"sync-{lane.name}")
            lane.thread.start()
        return self

    def request_sync(self, connection: str, wait: bool = False, timeout: float | None = None) -> object:
        """Asks for a sync of `connection` that starts after this call. With `wait`, returns that sync's summary
        (or raises its error) once it has ended: the relay's CallableTrigger wants that, so that it only marks its
        notifications synced when they are. Raises KeyError for an unknown connection."""
        if connection not in self._lanes:
            raise KeyError(f"no connection named {connection!r} (known: {', '.join(sorted(self._lanes))})")
        lane = self._lanes[connection]
        with self._changed:
            if self._stopping:
                raise RuntimeError("the runner is shutting down")
            lane.requested += 1
            ticket = lane.requested
            self._changed.notify_all()
            if not wait:
                return None
            deadline = None if timeout is None else time.monotonic() + timeout
            while lane.covered < ticket:
                remaining = None if deadline is None else deadline - time.monotonic()
                if self._stopping:
                    raise RuntimeError(f"the runner shut down before the sync of {connection} ended")
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"the sync of {connection} did not end in time")
                self._changed.wait(remaining if remaining is not None else 1.0)
            summary, error = next(((s, e) for covered, s, e in lane.results if covered >= ticket), (None, None))
        if error is not None:
            raise error
        return summary

    @property
    def can_apply(self) -> bool:
        return self._apply_once is not None

    def apply_records(self, connection: str, records: list, timeout: float | None = None) -> object:
        """Runs the connection's destination alone on `records` (the relay's fast path) in the connection's own
        thread, after the run under way if any; returns its summary once done, or raises its error (TimeoutError
        if it has not ended within `timeout`: it is then dropped if it had not started)."""
        if self._apply_once is None:
            raise RuntimeError("this scheduler has no fast path (no apply_once given)")
        if connection not in self._lanes:
            raise KeyError(f"no connection named {connection!r} (known: {', '.join(sorted(self._lanes))})")
        lane = self._lanes[connection]
        job = {"records": records, "state": "queued", "summary": None, "error": None}
        with self._changed:
            if self._stopping:
                raise RuntimeError("the runner is shutting down")
            lane.applies.append(job)
            self._changed.notify_all()
            deadline = None if timeout is None else time.monotonic() + timeout
            while job["state"] != "done":
                remaining = None if deadline is None else deadline - time.monotonic()
                if self._stopping and job["state"] == "queued":
                    raise RuntimeError(f"the runner shut down before applying records to {connection}")
                if remaining is not None and remaining <= 0:
                    if job["state"] == "queued":
                        lane.applies.remove(job)
                    raise TimeoutError(f"applying records to {connection} did not end in time")
                self._changed.wait(remaining if remaining is not None else 1.0)
        if job["error"] is not None:
            raise job["error"]
        return job["summary"]

    def is_running(self, connection: str) -> bool:
        with self._changed:
            return self._lanes[connection].running

    def stop(self, timeout: float = 60.0) -> bool:
        """No new syncs start; a sync under way is given `timeout` seconds to end (a sync cut short is safe: the
        destinations apply records idempotently and only confirmed state is kept). True if all ended."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        deadline = time.monotonic() + timeout
        for lane in self._lanes.values():
            if lane.thread:
                lane.thread.join(max(0.0, deadline - time.monotonic()))
        return not any(lane.thread and lane.thread.is_alive() for lane in self._lanes.values())

    def _loop(self, lane: _Lane) -> None:
        while True:
            with self._changed:
                while (not self._stopping and lane.requested == lane.covered and not self._due(lane)
                       and not lane.applies):
                    # Wakes at the next due time, or at a request or stop (notify); never sleeps unbounded.
                    wait = 3600.0 if lane.next_due is None else max(0.0, lane.next_due - time.monotonic())
                    self._changed.wait(min(wait, 3600.0))
                if self._stopping:
                    return
                job = lane.applies.popleft() if lane.applies else None
                if job is not None:
                    job["state"] = "running"
                else:
                    covers = lane.requested
                    self.runs_started += 1
                lane.running = True
            if job is not None:
                self._apply(lane, job)
                continue
            summary, error = None, None
            try:
                summary = self._run_once(lane.name)
            except Exception as exc:  # one failed sync must not end the runner; the next request or tick retries
                error = exc
                log.warning("sync of %s failed: %s", lane.name, exc)
            with self._changed:
                lane.running = False
                lane.covered = covers
                lane.results.append((covers, summary, error))
                if lane.interval:
                    lane.next_due = time.monotonic() + lane.interval
                self._changed.notify_all()

    def _apply(self, lane: _Lane, job: dict) -> None:
        try:
            job["summary"] = self._apply_once(lane.name, job["records"])
        except Exception as exc:  # reported to the caller; the runner goes on
            job["error"] = exc
            log.warning("applying records to %s failed: %s", lane.name, exc)
        with self._changed:
            lane.running = False
            job["state"] = "done"
            self._changed.notify_all()

    @staticmethod
    def _due(lane: _Lane) -> bool:
        return lane.next_due is not None and time.monotonic() >= lane.next_due
