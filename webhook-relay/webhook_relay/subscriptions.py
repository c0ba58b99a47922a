"""The relay subscribing itself to ShipStation's shipment and order notifications, listing and removing them.

Only the relay's own subscriptions (those whose URL starts with its public URL) are touched by `unsubscribe`;
listings never show the v1 secret that sits in the target URL.
"""
from __future__ import annotations

from dataclasses import dataclass

from shipstation_lib.client import ShipStationClient
from shipstation_lib.errors import RequestRejected

from .config import RelayConfig
from .fetch import quiet_http_logger

# Labels created (v1: SHIP_NOTIFY and its item-level twin) and orders marked shipped without a label.
EVENTS = {"v1": ("SHIP_NOTIFY", "ITEM_SHIP_NOTIFY", "FULFILLMENT_SHIPPED"),
          "v2": ("label_created_v2", "shipment_created_v2", "fulfillment_shipped_v2")}
FRIENDLY_NAME = "webhook-relay"


@dataclass(frozen=True)
class Subscription:
    api: str
    id: str
    event: str
    url: str  # with the v1 secret masked
    ours: bool


def target_url(config: RelayConfig, api: str) -> str:
    if not config.public_url:
        raise ValueError("public_url is needed to subscribe: it is the address ShipStation posts to")
    if api == "v1":
        return f"{config.public_url}/webhooks/shipstation/v1/{config.v1_secret}"
    return f"{config.public_url}/webhooks/shipstation/v2"


def mask(config: RelayConfig, url: str) -> str:
    return url.replace(config.v1_secret, "***") if config.v1_secret else url


class SubscriptionManager:
    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self._clients = {api: ShipStationClient(config.client_config(api), max_retries=3,
                                                 logger=quiet_http_logger("webhook_relay.http")) for api in config.apis}

    def list(self) -> list[Subscription]:
        out = []
        prefix = f"{self.config.public_url}/webhooks/shipstation/" if self.config.public_url else None
        if "v1" in self._clients:
            for hook in self._clients["v1"].get("webhooks").get("webhooks", []):
                url = hook.get("Url") or ""
                out.append(Subscription("v1", str(hook.get("WebHookID")), hook.get("HookType", ""),
                                        mask(self.config, url), bool(prefix and url.startswith(prefix))))
        if "v2" in self._clients:
            for hook in self._clients["v2"].get("environment/webhooks"):
                url = hook.get("url") or ""
                out.append(Subscription("v2", str(hook.get("webhook_id")), hook.get("event", ""),
                                        mask(self.config, url), bool(prefix and url.startswith(prefix))))
        return out

    def subscribe(self) -> list[Subscription]:
        """Subscribe to every event not yet pointing at this relay; running it twice changes nothing."""
        existing = {(s.api, s.event.lower()) for s in self.list() if s.ours}
        made = []
        for api, client in self._clients.items():
            url = target_url(self.config, api)
            for event in EVENTS[api]:
                if (api, event.lower()) in existing:
                    continue
                if api == "v1":
                    answer = client.request("POST", "webhooks/subscribe", json={
                        "target_url": url, "event": event, "friendly_name": FRIENDLY_NAME}).json()
                    made.append(Subscription(api, str(answer.get("id")), event, mask(self.config, url), True))
                else:
                    try:
                        answer = client.request("POST", "environment/webhooks", json={"url": url, "event": event})
                    except RequestRejected as exc:
                        if exc.code == "webhook_event_type_conflict":
                            # v2 allows one subscription per event; another one exists and is not ours.
                            raise RequestRejected(f"ShipStation v2 already has a webhook for {event} pointing "
                                                  "elsewhere; remove it first (one per event is allowed).",
                                                  exc.status, exc.code) from None
                        raise
                    made.append(Subscription(api, str(answer.json().get("webhook_id")), event,
                                             mask(self.config, url), True))
        return made

    def unsubscribe(self, ids: list[str] | None = None) -> list[Subscription]:
        """Remove the relay's own subscriptions (or only the given ids among them)."""
        removed = []
        for sub in self.list():
            if not sub.ours or (ids and sub.id not in ids):
                continue
            path = f"webhooks/{sub.id}" if sub.api == "v1" else f"environment/webhooks/{sub.id}"
            self._clients[sub.api].request("DELETE", path)
            removed.append(sub)
        return removed
