"""Every v2 answer the emulator gives in a representative flow conforms to ShipStation's OAS (issue 14, item 10).

Read as OpenAPI means it for answers (emulators/shipstation/oas.py): no field the response schema does not define
(objects that list their properties are closed), no `writeOnly` field (labels once echoed validate_address and
label_download_type), null only where the schema says nullable, every enum and format held. A status the
operation does not document must be an error answer in OAS `error_response_body`; a 2xx it does not document
fails. `GET /v2/fulfillments` is not in the stored OAS and is checked only for its paging envelope.
"""
from __future__ import annotations

import re

import pytest

from emulators.shipstation import start_emulator
from emulators.shipstation.oas import OAS
from emulators.shipstation.testkit import control, label, reset, v2

SHIP_TO = {"name": "Ada Lovelace", "phone": "+1 512 555 0100", "address_line1": "1 Main St",
           "city_locality": "Austin", "state_province": "TX", "postal_code": "78701", "country_code": "US",
           "address_residential_indicator": "no"}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=9, items=12, locations=2, customers=5, orders=8) as running:
        yield running


@pytest.fixture(scope="module")
def oas():
    return OAS()


@pytest.fixture(autouse=True)
def fresh(emulator):
    reset(emulator)
    yield


class Checked:
    """Calls the v2 API and holds each answer to the OAS operation it belongs to."""

    def __init__(self, emulator, oas: OAS) -> None:
        self.emulator, self.oas, self.problems, self.seen = emulator, oas, [], set()
        self.templates = sorted(oas.paths, key=lambda p: (p.count("{"), -len(p)))

    def template(self, path: str) -> str | None:
        for t in self.templates:
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", t), path):
                return t
        return None

    def __call__(self, method: str, path: str, **kw):
        answer = v2(self.emulator, path, method, **kw)
        where = f"{method} {path} -> {answer.status_code}"
        template = self.template(path.split("?")[0])
        responses = self.oas.paths[template][method.lower()]["responses"] if template and \
            method.lower() in self.oas.paths[template] else None
        status = str(answer.status_code)
        self.seen.add((template, method, status))
        if responses is None:
            if answer.status_code >= 400:
                self.problems += [f"{where}: {p}" for p in
                                  self.oas.component_errors("error_response_body", answer.json())]
            return answer
        if status in responses:
            response = responses[status]
            if "$ref" in response:
                response = self.oas.responses[response["$ref"].split("/")[-1]]
            if "content" in response:  # NoContent documents an empty string body
                body = answer.json() if answer.content else ""
                self.problems += [f"{where}: {p}" for p in self.oas.errors(template, method, status, body)]
            elif answer.content:
                self.problems.append(f"{where}: the OAS documents no body, got {answer.text[:80]}")
        elif answer.status_code >= 400:  # 401, 403, 429 are documented API-wide, not per operation
            self.problems += [f"{where}: {p}" for p in
                              self.oas.component_errors("error_response_body", answer.json())]
        else:
            self.problems.append(f"{where}: status not documented for {method} {template}")
        return answer


