"""An orders_to_ship record from SuiteQL rows (no I/O): one header row and that transaction's line rows.

SuiteQL answers every value as text and leaves NULL columns out of a row, so every read is .get().
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from .order_settings import OrderSettings

ADDRESS_FIELDS = ("name", "attention", "street1", "street2", "city", "state", "postal_code", "country", "phone")


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _date(value: Any) -> str | None:
    return None if not value else str(value).replace(" ", "T") + "Z"  # NetSuite keeps UTC server-side


def _address(row: Mapping[str, Any], prefix: str) -> dict | None:
    address = {field: _text(row.get(f"{prefix}_{field}")) for field in ADDRESS_FIELDS}
    return address if any(address.values()) else None


def _number(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def remaining_quantity(line: Mapping[str, Any], tran_type: str) -> float:
    """What is still to ship on a line. Sales order lines carry negative quantities in SuiteQL and count what
    has shipped; a closed line ships nothing more. An invoice or item fulfillment line ships whole."""
    if line.get("isclosed") == "T":
        return 0.0
    ordered = abs(float(line.get("quantity") or 0))
    if tran_type != "SalesOrd":
        return ordered
    return max(ordered - float(line.get("shipped") or 0), 0.0)


def order_record(header: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], settings: OrderSettings) -> dict:
    status_code = str(header.get("status_code") or "")
    status = str(header.get("status") or "")
    to_ship = []
    for line in lines:
        quantity = remaining_quantity(line, settings.tran_type)
        if quantity <= 0:
            continue
        to_ship.append({"line_id": int(line["line"]), "sku": _text(line.get("sku")), "name": _text(line.get("name")),
                        "quantity": quantity, "unit_price": _number(line.get("rate")),
                        "location_id": None if line.get("location") is None else int(line["location"]),
                        "location_name": _text(line.get("location_name"))})
    return {
        "id": int(header["id"]), "record_type": settings.tran_type,
        "document_number": _text(header.get("document_number")), "customer_po": _text(header.get("customer_po")),
        # BUILTIN.DF answers "Sales Order : Pending Fulfillment"; the record keeps the status name alone.
        "status": status.split(" : ", 1)[-1] or None, "status_code": status_code or None,
        "ended": status_code in settings.ended,
        "transaction_date": (_text(header.get("transaction_date")) or "")[:10] or None,
        "created_at": _date(header.get("created_at")), "last_modified_at": _date(header.get("last_modified_at")),
        "customer": {"id": None if header.get("customer_id") is None else int(header["customer_id"]),
                     "name": _text(header.get("customer_company")) or _text(header.get("customer_entity_id")),
                     "email": _text(header.get("customer_email")), "phone": _text(header.get("customer_phone"))},
        "ship_to": _address(header, "ship"), "bill_to": _address(header, "bill"),
        "ship_method": _text(header.get("ship_method")),
        "ship_method_id": None if header.get("ship_method_id") is None else int(header["ship_method_id"]),
        "memo": _text(header.get("memo")),
        "delivery_instructions": _text(header.get("cf_delivery_instructions")),
        "authority_to_leave": header.get("cf_authority_to_leave") == "T",
        "signature_required": header.get("cf_signature_required") == "T",
        "lines": to_ship,
    }
