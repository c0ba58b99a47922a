"""One SuiteQL query per batch of shipments: their sales orders with every line, and the item fulfillments
already made for them (found by external id, which is what makes a replay harmless).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from netsuite_lib.client import NetSuiteClient
from netsuite_lib.suiteql_quote import sql_string_list

from .fulfillment_plan import OrderLine, SalesOrder
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


def internal_id_of(order_key: str | None) -> int | None:
    """The NetSuite internal id in an order key this project's order import wrote ("ns-<id>", or "ns-<id>-r<n>"
    for a replacement v2 shipment), else None."""
    match = NS_ORDER_KEY.match(order_key or "")
    return int(match.group(1)) if match else None


def lookup_query(order_field: str, order_numbers: Iterable[str], external_ids: Iterable[str],
                 with_connector_fulfillments: bool = False, internal_ids: Iterable[int] = ()) -> str:
    if order_field not in ORDER_NUMBER_FIELDS:
        raise ValueError(f"order number field must be one of {', '.join(ORDER_NUMBER_FIELDS)}")
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
        parts.append(
            f"SELECT 'order' AS kind, t.id AS so_id, t.{order_field} AS order_number, BUILTIN.CF(t.status) AS status, "
            "tl.id AS line, i.itemid AS sku, tl.quantity AS quantity, tl.quantityshiprecv AS shipped, "
            "tl.location AS location, tl.isclosed AS isclosed, NULL AS external_id, NULL AS fulfillment_id, "
            "NULL AS memo "
            "FROM transaction t "
            "LEFT JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' "
            "LEFT JOIN item i ON i.id = tl.item "
            f"WHERE t.type = 'SalesOrd' AND ({' OR '.join(matches)})")
    if external_ids:
        parts.append(
            "SELECT 'fulfillment' AS kind, f.createdfrom AS so_id, NULL AS order_number, NULL AS status, "
            "NULL AS line, NULL AS sku, NULL AS quantity, NULL AS shipped, NULL AS location, NULL AS isclosed, "
            "f.externalid AS external_id, f.id AS fulfillment_id, NULL AS memo "
            "FROM transaction f "
            f"WHERE f.type = 'ItemShip' AND f.externalid IN {sql_string_list(external_ids)}")
    if order_numbers and with_connector_fulfillments:
        # Every fulfillment of these orders; the `ss-` prefix is checked in Python, since `_` is a LIKE wildcard.
        parts.append(
            "SELECT 'made' AS kind, s.id AS so_id, NULL AS order_number, NULL AS status, "
            "NULL AS line, NULL AS sku, NULL AS quantity, NULL AS shipped, NULL AS location, NULL AS isclosed, "
            "f.externalid AS external_id, f.id AS fulfillment_id, f.memo AS memo "
            "FROM transaction f JOIN transaction s ON s.id = f.createdfrom "
            f"WHERE f.type = 'ItemShip' AND s.type = 'SalesOrd' AND s.{order_field} IN {sql_string_list(order_numbers)}")
    if not parts:
        raise ValueError("nothing to look up")
    # A stable order, since a large batch may come back in more than one page.
    return " UNION ALL ".join(parts) + " ORDER BY kind, so_id, line"


def look_up(client: NetSuiteClient, order_field: str, order_numbers: Iterable[str],
            external_ids: Iterable[str], with_connector_fulfillments: bool = False,
            internal_ids: Iterable[int] = ()) -> BatchLookup:
    order_numbers, external_ids, internal_ids = list(order_numbers), list(external_ids), list(internal_ids)
    result = BatchLookup()
    if not order_numbers and not external_ids and not internal_ids:
        return result
    by_id = result.by_id
    query = lookup_query(order_field, order_numbers, external_ids, with_connector_fulfillments, internal_ids)
    for row in client.suiteql(query):
        # SuiteQL leaves NULL columns out of a row, so every read is .get().
        if row.get("kind") == "made":
            external_id = str(row.get("external_id") or "")
            if external_id.startswith("ss-"):
                result.connector_fulfillments.setdefault(str(row["so_id"]), []).append(
                    ConnectorFulfillment(str(row["fulfillment_id"]), external_id, row.get("memo")))
            continue
        if row.get("kind") == "fulfillment":
            result.fulfillments[str(row["external_id"])] = str(row["fulfillment_id"])
            result.fulfilled_orders[str(row["external_id"])] = str(row.get("so_id") or "")
            continue
        so_id = str(row["so_id"])
        order = by_id.get(so_id)
        if order is None:
            status = str(row.get("status") or "")
            order = by_id[so_id] = SalesOrder(id=so_id, order_number=str(row.get("order_number") or ""),
                                              status=status.split(":", 1)[-1])
        if row.get("line") is not None:
            order.lines.append(OrderLine(
                line=int(row["line"]), sku=row.get("sku"),
                # Sales order lines carry negative quantities in SuiteQL.
                ordered=abs(float(row.get("quantity") or 0)), shipped=float(row.get("shipped") or 0),
                location=None if row.get("location") is None else str(row["location"]),
                closed=row.get("isclosed") == "T"))
    for order in by_id.values():
        result.orders.setdefault(order.order_number, []).append(order)
    return result
