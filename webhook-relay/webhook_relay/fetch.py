"""Fetch what a notification points at, with the merchant's own key, and pull out the shipment and order ids.

Calls go through the shared ShipStationClient, so they are paced on the same rate limit rules as the connectors.
One client per API host (v1 deliveries name ssapi, ssapi6, ...), all hosts of one API sharing one budget,
because ShipStation counts calls per key, not per host.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import DEFAULT_RATE_LIMITS
from shipstation_lib.pacing import shipstation_budget

from .config import RelayConfig
from .store import SeenRecord
from .verify import AllowedResource, ResourcePolicy

log = logging.getLogger("webhook_relay.fetch")


def quiet_http_logger(name: str) -> logging.Logger:
    """The CDK's HTTP client logs every request's headers (the merchant's key) at DEBUG: its logger is held at
    INFO so that turning on debug logging for the relay never writes a key into a log."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    return logger

# One notification covers one batch; more than a few pages means something odd, and the sync reads it anyway.
MAX_PAGES = 10

_SHIPMENT_KEYS = ("shipmentId", "shipment_id")
_FULFILLMENT_KEYS = ("fulfillmentId", "fulfillment_id")
_ORDER_ID_KEYS = ("orderId", "order_id", "external_order_id")
_ORDER_NUMBER_KEYS = ("orderNumber", "order_number", "shipment_number")
_TRACKING_KEYS = ("trackingNumber", "tracking_number")


class ResourceFetcher:
    def __init__(self, config: RelayConfig, policy: ResourcePolicy, max_retries: int = 2,
                 timeout: float = 20) -> None:
        self.config, self.policy = config, policy
        self._max_retries, self._timeout = max_retries, timeout
        self._budgets = {api: shipstation_budget(config.rate_limit_per_minute.get(api) or DEFAULT_RATE_LIMITS[api])
                         for api in config.apis}
        self._clients: dict[tuple[str, str], ShipStationClient] = {}
        self._lock = threading.Lock()

    def fetch(self, api: str, resource_url: str) -> list[SeenRecord]:
        # Checked again here, not only on receipt: a row in the store is data, and the key must never follow it
        # anywhere the policy would refuse today.
        resource = self.policy.check(api, resource_url)
        client = self._client(resource)
        records: list[SeenRecord] = []
        page, pages = 1, 1
        path_and_query = with_shipment_items(api, resource.path_and_query)
        while page <= min(pages, MAX_PAGES):
            body = client.get(path_and_query, params={"page": page} if page > 1 else None)
            records.extend(extract(api, body, path_and_query))
            pages = int(body.get("pages") or 1) if isinstance(body, dict) else 1
            page += 1
        return records

    def client_for(self, api: str, resource_url: str) -> ShipStationClient:
        """The paced client for the host a notification's resource is on (checked against the policy again)."""
        return self._client(self.policy.check(api, resource_url))

    def _client(self, resource: AllowedResource) -> ShipStationClient:
        with self._lock:
            key = (resource.api, resource.origin)
            if key not in self._clients:
                if resource.api not in self.config.shipstation:
                    raise LookupError(f"no {resource.api} credentials configured")
                self._clients[key] = ShipStationClient(
                    self.config.client_config(resource.api, resource.origin), logger=quiet_http_logger("webhook_relay.http"),
                    max_retries=self._max_retries, timeout=self._timeout, api_budget=self._budgets[resource.api])
            return self._clients[key]


def extract(api: str, body: Any, path: str | None = None) -> list[SeenRecord]:
    """Every shipment (or, for orders marked shipped without a label, fulfillment or order) in a list answer.
    A shipment is keyed by its shipment id, so v2's label, shipment and fulfillment notifications of one label
    all count as the same shipment. Each keeps, for the fast path, the answer's row when it is a v2 label or
    shipment, or a v1 shipment listed with its items (what the source builds its record from)."""
    raw_kind = _raw_kind(api, path)
    out = []
    for record in _records(body):
        order_id, number, tracking = (_first(record, _ORDER_ID_KEYS), _first(record, _ORDER_NUMBER_KEYS),
                                      _first(record, _TRACKING_KEYS))
        for kind, keys in (("shipment", _SHIPMENT_KEYS), ("fulfillment", _FULFILLMENT_KEYS), ("order", _ORDER_ID_KEYS)):
            value = _first(record, keys)
            if value is not None:
                keep = raw_kind is not None and kind == "shipment" and (
                    api == "v2" or isinstance(record.get("shipmentItems"), list))
                out.append(SeenRecord(f"{api}.{kind}", value, order_id, number, tracking,
                                      raw=record if keep else None, raw_kind=raw_kind if keep else None))
                break
    return out


def with_shipment_items(api: str, path_and_query: str) -> str:
    """A v1 shipments listing asked for with its items (SHIP_NOTIFY names the batch without them,
    ITEM_SHIP_NOTIFY with them: the same one call either way), so its rows are whole records for the fast path."""
    parts = urlsplit(path_and_query)
    if api != "v1" or not parts.path.rstrip("/").endswith("/shipments"):
        return path_and_query
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "includeshipmentitems"]
    return urlunsplit(("", "", parts.path, urlencode([*query, ("includeShipmentItems", "True")]), ""))


def _raw_kind(api: str, path: str | None) -> str | None:
    """What one row of this listing is: a v2 label (`/v2/labels`), a v2 shipment (`/v2/shipments`) or a v1
    shipment (`/shipments`, one row per label); None for anything else (fulfillments, orders)."""
    route = urlsplit(path or "").path.rstrip("/")
    if api == "v2" and route.endswith("/v2/labels"):
        return "label"
    if (api == "v2" and route.endswith("/v2/shipments")) or (api == "v1" and route.endswith("/shipments")):
        return "shipment"
    return None


def _records(body: Any) -> Iterator[dict]:
    if isinstance(body, list):
        yield from (r for r in body if isinstance(r, dict))
    elif isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list):
                yield from (r for r in value if isinstance(r, dict))


def _first(record: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if record.get(key) not in (None, ""):
            return str(record[key])
    return None
