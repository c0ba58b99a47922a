"""One relay: the store, the checks, the fetch worker and the sync scheduler wired together. The web app and
the local runner both hold one of these; `start` begins the background work, `stop` ends it cleanly.

With a trigger that can apply records (the local runner's), each sync the scheduler starts is first a fast path:
the records of the shipments the relay fetched are built here (fast_path.py) and applied by the destination
alone; only notifications whose records could not be built here (label-less fulfillments, a voided label, a
listing that did not show the other half) make the trigger start a regular sync, which reads them as always.
"""
from __future__ import annotations

import logging

from .config import RelayConfig
from .fast_path import Assembled, ShipmentAssembler
from .fetch import ResourceFetcher
from .scheduler import CoalescingScheduler
from .store import NotificationStore
from .trigger import SyncTrigger, trigger_from_config
from .verify import Jwks, ResourcePolicy
from .worker import FetchWorker

log = logging.getLogger("webhook_relay.relay")


class Relay:
    def __init__(self, config: RelayConfig, trigger: SyncTrigger | None = None,
                 fetcher: ResourceFetcher | None = None) -> None:
        self.config = config
        self.store = NotificationStore(config.database, config.duplicate_window_seconds)
        self.policy = ResourcePolicy(config.shipstation_base_url)
        self.jwks = Jwks(config.jwks_url)
        self.trigger = trigger or trigger_from_config(config.trigger)
        self.fetcher = fetcher or ResourceFetcher(config, self.policy)
        self.assembler = ShipmentAssembler(self.fetcher)
        fast = bool(getattr(self.trigger, "can_apply", False))
        self.scheduler = CoalescingScheduler(self.trigger, config.coalesce_seconds,
                                             before_sync=lambda connection: self.store.awaiting_sync(),
                                             after_sync=lambda connection, ids: self.store.mark_triggered(ids),
                                             deliver=self._deliver if fast else None)
        self.fast_path_runs = self.regular_syncs = 0
        self.worker = FetchWorker(self.store, self.fetcher, self.scheduler, config.connection)
        self._started = False

    def start(self) -> "Relay":
        if not self._started:
            self._started = True
            self.worker.start()
        return self

    def stop(self) -> None:
        if self._started:
            self.worker.stop()
            self.scheduler.stop()
            self._started = False
        self.store.close()

    def _deliver(self, connection: str, ids: list[int]) -> None:
        """One sync of what `ids` (notifications fetched, awaiting their sync) found: the records built here are
        applied by the destination alone; a regular sync is started only for the rest. Raises if either failed
        (the scheduler retries; the notifications stay awaiting their sync until one succeeds)."""
        if not ids:
            return  # covered by a sync already
        try:
            assembled = self.assembler.assemble(self.store.parts_awaiting(ids))
        except Exception:  # e.g. an answer of an unexpected shape: a regular sync reads them, as before
            log.exception("the fast path could not build the records of %s notifications", len(ids))
            assembled = Assembled()
        left = [i for i in ids if i not in set(assembled.built)]
        if assembled.records:
            self.fast_path_runs += 1
            try:
                summary = self.trigger.apply_records(connection, assembled.records)
            except Exception as exc:  # a regular sync reads them instead (as before the fast path)
                log.warning("the fast path could not apply %s records (%s); a regular sync reads them",
                            len(assembled.records), type(exc).__name__)
                left = list(ids)
            else:
                outcomes = getattr(summary, "outcomes", None) or {}
                self.store.note(assembled.built, "applied without a source run: " + (
                    ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
                    or f"{len(assembled.records)} records"))
                log.info("applied %s records of %s notifications without a source run", len(assembled.records),
                         len(assembled.built))
        if left:
            self.regular_syncs += 1
            self.trigger.request_sync(connection)
            self.store.note(left, "read by a regular sync")

    def accept(self, api: str, resource_type: str, resource_url: str) -> tuple[int, str]:
        """Store a verified notification (durably, before the caller answers) and wake the worker."""
        notification_id, state = self.store.add(api, resource_type, resource_url)
        self.worker.wake()
        return notification_id, state
