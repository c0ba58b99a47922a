"""v1 shipments in three reads, each with its own cursor, since v1 cannot list shipments by modification date:
new labels by createDate, voided labels by voidDate, and orders marked shipped without a label (/fulfillments)
by createDate. v1 /fulfillments has no voidDate filter: a fulfillment voided after the lookback is not seen again.
"""
from __future__ import annotations

from typing import Iterable, MutableMapping

from shipstation_lib.client import ShipStationClient, listed
from shipstation_lib.dates import parse_v1, v1_filter
from shipstation_lib.paging import pages, rows

from . import shipment_records
from .shipment_records import later_of, missing_id
from .v1_orders_lookup import orders_by_id
from .windows import Window, advance

LABELS_CREATED, LABELS_VOIDED, FULFILLMENTS = "labels_created", "labels_voided", "fulfillments"
PARTS = (LABELS_CREATED, LABELS_VOIDED, FULFILLMENTS)


class V1ShipmentReader:
    def __init__(self, client: ShipStationClient, window: Window) -> None:
        self.client, self.window = client, window
        # Labels already emitted as voided by this sync's creation read: the void read need not repeat them.
        self._emitted_voided: set[str] = set()
        self._latest_void_seen: str | None = None
        self._created_start = None

    def read(self, part: str, state: MutableMapping) -> Iterable[dict]:
        readers = {LABELS_CREATED: self._created, LABELS_VOIDED: self._voided, FULFILLMENTS: self._fulfillments}
        return readers[part](state)

    def _created(self, state: MutableMapping) -> Iterable[dict]:
        start = self._created_start = self.window.start(state.get("created_at"))
        params = {"includeShipmentItems": "true", "sortBy": "CreateDate", "sortDir": "ASC"}
        if start is not None:
            params["createDateStart"] = v1_filter(start)
        for raw in rows(self.client, "shipments", "shipments", params):
            if missing_id(self.client.logger, raw, "shipmentId", "label", raw.get("orderNumber")):
                continue
            record = shipment_records.v1_shipment(raw)
            if record["voided"]:
                self._emitted_voided.add(record["shipment_id"])
                self._latest_void_seen = later_of(self._latest_void_seen, record["voided_at"])
            advance(state, "created_at", record["created_at"])
            yield record

    def _voided(self, state: MutableMapping) -> Iterable[dict]:
        # Until a first void is seen, voids are looked for from where this sync's creation read started.
        start = self.window.start(state["voided_at"]) if state.get("voided_at") else self._created_start
        if start is None:
            # First sync from the beginning: the creation read just listed every label, voided ones included.
            advance(state, "voided_at", self._latest_void_seen)
            return
        params = {"includeShipmentItems": "true", "sortBy": "CreateDate", "sortDir": "ASC",
                  "voidDateStart": v1_filter(start)}
        latest = None
        for raw in rows(self.client, "shipments", "shipments", params):
            if missing_id(self.client.logger, raw, "shipmentId", "label", raw.get("orderNumber")):
                continue
            record = shipment_records.v1_shipment(raw)
            if not record["voided"]:
                continue
            latest = later_of(latest, record["voided_at"])
            if record["shipment_id"] not in self._emitted_voided:
                yield record
        # Rows come in creation order, not void order: the cursor moves only once the whole read is done.
        advance(state, "voided_at", latest)

    def _fulfillments(self, state: MutableMapping) -> Iterable[dict]:
        start = self.window.start(state.get("fulfillment_created_at"))
        params = {"sortBy": "CreateDate", "sortDir": "ASC"}
        if start is not None:
            params["createDateStart"] = v1_filter(start)
        for body in pages(self.client, "fulfillments", params):
            batch = [raw for raw in listed(body, "fulfillments", "GET /fulfillments")
                     if not missing_id(self.client.logger, raw, "fulfillmentId", "fulfillment", raw.get("orderNumber"))]
            orders = self._orders_for(batch)
            for raw in batch:
                record = shipment_records.v1_fulfillment(raw, orders.get(raw.get("orderId")))
                advance(state, "fulfillment_created_at", record["created_at"])
                yield record

    def _orders_for(self, batch: list[dict]) -> dict[int, dict]:
        # Items are on the order, not on a v1 fulfillment; a fulfillment that carries items needs no order.
        needed = {f["orderId"] for f in batch if not f.get("items") and f.get("orderId") is not None}
        earliest = min((parse_v1(f.get("createDate")) for f in batch if f.get("createDate")), default=None)
        return orders_by_id(self.client, needed, earliest)
