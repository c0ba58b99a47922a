from source_netsuite_inventory.order_records import order_record
from source_netsuite_inventory.order_settings import order_settings

HEADER = {"id": "77", "document_number": "SO1", "customer_po": "PO-9", "status_code": "SalesOrd:D",
          "status": "Sales Order : Partially Fulfilled", "transaction_date": "2026-11-20 00:00:00",
          "last_modified_at": "2026-11-21 08:00:00", "customer_id": "1001", "customer_company": "Acme",
          "customer_email": "a@example.com", "ship_name": "Ava Ng", "ship_street1": "1 Main St", "ship_city": "Austin",
          "ship_method": "UPS Ground", "ship_method_id": "1", "cf_delivery_instructions": "Back door",
          "cf_authority_to_leave": "T", "cf_signature_required": "F"}


def test_only_what_is_left_to_ship_is_carried_and_closed_or_shipped_lines_are_dropped():
    lines = [{"line": "1", "sku": "A", "quantity": "-5", "shipped": "2", "rate": "3.5", "location": "1",
              "location_name": "Main"},
             {"line": "2", "sku": "B", "quantity": "-1", "shipped": "1"},
             {"line": "3", "sku": "C", "quantity": "-4", "isclosed": "T"}]
    record = order_record(HEADER, lines, order_settings({}))
    assert record["lines"] == [{"line_id": 1, "sku": "A", "name": None, "quantity": 3.0, "unit_price": 3.5,
                                "location_id": 1, "location_name": "Main"}]


def test_header_fields_custom_fields_and_status_are_typed():
    record = order_record(HEADER, [], order_settings({}))
    assert record["status"] == "Partially Fulfilled" and record["ended"] is False
    assert record["authority_to_leave"] is True and record["signature_required"] is False
    assert record["delivery_instructions"] == "Back door"
    assert record["customer"] == {"id": 1001, "name": "Acme", "email": "a@example.com", "phone": None}
    assert record["ship_to"]["street1"] == "1 Main St" and record["bill_to"] is None
    assert record["transaction_date"] == "2026-11-20" and record["last_modified_at"] == "2026-11-21T08:00:00Z"


def test_a_cancelled_order_is_marked_ended():
    record = order_record({**HEADER, "status_code": "SalesOrd:C", "status": "Sales Order : Cancelled"}, [],
                          order_settings({}))
    assert record["ended"] is True and record["status"] == "Cancelled"
