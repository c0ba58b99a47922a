"""Reconciliation, sections (a) and (b): the ShipStation shipments of a period against NetSuite's item fulfillments.

ShipStation is read with GETs only, bounded by the period, through the shared client and its one paginator; each
row is mapped by source-shipstation's own record builder (shipment_records), so the shipment ids, and from them
the fulfillments' external ids (destination-netsuite-fulfillment's `external_id_for`), are exactly those the
sync uses. NetSuite is asked with SuiteQL only: the item fulfillments holding those external ids, a batch of
ids per query, every value quoted by netsuite_lib's one quoting helper.

What is read, per API version (the same reads the source makes, cut at the period's end):
- v2: labels created in the period (one listing, voided ones included), their shipments (label_purchased,
  created before the end, modified since the start), and fulfillments created in the period (orders marked
  shipped without a label);
- v1: labels (/shipments) created in the period, and /fulfillments created in the period.
A label bought before the period and voided in it is not read: (b) covers labels of the period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator

from netsuite_lib.client import NetSuiteClient
from netsuite_lib.suiteql_quote import sql_string_list
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1
from shipstation_lib.dates import parse_utc, v1_filter, v2_filter
from shipstation_lib.paging import rows

# One definition of a shipment record (the source's, which the relay shares) and of its fulfillment's external id
# (the destination's).
from destination_netsuite_fulfillment.fulfillment_plan import external_id_for
from destination_netsuite_fulfillment.package_labels import is_package_only

try:
    from shipstation_lib import shipment_records
    from shipstation_lib.shipment_records import current_label
except ImportError:  # a shipstation_lib from before the record builder moved into it
    from source_shipstation import shipment_records
    from source_shipstation.v2_shipments import current_label

# What places a record in the period when it is not its `created_at` (taken off the record once used).
PLACED_AT = "_placed_at"
EXTERNAL_IDS_PER_QUERY = 200  # well inside what one SuiteQL text holds; the destination asks up to 500 per batch


@dataclass
class Fulfillment:
    fulfillment_id: str
    external_id: str
    sales_order_id: str | None
    sales_order: str | None  # the sales order's document number, for people


@dataclass
class ShipmentFindings:
    read: int = 0  # shipments (labels and label-less fulfillments) created in the period
    shipped: int = 0  # of those, not voided
    recorded: int = 0  # shipped ones NetSuite has an item fulfillment for (or, for an extra package, its sibling's)
    voided: int = 0
    missing: list[dict] = field(default_factory=list)  # section (a), before the audit's word is added
    voided_with_fulfillment: list[dict] = field(default_factory=list)  # section (b)


def in_period(record: dict, start: datetime, end: datetime) -> bool:
    created = parse_utc(record.pop(PLACED_AT, None) or record.get("created_at"))
    return created is not None and start <= created < end


def shipments_in_period(client: ShipStationClient, start: datetime, end: datetime) -> Iterator[dict]:
    """Every shipment record created in [start, end), in the source's schema (voided ones included)."""
    reader = _v1_records if client.version == V1 else _v2_records
    for record in reader(client, start, end):
        # The date filters are inclusive and v1's are whole seconds: the period's bounds are applied here exactly.
        if in_period(record, start, end):
            yield record


def _v1_records(client: ShipStationClient, start: datetime, end: datetime) -> Iterator[dict]:
    dates = {"createDateStart": v1_filter(start), "createDateEnd": v1_filter(end)}
    for raw in rows(client, "shipments", "shipments", {"includeShipmentItems": "true", **dates}):
        if raw.get("shipmentId") not in (None, ""):
            yield shipment_records.v1_shipment(raw)
    for raw in rows(client, "fulfillments", "fulfillments", dates):
        if raw.get("fulfillmentId") not in (None, ""):
            # Items are not needed to tell whether NetSuite has it, so the order is not fetched for them.
            yield shipment_records.v1_fulfillment(raw, None)


def _v2_records(client: ShipStationClient, start: datetime, end: datetime) -> Iterator[dict]:
    labels: dict[str, list[dict]] = {}
    for label in rows(client, "v2/labels", "labels", {"created_at_start": v2_filter(start),
                                                      "created_at_end": v2_filter(end)}):
        if label.get("shipment_id"):
            labels.setdefault(label["shipment_id"], []).append(label)
    # A shipment exists from the order's import, before its label: created before the end, modified (by the
    # label) since the start.
    listing = {"shipment_status": "label_purchased", "created_at_end": v2_filter(end),
               "modified_at_start": v2_filter(start)}
    shipments = {s["shipment_id"]: s for s in rows(client, "v2/shipments", "shipments", listing)
                 if s.get("shipment_id") in labels}
    for shipment_id, own in labels.items():
        shipment = shipments.get(shipment_id) or client.get(f"v2/shipments/{shipment_id}")
        label = current_label(own)
        if label is not None:
            yield shipment_records.v2_shipment(shipment, label)
    for raw in rows(client, "v2/fulfillments", "fulfillments", {"create_date_start": v2_filter(start),
                                                                "create_date_end": v2_filter(end)}):
        if not raw.get("fulfillment_id") or raw.get("shipment_id") in labels:
            continue  # a label's own fulfillment is that label's shipment, as in the source
        shipment = client.get(f"v2/shipments/{raw['shipment_id']}") if raw.get("shipment_id") else None
        if shipment and shipment.get("shipment_status") == "label_purchased":
            continue  # its label was bought before the period: not a label-less shipment
        record = shipment_records.v2_fulfillment(raw, shipment)
        # The source dates a v2 fulfillment by its ship date; the listing placed it in the period by its creation.
        record[PLACED_AT] = raw.get("created_at") or raw.get("ship_date")
        yield record


