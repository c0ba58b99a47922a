"""The fast path: the records of the shipments a webhook named, built here, from what the relay fetched, by the
source's own builder (shipstation_lib.shipment_records), so the runner can hand them to the destination alone
instead of starting a source process to read them again.

A v2 shipment record needs the shipment (items, order number, keys) and its label (tracking, packages, cost).
The webhook for a label names one of the two (label_created_v2: the labels of a batch; shipment_created_v2: the
shipments of the same batch, never fetched twice, see resource_keys.py). The other half of every shipment waiting
is read in one listing per host, as the source reads it (shipments with a label, by `modified_at`; labels by
`created_at`), from just before the earliest of them: one call per sync at most, however many labels it covers,
instead of one more per label (ShipStation's 200 calls a minute are shared with the source).

What is not built here is left to a regular sync, which reads it as always: a shipment whose other half the
listing did not show, a label that is voided (which label is current is then the source's call, over all the
shipment's labels), a label-less fulfillment, a v1 batch listed without its items.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from shipstation_lib.dates import parse_utc, v2_filter
from shipstation_lib.errors import ShipStationError
from shipstation_lib.paging import rows
from shipstation_lib.shipment_records import current_label, v1_shipment, v2_shipment
from shipstation_lib.warehouse_names import WarehouseNames

from .fetch import ResourceFetcher
from .store import SeenParts

log = logging.getLogger("webhook_relay.fast_path")

# How far before the earliest waiting label a shipment listing starts (clocks; a label's time and its shipment's
# change are moments apart), and before a shipment's last change its label may have been bought.
MARGIN = timedelta(minutes=2)
LABEL_LOOKBEHIND = timedelta(minutes=30)
# One sync's listing; more pages than this means the account is busier than a webhook's sync is for.
MAX_PAGES = 3
# Warehouses are renamed rarely; the relay reads their names again after this long (one call).
WAREHOUSE_NAMES_MAX_AGE = 600.0
_FAR_PAST = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass
class Assembled:
    records: list[dict] = field(default_factory=list)  # ready for the destination, in the source's shape
    built: list[int] = field(default_factory=list)  # notifications whose every new shipment is in `records`
    left: list[int] = field(default_factory=list)  # notifications a regular sync must read


class ShipmentAssembler:
    def __init__(self, fetcher: ResourceFetcher) -> None:
        self.fetcher = fetcher
        self._warehouses: dict[tuple[str, str], WarehouseNames] = {}

    def assemble(self, parts: list[SeenParts]) -> Assembled:
        completed = self._complete_v2(parts)
        out = Assembled()
        by_notification: dict[int, list[dict | None]] = {}
        for p in completed:
            by_notification.setdefault(p.notification_id, []).append(self._named(p, record_of(p)))
        for notification_id, records in by_notification.items():
            if all(r is not None for r in records):
                out.records.extend(records)
                out.built.append(notification_id)
            else:
                out.left.append(notification_id)
        return out

    def _named(self, p: SeenParts, record: dict | None) -> dict | None:
        """The record with its warehouse's name, as the source gives it; None (left to a sync) if the warehouse
        list cannot be read now, since without the name the destination could pick another location."""
        if record is None:
            return None
        if record.get("warehouse_id") is None:
            record["warehouse_name"] = None
            return record
        key = (p.api, _origin(p.resource_url))
        try:
            names = self._warehouses.get(key)
            if names is None:
                names = WarehouseNames(self.fetcher.client_for(p.api, p.resource_url), max_age=WAREHOUSE_NAMES_MAX_AGE)
                self._warehouses[key] = names
            return names.name(record)
        except (ShipStationError, LookupError) as exc:
            log.warning("fast path: could not read the warehouse names (%s); a regular sync reads the shipment",
                        getattr(exc, "message", type(exc).__name__))
            return None

    def _complete_v2(self, parts: list[SeenParts]) -> list[SeenParts]:
        """Each v2 shipment with its missing half filled in where one listing per host and half shows it."""
        done = list(parts)
        hosts: dict[str, list[int]] = {}
        for i, p in enumerate(done):
            if p.kind == "v2.shipment":
                hosts.setdefault(_origin(p.resource_url), []).append(i)
        for indexes in hosts.values():
            lacking_shipment = [i for i in indexes if done[i].shipment is None and done[i].label is not None]
            lacking_label = [i for i in indexes if done[i].label is None and done[i].shipment is not None]
            try:
                if lacking_shipment:
                    since = min(parse_utc(done[i].label.get("created_at")) or _FAR_PAST for i in lacking_shipment)
                    found = self._listing(done[indexes[0]], "v2/shipments", "shipments", {
                        "shipment_status": "label_purchased", "sort_by": "modified_at", "sort_dir": "asc",
                        "modified_at_start": v2_filter(since - MARGIN)}, {done[i].id for i in lacking_shipment})
                    for i in lacking_shipment:
                        if done[i].id in found:
                            done[i] = replace(done[i], shipment=found[done[i].id])
                if lacking_label:
                    since = min(parse_utc(done[i].shipment.get("modified_at")) or _FAR_PAST for i in lacking_label)
                    found = self._listing(done[indexes[0]], "v2/labels", "labels", {
                        "sort_by": "created_at", "sort_dir": "asc",
                        "created_at_start": v2_filter(since - LABEL_LOOKBEHIND)}, {done[i].id for i in lacking_label},
                        whole=True)
                    for i in lacking_label:
                        if done[i].id in found:
                            done[i] = replace(done[i], label=found[done[i].id])
            except (ShipStationError, LookupError) as exc:
                log.warning("fast path: could not list what the webhooks' shipments lack (%s); a regular sync "
                            "reads them", getattr(exc, "message", type(exc).__name__))
        return done

    def _listing(self, sample: SeenParts, path: str, key: str, params: dict, wanted: set[str],
                 whole: bool = False) -> dict[str, dict]:
        """shipment id -> its row in the listing (the last one listed, so the newest label when listed oldest
        first); stops early once every wanted shipment is found, unless `whole` (labels: a newer one may follow)."""
        client = self.fetcher.client_for("v2", sample.resource_url)
        found: dict[str, dict] = {}
        for row in rows(client, path, key, params, max_pages=MAX_PAGES):
            sid = str(row.get("shipment_id") or "")
            if sid in wanted:
                found[sid] = row
                if not whole and wanted <= set(found):
                    break
        return found


def record_of(p: SeenParts) -> dict | None:
    """The record the source emits for this shipment, if what the relay holds settles it; else None."""
    if p.kind == "v1.shipment" and p.shipment is not None and isinstance(p.shipment.get("shipmentItems"), list):
        record = v1_shipment(p.shipment)
        return None if record["voided"] else record
    if p.kind != "v2.shipment" or p.shipment is None or p.label is None:
        return None
    if p.shipment.get("shipment_status") not in (None, "label_purchased") or str(p.shipment.get("shipment_id")) != p.id:
        return None  # the source reads labelled shipments only
    label = current_label([p.label])
    if label is None or label.get("voided"):
        return None
    return v2_shipment(p.shipment, label)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
