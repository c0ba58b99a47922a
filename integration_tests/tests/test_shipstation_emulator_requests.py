"""v2 creates refuse what the OAS refuses, as a v2 validation error (issue 14, item 1, emulator side).

OAS create_shipments_request_body -> create_shipment_request.ship_to: `name`, `phone`, `address_line1`,
`city_locality`, `state_province`, `postal_code` (each a string, minLength 1, not nullable), `country_code`
(2 characters) and `address_residential_indicator` are required; the schema is closed
(additionalProperties: false). A violation answers 400 with OAS error_response_body, error_type `validation`.
"""
from __future__ import annotations

import pytest

from emulators.shipstation import start_emulator
from emulators.shipstation.oas import OAS
from emulators.shipstation.testkit import reset, v2

SHIP_TO = {"name": "Ada Lovelace", "phone": "+1 512 555 0100", "email": None, "company_name": None,
           "address_line1": "1 Main St", "address_line2": None, "city_locality": "Austin", "state_province": "TX",
           "postal_code": "78701", "country_code": "US", "address_residential_indicator": "unknown"}


def shipment(external: str = "ext-1", **ship_to) -> dict:
    return {"external_shipment_id": external, "shipment_status": "pending", "ship_to": {**SHIP_TO, **ship_to},
            "items": [{"name": "Widget", "sku": "NEW-SKU", "quantity": 1, "external_order_item_id": "1"}],
            "notes_from_buyer": None}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=5, items=10, locations=2, customers=4, orders=4) as running:
        yield running


@pytest.fixture(scope="module")
def oas():
    return OAS()


@pytest.fixture(autouse=True)
def fresh(emulator):
    reset(emulator)
    yield


def refused(emulator, oas, body) -> list[dict]:
    answer = v2(emulator, "/v2/shipments", "POST", json=body)
    assert answer.status_code == 400, answer.text
    assert oas.errors("/v2/shipments", "post", "400", answer.json()) == []
    errors = answer.json()["errors"]
    assert {e["error_type"] for e in errors} == {"validation"}
    return errors


def test_a_complete_shipment_is_created(emulator, oas):
    answer = v2(emulator, "/v2/shipments", "POST", json={"shipments": [shipment()]})
    assert answer.status_code == 200 and answer.json()["has_errors"] is False
    assert oas.errors("/v2/shipments", "post", "200", answer.json()) == []


@pytest.mark.parametrize("shipments", [[shipment("dup"), shipment("dup")], [{"external_shipment_id": "no-ship-to"}]])
def test_duplicates_and_a_missing_ship_to_refuse_the_whole_request(emulator, oas, shipments):
    errors = refused(emulator, oas, {"shipments": [shipment("fine")] + shipments})
    assert {e["error_code"] for e in errors} <= {"identifier_conflict", "field_value_required"}
    assert v2(emulator, "/v2/shipments", params={"external_shipment_id": "fine"}).json()["shipments"] == []


@pytest.mark.parametrize("field", ["name", "phone", "address_line1", "city_locality", "state_province",
                                   "postal_code", "country_code", "address_residential_indicator"])
@pytest.mark.parametrize("value", [None, "", "absent"])
def test_ship_to_required_strings_refuse_null_empty_and_absent(emulator, oas, field, value):
    body = shipment()
    if value == "absent":
        del body["ship_to"][field]
    else:
        body["ship_to"][field] = value
    errors = refused(emulator, oas, {"shipments": [body]})
    assert [e for e in errors if f"shipments[0].ship_to.{field}" in e["message"]], errors
    code = "invalid_field_value" if value == "" else "field_value_required"
    assert {e["error_code"] for e in errors} == {code}
    # nothing was created
    assert v2(emulator, "/v2/shipments", params={"external_shipment_id": "ext-1"}).json()["shipments"] == []


def test_every_violation_is_named_once_and_the_whole_request_is_refused(emulator, oas):
    good, bad = shipment("ext-good"), shipment("ext-bad", phone=None, name="", state_province=None)
    errors = refused(emulator, oas, {"shipments": [good, bad]})
    named = sorted(e["message"].split(" ")[0] for e in errors)
    assert named == ["shipments[1].ship_to.name", "shipments[1].ship_to.phone",
                     "shipments[1].ship_to.state_province"]
    assert v2(emulator, "/v2/shipments", params={"external_shipment_id": "ext-good"}).json()["shipments"] == []


@pytest.mark.parametrize("body,where", [
    ({"shipments": []}, "shipments"),
    ({}, "shipments"),
    ({"shipments": [shipment()], "extra": 1}, "extra"),
    ({"shipments": [{**shipment(), "service_code": "usps_priority_mail"}]}, "service_code"),  # not in the OAS
    ({"shipments": [shipment(company_name="")]}, "company_name"),  # nullable, but never empty
    ({"shipments": [shipment(country_code="USA")]}, "country_code"),
    ({"shipments": [shipment(address_residential_indicator="maybe")]}, "address_residential_indicator"),
    ({"shipments": [{**shipment(), "items": [{"name": None, "sku": "S", "quantity": 1}]}]}, "name"),
    ({"shipments": [{**shipment(), "external_shipment_id": "x" * 51}]}, "external_shipment_id"),
])
def test_other_oas_violations_are_refused(emulator, oas, body, where):
    errors = refused(emulator, oas, body)
    assert any(where in e["message"] for e in errors), errors


def test_no_body_is_request_body_required(emulator, oas):
    answer = v2(emulator, "/v2/shipments", "POST", data=b"", headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["error_code"] == "request_body_required"


@pytest.mark.parametrize("path,body,code", [
    ("/v2/inventory_warehouses", {"name": None}, "field_value_required"),
    ("/v2/inventory_warehouses", {"name": 5}, "invalid_field_value"),
    ("/v2/inventory_locations", {"name": "Bin", "inventory_warehouse_id": None}, "field_value_required"),
    ("/v2/inventory_locations", {"name": "Bin"}, "field_value_required")])
def test_inventory_creates_refuse_what_the_oas_refuses(emulator, oas, path, body, code):
    answer = v2(emulator, path, "POST", json=body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["error_code"] == code
    assert oas.component_errors("error_response_body", answer.json()) == []


def test_inventory_change_refuses_an_unknown_condition(emulator, oas):
    row = v2(emulator, "/v2/inventory", params={"limit": 1}).json()["inventory"][0]
    answer = v2(emulator, "/v2/inventory", "POST", json={
        "transaction_type": "increment", "sku": row["sku"], "inventory_location_id": row["inventory_location_id"],
        "quantity": 1, "condition": "mint"})
    assert answer.status_code == 400 and "condition" in answer.json()["errors"][0]["message"]
