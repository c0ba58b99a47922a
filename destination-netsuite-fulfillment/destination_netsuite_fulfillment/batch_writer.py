"""Applies one batch of shipment records to NetSuite and gives every record exactly one audit outcome.

One SuiteQL lookup per batch; then the records are grouped by sales order. Groups run in parallel (up to the
configured concurrency, which the client also enforces); the records of one order run one after the other, in
the order they arrived, because each fulfillment changes what is left to ship on that order.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping
from urllib.parse import quote

import requests
from connector_audit import AuditTrail, Outcome
from netsuite_lib import records
from netsuite_lib.client import NetSuiteClient
from netsuite_lib.errors import (BadAnswer, LoginRejected, NetSuiteError, PermissionMissing, UnknownAccount,
                                 spoils_every_request)
from netsuite_lib.suiteql_quote import UnsafeLiteral, sql_string

from .fulfillment_plan import CannotApply, SalesOrder, external_id_for, packages_of, plan_fulfillment
from .inventory_assignment import assign
from .inventory_settings import InventorySettings
from .locations import Location, ShippedFrom, shipped_from, warehouse_of
from .order_lookup import BatchLookup, internal_id_of, look_up
from .stock_pool import StockPool
from .package_labels import ConnectorFulfillment, find_sibling, is_package_only, packages_with, packages_without

STREAM = "shipments"
DUPLICATE_EXTERNAL_ID = "DUP_RCRD"  # NetSuite's code for an external id already taken (UNCONFIRMED)
VOIDED_UNRECORDED = ("voided in ShipStation and no item fulfillment exists for it in NetSuite (voided before it "
                     "was recorded, or reversed by an earlier sync): nothing to reverse")


def _json_object(response: requests.Response, url: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        # A proxy's page with status 200 says nothing about the record: BadAnswer stops the sync.
        raise BadAnswer(f"NetSuite answered GET {url} with something that is not a JSON record (HTTP "
                        f"{response.status_code}, {response.headers.get('Content-Type') or 'no content type'}).",
                        response.status_code)
    return body


@dataclass(frozen=True)
class WriterSettings:
    order_field: str = "tranid"
    ship_status: str = "Shipped"
    ship_methods: Mapping[tuple[str, str], str] | None = None
    concurrency: int = 4
    inventory: InventorySettings = InventorySettings()


@dataclass
class Pending:
    record: Mapping[str, Any]
    key: str  # the shipment id: what the audit line is keyed by
    external_id: str


class StopSync(Exception):
    """A failure that is not about one record (login or permission refused, NetSuite down, an answer that is not
    NetSuite's): every further call would fail the same way, and the records it left unapplied must come again."""

    def __init__(self, message: str, config_problem: bool) -> None:
        super().__init__(message)
        self.message = message
        self.config_problem = config_problem  # the merchant must fix something; a retry alone will not help


class FulfillmentWriter:
    def __init__(self, client: NetSuiteClient, audit: AuditTrail, settings: WriterSettings) -> None:
        self.client = client
        self.audit = audit
        self.settings = settings
        # Records failed in a way a later attempt may cure. After one, the destination passes no further state
        # on, so the platform delivers these records again.
        self.retry_needed = 0
        self._stop: str | None = None
        self._stop_is_config = False
        self._lock = threading.Lock()
        # What is available per lot, serial and bin, read with each batch's lookup (only with those settings on),
        # and the account's locations, read when a shipment names its warehouse.
        self.stock = StockPool()
        self.locations: list[Location] = []

    # --- one batch ---------------------------------------------------------------------------------------
    def apply_batch(self, batch: list[Mapping[str, Any]]) -> None:
        pending = [p for p in (self._admit(record) for record in batch) if p is not None]
        if not pending:
            return
        if self._stop:
            for p in pending:
                self._fail(p, f"not attempted: {self._stop}", retry=True)
            self._raise_if_stopped()
        numbers = [p.record["order_number"] for p in pending if p.record.get("order_number") is not None]
        try:
            # The lookup covers the whole batch and its values are quoted: whatever makes it fail is not about
            # one record, so it stops the sync (going on would skip records that were never looked at).
            with self._asking("looking up the sales orders of this batch", "POST", self.client.account.suiteql_url,
                              every_failure_stops=True):
                found = look_up(self.client, self.settings.order_field, numbers, [p.external_id for p in pending],
                                with_connector_fulfillments=any(is_package_only(p.record) for p in pending),
                                internal_ids=[i for i in (internal_id_of(p.record.get("order_key"))
                                                          for p in pending) if i is not None],
                                features=self.settings.inventory,
                                # Locations by name: to match a warehouse, and to name one in a reason.
                                with_locations=self.settings.inventory.reads_stock or any(
                                    warehouse_of(p.record) != (None, None) for p in pending))
        except NetSuiteError as error:
            for p in pending:
                self._fail(p, f"looking up the sales orders failed: {error.message}", retry=True)
            raise StopSync(self._stop or error.message, self._stop_is_config) from None
        self.stock.replace_items(found.stock_items, found.stock)
        if found.locations:
            self.locations = found.locations
        groups: dict[str, list[Pending]] = {}
        orders: dict[str, SalesOrder] = {}
        for p in pending:
            order, reason = self._order_for(p, found)
            if order is None:
                self.audit.record(STREAM, p.key, Outcome.SKIPPED, reason, order_number=p.record.get("order_number"))
                continue
            orders.setdefault(order.id, order)
            groups.setdefault(order.id, []).append(p)
        for group in groups.values():
            # An extra package label joins the fulfillment of its items label; when both came in this batch,
            # the items label must be recorded first. Moving package-only labels last changes nothing else:
            # they touch no order line. (sort is stable: arrival order holds within each kind.)
            group.sort(key=lambda p: is_package_only(p.record))
        if groups:
            # Twice as many workers as NetSuite slots: the client holds a slot only while a request is at NetSuite,
            # so while `concurrency` requests are in flight the other workers build, sign and audit theirs.
            workers = max(1, min(self.settings.concurrency * 2, len(groups)))
            with ThreadPoolExecutor(workers, thread_name_prefix="fulfill") as pool:
                for future in [pool.submit(self._apply_group, orders[so_id], group, found)
                               for so_id, group in groups.items()]:
                    future.result()
        self._raise_if_stopped()

    def _admit(self, record: Mapping[str, Any]) -> Pending | None:
        """The record ready to look up, or None once it has its outcome."""
        key = str(record.get("shipment_id") or "")
        if not key:
            self.audit.record(STREAM, "(no shipment id)", Outcome.SKIPPED, "the record has no shipment_id")
            return None
        number = record.get("order_number")
        if number is not None:
            try:
                sql_string(number)
            except UnsafeLiteral as problem:
                self.audit.record(STREAM, key, Outcome.SKIPPED, f"the order number cannot be looked up: {problem}")
                return None
        return Pending(record, key, external_id_for(key))

    def _order_for(self, p: Pending, found: BatchLookup) -> tuple[SalesOrder | None, str]:
        number = p.record.get("order_number")
        field = self.settings.order_field
        candidates = self._of_this_shipments_subsidiary(p, found.orders.get(number, []) if number is not None else [])
        if p.external_id in found.fulfillments:
            # The fulfillment names its sales order: group by that, even if the order number changed since.
            so_id = found.fulfilled_orders.get(p.external_id, "")
            same = [o for o in candidates if o.id == so_id]
            return (same[0] if same else SalesOrder(id=so_id, order_number=number or "", status="")), ""
        internal_id = internal_id_of(p.record.get("order_key"))
        if internal_id is not None and str(internal_id) in found.by_id:
            # Imported from NetSuite by this project: the key names the sales order itself, which the order
            # number cannot do where document numbers repeat (across subsidiaries).
            return found.by_id[str(internal_id)], ""
        if p.record.get("voided") and len(candidates) != 1:
            # With its order known, a void still joins that order's queue: the label may have been bought
            # earlier in this same batch.
            return None, VOIDED_UNRECORDED
        if number is None:
            return None, "the shipment has no order number"
        if not candidates:
            scope = (f" in subsidiary {self.settings.inventory.subsidiary_id}"
                     if self.settings.inventory.subsidiary_id else "")
            return None, f"no sales order with {field} {number}{scope}"
        if len(candidates) > 1:
            ids = ", ".join(sorted(o.id for o in candidates))
            return None, f"{len(candidates)} sales orders have {field} {number} (internal ids {ids}): cannot tell which"
        return candidates[0], ""

    def _origin(self, record: Mapping[str, Any]) -> ShippedFrom:
        return shipped_from(record, self.settings.inventory.warehouse_locations, self.locations)

    def _of_this_shipments_subsidiary(self, p: Pending, candidates: list[SalesOrder]) -> list[SalesOrder]:
        """OneWorld repeats document numbers across subsidiaries: of the orders with the shipment's number, those
        of the configured subsidiary, else those of the subsidiary of the location it shipped from."""
        wanted = self.settings.inventory.subsidiary_id
        if wanted:
            return [o for o in candidates if o.subsidiary == wanted]
        if len(candidates) < 2:
            return candidates
        origin = self._origin(p.record).location
        if origin is not None and origin.subsidiary:
            same = [o for o in candidates if o.subsidiary == origin.subsidiary]
            if same:
                return same
        return candidates

    # --- one sales order's records, in arrival order ------------------------------------------------------
    def _apply_group(self, order: SalesOrder, group: list[Pending], found: BatchLookup) -> None:
        for p in group:
            if self._stop:
                self._fail(p, f"not attempted: {self._stop}", retry=True)
                continue
            try:
                self._apply_one(order, p, found)
            except CannotApply as reason:
                self.audit.record(STREAM, p.key, Outcome.SKIPPED, str(reason), order_number=p.record.get("order_number"))
            except NetSuiteError as error:
                self._fail(p, error.message, error=error)
            except Exception as error:  # a bug must not lose the record silently
                self._fail(p, f"unexpected error: {type(error).__name__}: {error}", retry=True)

    def _apply_one(self, order: SalesOrder, p: Pending, found: BatchLookup) -> None:
        record, key, external_id = p.record, p.key, p.external_id
        base = {"order_number": record.get("order_number"), "sales_order_id": order.id or None,
                "external_id": external_id}
        with self._lock:
            existing = found.fulfillments.get(external_id)
        if existing is None and is_package_only(record):
            self._apply_extra_package(order, p, found, base)
            return
        if record.get("voided"):
            if existing is None:
                self.audit.record(STREAM, key, Outcome.SKIPPED, VOIDED_UNRECORDED, **base)
                return
            with self._asking("reversing the item fulfillment of a voided label", "DELETE",
                              self._record_url("itemFulfillment", existing)):
                records.delete(self.client, "itemFulfillment", existing)
            with self._lock:
                found.fulfillments.pop(external_id, None)
                made = found.connector_fulfillments.get(order.id, [])
                made[:] = [f for f in made if f.fulfillment_id != existing]
            # The deleted lines go back to the order; re-read it before planning another shipment on it.
            order.status, order.lines = "", []
            self.audit.record(STREAM, key, Outcome.REVERSED, fulfillment_id=existing, **base)
            return
        if existing is not None:
            self.audit.record(STREAM, key, Outcome.ALREADY_PRESENT, fulfillment_id=existing, **base)
            return
        if not order.status:
            self._reread(order, record)
        plan = plan_fulfillment(record, order, self.settings.ship_status, self.settings.ship_methods)
        location_names = {loc.id: loc.name for loc in self.locations}
        assigned = assign(plan, order, record, self.settings.inventory, self.stock, self._origin(record),
                          location_names)
        plan = assigned.plan
        try:
            with self._asking("creating an item fulfillment", "POST",
                              self._record_url("salesOrder", order.id) + "/!transform/itemFulfillment"):
                new_id = records.transform(self.client, "salesOrder", order.id, "itemFulfillment",
                                           plan.transform_body())
        except NetSuiteError as error:
            if error.code != DUPLICATE_EXTERNAL_ID:
                # Nothing was fulfilled: what this shipment took is available to the next one again.
                self.stock.give_back(assigned.takes)
            if error.code == DUPLICATE_EXTERNAL_ID:
                # Made by a run that stopped before it could report it, or by a parallel run: already done.
                self.audit.record(STREAM, key, Outcome.ALREADY_PRESENT, **base,
                                  details="NetSuite already has an item fulfillment with this external id")
                return
            raise
        with self._lock:
            found.fulfillments[external_id] = new_id
            found.connector_fulfillments.setdefault(order.id, []).append(
                ConnectorFulfillment(new_id, external_id, plan.memo))
        shipped = {pl.order_line: pl.quantity for pl in plan.lines}
        for line in order.lines:
            line.shipped += shipped.get(line.line, 0)
        self.audit.record(
            STREAM, key, Outcome.CREATED, fulfillment_id=new_id, **base,
            lines=assigned.details,
            tracking_numbers=[pkg.tracking_number for pkg in plan.packages] or None,
            ship_status=plan.ship_status, ship_method_id=plan.ship_method_id, notes=list(plan.notes) or None)

    def _apply_extra_package(self, order: SalesOrder, p: Pending, found: BatchLookup, base: dict) -> None:
        """An extra package label (no items): add its tracking numbers to its sibling label's fulfillment, or
        take them out again when the label was voided. The package sublist is read and written whole
        (`?replace=package`), so a replay computes the same list and changes nothing."""
        record, key = p.record, p.key
        base = {**base, "external_id": None}  # no fulfillment of its own
        with self._lock:
            candidates = list(found.connector_fulfillments.get(order.id, []))
        try:
            sibling = find_sibling(record, candidates)
        except CannotApply as reason:
            if record.get("voided"):
                self.audit.record(STREAM, key, Outcome.SKIPPED, VOIDED_UNRECORDED, **base)
                return
            raise CannotApply(str(reason)) from None
        url = self.client.account.record_url(f"itemFulfillment/{sibling.fulfillment_id}")
        with self._asking("reading the packages of an item fulfillment", "GET", url):
            current = _json_object(self.client.request("GET", url, params={"expandSubResources": "true"}), url)
        existing = (current.get("package") or {}).get("items") or []
        label_packages = packages_of(record)
        tracking = [pkg.tracking_number for pkg in label_packages]
        details = {**base, "fulfillment_id": sibling.fulfillment_id, "tracking_numbers": tracking}
        if record.get("voided"):
            after = packages_without(existing, label_packages)
            if after is None:
                self.audit.record(STREAM, key, Outcome.SKIPPED, "voided in ShipStation and its tracking number is "
                                  f"not on item fulfillment {sibling.fulfillment_id}: nothing to reverse", **details)
                return
        else:
            after = packages_with(existing, label_packages)
            if after is None:
                self.audit.record(STREAM, key, Outcome.ALREADY_PRESENT, **details)
                return
        with self._asking("changing the packages of an item fulfillment", "PATCH", url):
            self.client.request("PATCH", url, params={"replace": "package"}, json={"package": {"items": after}})
        self.audit.record(STREAM, key, Outcome.REVERSED if record.get("voided") else Outcome.UPDATED,
                          **details, sibling_shipment_id=sibling.external_id[3:])

    def _reread(self, order: SalesOrder, record: Mapping[str, Any]) -> None:
        """Read one order again: after a reversal, or when only an existing fulfillment pointed to it."""
        # By internal id: the order is already known, and its number may be shared with other orders.
        if not order.id.isdigit():
            raise CannotApply("the sales order of this shipment is not known")
        with self._asking("reading a sales order again", "POST", self.client.account.suiteql_url,
                          every_failure_stops=True):
            again = look_up(self.client, self.settings.order_field, [], [], internal_ids=[int(order.id)],
                            features=self.settings.inventory)
        match = again.by_id.get(order.id)
        if match is None:
            raise CannotApply(f"no sales order with internal id {order.id}")
        order.status, order.lines, order.subsidiary = match.status, match.lines, match.subsidiary
        # A reversed fulfillment put its lots, serials and bins back: NetSuite's numbers replace the pool's.
        self.stock.replace_items(again.stock_items, again.stock)

    # --- failures -----------------------------------------------------------------------------------------
    def _record_url(self, record_type: str, record_id: str) -> str:
        return self.client.account.record_url(f"{record_type}/{quote(str(record_id), safe=':')}")

    @contextmanager
    def _asking(self, what: str, method: str, url: str, every_failure_stops: bool = False) -> Iterator[None]:
        """Stops the sync when the request fails in a way that is not about its record; the stop names the
        request, so the merchant can tell a proxy or an outage from NetSuite's judgement of a record."""
        try:
            yield
        except NetSuiteError as error:
            if every_failure_stops or spoils_every_request(error):
                message = (error.message if url in error.message
                           else f"{error.message.rstrip('.')} (asked: {method} {url})")
                with self._lock:
                    if self._stop is None:
                        self._stop = f"{what} failed: {message}"
                        self._stop_is_config = isinstance(error, (LoginRejected, PermissionMissing, UnknownAccount))
            raise

    def _fail(self, p: Pending, reason: str, error: NetSuiteError | None = None, retry: bool = False) -> None:
        with self._lock:
            if retry or self._stop or (error is not None and error.retryable):
                self.retry_needed += 1
        self.audit.record(STREAM, p.key, Outcome.FAILED, reason, order_number=p.record.get("order_number"))

    def _raise_if_stopped(self) -> None:
        if self._stop:
            raise StopSync(self._stop, self._stop_is_config)