def fulfillments_by_external_id(client: NetSuiteClient, external_ids: Iterable[str]) -> dict[str, Fulfillment]:
    """The item fulfillments holding these external ids (SuiteQL only), by external id."""
    wanted = sorted(set(external_ids))
    found: dict[str, Fulfillment] = {}
    for at in range(0, len(wanted), EXTERNAL_IDS_PER_QUERY):
        chunk = wanted[at:at + EXTERNAL_IDS_PER_QUERY]
        query = ("SELECT f.id AS fulfillment_id, f.externalid AS external_id, f.createdfrom AS so_id, "
                 "s.tranid AS so_number FROM transaction f JOIN transaction s ON s.id = f.createdfrom "
                 f"WHERE f.type = 'ItemShip' AND f.externalid IN {sql_string_list(chunk)} ORDER BY f.id")
        for row in client.suiteql(query):
            external_id = str(row.get("external_id") or "")
            found[external_id] = Fulfillment(str(row["fulfillment_id"]), external_id,
                                             _text(row.get("so_id")), _text(row.get("so_number")))
    return found


def extra_package_siblings(client: ShipStationClient, records: list[dict]) -> dict[str, list[str]]:
    """For each extra package label (v1: tracking, no items), the earlier labels of its ShipStation order that
    carry items, newest first: the destination adds the package to the fulfillment of one of them. Read from
    the period's labels, else with one GET of the order's labels (rare: a multi-package label)."""
    by_order: dict[str, list[dict]] = {}
    for record in records:
        if record.get("order_id"):
            by_order.setdefault(record["order_id"], []).append(record)
    siblings: dict[str, list[str]] = {}
    for record in records:
        # v1 only: a v2 shipment is one record whatever its packages (and its id is not a number to order by).
        if record["api_version"] != V1 or record["kind"] != "label" or not is_package_only(record) \
                or not record.get("order_id"):
            continue
        own = _numeric(record["shipment_id"])
        candidates = [r for r in by_order[record["order_id"]] if r.get("items")]
        if not any(_numeric(r["shipment_id"]) < own for r in candidates):
            candidates = [shipment_records.v1_shipment(raw) for raw in rows(
                client, "shipments", "shipments", {"orderId": record["order_id"], "includeShipmentItems": "true"})
                if raw.get("shipmentId") not in (None, "")]
            candidates = [r for r in candidates if r.get("items")]
        earlier = sorted((r for r in candidates if _numeric(r["shipment_id"]) < own and not r.get("voided")),
                         key=lambda r: _numeric(r["shipment_id"]), reverse=True)
        siblings[record["shipment_id"]] = [r["shipment_id"] for r in earlier]
    return siblings


def compare(records: list[dict], found: dict[str, Fulfillment], siblings: dict[str, list[str]]) -> ShipmentFindings:
    """Sections (a) and (b) from the period's shipments and the fulfillments NetSuite holds for them (and for
    the siblings of extra package labels)."""
    findings = ShipmentFindings(read=len(records))
    for record in records:
        external_id = external_id_for(record["shipment_id"])
        made = found.get(external_id)
        if record.get("voided"):
            findings.voided += 1
            if made is not None:
                findings.voided_with_fulfillment.append({
                    **_shipment_columns(record), "voided_at": record.get("voided_at"),
                    "fulfillment_id": made.fulfillment_id, "external_id": external_id,
                    "sales_order": made.sales_order, "sales_order_id": made.sales_order_id})
            continue
        findings.shipped += 1
        if made is not None:
            findings.recorded += 1
            continue
        note = None
        if record["shipment_id"] in siblings:
            holder = next((found[external_id_for(s)] for s in siblings[record["shipment_id"]]
                           if external_id_for(s) in found), None)
            if holder is not None:
                # Its tracking number was added to that fulfillment (not re-read here: one GET per label).
                findings.recorded += 1
                continue
            note = "extra package label: the label of its order with the items has no item fulfillment either"
        findings.missing.append({**_shipment_columns(record), "external_id": external_id, "note": note})
    return findings


def external_ids_to_look_up(records: list[dict], siblings: dict[str, list[str]]) -> set[str]:
    wanted = {external_id_for(r["shipment_id"]) for r in records}
    wanted |= {external_id_for(s) for ids in siblings.values() for s in ids}
    return wanted


def _shipment_columns(record: dict) -> dict[str, Any]:
    return {"shipment_id": record["shipment_id"], "kind": record["kind"], "api_version": record["api_version"],
            "order_number": record.get("order_number"), "created_at": record.get("created_at"),
            "ship_date": record.get("ship_date"), "carrier": record.get("carrier_code"),
            "tracking_numbers": " ".join(t for t in record.get("tracking_numbers") or [] if t),
            "items": ", ".join(f"{i.get('sku')} x {_quantity(i.get('quantity'))}" for i in record.get("items") or [])}


def _quantity(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _numeric(text: str) -> int:
    return int(text) if str(text).isdigit() else -1


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
