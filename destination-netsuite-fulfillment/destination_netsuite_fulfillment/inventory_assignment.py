"""Completes a planned fulfillment with what NetSuite requires on a real account: the location each line ships
from, its quantity in the line's unit, and its inventory detail (lots, serials, bins), each assignment written
down for the audit. A line that cannot be completed stops the shipment with the exact reason (which line, which
lot or bin ran short); the shipment is skipped and applied by a later sync once the cause is gone.

Stock is taken from the shared pool as lines are assigned; the caller gives it back if NetSuite refuses.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from .allocation import StockSlot, Take, allocate, bin_order, policy_order, take_named
from .fulfillment_plan import CannotApply, FulfillmentPlan, InventoryAssignment, OrderLine, PlannedLine, SalesOrder
from .inventory_settings import ASSIGN_AVAILABLE, LEAVE_TO_NETSUITE, OLDEST, InventorySettings
from .locations import ShippedFrom
from .stock_pool import StockPool
from .units import NotWholeUnits, describe, to_line_units

LOT, SERIAL = "lot", "serial"


@dataclass
class Assigned:
    plan: FulfillmentPlan
    takes: list[Take] = field(default_factory=list)  # taken from the pool: given back if NetSuite refuses
    details: list[dict] = field(default_factory=list)  # one audit entry per line
    notes: list[str] = field(default_factory=list)


def serials_named(shipment: Mapping[str, Any]) -> dict[str, list[str]]:
    """SKU (case folded) -> the serial numbers ShipStation lists for it on this shipment, when it lists any."""
    out: dict[str, list[str]] = {}
    for item in shipment.get("items") or []:
        numbers = [str(n).strip() for n in item.get("serial_numbers") or [] if str(n).strip()]
        if numbers:
            out.setdefault(str(item.get("sku") or "").strip().casefold(), []).extend(numbers)
    return out


def assign(plan: FulfillmentPlan, order: SalesOrder, shipment: Mapping[str, Any], settings: InventorySettings,
           pool: StockPool | None, origin: ShippedFrom, location_names: Mapping[str, str] | None = None) -> Assigned:
    lines = {ln.line: ln for ln in order.lines}
    names = location_names or {}
    result = Assigned(plan)
    if origin.note:
        result.notes.append(origin.note)
    named = serials_named(shipment)
    completed: list[PlannedLine] = []
    pool = pool or StockPool()
    with pool.exclusive():
        try:
            for planned in plan.lines:
                line = lines[planned.order_line]
                completed.append(_complete(planned, line, order, settings, pool, origin, named, names, result))
        except CannotApply:
            pool.give_back(result.takes)
            raise
    result.plan = replace(plan, lines=tuple(completed), notes=plan.notes + tuple(result.notes))
    return result


def _complete(planned: PlannedLine, line: OrderLine, order: SalesOrder, settings: InventorySettings,
              pool: StockPool, origin: ShippedFrom, named: dict[str, list[str]], names: Mapping[str, str],
              result: Assigned) -> PlannedLine:
    where = f"line {line.line} (SKU {planned.sku})"
    location, location_from = _location(line, order, origin, where)
    detail: dict[str, Any] = {"line": line.line, "sku": planned.sku, "quantity": _n(planned.quantity)}
    if location is not None:
        detail["location"] = location
        if names.get(location):
            detail["location_name"] = names[location]
        detail["location_from"] = location_from
    try:
        line_quantity = to_line_units(planned.quantity, line.unit)
    except NotWholeUnits as problem:
        raise CannotApply(f"{where}: {problem}") from None
    conversion = describe(planned.quantity, line.unit)
    if conversion:
        detail["unit_conversion"] = conversion
    takes, assigned_by = _inventory(planned, line, settings, pool, location, named, where, names)
    pool.take(takes)
    result.takes.extend(takes)
    assignments = tuple(InventoryAssignment(t.slot.number_id, t.slot.bin_id, _n(t.quantity / line.unit.rate))
                        for t in takes)
    if takes:
        detail["assigned_by"] = assigned_by
        if line.numbered:
            detail["lots" if line.numbered == LOT else "serials"] = [
                {"number": t.slot.number, "quantity": _n(t.quantity), **({"expiry": t.slot.expiry} if t.slot.expiry else {}),
                 **({"bin": t.slot.bin_number} if t.slot.bin_id else {})} for t in takes]
        else:
            detail["bins"] = [{"bin": t.slot.bin_number, "quantity": _n(t.quantity)} for t in takes]
    elif line.numbered and settings.numbered_inventory:
        detail["assigned_by"] = "NetSuite (lot policy: leave to NetSuite)"
    result.details.append(detail)
    return replace(planned, location=location, line_quantity=line_quantity, inventory=assignments)


def _location(line: OrderLine, order: SalesOrder, origin: ShippedFrom, where: str) -> tuple[str | None, str]:
    if origin.location is None:
        return line.location, "order line"
    chosen = origin.location
    if chosen.subsidiary and order.subsidiary and chosen.subsidiary != order.subsidiary:
        raise CannotApply(f"{where}: shipped from NetSuite location {chosen.name or chosen.id}, which belongs to "
                          f"subsidiary {chosen.subsidiary}, but sales order {order.order_number} belongs to "
                          f"subsidiary {order.subsidiary}")
    return chosen.id, origin.how or "shipstation warehouse"


def _inventory(planned: PlannedLine, line: OrderLine, settings: InventorySettings, pool: StockPool,
               location: str | None, named: dict[str, list[str]], where: str, names: Mapping[str, str]
               ) -> tuple[list[Take], str | None]:
    numbered = line.numbered if settings.numbered_inventory else None
    binned = settings.bins and line.uses_bins
    if not numbered and not binned:
        return [], None
    if numbered == LOT and settings.lot_policy == LEAVE_TO_NETSUITE:
        return [], None
    if line.item_id is None or location is None:
        raise CannotApply(f"{where}: no location to take its {'lots' if numbered == LOT else 'serials' if numbered else 'bins'} from")
    at = f"location {names.get(location) or location}"
    slots = [s for s in pool.at(line.item_id, location) if (s.number_id is not None) == bool(numbered)]
    quantity = planned.quantity
    if numbered == SERIAL:
        wanted = named.get(planned.sku.casefold(), [])
        if wanted:
            mine, named[planned.sku.casefold()] = wanted[:int(quantity)], wanted[int(quantity):]
            if len(mine) < quantity:
                raise CannotApply(f"{where}: ShipStation lists {len(mine)} serial numbers for {_n(quantity)} shipped")
            takes, missing = take_named(slots, mine)
            if missing:
                raise CannotApply(f"{where}: serial number{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                  f"{'are' if len(missing) > 1 else 'is'} not available at {at}")
            return takes, "ShipStation"
        if settings.serial_policy != ASSIGN_AVAILABLE:
            raise CannotApply(f"{where}: item {planned.sku} is serial-numbered and ShipStation does not list its "
                              f"serial numbers for this shipment; the serial policy is to skip such shipments "
                              f"({_n(quantity)} serial numbers needed)")
        policy = OLDEST if settings.lot_policy == LEAVE_TO_NETSUITE else settings.lot_policy
        takes, short = allocate(policy_order(slots, policy), quantity, whole_units=True)
        if short:
            raise CannotApply(f"{where}: {_n(quantity)} serial numbers needed at {at}, only "
                              f"{_n(quantity - short)} available")
        return takes, f"serial policy: assign available ({policy})"
    if numbered == LOT:
        takes, short = allocate(policy_order(slots, settings.lot_policy), quantity)
        if short:
            raise CannotApply(f"{where}: {_n(quantity)} needed from lots at {at}, only {_n(quantity - short)} "
                              f"available ({_lots(slots)}); {_n(short)} short")
        return takes, f"lot policy: {settings.lot_policy}"
    if slots and all(s.bin_id is None for s in slots):
        # The item uses bins but this location does not: its stock is held without a bin, and NetSuite takes
        # no inventory detail for it.
        return [], None
    takes, short = allocate(bin_order(slots), quantity)
    if short:
        bins = ", ".join(f"{s.bin_number}: {_n(s.available)}" for s in bin_order(slots)) or "no bin has any"
        raise CannotApply(f"{where}: {_n(quantity)} needed from bins at {at}, only {_n(quantity - short)} "
                          f"available ({bins}); {_n(short)} short")
    return takes, "bin policy: preferred bin, then bins with most stock"


def _lots(slots: list[StockSlot]) -> str:
    totals: dict[str, float] = {}
    for s in slots:
        totals[s.number or s.number_id or "?"] = totals.get(s.number or s.number_id or "?", 0) + s.available
    return ", ".join(f"lot {k}: {_n(v)}" for k, v in totals.items()) or "no lot has any"


def _n(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)
