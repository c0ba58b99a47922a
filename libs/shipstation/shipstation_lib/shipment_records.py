"""ShipStation's v1 and v2 answers mapped onto the one `shipments` schema (source-shipstation's
schemas/shipments.json): the one builder of a shipment record, used by source-shipstation's reads and by the webhook
relay (which builds the records of the shipments a webhook named, for the runner's destination-only fast path).

Every date leaves here as UTC text; every id as text; absent values as None, never as made-up defaults.
"""
from __future__ import annotations

from typing import Any, Mapping

from shipstation_lib.dates import day_only, v1_to_utc_text, v2_to_utc_text

FULFILLMENT_PREFIX = "fulfillment-"


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def missing_id(logger, raw: Mapping, field: str, what: str, order_number: Any = None) -> bool:
    """Whether a listed row lacks the id its record is keyed by; if so, says which row and field, once, as a
    warning: the row is skipped (a record without its key could never be matched or replaced downstream)."""
    if raw.get(field) not in (None, ""):
        return False
    logger.warning(f"ShipStation listed a {what} without `{field}` (order number {order_number!r}): skipped, "
                   "it cannot be keyed.")
    return True


def later_of(*moments: str | None) -> str | None:
    # Every date here has the same fixed-width UTC shape, so text order is time order.
    present = [m for m in moments if m]
    return max(present) if present else None


# ---- v1 -------------------------------------------------------------------------------------------------
def v1_address(raw: Mapping | None) -> dict | None:
    if not raw:
        return None
    return {"name": raw.get("name"), "company": raw.get("company"), "street1": raw.get("street1"),
            "street2": raw.get("street2"), "city": raw.get("city"), "state": raw.get("state"),
            "postal_code": raw.get("postalCode"), "country": raw.get("country"), "phone": raw.get("phone")}


def v1_items(raw_items: list | None) -> list[dict]:
    return [{"sku": item.get("sku"), "name": item.get("name"), "quantity": float(item.get("quantity") or 0),
             "unit_price": _number(item.get("unitPrice"))} for item in raw_items or []]


def v1_shipment(raw: Mapping) -> dict:
    """One v1 shipment row is one label (one package)."""
    created, voided_at = v1_to_utc_text(raw.get("createDate")), v1_to_utc_text(raw.get("voidDate"))
    weight, dims = raw.get("weight") or {}, raw.get("dimensions") or {}
    tracking = _text(raw.get("trackingNumber"))
    return {
        "shipment_id": str(raw["shipmentId"]), "kind": "label", "api_version": "v1",
        "order_id": _text(raw.get("orderId")), "order_number": _text(raw.get("orderNumber")),
        "order_key": _text(raw.get("orderKey")),
        "created_at": created, "ship_date": day_only(raw.get("shipDate")),
        "modified_at": later_of(created, voided_at),
        "voided": bool(raw.get("voided")), "voided_at": voided_at,
        "carrier_code": _text(raw.get("carrierCode")), "service_code": _text(raw.get("serviceCode")),
        "tracking_numbers": [tracking] if tracking else [],
        "packages": [{"tracking_number": tracking, "package_code": _text(raw.get("packageCode")),
                      "weight": _number(weight.get("value")), "weight_units": weight.get("units"),
                      "length": _number(dims.get("length")), "width": _number(dims.get("width")),
                      "height": _number(dims.get("height")), "dimension_units": dims.get("units")}],
        "items": v1_items(raw.get("shipmentItems")),
        "ship_to": v1_address(raw.get("shipTo")),
        "warehouse_id": _text(raw.get("warehouseId")),
        "shipping_cost": _number(raw.get("shipmentCost")),
        # v1 states no currency; guessing one would be wrong for non-US accounts.
        "currency": None,
    }


def v1_fulfillment(raw: Mapping, order: Mapping | None) -> dict:
    """An order marked shipped without a ShipStation label. The whole order shipped, so its items are the order's."""
    created, voided_at = v1_to_utc_text(raw.get("createDate")), v1_to_utc_text(raw.get("voidDate"))
    tracking = _text(raw.get("trackingNumber"))
    return {
        "shipment_id": f"{FULFILLMENT_PREFIX}{raw['fulfillmentId']}", "kind": "fulfillment", "api_version": "v1",
        "order_id": _text(raw.get("orderId")), "order_number": _text(raw.get("orderNumber")),
        "order_key": _text(order.get("orderKey")) if order else None,
        "created_at": created, "ship_date": day_only(raw.get("shipDate")),
        "modified_at": later_of(created, voided_at),
        "voided": bool(raw.get("voided")), "voided_at": voided_at,
        "carrier_code": _text(raw.get("carrierCode")), "service_code": _text(raw.get("fulfillmentServiceCode")),
        "tracking_numbers": [tracking] if tracking else [],
        "packages": [_bare_package(tracking)] if tracking else [],
        "items": v1_items(raw.get("items") or (order or {}).get("items")),
        "ship_to": v1_address(raw.get("shipTo") or (order or {}).get("shipTo")),
        # A v1 fulfillment names no warehouse; its order does (advancedOptions.warehouseId), when it was read.
        "warehouse_id": _text(((order or {}).get("advancedOptions") or {}).get("warehouseId")),
        # fulfillmentFee is what a fulfillment provider charges, not the postage: not a shipping cost.
        "shipping_cost": None, "currency": None,
    }


