"""Which sales order lines an item fulfillment can carry, from the line's item type and fulfilment flags.

NetSuite's item fulfillment lists only lines that ship goods from a location: inventory, assembly, kit/package
and fulfillable non-inventory items. Service, discount, markup, subtotal, description, payment, other charge and
shipping lines are never on it, nor are drop-ship lines (the vendor ships them, NetSuite fulfils them from the
purchase order). An item group is no line of its own on the fulfillment: its member lines are.
Pure: the lookup reads the columns, this module decides.
"""
from __future__ import annotations

# itemtype values as SuiteQL answers them (item.itemtype), with the words the audit uses for them.
NEVER_FULFILLED = {"Discount": "a discount", "Markup": "a markup", "Subtotal": "a subtotal",
                   "Description": "a description", "Payment": "a payment", "ShipItem": "a shipping charge",
                   "GiftCert": "a gift certificate", "DwnLdItem": "a download item", "EndGroup": "the end of an item group"}
# Fulfilled only when the item is set "Can be Fulfilled/Received" (item.isfulfillable).
FULFILLED_IF_SET = {"NonInvtPart": "a non-inventory item", "Service": "a service", "OthCharge": "an other charge"}
GROUP = "Group"
END_OF_GROUP = "EndGroup"

FULFILLED = "fulfilled"  # an ordinary line: inventory, assembly, kit, fulfillable non-inventory
GROUP_HEADER = "group"  # the line that names an item group; its members follow it
NOT_FULFILLED = "not_fulfilled"


def line_kind(item_type: str | None, *, fulfillable: str | None = None, drop_ship: bool = False,
              special_order: bool = False) -> tuple[str, str | None]:
    """(kind, why not fulfilled). `fulfillable` is item.isfulfillable ("T"/"F"); drop_ship / special_order come
    from the line's purchase order link (transactionline.createpo)."""
    if item_type in NEVER_FULFILLED:
        return NOT_FULFILLED, NEVER_FULFILLED[item_type]
    if item_type == GROUP:
        return GROUP_HEADER, None
    if drop_ship:
        return NOT_FULFILLED, "a drop-ship line (the vendor ships it)"
    if special_order:
        return NOT_FULFILLED, "a special-order line (fulfilled once its purchase order is received)"
    if item_type in FULFILLED_IF_SET and fulfillable != "T":
        return NOT_FULFILLED, f"{FULFILLED_IF_SET[item_type]} not set to be fulfilled"
    return FULFILLED, None
