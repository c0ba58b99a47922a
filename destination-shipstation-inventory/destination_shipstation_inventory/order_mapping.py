"""A NetSuite order to ship (source-netsuite-inventory's orders_to_ship record) as ShipStation wants it, for v1
(POST /orders/createorder) and v2 (POST /v2/shipments). No I/O; the field table is in docs.md.

The key is "ns-<NetSuite internal id>": document numbers repeat across subsidiaries, internal ids do not, and
destination-netsuite-fulfillment reads the same key back to find the sales order. A v2 shipment cannot be
updated, so an order changed after import gets a replacement shipment keyed "ns-<id>-r2", "-r3"... (ShipStation
keeps external_shipment_id unique, even on cancelled shipments); the fulfillment side reads the id from those too.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

KEY_PREFIX = "ns-"
HASH_PREFIX = "ns-sync:"  # v1 advancedOptions.customField3: what this connector last wrote


REVISION = re.compile(r"^(ns-[1-9][0-9]*)(?:-r([1-9][0-9]*))?$")


def order_key(record: Mapping[str, Any]) -> str:
    return f"{KEY_PREFIX}{int(record['id'])}"


def revision_key(key: str, revision: int) -> str:
    """The external_shipment_id of a key's nth v2 shipment: the first keeps the plain key."""
    return key if revision <= 1 else f"{key}-r{revision}"


def parse_revision(external_id: str | None) -> tuple[str, int] | None:
    """(key, revision) from an external_shipment_id this connector wrote, else None (a shipment from elsewhere)."""
    match = REVISION.match(external_id or "")
    if not match:
        return None
    return match.group(1), int(match.group(2) or 1)


@dataclass(frozen=True)
class ShipMethodMap:
    entries: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, rows: Iterable[Mapping[str, Any]] | None) -> "ShipMethodMap":
        return cls({_norm(r["netsuite_ship_method"]): (r.get("carrier_code"), r.get("service_code"))
                    for r in rows or [] if r.get("netsuite_ship_method")})

    def resolve(self, ship_method: str | None, shown_as: str = "the requested service"
                ) -> tuple[str | None, str | None, str | None]:
        """(carrier code, service code, note): an unknown method is imported without them, and said so."""
        if not ship_method:
            return None, None, None
        hit = self.entries.get(_norm(ship_method))
        if hit is None:
            return None, None, (f"NetSuite ship method '{ship_method}' is not in the ship method map: imported "
                                f"without carrier and service (the packer sees it as {shown_as})")
        return hit[0], hit[1], None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def packer_notes(record: Mapping[str, Any]) -> str | None:
    """Internal notes: the memo and authority to leave, which ShipStation has no field for."""
    parts = [record.get("memo")]
    if record.get("authority_to_leave"):
        parts.append("Authority to leave: yes (may be left without a signature)")
    return "\n".join(p for p in parts if p) or None


def _v1_address(address: Mapping[str, Any] | None, fallback_phone: str | None, company: str | None = None) -> dict:
    a = address or {}
    return {"name": a.get("name") or a.get("attention") or company, "company": company, "street1": a.get("street1"),
            "street2": a.get("street2"), "city": a.get("city"), "state": a.get("state"),
            "postalCode": a.get("postal_code"), "country": a.get("country") or "US",
            "phone": a.get("phone") or fallback_phone, "residential": None}


def content_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


def v1_order(record: Mapping[str, Any], ship_methods: ShipMethodMap) -> tuple[dict, str | None]:
    """The createorder body (with its content hash in customField3) and a note for the audit trail."""
    customer = record.get("customer") or {}
    carrier, service, note = ship_methods.resolve(record.get("ship_method"))
    body = {
        "orderNumber": record.get("document_number") or order_key(record), "orderKey": order_key(record),
        "orderDate": f"{record.get('transaction_date') or (record.get('created_at') or '')[:10]}T00:00:00",
        "orderStatus": "cancelled" if record.get("ended") else "awaiting_shipment",
        "customerUsername": customer.get("email") or customer.get("name"), "customerEmail": customer.get("email"),
        "billTo": _v1_address(record.get("bill_to") or record.get("ship_to"), customer.get("phone"),
                              customer.get("name")),
        "shipTo": _v1_address(record.get("ship_to"), customer.get("phone")),
        "items": [{"lineItemKey": str(line["line_id"]), "sku": line.get("sku"), "name": line.get("name"),
                   "quantity": int(round(line["quantity"])), "unitPrice": line.get("unit_price") or 0,
                   "warehouseLocation": line.get("location_name")} for line in record.get("lines") or []],
        "customerNotes": record.get("delivery_instructions"), "internalNotes": packer_notes(record),
        "requestedShippingService": record.get("ship_method"), "carrierCode": carrier, "serviceCode": service,
        "confirmation": "signature" if record.get("signature_required") else "none",
        "advancedOptions": {"customField1": record.get("customer_po"),
                            "customField2": "Authority to leave" if record.get("authority_to_leave") else None},
    }
    body["advancedOptions"]["customField3"] = HASH_PREFIX + content_hash(body)
    return body, note


V2_SHIP_VIA_SHOWN_AS = "'Ship via' in the shipment's notes"


def v2_ship_via(record: Mapping[str, Any], ship_methods: "ShipMethodMap | None") -> str | None:
    """The NetSuite ship method for the packer, with the mapped carrier and service when there are some: the v2
    create request has no service field (only a carrier account id), so the notes are where it can go."""
    method = record.get("ship_method")
    if not method:
        return None
    carrier, service, _ = (ship_methods or ShipMethodMap()).resolve(method)
    mapped = "/".join(code for code in (carrier, service) if code)
    return f"Ship via: {method}" + (f" ({mapped})" if mapped else "")