def _bare_package(tracking: str | None) -> dict:
    return {"tracking_number": tracking, "package_code": None, "weight": None, "weight_units": None,
            "length": None, "width": None, "height": None, "dimension_units": None}


# ---- v2 -------------------------------------------------------------------------------------------------
def v2_address(raw: Mapping | None) -> dict | None:
    if not raw:
        return None
    return {"name": raw.get("name"), "company": raw.get("company_name"), "street1": raw.get("address_line1"),
            "street2": raw.get("address_line2"), "city": raw.get("city_locality"),
            "state": raw.get("state_province"), "postal_code": raw.get("postal_code"),
            "country": raw.get("country_code"), "phone": raw.get("phone")}


def v2_items(raw_items: list | None) -> list[dict]:
    return [{"sku": item.get("sku"), "name": item.get("name"), "quantity": float(item.get("quantity") or 0),
             "unit_price": _number(item.get("unit_price"))} for item in raw_items or []]


def v2_order_key(shipment: Mapping, label: Mapping | None = None) -> str | None:
    """v2's counterpart of v1's orderKey. An integration that creates the shipment (ours, from NetSuite) names
    it by external_shipment_id, which ShipStation keeps unique; external_order_id is the order source's own id
    (a web store's), the only key a shipment imported from a store has."""
    label = label or {}
    return _text(shipment.get("external_shipment_id") or label.get("external_shipment_id")
                 or shipment.get("external_order_id") or label.get("external_order_id"))


def _v2_package(raw: Mapping) -> dict:
    weight, dims = raw.get("weight") or {}, raw.get("dimensions") or {}
    return {"tracking_number": _text(raw.get("tracking_number")), "package_code": _text(raw.get("package_code")),
            "weight": _number(weight.get("value")), "weight_units": weight.get("unit"),
            "length": _number(dims.get("length")), "width": _number(dims.get("width")),
            "height": _number(dims.get("height")), "dimension_units": dims.get("unit")}


def current_label(labels: list[dict]) -> dict | None:
    """The label that says what a shipment is now: the newest live one, else the newest voided one."""
    if not labels:
        return None
    newest_first = sorted(labels, key=lambda label: label.get("created_at") or "", reverse=True)
    return next((label for label in newest_first if not label.get("voided")), newest_first[0])


def v2_shipment(shipment: Mapping, label: Mapping) -> dict:
    """A v2 shipment with the label bought for it: the label says what shipped (tracking, packages, void)."""
    packages = [_v2_package(p) for p in label.get("packages") or []]
    tracking = [p["tracking_number"] for p in packages if p["tracking_number"]] or \
        ([label["tracking_number"]] if label.get("tracking_number") else [])
    cost = label.get("shipment_cost") or {}
    items = shipment.get("items") or []
    return {
        "shipment_id": str(shipment["shipment_id"]), "kind": "label", "api_version": "v2",
        "order_id": next((_text(i.get("sales_order_id")) for i in items if i.get("sales_order_id")), None),
        "order_number": _text(shipment.get("shipment_number")),
        "order_key": v2_order_key(shipment, label),
        # The label's purchase is when this shipment shipped; the v2 shipment itself exists from order import.
        "created_at": v2_to_utc_text(label.get("created_at") or shipment.get("created_at")),
        "ship_date": day_only(label.get("ship_date") or shipment.get("ship_date")),
        "modified_at": v2_to_utc_text(shipment.get("modified_at")),
        "voided": bool(label.get("voided")), "voided_at": v2_to_utc_text(label.get("voided_at")),
        "carrier_code": _text(label.get("carrier_code")),
        "service_code": _text(label.get("service_code") or shipment.get("service_code")),
        "tracking_numbers": tracking,
        "packages": packages or [_bare_package(tracking[0] if tracking else None)],
        "items": v2_items(items),
        "ship_to": v2_address(shipment.get("ship_to") or label.get("ship_to")),
        "warehouse_id": _text(shipment.get("warehouse_id")),
        "shipping_cost": _number(cost.get("amount")),
        "currency": cost.get("currency").upper() if cost.get("currency") else None,
    }


def v2_fulfillment(raw: Mapping, shipment: Mapping | None) -> dict:
    """A v2 order marked shipped without a label; items come from its (unlabelled) v2 shipment."""
    tracking = _text(raw.get("tracking_number"))
    shipped_at, voided_at = v2_to_utc_text(raw.get("ship_date")), v2_to_utc_text(raw.get("voided_at"))
    fulfillment_id = str(raw["fulfillment_id"])
    return {
        "shipment_id": f"{FULFILLMENT_PREFIX}{fulfillment_id}", "kind": "fulfillment", "api_version": "v2",
        "order_id": None, "order_number": _text(raw.get("shipment_number")),
        "order_key": v2_order_key(shipment or {}),
        "created_at": shipped_at, "ship_date": day_only(raw.get("ship_date")),
        "modified_at": later_of(shipped_at, voided_at),
        "voided": bool(raw.get("voided")), "voided_at": voided_at,
        "carrier_code": _text(raw.get("carrier_code")), "service_code": None,
        "tracking_numbers": [tracking] if tracking else [],
        "packages": [_bare_package(tracking)] if tracking else [],
        "items": v2_items((shipment or {}).get("items")),
        "ship_to": v2_address(raw.get("ship_to") or (shipment or {}).get("ship_to")),
        "warehouse_id": _text((shipment or {}).get("warehouse_id")),
        "shipping_cost": None, "currency": None,
    }
