"""Makes ShipStation hold each NetSuite order to ship, writing only what is new or changed; every order gets
exactly one audit outcome.

v1: one read of the orders ShipStation created since the oldest order of the batch (500 a page), then one
createorder per new or changed order. createorder upserts by orderKey ("ns-<internal id>"), so a replay
updates the same order and never makes a second. What was last written is known from the content hash this
connector keeps in advancedOptions.customField3: equal hash, no call. A hash and not a field-by-field compare,
because ShipStation rewrites what it is sent (address normalisation, item ids), which would read as a change.
v2: the same single listing per batch (GET /v2/shipments since the oldest order, keys "ns-<id>" and their
revisions "ns-<id>-r<n>"), then one POST /v2/shipments for all the batch's new shipments, and a cancel per
order cancelled in NetSuite. The v2 API has no shipment update: a changed order whose shipment has no label yet
is cancelled and replaced by a new shipment under the next revision of the key (equal content, no call).
An order already shipped in ShipStation is never changed; a NetSuite order cancelled or closed is cancelled
in ShipStation unless it has shipped.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any, Callable, Mapping

from connector_audit import AuditTrail, Outcome
from shipstation_lib.client import ShipStationClient, listed
from shipstation_lib.credentials import V1
from shipstation_lib.errors import KeyRefused, ShipStationError, credential_refused
from shipstation_lib.paging import pages

from .order_mapping import (V2_SHIP_VIA_SHOWN_AS, ShipMethodMap, order_key, parse_revision, v1_order, v2_phone,
                            v2_same, v2_ship_to, v2_ship_to_problem, v2_shipment)

STREAM = "orders_to_ship"
LIST_PAGE_SIZE = 500  # v1's maximum; v2 states none (UNCONFIRMED), and further pages are followed anyway
# ShipStation v1 reads createDateStart in Pacific time; the NetSuite date is a UTC day: a margin covers both.
LIST_MARGIN = timedelta(days=2)
CREATE_BATCH = 100  # shipments per POST /v2/shipments (the OAS sets no maximum; kept modest)


def _earliest_day(records: list[Mapping[str, Any]]) -> date:
    """The earliest NetSuite day of the batch. A transaction date may be set in the future, but no order reached
    ShipStation before NetSuite created it, so the creation date bounds the listing too."""
    days = [date.fromisoformat(str(r[f])[:10]) for r in records for f in ("transaction_date", "created_at")
            if r.get(f)]
    return min(days) if days else date(2000, 1, 1)


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
        self._held_v2: dict[str, tuple[int, dict]] = {}  # key -> (latest revision, that shipment)
        # key -> (record, shipment to create, the one it replaces, note); by key, so an order read twice in one
        # batch is created once, as NetSuite last had it.
        self._to_create: dict[str, tuple[Mapping[str, Any], dict, dict | None, str | None]] = {}
        self._covered_since: date | None = None  # the listing (v1 orders, v2 shipments) read since this day
        self._warehouse_phone: str | None = None
        self._warehouse_phone_read = False

    def apply_batch(self, records: list[Mapping[str, Any]]) -> None:
        # No records, no call: a sync where nothing changed in NetSuite costs ShipStation nothing.
        if not records:
            return
        v1 = self.client.version == V1
        try:
            self._read_v1(records) if v1 else self._read_v2(records)
        except ShipStationError as error:
            self._stop_if_refused(records, error)
            for record in records:
                self._fail(record, f"reading ShipStation's {'orders' if v1 else 'shipments'} failed: {error.message}")
            return
        for n, record in enumerate(records):
            try:
                self._apply_v1(record) if v1 else self._apply_v2(record)
            except ShipStationError as error:
                self._stop_if_refused(records[n:], error)
                self._fail(record, error.message)
        if not v1:
            self._create_v2()

    def _stop_if_refused(self, unwritten: list[Mapping[str, Any]], error: ShipStationError) -> None:
        """A refused key refuses every further call: the orders not written yet fail, and the sync stops."""
        refused = credential_refused(error, self.client.version)
        if refused:
            waiting, self._to_create = [record for record, *_ in self._to_create.values()], {}
            for record in waiting + list(unwritten):
                self._fail(record, error.message)
            raise KeyRefused(refused)

    def _list_since(self, records: list[Mapping[str, Any]], path: str, params: Callable[[date], dict],
                    items: str, keep: Callable[[dict], None]) -> None:
        """One paged listing of what ShipStation created since the batch's oldest order (less a margin), unless
        an earlier batch's listing already covers that day."""
        start = _earliest_day(records) - LIST_MARGIN
        if self._covered_since is not None and start >= self._covered_since:
            return
        for answer in pages(self.client, path, params(start), size=LIST_PAGE_SIZE):
            self.calls += 1
            for item in listed(answer, items, f"GET {path}"):
                keep(item)
        self._covered_since = start

    # --- v1 ---------------------------------------------------------------------------------------------
    def _read_v1(self, records: list[Mapping[str, Any]]) -> None:
        def keep(order: dict) -> None:
            if str(order.get("orderKey") or "").startswith("ns-"):
                self._held[order["orderKey"]] = order

        self._list_since(records, "/orders", lambda start: {
            "createDateStart": f"{start.isoformat()} 00:00:00", "sortBy": "CreateDate", "sortDir": "ASC"},
            "orders", keep)

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
    def _read_v2(self, records: list[Mapping[str, Any]]) -> None:
        """Every shipment ShipStation created since the batch's oldest order, kept per key at its latest
        revision (cancelled ones count: a revision number is never used twice)."""
        def keep(shipment: dict) -> None:
            parsed = parse_revision(shipment.get("external_shipment_id"))
            if parsed is not None:
                self._hold_v2(parsed[0], parsed[1], shipment)

        self._list_since(records, "/v2/shipments", lambda start: {
            "created_at_start": f"{start.isoformat()}T00:00:00Z", "sort_by": "created_at", "sort_dir": "asc"},
            "shipments", keep)

    def _hold_v2(self, key: str, revision: int, shipment: dict) -> None:
        known = self._held_v2.get(key)
        # One revision split over several labels lists once per label: any label means it shipped.
        if known is None or revision > known[0] or (
                revision == known[0] and shipment.get("shipment_status") == "label_purchased"):
            self._held_v2[key] = (revision, shipment)

    def _apply_v2(self, record: Mapping[str, Any]) -> None:
        key = order_key(record)
        base = {"order_number": record.get("document_number"), "netsuite_status": record.get("status")}
        revision, held = self._held_v2.get(key, (0, None))
        status = (held or {}).get("shipment_status")
        if status == "label_purchased":
            return self._report(key, Outcome.UNCHANGED, None, **base, note="already shipped in ShipStation: not changed")
        if record.get("ended"):
            if held is None or status == "cancelled":
                return self._report(key, Outcome.UNCHANGED, None, **base, note="nothing to cancel in ShipStation")
            if self.dry_run:
                return self._report(key, Outcome.WOULD_CHANGE, None, **base, action="cancel")
            if self._cancel_v2(record, held):
                self._report(key, Outcome.UPDATED, None, **base, action="cancelled", shipment_id=held["shipment_id"])
            return
        if not record.get("lines"):
            return self._report(key, Outcome.SKIPPED, "nothing left to ship on this NetSuite order", **base)
        if not (record.get("ship_to") or {}).get("street1"):
            return self._report(key, Outcome.SKIPPED, "the NetSuite order has no ship-to address", **base)
        _, _, note = self.ship_methods.resolve(record.get("ship_method"), V2_SHIP_VIA_SHOWN_AS)
        if held is not None and v2_same(v2_shipment(record, revision, self.ship_methods), held):
            return self._report(key, Outcome.UNCHANGED, None, **base, note=None if status != "cancelled" else
                                "cancelled in ShipStation and unchanged in NetSuite: not recreated")
        fallback_phone = None if v2_phone(record) else self._default_warehouse_phone()
        ship_to, filled = v2_ship_to(record, fallback_phone)
        problem = v2_ship_to_problem(ship_to)
        if problem:
            return self._report(key, Outcome.SKIPPED, f"order {record.get('document_number') or key}: {problem}",
                                **base)
        note = "; ".join(n for n in [note, *filled] if n) or None
        if self.dry_run:
            return self._report(key, Outcome.WOULD_CHANGE, None, **base, note=note,
                                action="replace" if held is not None else None)
        # Changed after import: v2 has no shipment update, so the unlabelled shipment is cancelled and a
        # replacement made under the next revision of the key. Cancel first: if the create then fails, the order
        # is missing from ShipStation until the next sync (state is held back), never there twice.
        if held is not None and status != "cancelled" and not self._cancel_v2(record, held):
            return
        self._to_create[key] = (record, v2_shipment(record, revision + 1, self.ship_methods, fallback_phone), held,
                                note)
        if len(self._to_create) >= CREATE_BATCH:
            self._create_v2()

    def _default_warehouse_phone(self) -> str | None:
        """The phone of ShipStation's default warehouse (the ship-from address a created shipment gets), read once
        per sync and only for an order NetSuite has no phone for."""
        if not self._warehouse_phone_read:
            self.calls += 1
            body = self.client.get("/v2/warehouses")
            warehouses = listed(body, "warehouses", "GET /v2/warehouses")
            chosen = next((w for w in warehouses if w.get("is_default")), warehouses[0] if warehouses else {})
            phone = (chosen.get("origin_address") or {}).get("phone")
            self._warehouse_phone = str(phone).strip() if phone and str(phone).strip() else None
            self._warehouse_phone_read = True
        return self._warehouse_phone

    def _cancel_v2(self, record: Mapping[str, Any], held: dict) -> bool:
        if not held.get("shipment_id"):
            self._report(order_key(record), Outcome.SKIPPED, "ShipStation listed this order's shipment without a "
                         "`shipment_id`, so it cannot be cancelled or replaced; check it in ShipStation",
                         order_number=record.get("document_number"))
            return False
        self.calls += 1
        try:
            self.client.request("PUT", f"/v2/shipments/{held['shipment_id']}/cancel")
        except ShipStationError as error:
            if error.status != 400:
                raise
            # A label bought between this sync's listing and now: ShipStation refuses, and rightly so.
            self._report(order_key(record), Outcome.SKIPPED, f"ShipStation refused to cancel shipment "
                         f"{held['shipment_id']} (labelled meanwhile?): {error.message}",
                         order_number=record.get("document_number"), shipment_id=held["shipment_id"])
            return False
        held["shipment_status"] = "cancelled"
        return True

    def _create_v2(self) -> None:
        """One POST /v2/shipments for every shipment waiting: the create takes a list, so new orders cost a
        fraction of a call each."""
        waiting, self._to_create = list(self._to_create.values()), {}
        if not waiting:
            return
        self.calls += 1
        try:
            answer = self.client.request("POST", "/v2/shipments",
                                         json={"shipments": [wanted for _, wanted, _, _ in waiting]}).json()
        except ShipStationError as error:
            self._stop_if_refused([record for record, *_ in waiting], error)
            # Whatever ShipStation made before failing is found by the next sync's listing, by external id.
            for record, *_ in waiting:
                self._fail(record, f"creating the shipment failed: {error.message}")
            return
        made_list = answer.get("shipments") or []
        made_by_id = {m.get("external_shipment_id"): m for m in made_list if m.get("external_shipment_id")}
        for n, (record, wanted, replaced, note) in enumerate(waiting):
            # Matched by external id; by position only for an answer that does not echo it.
            made = made_by_id.get(wanted["external_shipment_id"]) or (
                made_list[n] if n < len(made_list) and not made_list[n].get("external_shipment_id") else {})
            key = order_key(record)
            if made.get("errors") or not made.get("shipment_id"):
                self._fail(record, "ShipStation refused the shipment: " +
                           ("; ".join(str(e) for e in made.get("errors") or []) or "no shipment in its answer"))
                continue
            revision = parse_revision(wanted["external_shipment_id"])[1]
            self._held_v2[key] = (revision, made)
            details = {"order_number": record.get("document_number"), "netsuite_status": record.get("status"),
                       "shipment_id": made.get("shipment_id"), "note": note}
            if replaced is None:
                self._report(key, Outcome.CREATED, None, **details)
            else:
                self._report(key, Outcome.UPDATED, None, **details, action="replaced",
                             external_shipment_id=wanted["external_shipment_id"],
                             replaced_shipment_id=replaced.get("shipment_id"))

    # --- outcomes ---------------------------------------------------------------------------------------
    def _fail(self, record: Mapping[str, Any], reason: str) -> None:
        self.failed += 1
        self._report(order_key(record), Outcome.FAILED, reason, order_number=record.get("document_number"))

    def _report(self, key: str, outcome: Outcome, reason: str | None, **details: Any) -> None:
        self.audit.record(STREAM, key, outcome, reason, **details)
