"""The background half of the relay: fetch what stored notifications point at, record it, ask for a sync.

It runs in its own thread so the web half only stores and answers. It reads its work from the store, not from
memory, so whatever was pending when the relay stopped is picked up when it starts again.
"""
from __future__ import annotations

import logging
import threading
import time

from shipstation_lib.errors import ShipStationError

from .fetch import ResourceFetcher
from .resource_keys import resource_key
from .scheduler import CoalescingScheduler
from .store import NotificationStore
from .verify import Refused

log = logging.getLogger("webhook_relay.worker")

BATCH = 50
MAX_ATTEMPTS = 6
IDLE_WAIT_SECONDS = 5.0


class FetchWorker:
    def __init__(self, store: NotificationStore, fetcher: ResourceFetcher, scheduler: CoalescingScheduler,
                 connection: str) -> None:
        self.store, self.fetcher, self.scheduler, self.connection = store, fetcher, scheduler, connection
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="webhook-relay-fetch")

    def start(self) -> None:
        # Notifications fetched before a restart but whose sync never ran still need one.
        if self.store.awaiting_sync():
            self.scheduler.request(self.connection)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            batch = self.store.due(BATCH)
            for notification in batch:
                if self._stop.is_set():
                    return
                self._process(notification)
            if len(batch) == BATCH:
                continue  # more waiting: no pause
            next_due = self.store.next_due_at()
            wait = IDLE_WAIT_SECONDS if next_due is None else min(max(next_due - time.time(), 0.05), IDLE_WAIT_SECONDS)
            self._wake.wait(wait)

    def _process(self, notification) -> None:
        named = resource_key(notification.resource_url).shipment_id
        if named is not None and self.store.was_seen(f"{notification.api}.shipment", named):
            # e.g. fulfillment_shipped_v2 right after the label's own notification: no call spent to learn that
            self.store.mark_known(notification.id, f"shipment {named} seen before: not fetched")
            return
        try:
            records = self.fetcher.fetch(notification.api, notification.resource_url)
        except Refused as exc:
            self.store.fail(notification.id, exc.reason)
            return
        except ShipStationError as exc:
            if exc.retryable and notification.attempts + 1 < MAX_ATTEMPTS:
                delay = min(5.0 * 2 ** notification.attempts, 300.0)
                self.store.retry_later(notification.id, delay, exc.message)
                log.warning("fetch of notification %s failed, retrying in %.0f s: %s", notification.id, delay,
                            exc.message)
            else:
                self.store.fail(notification.id, exc.message)
                log.warning("fetch of notification %s failed for good: %s", notification.id, exc.message)
            return
        except Exception as exc:  # an unexpected answer shape must not stop the worker
            self.store.fail(notification.id, f"unexpected {type(exc).__name__}")
            log.exception("fetch of notification %s failed unexpectedly", notification.id)
            return
        new = self.store.record_fetch(notification.id, records)
        log.info("notification %s (%s): %s records, %s new", notification.id, notification.resource_type,
                 len(records), new)
        if new:
            self.scheduler.request(self.connection)
