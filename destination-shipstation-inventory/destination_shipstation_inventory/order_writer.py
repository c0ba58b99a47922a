"""Makes ShipStation hold each NetSuite order to ship, writing only what is new or changed; every order gets
exactly one audit outcome.

v1: one read of the orders ShipStation created since the oldest order of the batch (500 a page), then one
createorder per new or changed order. createorder upserts by orderKey ("ns-<internal id>"), so a replay
updates the same order and never makes a second. What was last written is known from the content hash this
connector keeps in advancedOptions.customField3: equal hash, no call. A hash and not a field-by-field compare,
because ShipStation rewrites what it is sent (address normalisation, item ids), which would read as a change.
v2: one look-up by external_shipment_id per order, then a create (POST /v2/shipments) or a cancel. The v2 API
has no shipment update, so a changed v2 shipment is reported, not silently overwritten or duplicated.
An order already shipped in ShipStation is never changed; a NetSuite order cancelled or closed is cancelled
in ShipStation unless it has shipped.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any, Mapping

from connector_audit import AuditTrail, Outcome
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1
from shipstation_lib.errors import ShipStationError

from .order_mapping import ShipMethodMap, order_key, v1_order, v2_same, v2_shipment

STREAM = "orders_to_ship"
LIST_PAGE_SIZE = 500
# ShipStation v1 reads createDateStart in Pacific time; the NetSuite date is a UTC day: a margin covers both.
LIST_MARGIN = timedelta(days=2)


class OrderWriter:
    def __init__(self, client: ShipStationClient, audit: AuditTrail, logger: logging.Logger,
                 ship_methods: ShipMethodMap, dry_run: bool = False) -> None:
        self.client = client
        self.audit = audit
        self.logger = logger
        self.ship_methods = ship_methods
        self.dry_run = dry_run
        self.failed = 0
        self.calls = 0
        self._held: dict[str, dict] = {}  # v1 orderKey -> the order ShipStation holds
        self._covered_since: date | None = None

    def apply_batch(self, records: list[Mapping[str, Any]]) -> None:
        if not records:
            return
        if self.client.version == V1:
            try:
                self._read_v1(records)
            except ShipStationError as error:
                for record in records:
                    self._fail(record, f"reading ShipStation's orders failed: {error.message}")
                return
        for record in records:
            try:
                if self.client.version == V1:
                    self._apply_v1(record)
                else:
                    self._apply_v2(record)
            except ShipStationError as error:
                self._fail(record, error.message)

    # --- v1 ---------------------------------------------------------------------------------------------
    def _read_v1(self, records: list[Mapping[str, Any]]) -> None:
        days = [date.fromisoformat(r["transaction_date"] or r["created_at"][:10]) for r in records
                if r.get("transaction_date") or r.get("created_at")]
        start = (min(days) if days else date(2000, 1, 1)) - LIST_MARGIN
        if self._covered_since is not None and start >= self._covered_since:
            return
        page = 1
        while True:
            self.calls += 1
            answer = self.client.get("/orders", {"createDateStart": f"{start.isoformat()} 00:00:00",
                                                 "pageSize": LIST_PAGE_SIZE, "page": page,
                                                 "sortBy": "CreateDate", "sortDir": "ASC"})
            for order in answer.get("orders") or []:
                if str(order.get("orderKey") or "").startswith("ns-"):
                    self._held[order["orderKey"]] = order
            if page >= int(answer.get("pages") or 1):
                break
            page += 1
        self._covered_since = start

    def _apply_v1(self, record: Mapping[str, Any]) -> None:
        key = order_key(record)
        held = self._held.get(key)
        base = {"order_number": record.get("document_number"), "netsuite_status": record.get("status")}
        if held is not None and held.get("orderStatus") == "shipped":
            return self._report(key, Outcome.UNCHANGED, None, **base, note="already shipped in ShipStation: not changed")
        if record.get("ended"):
            if held is None:
                return self._report(key, Outcome.UNCHANGED, None, **base,
                                    note="cancelled or closed in NetSuite and never imported: nothing to cancel")
            if held.get("orderStatus") == "cancelled":
                return self._report(key, Outcome.UNCHANGED, None, **base, note="already cancelled in ShipStation")
        elif not record.get("lines"):
            return self._report(key, Outcome.SKIPPED, "nothing left to ship on this NetSuite order", **base)
        elif not (record.get("ship_to") or {}).get("street1"):
            return self._report(key, Outcome.SKIPPED, "the NetSuite order has no ship-to address", **base)
        body, note = v1_order(record, self.ship_methods)
        held_hash = ((held or {}).get("advancedOptions") or {}).get("customField3")
        if held is not None and held_hash == body["advancedOptions"]["customField3"]:
            return self._report(key, Outcome.UNCHANGED, None, **base)
        if self.dry_run:
            return self._report(key, Outcome.WOULD_CHANGE, None, **base, note=note)
        self.calls += 1
        saved = self.client.request("POST", "/orders/createorder", json=body).json()
        self._held[key] = saved
        outcome = Outcome.CREATED if held is None else Outcome.UPDATED
        self._report(key, outcome, None, **base, shipstation_order_id=saved.get("orderId"),
                     action="cancelled" if record.get("ended") else None, note=note)

    # --- v2 ---------------------------------------------------------------------------------------------
    def _apply_v2(self, record: Mapping[str, Any]) -> None:
        key = order_key(record)
        base = {"order_number": record.get("document_number"), "netsuite_status": record.get("status")}
        held = self._v2_find(key)
        status = (held or {}).get("shipment_status")
        if status == "label_purchased":
            return self._report(key, Outcome.UNCHANGED, None, **base, note="already shipped in ShipStation: not changed")
        if record.get("ended"):
            if held is None or status == "cancelled":
                return self._report(key, Outcome.UNCHANGED, None, **base, note="nothing to cancel in ShipStation")
            if self.dry_run:
                return self._report(key, Outcome.WOULD_CHANGE, None, **base, action="cancel")
            self.calls += 1
            self.client.request("PUT", f"/v2/shipments/{held['shipment_id']}/cancel")
            return self._report(key, Outcome.UPDATED, None, **base, action="cancelled", shipment_id=held["shipment_id"])
        if not record.get("lines"):
            return self._report(key, Outcome.SKIPPED, "nothing left to ship on this NetSuite order", **base)
        wanted = v2_shipment(record)
        _, _, note = self.ship_methods.resolve(record.get("ship_method"))
        if held is not None:
            if v2_same(wanted, held):
                return self._report(key, Outcome.UNCHANGED, None, **base)
            return self._report(key, Outcome.SKIPPED, "changed in NetSuite since it was imported, but ShipStation's "
                                "v2 API has no way to update a shipment: change it in ShipStation, or use a v1 key",
                                **base, shipment_id=held.get("shipment_id"))
        if self.dry_run:
            return self._report(key, Outcome.WOULD_CHANGE, None, **base, note=note)
        self.calls += 1
        answer = self.client.request("POST", "/v2/shipments", json={"shipments": [wanted]}).json()
        made = (answer.get("shipments") or [{}])[0]
        if answer.get("has_errors") or made.get("errors"):
            return self._fail(record, "ShipStation refused the shipment: " + "; ".join(made.get("errors") or []))
        self._report(key, Outcome.CREATED, None, **base, shipment_id=made.get("shipment_id"), note=note)

    def _v2_find(self, key: str) -> dict | None:
        self.calls += 1
        try:
            return self.client.get(f"/v2/shipments/external_shipment_id/{key}")
        except ShipStationError as error:
            if error.status == 404:
                return None
            raise

    # --- outcomes ---------------------------------------------------------------------------------------
    def _fail(self, record: Mapping[str, Any], reason: str) -> None:
        self.failed += 1
        self._report(order_key(record), Outcome.FAILED, reason, order_number=record.get("document_number"))

    def _report(self, key: str, outcome: Outcome, reason: str | None, **details: Any) -> None:
        self.audit.record(STREAM, key, outcome, reason, **details)
