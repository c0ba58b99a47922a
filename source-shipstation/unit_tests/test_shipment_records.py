"""Mapping corner cases the emulator does not produce: they decide what a NetSuite fulfillment gets."""
import jsonschema

from source_shipstation.schemas_loader import load_schema, published_schema
from source_shipstation.shipment_records import v1_shipment, v2_fulfillment, v2_shipment
from source_shipstation.v2_shipments import current_label


def test_a_relabelled_v2_shipment_is_described_by_its_live_label_not_the_voided_one():
    voided = {"label_id": "se-1", "created_at": "2026-11-20T10:00:00Z", "voided": True}
    live = {"label_id": "se-2", "created_at": "2026-11-20T09:00:00Z", "voided": False}
    assert current_label([voided, live])["label_id"] == "se-2"


def test_a_v2_shipment_whose_only_label_was_voided_is_described_by_that_label():
    older = {"label_id": "se-1", "created_at": "2026-11-19T10:00:00Z", "voided": True}
    newer = {"label_id": "se-2", "created_at": "2026-11-20T10:00:00Z", "voided": True}
    assert current_label([older, newer])["label_id"] == "se-2"
    assert current_label([]) is None


def test_a_v1_label_without_tracking_or_items_still_matches_the_contract():
    record = v1_shipment({"shipmentId": 5, "orderId": 7, "orderNumber": "SO1", "createDate": "2026-11-20T08:00:00",
                          "voided": True, "voidDate": "2026-11-21T08:00:00.0000000", "trackingNumber": None,
                          "shipmentItems": None, "shipTo": None})
    jsonschema.validate(record, load_schema("shipments"))
    assert record["tracking_numbers"] == [] and record["items"] == []
    assert record["modified_at"] == record["voided_at"] == "2026-11-21T16:00:00.000000Z"


def test_discover_announces_the_contracts_fields_unchanged_only_open_to_additions():
    strict, published = load_schema("shipments"), published_schema("shipments")
    assert published["properties"].keys() == strict["properties"].keys()
    assert published["required"] == strict["required"]
    assert "additionalProperties" not in published and strict["additionalProperties"] is False


def test_a_v2_shipment_carries_its_external_shipment_id_as_the_order_key_as_v1_carries_order_key():
    # What destination-shipstation-inventory set on a NetSuite order ("ns-<internal id>", or a revision of it)
    # is what destination-netsuite-fulfillment needs back to find the sales order by internal id.
    label = {"label_id": "se-9", "created_at": "2026-11-20T10:00:00Z", "voided": False, "tracking_number": "1Z1",
             "external_shipment_id": "ns-5001-r2", "external_order_id": None}
    shipment = {"shipment_id": "se-8", "shipment_number": "ns-5001-r2", "external_shipment_id": "ns-5001-r2",
                "external_order_id": "100123", "modified_at": "2026-11-20T10:00:00Z", "items": []}
    record = v2_shipment(shipment, label)
    jsonschema.validate(record, load_schema("shipments"))
    assert record["order_key"] == "ns-5001-r2"
    fulfillment = v2_fulfillment({"fulfillment_id": "se-7", "shipment_id": "se-8", "ship_date": None}, shipment)
    assert fulfillment["order_key"] == "ns-5001-r2"


def test_a_v2_shipment_from_a_store_keeps_the_stores_order_id_as_its_key():
    shipment = {"shipment_id": "se-8", "external_shipment_id": None, "external_order_id": "web-77", "items": []}
    assert v2_shipment(shipment, {"label_id": "se-9", "voided": False})["order_key"] == "web-77"
    assert v2_fulfillment({"fulfillment_id": "se-7"}, None)["order_key"] is None
