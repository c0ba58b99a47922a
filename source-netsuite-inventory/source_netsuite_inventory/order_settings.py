"""Which NetSuite transactions the orders_to_ship stream reads, from the merchant's settings (no I/O).

The choices merchants know from the alternatives (Starshipit's "import type" and "status to import"): sales
orders (default), invoices, or item fulfillments; and which statuses. Statuses are named as NetSuite shows them
and turned into the `Type:Letter` codes SuiteQL filters on (BUILTIN.CF), so nothing the merchant types is
written into a query. Custom field script ids are column names, not values: they cannot be quoted, so they are
checked against NetSuite's script id form instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

RECORD_TYPES = {"sales_order": "SalesOrd", "invoice": "CustInvc", "item_fulfillment": "ItemShip"}
# Status names NetSuite shows, per transaction type, and their letters (netsuite-api.md section 4).
STATUS_CODES = {
    "SalesOrd": {"Pending Approval": "A", "Pending Fulfillment": "B", "Cancelled": "C", "Partially Fulfilled": "D",
                 "Pending Billing/Partially Fulfilled": "E", "Pending Billing": "F", "Billed": "G", "Closed": "H"},
    # Invoice letters: UNCONFIRMED beyond A Open / B Paid In Full.
    "CustInvc": {"Open": "A", "Paid In Full": "B"},
    "ItemShip": {"Picked": "A", "Packed": "B", "Shipped": "C"},
}
DEFAULT_STATUSES = {"SalesOrd": ("Pending Fulfillment", "Partially Fulfilled"), "CustInvc": ("Open",),
                    "ItemShip": ("Picked", "Packed")}
# "Partially Fulfilled" also covers the order that is partly fulfilled and partly billed: both still have
# lines to ship, and a merchant choosing "partially fulfilled" means both.
ALSO_MEANS = {("SalesOrd", "Partially Fulfilled"): ("Pending Billing/Partially Fulfilled",)}
# Statuses that end an order before it ships: read (when changed since the cursor) so ShipStation cancels it.
ENDED_STATUSES = {"SalesOrd": ("Cancelled", "Closed")}
CUSTOM_FIELD_DEFAULTS = {"delivery_instructions": "custbody_delivery_instructions",
                         "authority_to_leave": "custbody_authority_to_leave",
                         "signature_required": "custbody_signature_required"}
SCRIPT_ID = re.compile(r"^custbody[a-z0-9_]{1,90}$")


@dataclass(frozen=True)
class OrderSettings:
    tran_type: str
    wanted: tuple[str, ...]  # `SalesOrd:B` codes read on every sync
    ended: tuple[str, ...]  # codes read only when changed since the cursor
    custom_fields: Mapping[str, str]  # our field -> NetSuite script id (a column of transaction)


def _code(tran_type: str, name: str) -> str:
    letters = STATUS_CODES[tran_type]
    match = next((n for n in letters if n.casefold() == " ".join(name.split()).casefold()), None)
    if match is None:
        raise ValueError(f"'{name}' is not a status of this record type; choose from {', '.join(letters)}")
    return f"{tran_type}:{letters[match]}"


def order_settings(config: Mapping[str, Any]) -> OrderSettings:
    kind = config.get("orders_record_type") or "sales_order"
    if kind not in RECORD_TYPES:
        raise ValueError(f"orders_record_type must be one of {', '.join(RECORD_TYPES)}, not '{kind}'")
    tran_type = RECORD_TYPES[kind]
    names = list(config.get("orders_statuses") or DEFAULT_STATUSES[tran_type])
    for name in list(names):
        names += [n for n in ALSO_MEANS.get((tran_type, name), ()) if n not in names]
    wanted = tuple(dict.fromkeys(_code(tran_type, n) for n in names))
    ended = tuple(_code(tran_type, n) for n in ENDED_STATUSES.get(tran_type, ()))
    fields = {**CUSTOM_FIELD_DEFAULTS, **{k: v for k, v in (config.get("orders_custom_fields") or {}).items() if v}}
    for ours, script_id in fields.items():
        if ours not in CUSTOM_FIELD_DEFAULTS:
            raise ValueError(f"unknown custom field '{ours}'; known: {', '.join(CUSTOM_FIELD_DEFAULTS)}")
        if not SCRIPT_ID.match(script_id):
            raise ValueError(f"custom field script id for {ours} must look like custbody_name "
                             "(lowercase letters, digits, underscores)")
    return OrderSettings(tran_type, wanted, ended, fields)
