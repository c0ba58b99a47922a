"""A ShipStation shipment and its NetSuite sales order, turned into the item fulfillment to create.

Pure: no HTTP, no clock. The caller looks the order up and sends the body; this module decides which order
lines the shipment covers (by SKU and quantity, so partial and split shipments work), or why it cannot be
applied, and writes the transform body.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .line_kinds import FULFILLED, GROUP_HEADER, NOT_FULFILLED
from .units import LineUnit

SHIP_STATUS_CODES = {"Picked": "A", "Packed": "B", "Shipped": "C"}
DEFAULT_SHIP_STATUS = "Shipped"

# Sales order statuses (BUILTIN.CF letters) a fulfillment can be made from: Pending Fulfillment, Partially
# Fulfilled, Pending Billing/Partially Fulfilled. The others, with the words a merchant sees in NetSuite:
FULFILLABLE = frozenset("BDE")
NOT_FULFILLABLE = {"A": "is pending approval", "C": "is cancelled", "F": "is already fully fulfilled (pending billing)",
                   "G": "is already fully fulfilled and billed", "H": "is closed"}

MEMO_LIMIT = 999  # NetSuite's memo field holds 999 characters (UNCONFIRMED for the REST transform)

# Package weights go to NetSuite in pounds, the unit of the package sublist's weight field.
POUNDS_PER_UNIT = {"pounds": 1.0, "pound": 1.0, "lb": 1.0, "lbs": 1.0, "ounces": 1 / 16, "ounce": 1 / 16, "oz": 1 / 16,
                   "grams": 1 / 453.59237, "gram": 1 / 453.59237, "g": 1 / 453.59237,
                   "kilograms": 2.20462262, "kilogram": 2.20462262, "kg": 2.20462262}

_EXTERNAL_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def external_id_for(shipment_id: str) -> str:
    """The item fulfillment's external id: stable per shipment, so a replay finds the fulfillment it made.

    NetSuite external ids used as `eid:` take letters, digits, `_` and `-` only. ShipStation ids already fit
    (`123456`, `se-123`, `fulfillment-9`); anything else is cleaned and given a hash of the original, so two
    ids that clean to the same text still get different external ids.
    """
    cleaned = _EXTERNAL_ID_UNSAFE.sub("_", shipment_id)
    if cleaned != shipment_id:
        cleaned += "-" + hashlib.sha1(shipment_id.encode()).hexdigest()[:10]
    return f"ss-{cleaned}"


@dataclass
class OrderLine:
    line: int
    sku: str | None
    ordered: float  # in the item's base unit (ShipStation's each)
    shipped: float
    location: str | None
    closed: bool
    item_id: str | None = None
    kind: str = FULFILLED  # line_kinds: fulfilled, group (an item group's header), not_fulfilled
    why_not: str | None = None  # for a line never fulfilled: what it is ("a discount")
    group: int | None = None  # for a member of an item group: the group's line
    numbered: str | None = None  # "lot" or "serial" for numbered items (read only with that setting on)
    uses_bins: bool = False
    unit: LineUnit = field(default_factory=LineUnit)

    @property
    def remaining(self) -> float:
        return 0 if self.closed or self.kind != FULFILLED else max(self.ordered - self.shipped, 0)


@dataclass
class SalesOrder:
    id: str
    order_number: str
    status: str  # the letter: B Pending Fulfillment ...
    lines: list[OrderLine] = field(default_factory=list)
    subsidiary: str | None = None  # OneWorld: read only when a setting needs it


@dataclass(frozen=True)
class InventoryAssignment:
    """One line of the inventory detail: a lot or serial number and/or a bin, and its quantity."""
    number_id: str | None
    bin_id: str | None
    quantity: float  # in the line's unit, as the fulfillment line's quantity

    def body(self) -> dict[str, Any]:
        return {**({"issueInventoryNumber": {"id": self.number_id}} if self.number_id else {}),
                **({"binNumber": {"id": self.bin_id}} if self.bin_id else {}), "quantity": _number(self.quantity)}


@dataclass(frozen=True)
class PlannedLine:
    order_line: int
    quantity: float  # in ShipStation's each (the item's base unit)
    location: str | None
    sku: str
    line_quantity: float | None = None  # in the line's unit, when it differs from the base unit
    inventory: tuple[InventoryAssignment, ...] = ()

    def body(self) -> dict[str, Any]:
        quantity = self.quantity if self.line_quantity is None else self.line_quantity
        out: dict[str, Any] = {"orderLine": self.order_line, "quantity": _number(quantity), "itemReceive": True}
        if self.location:
            out["location"] = {"id": self.location}
        if self.inventory:
            out["inventoryDetail"] = {"inventoryAssignment": {"items": [a.body() for a in self.inventory]}}
        return out


@dataclass(frozen=True)
class Package:
    tracking_number: str
    weight_lb: float | None
    description: str | None


@dataclass(frozen=True)
class FulfillmentPlan:
    external_id: str
    lines: tuple[PlannedLine, ...]
    untouched_lines: tuple[int, ...]  # open lines this shipment does not cover: sent with itemReceive false
    packages: tuple[Package, ...]
    ship_status: str
    ship_method_id: str | None
    memo: str
    notes: tuple[str, ...] = ()  # things the audit line should mention (an unmapped ship method)

    def transform_body(self) -> dict[str, Any]:
        items = [ln.body() for ln in self.lines]
        # NetSuite's transform starts from the create form, which ships every open line in full: the lines
        # this shipment does not cover must be excluded explicitly.
        items += [{"orderLine": line, "itemReceive": False} for line in self.untouched_lines]
        body: dict[str, Any] = {"externalId": self.external_id, "memo": self.memo,
                                "shipStatus": {"id": self.ship_status}, "item": {"items": items}}
        if self.packages:
            body["package"] = {"items": [
                {"packageTrackingNumber": p.tracking_number,
                 **({"packageWeight": p.weight_lb} if p.weight_lb is not None else {}),
                 **({"packageDescr": p.description} if p.description else {})} for p in self.packages]}
        if self.ship_method_id:
            body["shipMethod"] = {"id": self.ship_method_id}
        return body


class CannotApply(Exception):
    """The shipment cannot become a fulfillment now; the message is the reason a merchant reads."""


def plan_fulfillment(shipment: Mapping[str, Any], order: SalesOrder, ship_status: str = DEFAULT_SHIP_STATUS,
                     ship_methods: Mapping[tuple[str, str], str] | None = None) -> FulfillmentPlan:
    """The fulfillment for `shipment` on `order`, or CannotApply with the reason."""
    number = order.order_number
    if order.status not in FULFILLABLE:
        state = NOT_FULFILLABLE.get(order.status, f"has status {order.status}, which cannot be fulfilled")
        raise CannotApply(f"sales order {number} {state}")
    wanted = _quantities_by_sku(shipment)
    open_lines = [ln for ln in order.lines if ln.remaining > 0]
    if not open_lines:
        raise CannotApply(f"every line of sales order {number} is already fulfilled")
    planned: list[PlannedLine] = []
    line_notes: list[str] = []
    for sku, quantity in wanted.items():
        candidates = [ln for ln in open_lines if ln.sku is not None and _same_sku(ln.sku, sku)]
        if not candidates:
            others = [ln for ln in order.lines if ln.sku is not None and _same_sku(ln.sku, sku) and not ln.closed]
            group = [ln for ln in others if ln.kind == GROUP_HEADER]
            if group:
                planned += _group_members(group[0], sku, quantity, order)
                continue
            never = [ln for ln in others if ln.kind == NOT_FULFILLED]
            if never:
                # Shipped in ShipStation's eyes (a discount or shipping row of the order), but NetSuite never
                # fulfils such a line: nothing to write, and the audit says so.
                line_notes.append(f"SKU {sku} is {never[0].why_not} on sales order {number} (line {never[0].line}): "
                                  "not a line an item fulfillment carries")
                continue
            raise CannotApply(f"SKU {sku} is not on an open line of sales order {number}")
        available = sum(ln.remaining for ln in candidates)
        if quantity > available:
            raise CannotApply(f"shipment has {_number(quantity)} of SKU {sku} but sales order {number} has only "
                              f"{_number(available)} left to fulfill")
        # The same SKU on several lines: fill them in line order.
        left = quantity
        for ln in candidates:
            take = min(left, ln.remaining)
            if take > 0:
                planned.append(PlannedLine(ln.line, take, ln.location, ln.sku))
                left -= take
    if not planned:
        raise CannotApply(f"the shipment lists only lines that are never fulfilled ({'; '.join(line_notes)})")
    planned = _merged(planned)
    covered = {p.order_line for p in planned}
    status_code = SHIP_STATUS_CODES.get(ship_status)
    if status_code is None:
        raise ValueError(f"ship status must be one of {', '.join(SHIP_STATUS_CODES)}")
    ship_method_id, notes = _ship_method(shipment, ship_methods or {})
    return FulfillmentPlan(
        external_id=external_id_for(str(shipment["shipment_id"])),
        lines=tuple(sorted(planned, key=lambda p: p.order_line)),
        untouched_lines=tuple(ln.line for ln in open_lines if ln.line not in covered),
        packages=packages_of(shipment),
        ship_status=status_code,
        ship_method_id=ship_method_id,
        memo=memo_for(shipment),
        notes=tuple(line_notes) + notes,
    )


def _group_members(header: OrderLine, sku: str, quantity: float, order: SalesOrder) -> list[PlannedLine]:
    """An item group shipped under its own SKU: its member lines, each in its share of the group's quantity
    (NetSuite fulfils the members; the group line itself is not on the fulfillment)."""
    members = [ln for ln in order.lines if ln.group == header.line and ln.kind == FULFILLED]
    if not members or header.ordered <= 0:
        raise CannotApply(f"SKU {sku} is an item group on sales order {order.order_number} with no member lines to fulfil")
    out = []
    for member in members:
        need = member.ordered / header.ordered * quantity
        if need > member.remaining + 1e-9:
            raise CannotApply(f"shipment has {_number(quantity)} of item group {sku}, which needs {_number(need)} of "
                              f"SKU {member.sku} (line {member.line}), but sales order {order.order_number} has only "
                              f"{_number(member.remaining)} of it left to fulfill")
        out.append(PlannedLine(member.line, need, member.location, member.sku or sku))
    return out


def _merged(planned: list[PlannedLine]) -> list[PlannedLine]:
    """One planned line per order line, when a shipment reaches a line both by its SKU and through its group."""
    by_line: dict[int, PlannedLine] = {}
    for p in planned:
        seen = by_line.get(p.order_line)
        by_line[p.order_line] = p if seen is None else PlannedLine(p.order_line, seen.quantity + p.quantity,
                                                                   seen.location, seen.sku)
    return list(by_line.values())


def _quantities_by_sku(shipment: Mapping[str, Any]) -> dict[str, float]:
    items = shipment.get("items") or []
    if not items:
        # Fulfilling "everything" for a shipment that lists nothing would guess; a person should look.
        raise CannotApply("the shipment lists no items, so the lines it covers are unknown")
    wanted: dict[str, float] = {}
    for item in items:
        sku = (item.get("sku") or "").strip()
        quantity = item.get("quantity")
        if not sku:
            raise CannotApply(f"an item of the shipment has no SKU ({item.get('name') or 'no name'})")
        if not isinstance(quantity, (int, float)) or isinstance(quantity, bool) or quantity < 0:
            raise CannotApply(f"SKU {sku} has an invalid quantity {quantity!r}")
        if quantity == 0:
            continue
        wanted[sku] = wanted.get(sku, 0) + quantity
    if not wanted:
        raise CannotApply("every item of the shipment has quantity 0")
    return wanted


def _same_sku(netsuite_sku: str, shipstation_sku: str) -> bool:
    # Stores and NetSuite often differ only in letter case; NetSuite item names are unique regardless of case.
    return netsuite_sku.strip().casefold() == shipstation_sku.casefold()


def packages_of(shipment: Mapping[str, Any]) -> tuple[Package, ...]:
    """One NetSuite package per tracking number: the shipment's packages first (with weight), then any tracking
    number only listed in `tracking_numbers`."""
    out: list[Package] = []
    seen: set[str] = set()
    for pkg in shipment.get("packages") or []:
        number = (pkg.get("tracking_number") or "").strip()
        if not number or number in seen:
            continue
        seen.add(number)
        out.append(Package(number, _pounds(pkg.get("weight"), pkg.get("weight_units")), pkg.get("package_code")))
    for number in shipment.get("tracking_numbers") or []:
        number = (number or "").strip()
        if number and number not in seen:
            seen.add(number)
            out.append(Package(number, None, None))
    return tuple(out)


def _pounds(weight, units) -> float | None:
    factor = POUNDS_PER_UNIT.get((units or "").strip().lower())
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0 or factor is None:
        return None  # an unknown unit is left out rather than guessed
    return round(weight * factor, 4)


def memo_for(shipment: Mapping[str, Any]) -> str:
    """What a person in NetSuite needs to find the shipment in ShipStation."""
    parts = [f"ShipStation shipment {shipment['shipment_id']}"]
    if shipment.get("order_id"):
        # Also how the extra package labels of the same ShipStation order find this fulfillment (package_labels).
        parts.append(f"ShipStation order id {shipment['order_id']}")
    if shipment.get("order_number"):
        parts.append(f"order {shipment['order_number']}")
    carrier = "/".join(x for x in (shipment.get("carrier_code"), shipment.get("service_code")) if x)
    if carrier:
        parts.append(carrier)
    tracking = [p.tracking_number for p in packages_of(shipment)]
    if tracking:
        parts.append("tracking " + ", ".join(tracking))
    memo = "; ".join(parts)
    return memo if len(memo) <= MEMO_LIMIT else memo[:MEMO_LIMIT - 1] + "…"


def _ship_method(shipment: Mapping[str, Any], ship_methods: Mapping[tuple[str, str], str]
                 ) -> tuple[str | None, tuple[str, ...]]:
    carrier = (shipment.get("carrier_code") or "").strip()
    service = (shipment.get("service_code") or "").strip()
    if not carrier:
        return None, ()
    # A carrier-wide entry (empty service) covers every service of that carrier without its own entry.
    found = ship_methods.get((carrier, service)) or ship_methods.get((carrier, ""))
    if found:
        return found, ()
    label = f"{carrier}/{service}" if service else carrier
    return None, (f"ship method left unset: {label} is not in the ship method map",)


def parse_ship_method_map(entries: Any) -> dict[tuple[str, str], str]:
    """The spec's list of {carrier_code, service_code?, ship_item_id} as a lookup."""
    out: dict[tuple[str, str], str] = {}
    for entry in entries or []:
        carrier = str(entry.get("carrier_code") or "").strip()
        ship_item = str(entry.get("ship_item_id") or "").strip()
        if not carrier or not ship_item:
            raise ValueError("each ship method map entry needs a carrier code and a NetSuite ship item id")
        out[(carrier, str(entry.get("service_code") or "").strip())] = ship_item
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
