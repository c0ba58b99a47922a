"""A transaction's lines with what the fulfillment rules need: item type, units, drop-ship / special order, and the
item's lot / serial / bin flags; and which order lines an item fulfillment can take (README "Account features").

A fulfillment takes inventory items and kits; non-inventory, service and other charge items only when the item
"Can be Fulfilled" (`isfulfillable`); never discount, markup, subtotal, shipping, group and end-of-group lines, nor
drop-ship or special-order lines (the vendor ships those; UNCONFIRMED for special orders received into stock).
Quantities on transactionline are in base units (UNCONFIRMED); `unitrate` converts the line's unit to them.
"""
from __future__ import annotations

from .database import Database

ALWAYS_FULFILLED = frozenset({"InvtPart", "Kit", "Assembly"})
STOCKED = ALWAYS_FULFILLED  # lines that take stock from a location (a kit through its members)
FULFILLED_WHEN_FLAGGED = frozenset({"NonInvtPart", "Service", "OthCharge"})
NEVER_FULFILLED = frozenset({"Discount", "Markup", "Subtotal", "ShipItem", "Group", "EndGroup", "Description",
                             "Payment", "TaxItem"})
# Lines that carry no quantity (an amount only).
NO_QUANTITY = frozenset({"Discount", "Markup", "Subtotal", "ShipItem", "EndGroup", "Description"})
ITEM_TYPES = frozenset({"InvtPart", "NonInvtPart", "Service", "Discount", "OthCharge", "Markup", "Subtotal",
                        "ShipItem", "Kit", "Group"})

LINES_SQL = """SELECT tl.*, COALESCE(lf.itemtype, i.itemtype) AS itemtype, i.itemid AS sku, lf.createpo AS createpo,
  lf.units AS units, lf.kitmemberof AS kitmemberof, COALESCE(u.conversionrate, 1) AS unitrate,
  u.abbreviation AS unitname, COALESCE(f.islotitem, 'F') AS islotitem, COALESCE(f.isserialitem, 'F') AS isserialitem,
  COALESCE(f.usebins, 'F') AS usebins, COALESCE(f.isfulfillable, 'F') AS isfulfillable
  FROM transactionline tl LEFT JOIN ns_line_feature lf ON lf."transaction" = tl."transaction" AND lf.id = tl.id
  LEFT JOIN item i ON i.id = tl.item LEFT JOIN ns_item_feature f ON f.id = tl.item
  LEFT JOIN unitstypeuom u ON u.internalid = lf.units
  WHERE tl."transaction" = ? AND tl.mainline = 'F' ORDER BY tl.id"""


def can_be_fulfilled(line: dict) -> bool:
    """Whether an item fulfillment can take this order line at all (open or not)."""
    if line["item"] is None or line["createpo"] is not None:
        return False
    kind = line["itemtype"]
    return kind in ALWAYS_FULFILLED or (kind in FULFILLED_WHEN_FLAGGED and line["isfulfillable"] == "T")


def transaction_lines(db: Database, tran_id: int) -> list[dict]:
    """The lines of a transaction (mainline left out), each with `fulfillable` and the unit it was entered in."""
    rows = db.select(LINES_SQL, (tran_id,))
    for row in rows:
        row["fulfillable"] = can_be_fulfilled(row)
    return rows


def remaining_units(line: dict) -> int:
    """What is left to ship of an order line, in the line's own unit."""
    left = -(line["quantity"] or 0) - (line["quantityshiprecv"] or 0)
    return int(left // line["unitrate"])


def in_line_units(line: dict, base_quantity) -> float:
    return float(abs(base_quantity or 0)) / line.get("unitrate", 1)