def test_every_v2_answer_in_a_representative_flow_conforms_to_the_oas(emulator, oas, tmp_path):
    call = Checked(emulator, oas)
    # shipments: pending, created by a client, labelled (multi-package), voided, cancelled, shipped elsewhere
    created = call("POST", "/v2/shipments", json={"shipments": [
        {"external_shipment_id": "ext-oas-1", "shipment_status": "pending", "ship_to": SHIP_TO,
         "items": [{"name": "Widget", "sku": "OAS-SKU", "quantity": 2}], "notes_from_buyer": "leave at door",
         "is_gift": True, "notes_for_gift": None}]}).json()
    assert created["has_errors"] is False
    again = call("POST", "/v2/shipments", json={"shipments": [
        {"external_shipment_id": "ext-oas-1", "ship_to": SHIP_TO}]})
    assert again.status_code == 400  # a duplicate external_shipment_id
    call("POST", "/v2/shipments", json={"shipments": [{"external_shipment_id": "no-address"}]})
    call("POST", "/v2/shipments", json={"shipments": [{"ship_to": {**SHIP_TO, "phone": None}}]})
    label(emulator, "SO10001", packages=2)
    voided = label(emulator, "SO10002", carrier_code="ups_walleted")
    control(emulator, "void", {"shipment_id": voided["v2_shipment_id"]})
    control(emulator, "mark-shipped", {"order_number": "SO10004", "tracking_number": "T-4"})
    pending = call("GET", "/v2/shipments", params={"shipment_status": "pending"}).json()["shipments"]
    call("PUT", f"/v2/shipments/{pending[-1]['shipment_id']}/cancel")
    call("PUT", f"/v2/shipments/{pending[-1]['shipment_id']}/cancel")  # already cancelled: 400
    for params in ({}, {"sort_by": "modified_at", "sort_dir": "asc", "page_size": 3, "page": 2},
                   {"shipment_status": "label_purchased"}, {"shipment_status": "cancelled"},
                   {"page": 99}, {"shipment_status": "lost"}):
        call("GET", "/v2/shipments", params=params)
    for sid in (created["shipments"][0]["shipment_id"], voided["v2_shipment_id"], pending[0]["shipment_id"],
                "se-999999999", "nonsense"):
        call("GET", f"/v2/shipments/{sid}")
    call("GET", "/v2/shipments/external_shipment_id/ext-oas-1")
    call("GET", "/v2/shipments/external_shipment_id/missing")
    # labels
    for params in ({}, {"label_status": "voided"}, {"page_size": 1, "page": 2}, {"label_status": "misplaced"}):
        call("GET", "/v2/labels", params=params)
    # warehouses, products
    call("GET", "/v2/warehouses")
    for params in ({}, {"page_size": 5, "page": 2}, {"sku": "OAS-SKU"}):
        call("GET", "/v2/products", params=params)
    # inventory
    for params in ({}, {"limit": 5}, {"group_by": "warehouse"}, {"group_by": "location"}, {"limit": "x"}):
        call("GET", "/v2/inventory", params=params)
    row = v2(emulator, "/v2/inventory", params={"limit": 1}).json()["inventory"][0]
    call("POST", "/v2/inventory", json={"transaction_type": "adjust", "sku": row["sku"], "quantity": 3,
                                        "inventory_location_id": row["inventory_location_id"]})
    call("POST", "/v2/inventory", json=[{"transaction_type": "adjust"}])
    warehouse = call("POST", "/v2/inventory_warehouses", json={"name": "Overflow"}).json()
    call("POST", "/v2/inventory_locations", json={"name": "Bin 9",
                                                  "inventory_warehouse_id": warehouse["inventory_warehouse_id"]})
    call("GET", "/v2/inventory_warehouses")
    call("GET", "/v2/inventory_locations", params={"limit": 1})
    # webhooks
    hook = call("POST", "/v2/environment/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                                          "event": "label_created_v2"}).json()
    call("POST", "/v2/environment/webhooks", json={"url": "http://127.0.0.1:9/hook", "event": "label_created_v2"})
    call("GET", "/v2/environment/webhooks")
    call("GET", f"/v2/environment/webhooks/{hook['webhook_id']}")
    call("DELETE", f"/v2/environment/webhooks/{hook['webhook_id']}")
    call("GET", f"/v2/environment/webhooks/{hook['webhook_id']}")
    # errors every operation can give: unknown route, bad key, no add-on, rate limit
    call("GET", "/v2/nothing_here")
    call("GET", "/v2/shipments", headers={"API-Key": "wrong"})
    control(emulator, "inventory-addon", {"enabled": False})
    call("GET", "/v2/inventory")
    control(emulator, "rate-limits", {"v2": 1, "reset_windows": True})
    call("GET", "/v2/warehouses")
    call("GET", "/v2/warehouses")
    assert call.problems == [], "\n".join(call.problems)
    statuses = {s for _, _, s in call.seen}
    assert {"200", "204", "400", "401", "403", "404", "409", "429"} <= statuses


def test_v2_fulfillments_page_envelope(emulator):
    control(emulator, "mark-shipped", {"order_number": "SO10003"})
    page = v2(emulator, "/v2/fulfillments").json()
    assert set(page) == {"fulfillments", "page", "pages", "total", "links"}
    assert set(page["links"]) == {"first", "last", "prev", "next"}


def test_the_answer_reading_refuses_write_only_and_undefined_fields(oas):
    v2_label = {"label_id": "se-1", "validate_address": "no_validation"}
    page = {"labels": [v2_label], "total": 1, "page": 1, "pages": 1,
            "links": {"first": {"href": "x"}, "last": {"href": "x"}, "prev": {}, "next": {}}}
    assert any("validate_address" in p for p in oas.errors("/v2/labels", "get", "200", page))
    inventory = {"inventory": [{"sku": "A", "surprise": 1}], "total": 1, "page": 1, "pages": 1, "links": {}}
    assert any("surprise" in p for p in oas.errors("/v2/inventory", "get", "200", inventory))
    nulls = {"inventory_warehouses": [{"inventory_warehouse_id": None, "name": "W"}], "total": 1, "page": 1,
             "pages": 1, "links": {}}
    assert any("None is not of type 'string'" in p for p in oas.errors("/v2/inventory_warehouses", "get", "200",
                                                                         nulls))