def v2_notes(record: Mapping[str, Any], ship_methods: "ShipMethodMap | None" = None) -> str | None:
    """v2 create takes no confirmation, service, tags or internal notes (stored OAS create_shipment_request), so
    everything the packer must see goes into the buyer notes."""
    parts = [record.get("delivery_instructions"), v2_ship_via(record, ship_methods)]
    if record.get("authority_to_leave"):
        parts.append("Authority to leave: yes")
    if record.get("signature_required"):
        parts.append("SIGNATURE REQUIRED")
    if record.get("memo"):
        parts.append(f"Note: {record['memo']}")
    return " | ".join(p for p in parts if p) or None


# POST /v2/shipments' ship_to is the OAS `shipping_address_to`: name, phone, address_line1, city_locality,
# state_province, postal_code, country_code and address_residential_indicator are required, each text of at least
# one character; company_name, email and address_line2 may be null. So nothing required is ever sent as null: what
# NetSuite lacks is filled as decided below (docs.md, "Orders to ShipStation"), or the order is skipped, said why.
#
# Countries whose addresses carry a state or province that carriers check (USPS, Canada Post and Australia Post
# address formats): an address there without one is skipped rather than guessed.
STATE_REQUIRED = frozenset({"US", "CA", "AU"})


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def v2_phone(record: Mapping[str, Any]) -> str | None:
    """The phone NetSuite has for the order: the ship-to address's, else the customer's."""
    return _text((record.get("ship_to") or {}).get("phone")) or _text((record.get("customer") or {}).get("phone"))


def v2_ship_to(record: Mapping[str, Any], fallback_phone: str | None = None) -> tuple[dict, list[str]]:
    """The ship_to to send, and notes on what had to be filled in (for the audit trail)."""
    customer = record.get("customer") or {}
    a = record.get("ship_to") or {}
    notes = []
    country = (_text(a.get("country")) or "US").upper()
    state = _text(a.get("state"))
    if state is None and _text(a.get("city")) and country not in STATE_REQUIRED:
        # No state where the country has none (Singapore, Ireland...): the OAS still requires a non-empty
        # state_province, and the city is the nearest true value (UNCONFIRMED what ShipStation itself sends).
        state = _text(a.get("city"))
        notes.append(f"no state/province in NetSuite for this {country} address: the city is sent as ShipStation "
                     "requires one")
    phone = v2_phone(record)
    if phone is None and fallback_phone:
        phone = fallback_phone
        notes.append("no phone number on the NetSuite order or customer: the phone of ShipStation's default "
                     "warehouse (the ship-from address) is sent, as ShipStation requires one")
    return {"name": _text(a.get("name")) or _text(customer.get("name")) or _text(a.get("attention")),
            "phone": phone, "email": _text(customer.get("email")), "company_name": None,
            "address_line1": _text(a.get("street1")), "address_line2": _text(a.get("street2")),
            "city_locality": _text(a.get("city")), "state_province": state,
            "postal_code": _text(a.get("postal_code")), "country_code": country,
            "address_residential_indicator": "unknown"}, notes


def v2_ship_to_problem(ship_to: Mapping[str, Any]) -> str | None:
    """Why this ship_to cannot be sent (a field ShipStation requires that NetSuite does not have), in words the
    merchant can act on in NetSuite; None when it can."""
    missing = {"name": "no name (addressee or attention) and the customer has no name",
               "address_line1": "no street address", "city_locality": "no city",
               "postal_code": "no postal code",
               "state_province": f"no state/province, which a {ship_to.get('country_code')} address needs",
               "phone": "no phone number, nor has the customer, nor ShipStation's default warehouse"}
    for name, words in missing.items():
        if not ship_to.get(name):
            return (f"the ship-to address has {words}: ShipStation requires it for a shipment; add it to the order "
                    "or customer in NetSuite and the next sync sends the order")
    if len(ship_to.get("country_code") or "") != 2:
        return (f"the ship-to country {ship_to.get('country_code')!r} is not a two-letter ISO country code, as "
                "ShipStation requires; correct it in NetSuite")
    return None


def v2_shipment(record: Mapping[str, Any], revision: int = 1, ship_methods: ShipMethodMap | None = None,
                fallback_phone: str | None = None) -> dict:
    ship_to, _ = v2_ship_to(record, fallback_phone)
    return {
        "external_shipment_id": revision_key(order_key(record), revision), "shipment_status": "pending",
        "ship_to": ship_to,
        # shipment_item.name is text, not nullable (OAS); sku may be null.
        "items": [{"name": _text(line.get("name")) or _text(line.get("sku")) or "", "sku": line.get("sku"),
                   "quantity": int(round(line["quantity"])), "external_order_item_id": str(line["line_id"])}
                  for line in record.get("lines") or []],
        "notes_from_buyer": v2_notes(record, ship_methods),
    }


def v2_same(wanted: Mapping[str, Any], held: Mapping[str, Any]) -> bool:
    """Whether the shipment ShipStation holds already says what we would send (the fields we map)."""
    def items(ship):
        return sorted((i.get("sku"), int(i.get("quantity") or 0)) for i in ship.get("items") or [])

    def place(ship):
        t = ship.get("ship_to") or {}
        return (t.get("name"), t.get("address_line1"), t.get("postal_code"))

    return (items(wanted) == items(held) and place(wanted) == place(held)
            and (wanted.get("notes_from_buyer") or None) == (held.get("notes_from_buyer") or None))
