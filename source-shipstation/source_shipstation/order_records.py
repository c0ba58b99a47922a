"""v1 orders mapped onto schemas/orders.json: UTC dates, text ids, snake_case."""
from __future__ import annotations

from typing import Any, Mapping

from shipstation_lib.dates import day_only, v1_to_utc_text

from .shipment_records import v1_address


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def v1_order(raw: Mapping) -> dict:
    advanced = raw.get("advancedOptions") or {}
    return {
        "order_id": str(raw["orderId"]), "api_version": "v1",
        "order_number": _text(raw.get("orderNumber")), "order_key": _text(raw.get("orderKey")),
        "order_status": raw.get("orderStatus"),
        "order_date": v1_to_utc_text(raw.get("orderDate")), "created_at": v1_to_utc_text(raw.get("createDate")),
        "modified_at": v1_to_utc_text(raw.get("modifyDate")), "payment_date": v1_to_utc_text(raw.get("paymentDate")),
        "ship_by_date": v1_to_utc_text(raw.get("shipByDate")), "ship_date": day_only(raw.get("shipDate")),
        "customer_id": _text(raw.get("customerId")), "customer_username": _text(raw.get("customerUsername")),
        "customer_email": _text(raw.get("customerEmail")),
        "store_id": _text(advanced.get("storeId")), "warehouse_id": _text(advanced.get("warehouseId")),
        "requested_shipping_service": _text(raw.get("requestedShippingService")),
        "carrier_code": _text(raw.get("carrierCode")), "service_code": _text(raw.get("serviceCode")),
        "order_total": _number(raw.get("orderTotal")), "amount_paid": _number(raw.get("amountPaid")),
        "tax_amount": _number(raw.get("taxAmount")), "shipping_amount": _number(raw.get("shippingAmount")),
        "customer_notes": _text(raw.get("customerNotes")), "internal_notes": _text(raw.get("internalNotes")),
        "items": [{"line_item_key": _text(i.get("lineItemKey")), "sku": _text(i.get("sku")),
                   "name": _text(i.get("name")), "quantity": float(i.get("quantity") or 0),
                   "unit_price": _number(i.get("unitPrice"))} for i in raw.get("items") or []],
        "ship_to": v1_address(raw.get("shipTo")), "bill_to": v1_address(raw.get("billTo")),
    }
