"""One SuiteQL query per batch of shipments: their sales orders with every line, and the item fulfillments
already made for them (found by external id, which is what makes a replay harmless); on accounts with the
features switched on in the settings, in the same query: what each line's item is (lot, serial, bins, unit),
what is available of those items per location, lot/serial and bin, and the locations by name. One query, so a
batch costs NetSuite one call before its fulfillments, whatever the account's features.

The parts are joined with UNION ALL, so every part names every column (NULL where it has none); a row says
which part it came from in `kind`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from netsuite_lib.client import NetSuiteClient
from netsuite_lib.suiteql_quote import sql_string_list

from .allocation import StockSlot
from .fulfillment_plan import OrderLine, SalesOrder
from .inventory_settings import InventorySettings
from .line_kinds import GROUP_HEADER, line_kind
from .locations import Location
from .units import LineUnit
from .package_labels import ConnectorFulfillment

# The only columns the order number may be compared with; the config value is checked against this set and
# never written into a query as given.
ORDER_NUMBER_FIELDS = ("tranid", "otherrefnum", "externalid")
# The order key destination-shipstation-inventory gives an order it imported from NetSuite: the internal id,
# and on a v2 shipment replaced after a change in NetSuite (v2 cannot update one) the revision, "-r2", "-r3"...
NS_ORDER_KEY = re.compile(r"^ns-([1-9][0-9]{0,11})(?:-r[1-9][0-9]{0,5})?$")


@dataclass
class BatchLookup:
    orders: dict[str, list[SalesOrder]] = field(default_factory=dict)  # order number -> sales orders with it
    by_id: dict[str, SalesOrder] = field(default_factory=dict)  # internal id -> sales order (every one read)
    fulfillments: dict[str, str] = field(default_factory=dict)  # fulfillment external id -> internal id
    fulfilled_orders: dict[str, str] = field(default_factory=dict)  # fulfillment external id -> sales order id
    # sales order id -> the fulfillments this connector made from it (asked for only when a batch has extra
    # package labels: package_labels.py picks the sibling among them)
    connector_fulfillments: dict[str, list[ConnectorFulfillment]] = field(default_factory=dict)
    stock: list[StockSlot] = field(default_factory=list)  # available per item, location, lot/serial, bin
    stock_items: set[str] = field(default_factory=set)  # the items whose stock was read (all of it, even none)
    locations: list[Location] = field(default_factory=list)  # read when a shipment names its warehouse


def internal_id_of(order_key: str | None) -> int | None:
    """The NetSuite internal id in an order key this project's order import wrote ("ns-<id>", or "ns-<id>-r<n>"
    for a replacement v2 shipment), else None."""
    match = NS_ORDER_KEY.match(order_key or "")
    return int(match.group(1)) if match else None


# Every column of the UNION, in order. A part gives the ones it has; the rest are NULL.
COLUMNS = ("kind", "so_id", "order_number", "status", "line", "sku", "quantity", "shipped", "location", "isclosed",
           "external_id", "fulfillment_id", "memo", "item_id", "item_type", "fulfillable", "createpo", "subsidiary",
           "islot", "isserial", "usebins", "unit_name", "unit_rate", "number_id", "number", "expiry", "bin_id",
           "bin_number", "preferred", "available", "location_name")


def _part(columns: dict[str, str], rest: str) -> str:
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not lookup columns: {sorted(unknown)}")
    return "SELECT " + ", ".join(f"{columns.get(c, 'NULL')} AS {c}" for c in COLUMNS) + " " + rest


def lookup_query(order_field: str, order_numbers: Iterable[str], external_ids: Iterable[str],
                 with_connector_fulfillments: bool = False, internal_ids: Iterable[int] = (),
                 features: InventorySettings | None = None, with_locations: bool = False) -> str:
    if order_field not in ORDER_NUMBER_FIELDS:
        raise ValueError(f"order number field must be one of {', '.join(ORDER_NUMBER_FIELDS)}")
    features = features or InventorySettings()
    order_numbers, external_ids = list(order_numbers), list(external_ids)
    ids = sorted({int(i) for i in internal_ids})
    # One SELECT for both ways of finding an order, so an order found both ways comes back once.
    matches = []
    if order_numbers:
        matches.append(f"t.{order_field} IN {sql_string_list(order_numbers)}")
    if ids:
        matches.append(f"t.id IN ({', '.join(str(i) for i in ids)})")
    parts = []
    if matches:
        columns = {"kind": "'order'", "so_id": "t.id", "order_number": f"t.{order_field}",
                   "status": "BUILTIN.CF(t.status)", "line": "tl.id", "sku": "i.itemid", "quantity": "tl.quantity",
                   "shipped": "tl.quantityshiprecv", "location": "tl.location", "isclosed": "tl.isclosed",
                   "item_id": "tl.item", "item_type": "tl.itemtype", "fulfillable": "i.isfulfillable"}
        joins = ""
        if features.subsidiary_id or with_locations:
            # The header's subsidiary is not exposed to SuiteQL; every line carries it.
            columns["subsidiary"] = "tl.subsidiary"
        # Each flag only with its feature: NetSuite does not know the column on an account without it.
        if features.lots:
            columns["islot"] = "i.islotitem"
        if features.serials:
            columns["isserial"] = "i.isserialitem"
        if features.bins:
            columns["usebins"] = "i.usebins"
        if features.drop_ship:
            columns["createpo"] = "tl.createpo"  # the column's name is UNCONFIRMED: read only with the setting on
        if features.units_of_measure:
            columns.update({"unit_name": "u.unitname", "unit_rate": "u.conversionrate"})
            joins = "LEFT JOIN unitstypeuom u ON u.internalid = tl.units "
        parts.append(_part(columns,
            "FROM transaction t "
            "LEFT JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' "
            "LEFT JOIN item i ON i.id = tl.item " + joins +
            f"WHERE t.type = 'SalesOrd' AND ({' OR '.join(matches)})"))
        if features.reads_stock:
            parts.append(_stock_part(f"({' OR '.join(matches)})", features))
    if external_ids:
        parts.append(_part(
            {"kind": "'fulfillment'", "so_id": "f.createdfrom", "external_id": "f.externalid",
             "fulfillment_id": "f.id"},
            f"FROM transaction f WHERE f.type = 'ItemShip' AND f.externalid IN {sql_string_list(external_ids)}"))
    if order_numbers and with_connector_fulfillments:
        # Every fulfillment of these orders; the `ss-` prefix is checked in Python, since `_` is a LIKE wildcard.
        parts.append(_part(
            {"kind": "'made'", "so_id": "s.id", "external_id": "f.externalid", "fulfillment_id": "f.id",
             "memo": "f.memo"},
            "FROM transaction f JOIN transaction s ON s.id = f.createdfrom "
            f"WHERE f.type = 'ItemShip' AND s.type = 'SalesOrd' AND s.{order_field} IN {sql_string_list(order_numbers)}"))
    if with_locations:
        parts.append(_part({"kind": "'location'", "location": "l.id", "location_name": "l.name",
                            "subsidiary": "l.subsidiary"}, "FROM location l WHERE l.isinactive = 'F'"))
    if not parts:
        raise ValueError("nothing to look up")
    # A stable order, since a large batch may come back in more than one page.
    return " UNION ALL ".join(parts) + " ORDER BY kind, so_id, line, item_id, location, number_id, bin_id"


def _stock_part(order_match: str, features: InventorySettings) -> str:
    """What is available of the batch's items, per location, lot/serial and bin: NetSuite's inventory balance."""
    columns = {"kind": "'stock'", "item_id": "b.item", "location": "b.location", "available": "b.quantityavailable"}
    joins = ""
    if features.numbered_inventory:
        columns.update({"number_id": "b.inventorynumber", "number": "n.inventorynumber",
                        "expiry": "TO_CHAR(n.expirationdate, 'YYYY-MM-DD')"})
        joins += "LEFT JOIN inventorynumber n ON n.id = b.inventorynumber "
    if features.bins:
        columns.update({"bin_id": "b.binnumber", "bin_number": "bn.binnumber", "preferred": "ib.preferredbin"})
        joins += ("LEFT JOIN bin bn ON bn.id = b.binnumber "
                  "LEFT JOIN itembinquantity ib ON ib.item = b.item AND ib.bin = b.binnumber ")
    return _part(columns,
        "FROM inventorybalance b " + joins +
        "WHERE b.quantityavailable > 0 AND b.item IN (SELECT tl.item FROM transaction t JOIN transactionline tl "
        f"ON tl.transaction = t.id WHERE t.type = 'SalesOrd' AND tl.mainline = 'F' AND {order_match})")


def look_up(client: NetSuiteClient, order_field: str, order_numbers: Iterable[str],
            external_ids: Iterable[str], with_connector_fulfillments: bool = False,
            internal_ids: Iterable[int] = (), features: InventorySettings | None = None,
            with_locations: bool = False) -> BatchLookup:
    order_numbers, external_ids, internal_ids = list(order_numbers), list(external_ids), list(internal_ids)
    features = features or InventorySettings()
    result = BatchLookup()
    if not order_numbers and not external_ids and not internal_ids:
        return result
    by_id = result.by_id
    query = lookup_query(order_field, order_numbers, external_ids, with_connector_fulfillments, internal_ids,
                         features, with_locations)
    for row in client.suiteql(query):
        # SuiteQL leaves NULL columns out of a row, so every read is .get().
        kind = row.get("kind")
        if kind == "made":
            external_id = str(row.get("external_id") or "")
            if external_id.startswith("ss-"):
                result.connector_fulfillments.setdefault(str(row["so_id"]), []).append(
                    ConnectorFulfillment(str(row["fulfillment_id"]), external_id, row.get("memo")))
            continue
        if kind == "fulfillment":
            result.fulfillments[str(row["external_id"])] = str(row["fulfillment_id"])
            result.fulfilled_orders[str(row["external_id"])] = str(row.get("so_id") or "")
            continue
        if kind == "stock":
            result.stock.append(_slot(row))
            continue
        if kind == "location":
            result.locations.append(Location(str(row["location"]), str(row.get("location_name") or ""),
                                             _text(row.get("subsidiary"))))
            continue
        so_id = str(row["so_id"])
        order = by_id.get(so_id)
        if order is None:
            status = str(row.get("status") or "")
            order = by_id[so_id] = SalesOrder(id=so_id, order_number=str(row.get("order_number") or ""),
                                              status=status.split(":", 1)[-1])
        if order.subsidiary is None:
            order.subsidiary = _text(row.get("subsidiary"))
        if row.get("line") is not None:
            order.lines.append(_order_line(row))
    for order in by_id.values():
        _mark_group_members(order)
        result.orders.setdefault(order.order_number, []).append(order)
        if features.reads_stock:
            result.stock_items.update(ln.item_id for ln in order.lines if ln.item_id)
    return result


def _order_line(row: dict) -> OrderLine:
    kind, why_not = line_kind(row.get("item_type"), fulfillable=row.get("fulfillable"),
                              drop_ship=row.get("createpo") == "DropShip", special_order=row.get("createpo") == "SpecOrd")
    rate = float(row.get("unit_rate") or 1) or 1.0
    return OrderLine(
        line=int(row["line"]), sku=row.get("sku"),
        # Sales order lines carry negative quantities in SuiteQL, in the item's base unit.
        ordered=abs(float(row.get("quantity") or 0)), shipped=float(row.get("shipped") or 0),
        location=_text(row.get("location")), closed=row.get("isclosed") == "T",
        item_id=_text(row.get("item_id")), kind=kind, why_not=why_not,
        numbered="lot" if row.get("islot") == "T" else "serial" if row.get("isserial") == "T" else None,
        uses_bins=row.get("usebins") == "T",
        unit=LineUnit(row.get("unit_name"), rate) if row.get("unit_rate") is not None else LineUnit())


def _mark_group_members(order: SalesOrder) -> None:
    """An item group's members are the lines after its header, up to the line that ends the group."""
    group: int | None = None
    for line in sorted(order.lines, key=lambda ln: ln.line):
        if line.kind == GROUP_HEADER:
            group = line.line
        elif line.why_not == "the end of an item group":
            group = None
        elif group is not None:
            line.group = group


def _slot(row: dict) -> StockSlot:
    return StockSlot(item=str(row["item_id"]), location=str(row["location"]),
                     available=float(row.get("available") or 0), number_id=_text(row.get("number_id")),
                     number=_text(row.get("number")), expiry=_text(row.get("expiry")),
                     bin_id=_text(row.get("bin_id")), bin_number=_text(row.get("bin_number")),
                     preferred_bin=row.get("preferred") == "T")


def _text(value) -> str | None:
    return None if value is None else str(value)
