"""One relay: the store, the checks, the fetch worker and the sync scheduler wired together. The web app and
the local runner both hold one of these; `start` begins the background work, `stop` ends it cleanly."""
from __future__ import annotations

from .config import RelayConfig
from .fetch import ResourceFetcher
from .scheduler import CoalescingScheduler
from .store import NotificationStore
from .trigger import SyncTrigger, trigger_from_config
from .verify import Jwks, ResourcePolicy
from .worker import FetchWorker


class Relay:
    def __init__(self, config: RelayConfig, trigger: SyncTrigger | None = None,
                 fetcher: ResourceFetcher | None = None) -> None:
        self.config = config
        self.store = NotificationStore(config.database, config.duplicate_window_seconds)
        self.policy = ResourcePolicy(config.shipstation_base_url)
        self.jwks = Jwks(config.jwks_url)
        self.trigger = trigger or trigger_from_config(config.trigger)
        self.scheduler = CoalescingScheduler(self.trigger, config.coalesce_seconds,
                                             before_sync=lambda connection: self.store.awaiting_sync(),
                                             after_sync=lambda connection, ids: self.store.mark_triggered(ids))
        self.fetcher = fetcher or ResourceFetcher(config, self.policy)
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

    def accept(self, api: str, resource_type: str, resource_url: str) -> tuple[int, str]:
        """Store a verified notification (durably, before the caller answers) and wake the worker."""
        notification_id, state = self.store.add(api, resource_type, resource_url)
        self.worker.wake()
        return notification_id, state
