"""Behaviour of the ShipStation emulator over real HTTP: auth, rate limits, dates, paging, inventory writes,
OAS conformance of v2 answers, webhooks and their signatures."""
from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from jwt.algorithms import RSAAlgorithm

from emulators.shipstation import start_emulator
from emulators.shipstation.oas import OAS
from emulators.shipstation.testkit import control, label, reset, v1, v2

V1_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$"


# ---- fixtures ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=7, items=30, locations=3, customers=8, orders=12) as running:
        yield running


@pytest.fixture(scope="module")
def oas():
    return OAS()


class Receiver:
    """A loopback webhook target that records every delivery."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "body": body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for(self, predicate, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = [r for r in self.received if predicate(r)]
            if hits:
                return hits
            time.sleep(0.02)
        return []


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(autouse=True)
def fresh(emulator):
    """Each test starts from the seeded account, live keys, generous limits and no faults."""
    reset(emulator)
    yield


def first_location(emulator) -> str:
    return v2(emulator, "/v2/inventory_locations").json()["inventory_locations"][0]["inventory_location_id"]


# ---- auth -------------------------------------------------------------------------------------------------
def test_v1_basic_auth_accepted_and_bad_secret_gets_v1_401(emulator):
    assert v1(emulator, "/orders").status_code == 200
    wrong = requests.get(emulator.base_url + "/orders", auth=(emulator.credentials["v1_api_key"], "nope"))
    assert wrong.status_code == 401
    assert "json" not in wrong.headers.get("content-type", "")
    assert len(wrong.content) < 512
    assert requests.get(emulator.base_url + "/orders").status_code == 401


def test_v2_key_header_name_is_case_insensitive_and_bad_key_gets_v2_body(emulator, oas):
    key = emulator.credentials["v2_api_key"]
    assert requests.get(emulator.base_url + "/v2/warehouses", headers={"api-key": key}).status_code == 200
    assert requests.get(emulator.base_url + "/v2/warehouses", headers={"API-KEY": key}).status_code == 200
    wrong = requests.get(emulator.base_url + "/v2/warehouses", headers={"API-Key": key + "x"})
    assert wrong.status_code == 401
    body = wrong.json()
    assert body["errors"][0]["error_type"] == "security" and body["errors"][0]["error_code"] == "unauthorized"
    assert oas.component_errors("error_response_body", body) == []


def test_each_api_refuses_the_other_apis_credentials(emulator):
    c = emulator.credentials
    assert requests.get(emulator.base_url + "/v2/warehouses",
                        auth=(c["v1_api_key"], c["v1_api_secret"])).status_code == 401
    assert requests.get(emulator.base_url + "/warehouses", headers={"API-Key": c["v2_api_key"]}).status_code == 401


def test_revoked_keys_are_refused_with_each_apis_shape(emulator):
    control(emulator, "revoke", {"api": "v1"})
    assert v1(emulator, "/stores").status_code == 401
    assert v2(emulator, "/v2/warehouses").status_code == 200
    control(emulator, "revoke", {"api": "v2"})
    refused = v2(emulator, "/v2/warehouses")
    assert refused.status_code == 401 and refused.json()["errors"][0]["error_code"] == "unauthorized"


# ---- rate limits ------------------------------------------------------------------------------------------
def test_v1_rate_limit_counts_down_then_429s_and_recovers_after_the_window(emulator):
    control(emulator, "rate-limits", {"v1": 40, "reset_windows": True})
    remaining = []
    for _ in range(40):
        answer = v1(emulator, "/stores")
        assert answer.status_code == 200
        assert answer.headers["X-Rate-Limit-Limit"] == "40"
        remaining.append(int(answer.headers["X-Rate-Limit-Remaining"]))
        reset = int(answer.headers["X-Rate-Limit-Reset"])
        assert 0 < reset <= 60  # a countdown in seconds, not an epoch timestamp
    assert remaining == list(range(39, -1, -1))
    control(emulator, "clock/advance", {"seconds": 20})
    over = v1(emulator, "/stores")
    assert over.status_code == 429
    assert over.json() == {"message": "Too Many Requests"}
    assert over.headers["X-Rate-Limit-Remaining"] == "0"
    assert 35 <= int(over.headers["X-Rate-Limit-Reset"]) <= 40
    assert "Retry-After" not in over.headers  # v1 documents only the three X-Rate-Limit-* headers (D1)
    control(emulator, "clock/advance", {"seconds": 41})
    again = v1(emulator, "/stores")
    assert again.status_code == 200 and again.headers["X-Rate-Limit-Remaining"] == "39"
    assert control(emulator, "stats", method="GET")["rate_limited"]["v1"] >= 1


def test_v2_rate_limit_answers_429_with_retry_after_and_v2_body(emulator, oas):
    control(emulator, "rate-limits", {"v2": 3, "reset_windows": True})
    for _ in range(3):
        ok = v2(emulator, "/v2/warehouses")
        assert ok.status_code == 200
        assert "X-Rate-Limit-Remaining" not in ok.headers  # off by default on v2
    over = v2(emulator, "/v2/warehouses")
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 60
    error = over.json()["errors"][0]
    assert (error["error_type"], error["error_code"]) == ("system", "rate_limit_exceeded")
    assert oas.component_errors("error_response_body", over.json()) == []
    control(emulator, "rate-limits", {"v2": 3, "v2_headers": True, "reset_windows": True})
    assert v2(emulator, "/v2/warehouses").headers["X-Rate-Limit-Remaining"] == "2"


def test_a_shortened_rate_window_counts_down_its_real_remaining_seconds_on_both_apis(emulator):
    limits = control(emulator, "rate-limits", {"v1": 2, "v2": 2, "v2_headers": True, "window_seconds": 3,
                                               "reset_windows": True})
    assert limits["window_seconds"] == 3
    for call in (lambda: v1(emulator, "/stores"), lambda: v2(emulator, "/v2/warehouses")):
        assert [call().status_code for _ in range(2)] == [200, 200]
        over = call()
        assert over.status_code == 429
        # a countdown of the 3 s window just opened, rounded up; not the 60 s of the default window
        assert over.headers["X-Rate-Limit-Reset"] == "3"
        assert over.headers.get("Retry-After", "3") == "3"  # v2 only: v1 sends no Retry-After
    control(emulator, "clock/advance", {"seconds": 1.5})
    early = v2(emulator, "/v2/warehouses")
    assert early.status_code == 429 and early.headers["Retry-After"] == "2"
    assert control(emulator, "rate-limits")["early_retries"] == {"v1": 0, "v2": 1}  # it came back too soon
    control(emulator, "clock/advance", {"seconds": 1.5})  # the window is over, as Retry-After said
    for call in (lambda: v1(emulator, "/stores"), lambda: v2(emulator, "/v2/warehouses")):
        again = call()
        assert again.status_code == 200 and again.headers["X-Rate-Limit-Remaining"] == "1"
        assert again.headers["X-Rate-Limit-Reset"] == "3"  # a new window opened with this call
    assert control(emulator, "rate-limits")["early_retries"] == {"v1": 0, "v2": 1}


@pytest.mark.parametrize("seconds", [0, -3, "soon"])
def test_a_rate_window_that_is_no_length_is_refused(emulator, seconds):
    answer = requests.post(f"{emulator.base_url}/__emulator/rate-limits", json={"window_seconds": seconds})
    assert answer.status_code == 400, answer.text
    assert control(emulator, "rate-limits")["window_seconds"] == 60


# ---- v1 dates and filters ---------------------------------------------------------------------------------
def test_v1_dates_are_pacific_wall_time_without_offset_across_dst(emulator):
    summer = label(emulator, "SO10001", create_date="2026-10-30T15:00:00Z")  # PDT, UTC-7
    winter = label(emulator, "SO10002", create_date="2026-11-02T15:00:00Z")  # PST, UTC-8
    shipments = {s["shipmentId"]: s for s in v1(emulator, "/shipments").json()["shipments"]}
    assert shipments[summer["shipment_id"]]["createDate"] == "2026-10-30T08:00:00.0000000"
    assert shipments[winter["shipment_id"]]["createDate"] == "2026-11-02T07:00:00.0000000"
    assert shipments[winter["shipment_id"]]["shipDate"] == "2026-11-02"
    v2_labels = {lb["shipment_id"]: lb for lb in v2(emulator, "/v2/labels").json()["labels"]}
    assert v2_labels[summer["v2_shipment_id"]]["created_at"] == "2026-10-30T15:00:00.000Z"


def test_v1_create_date_filters_are_read_as_pacific_and_inclusive(emulator):
    late_sunday = label(emulator, "SO10001", create_date="2026-11-02T07:30:00Z")  # 2026-11-01 23:30 PST
    monday = label(emulator, "SO10002", create_date="2026-11-02T09:00:00Z")  # 2026-11-02 01:00 PST
    found = v1(emulator, "/shipments", params={"createDateStart": "2026-11-02 00:00:00"}).json()["shipments"]
    assert [s["shipmentId"] for s in found] == [monday["shipment_id"]]
    found = v1(emulator, "/shipments", params={"createDateEnd": "2026-11-01T23:30:00"}).json()["shipments"]
    assert [s["shipmentId"] for s in found] == [late_sunday["shipment_id"]]


def test_v1_page_size_above_500_is_refused_with_v1_error(emulator):
    refused = v1(emulator, "/shipments", params={"pageSize": 501})
    assert refused.status_code == 400
    assert set(refused.json()) == {"Message", "ExceptionMessage", "ExceptionType"}
    assert v1(emulator, "/shipments", params={"pageSize": 500}).status_code == 200


def test_v1_paging_reports_total_and_pages(emulator):
    made = [label(emulator, f"SO1000{n}")["shipment_id"] for n in range(1, 6)]
    pages = [v1(emulator, "/shipments", params={"pageSize": 2, "page": p}).json() for p in (1, 2, 3, 4)]
    assert [(p["total"], p["pages"], p["page"]) for p in pages] == [(5, 3, 1), (5, 3, 2), (5, 3, 3), (5, 3, 4)]
    assert [s["shipmentId"] for p in pages for s in p["shipments"]] == made
    assert pages[3]["shipments"] == []
    desc = v1(emulator, "/shipments", params={"sortBy": "CreateDate", "sortDir": "DESC"}).json()["shipments"]
    assert [s["shipmentId"] for s in desc] == made[::-1]


def test_shipments_ignore_modify_date_and_mark_shipped_orders_show_only_in_fulfillments(emulator):
    shipped = label(emulator, "SO10001", create_date="2026-11-01T12:00:00Z")
    control(emulator, "mark-shipped", {"order_number": "SO10003", "carrier_code": "ups", "tracking_number": "1ZX"})
    # A modifyDate filter is not a /shipments filter: the label from before it still comes back.
    found = v1(emulator, "/shipments", params={"modifyDateStart": "2030-01-01"}).json()
    assert [s["shipmentId"] for s in found["shipments"]] == [shipped["shipment_id"]]
    assert all(s["orderNumber"] != "SO10003" for s in found["shipments"])
    fulfillments = v1(emulator, "/fulfillments").json()["fulfillments"]
    assert [(f["orderNumber"], f["trackingNumber"], f["voided"]) for f in fulfillments] == [("SO10003", "1ZX", False)]
    order = v1(emulator, "/orders", params={"orderNumber": "SO10003"}).json()["orders"][0]
    assert order["orderStatus"] == "shipped"


def test_shipment_items_only_when_asked(emulator):
    label(emulator, "SO10001")
    plain = v1(emulator, "/shipments").json()["shipments"][0]
    assert plain["shipmentItems"] is None
    full = v1(emulator, "/shipments", params={"includeShipmentItems": "true"}).json()["shipments"][0]
    assert full["shipmentItems"] and {"orderItemId", "lineItemKey", "sku", "quantity", "unitPrice"} <= \
        set(full["shipmentItems"][0])


def test_createorder_creates_then_updates_by_order_key(emulator):
    order = {"orderNumber": "EXT-1", "orderKey": "key-ext-1", "orderDate": "2026-11-20T10:00:00",
             "orderStatus": "awaiting_shipment", "billTo": {"name": "A"},
             "shipTo": {"name": "A", "street1": "1 Main", "city": "Austin", "state": "TX", "postalCode": "78701",
                        "country": "US"}, "items": [{"sku": "NEW-SKU", "quantity": 2, "unitPrice": 3.5}]}
    created = v1(emulator, "/orders/createorder", "POST", json=order).json()
    updated = v1(emulator, "/orders/createorder", "POST", json={**order, "orderStatus": "on_hold"}).json()
    assert updated["orderId"] == created["orderId"] and updated["orderStatus"] == "on_hold"
    assert v1(emulator, f"/orders/{created['orderId']}").json()["orderDate"] == "2026-11-20T10:00:00.0000000"
    assert v1(emulator, "/orders/createorder", "POST", json={"orderNumber": "x"}).status_code == 400


def test_v2_external_shipment_id_is_unique_even_once_cancelled_and_stays_on_the_labelled_shipment(emulator, oas):
    body = {"external_shipment_id": "ext-77", "ship_to": {"name": "A", "phone": "1", "address_line1": "1 Main",
                                                          "city_locality": "Austin", "state_province": "TX",
                                                          "postal_code": "78701", "country_code": "US",
                                                          "address_residential_indicator": "unknown"},
            "items": [{"sku": "NEW-SKU", "name": "New", "quantity": 1}]}
    created = v2(emulator, "/v2/shipments", "POST", json={"shipments": [body]}).json()
    assert created["has_errors"] is False
    shipment_id = created["shipments"][0]["shipment_id"]
    again = v2(emulator, "/v2/shipments", "POST", json={"shipments": [body]})
    assert again.status_code == 400 and "already exists" in again.json()["errors"][0]["message"]
    assert oas.errors("/v2/shipments", "post", "400", again.json()) == []
    assert v2(emulator, f"/v2/shipments/{shipment_id}/cancel", "PUT").status_code == 204
    assert v2(emulator, "/v2/shipments", "POST", json={"shipments": [body]}).status_code == 400
    found = v2(emulator, "/v2/shipments", params={"external_shipment_id": "ext-77"}).json()
    assert [(s["shipment_id"], s["shipment_status"]) for s in found["shipments"]] == [(shipment_id, "cancelled")]
    assert oas.errors("/v2/shipments", "get", "200", found) == []
    # A label keeps the shipment's external id on the shipment and on the label (how the key comes back).
    replacement = v2(emulator, "/v2/shipments", "POST", json={"shipments": [{**body, "external_shipment_id":
                                                                                "ext-77-r2"}]}).json()
    made = label(emulator, "ext-77-r2")
    shipped = v2(emulator, "/v2/shipments", params={"shipment_status": "label_purchased"}).json()["shipments"]
    assert [s["external_shipment_id"] for s in shipped] == ["ext-77-r2"]
    assert shipped[0]["shipment_id"] == replacement["shipments"][0]["shipment_id"] == made["v2_shipment_id"]
    labels = v2(emulator, "/v2/labels", params={"shipment_id": made["v2_shipment_id"]}).json()["labels"]
    assert [lb["external_shipment_id"] for lb in labels] == ["ext-77-r2"]


# ---- v2 inventory -----------------------------------------------------------------------------------------
def test_inventory_post_refuses_arrays_missing_fields_and_unknown_skus(emulator, oas):
    loc = first_location(emulator)
    sku = v2(emulator, "/v2/inventory", params={"limit": 1}).json()["inventory"][0]["sku"]
    change = {"transaction_type": "adjust", "sku": sku, "inventory_location_id": loc, "quantity": 5}
    for bad in ([change], {**change, "sku": [sku]}, {k: v for k, v in change.items() if k != "sku"},
                {**change, "sku": "NO-SUCH-SKU"}, {**change, "transaction_type": "teleport"},
                {**change, "quantity": "5"}):
        answer = v2(emulator, "/v2/inventory", "POST", json=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["errors"][0]["error_type"] == "validation"
        assert oas.component_errors("error_response_body", answer.json()) == []


def test_inventory_adjust_sets_on_hand_and_answers_204(emulator):
    loc = first_location(emulator)
    sku = v2(emulator, "/v2/inventory", params={"inventory_location_id": loc, "limit": 1}).json()["inventory"][0]["sku"]
    answer = v2(emulator, "/v2/inventory", "POST", json={"transaction_type": "adjust", "sku": sku,
                                                        "inventory_location_id": loc, "quantity": 321,
                                                        "reason": "sync", "notes": "from NetSuite"})
    assert answer.status_code == 204 and answer.content == b""
    row = v2(emulator, "/v2/inventory", params={"sku": sku, "inventory_location_id": loc}).json()["inventory"]
    assert [r["on_hand"] for r in row] == [321]
    v2(emulator, "/v2/inventory", "POST", json={"transaction_type": "increment", "sku": sku,
                                                "inventory_location_id": loc, "quantity": 4})
    row = v2(emulator, "/v2/inventory", params={"sku": sku, "inventory_location_id": loc}).json()["inventory"]
    assert row[0]["on_hand"] == 325 and row[0]["available"] == 325 - row[0]["allocated"]


def test_inventory_pages_by_limit_and_links_and_ignores_page(emulator):
    everything = v2(emulator, "/v2/inventory", params={"limit": 1000}).json()
    assert everything["total"] == 30 * 3 == len(everything["inventory"])
    first = v2(emulator, "/v2/inventory", params={"limit": 40}).json()
    # OAS getInventoryLevels documents `limit` only: `page`/`page_size` are not honoured (page 1 again).
    assert v2(emulator, "/v2/inventory", params={"limit": 40, "page": 3}).json()["inventory"] == first["inventory"]
    assert len(v2(emulator, "/v2/inventory", params={"page_size": 40}).json()["inventory"]) == 90
    third = requests.get(requests.get(first["links"]["next"]["href"], headers={
        "API-Key": emulator.credentials["v2_api_key"]}).json()["links"]["next"]["href"],
        headers={"API-Key": emulator.credentials["v2_api_key"]}).json()
    assert third["inventory"] == everything["inventory"][80:]
    assert (third["page"], third["pages"], third["links"]["next"]) == (3, 3, {})
    two = [everything["inventory"][0]["sku"], everything["inventory"][-1]["sku"]]
    listed = v2(emulator, "/v2/inventory", params={"sku": ",".join(two)}).json()["inventory"]
    assert {r["sku"] for r in listed} == set(two) and len(listed) == 6


def test_inventory_needs_the_add_on(emulator, oas):
    control(emulator, "inventory-addon", {"enabled": False})
    refused = v2(emulator, "/v2/inventory")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["error_type"] == "security"
    assert oas.component_errors("error_response_body", refused.json()) == []
    assert v2(emulator, "/v2/warehouses").status_code == 200


def test_inventory_decrement_cannot_go_below_zero_and_modify_moves_stock(emulator):
    locations = [loc["inventory_location_id"] for loc in
                 v2(emulator, "/v2/inventory_locations").json()["inventory_locations"]]
    sku = v2(emulator, "/v2/inventory", params={"limit": 1}).json()["inventory"][0]["sku"]
    adjust = {"transaction_type": "adjust", "sku": sku, "quantity": 10}
    for loc, qty in zip(locations[:2], (10, 1)):
        assert v2(emulator, "/v2/inventory", "POST",
                  json={**adjust, "inventory_location_id": loc, "quantity": qty}).status_code == 204
    too_many = v2(emulator, "/v2/inventory", "POST", json={"transaction_type": "decrement", "sku": sku,
                                                          "inventory_location_id": locations[0], "quantity": 11})
    assert too_many.status_code == 400
    moved = v2(emulator, "/v2/inventory", "POST",
               json={"transaction_type": "modify", "sku": sku, "inventory_location_id": locations[0], "quantity": 4,
                     "new_inventory_location_id": locations[1]})
    assert moved.status_code == 204
    levels = {r["inventory_location_id"]: r["on_hand"]
              for r in v2(emulator, "/v2/inventory", params={"sku": sku}).json()["inventory"]}
    assert (levels[locations[0]], levels[locations[1]]) == (6, 5)


def test_a_label_takes_shipped_units_out_of_stock_and_allocation(emulator):
    state = control(emulator, "state", method="GET")
    order = next(o for o in state["orders"] if o["order_number"] == "SO10001")
    line = order["items"][0]
    main = next(i for i in state["inventory"] if i["sku"] == line["sku"] and i["warehouse_name"] == "Main Warehouse")
    label(emulator, "SO10001")
    after = v2(emulator, "/v2/inventory", params={"sku": line["sku"],
                                                  "inventory_location_id": main["inventory_location_id"]}).json()
    row = after["inventory"][0]
    assert row["on_hand"] == max(main["on_hand"] - line["quantity"], 0)
    assert row["allocated"] == max(main["allocated"] - line["quantity"], 0)


# ---- v2 shipments and labels ------------------------------------------------------------------------------
def test_v2_shipments_filter_by_status_and_modified_at_and_links_walk_every_page(emulator):
    labelled = label(emulator, "SO10003")
    bought = v2(emulator, "/v2/shipments", params={"shipment_status": "label_purchased"}).json()
    assert [s["shipment_id"] for s in bought["shipments"]] == [labelled["v2_shipment_id"]]
    pending = v2(emulator, "/v2/shipments", params={"shipment_status": "pending"}).json()
    assert pending["total"] == 11 and labelled["v2_shipment_id"] not in {s["shipment_id"] for s in pending["shipments"]}
    recent = v2(emulator, "/v2/shipments", params={"modified_at_start": labelled["create_date_utc"]}).json()
    assert [s["shipment_id"] for s in recent["shipments"]] == [labelled["v2_shipment_id"]]
    seen, url = [], f"{emulator.base_url}/v2/shipments?page_size=5&sort_dir=asc"
    while url:
        page = requests.get(url, headers={"API-Key": emulator.credentials["v2_api_key"]}).json()
        seen += [s["shipment_id"] for s in page["shipments"]]
        url = page["links"]["next"].get("href")
    assert len(seen) == len(set(seen)) == 12


def test_multi_package_label_is_one_v2_label_and_several_v1_shipments(emulator):
    made = label(emulator, "SO10004", packages=3, carrier_code="ups_walleted")
    rows = v1(emulator, "/shipments", params={"orderNumber": "SO10004"}).json()["shipments"]
    assert sorted(r["shipmentId"] for r in rows) == sorted(made["v1_shipment_ids"])
    assert len({r["trackingNumber"] for r in rows}) == 3 and {r["carrierCode"] for r in rows} == {"ups_walleted"}
    labels = v2(emulator, "/v2/labels", params={"shipment_id": made["v2_shipment_id"]}).json()["labels"]
    assert len(labels) == 1 and [p["tracking_number"] for p in labels[0]["packages"]] == made["tracking_numbers"]


def test_void_puts_the_order_back_to_awaiting_shipment(emulator):
    made = label(emulator, "SO10005")
    assert made["order_status"] == "shipped"
    control(emulator, "void", {"shipment_id": made["shipment_id"]})
    order = v1(emulator, "/orders", params={"orderNumber": "SO10005"}).json()["orders"][0]
    assert order["orderStatus"] == "awaiting_shipment"


def test_v1_orders_modify_date_filter_is_pacific(emulator):
    control(emulator, "clock/advance", {"seconds": 120})
    made = label(emulator, "SO10006")
    modified = v1(emulator, f"/orders/{made['order_id']}").json()["modifyDate"]
    assert modified == made["create_date_v1"]
    found = v1(emulator, "/orders", params={"modifyDateStart": modified}).json()["orders"]
    assert [o["orderNumber"] for o in found] == ["SO10006"]


# ---- OAS conformance --------------------------------------------------------------------------------------
def test_v2_answers_validate_against_the_oas(emulator, oas, receiver):
    label(emulator, "SO10001", packages=2)
    voided = label(emulator, "SO10002")
    control(emulator, "void", {"shipment_id": voided["v2_shipment_id"]})
    created = v2(emulator, "/v2/environment/webhooks", "POST",
                 json={"url": receiver.url + "/v2", "event": "label_created_v2",
                       "headers": [{"key": "x-secret", "value": "s"}]})
    assert oas.errors("/v2/environment/webhooks", "post", "200", created.json()) == []
    checks = [("/v2/shipments", "/v2/shipments", {}), ("/v2/shipments", "/v2/shipments",
                                                        {"sort_by": "modified_at", "page_size": 3, "page": 2}),
              ("/v2/labels", "/v2/labels", {}), ("/v2/inventory", "/v2/inventory", {"limit": 500}),
              ("/v2/inventory", "/v2/inventory", {"group_by": "warehouse"}),
              ("/v2/warehouses", "/v2/warehouses", {}),
              ("/v2/inventory_warehouses", "/v2/inventory_warehouses", {}),
              ("/v2/inventory_locations", "/v2/inventory_locations", {}),
              ("/v2/environment/webhooks", "/v2/environment/webhooks", {}),
              (f"/v2/shipments/{voided['v2_shipment_id']}", "/v2/shipments/{shipment_id}", {})]
    for path, operation, params in checks:
        answer = v2(emulator, path, params=params)
        assert answer.status_code == 200, path
        assert oas.errors(operation, "get", "200", answer.json()) == [], path
    not_found = v2(emulator, "/v2/shipments/se-999999999")
    assert not_found.status_code == 404
    assert oas.errors("/v2/shipments/{shipment_id}", "get", "404", not_found.json()) == []
    bad_filter = v2(emulator, "/v2/shipments", params={"shipment_status": "lost"})
    assert bad_filter.status_code == 400
    assert oas.errors("/v2/shipments", "get", "400", bad_filter.json()) == []


def test_the_oas_check_itself_catches_violations(oas):
    page = {"labels": [{"label_id": "se-1", "status": "misplaced", "surprise": 1}], "total": 1, "page": 1,
            "pages": 1, "links": {"first": {"href": "x"}, "last": {"href": "x"}, "prev": {}, "next": {}}}
    problems = oas.errors("/v2/labels", "get", "200", page)
    assert any("misplaced" in p for p in problems) and any("surprise" in p for p in problems)
    assert oas.component_errors("error_response_body", {"request_id": "nope", "errors": []})


# ---- webhooks ---------------------------------------------------------------------------------------------
def test_v1_ship_notify_points_at_the_new_shipment(emulator, receiver):
    hook = v1(emulator, "/webhooks/subscribe", "POST",
              json={"target_url": receiver.url + "/v1-ship", "event": "SHIP_NOTIFY", "store_id": None,
                    "friendly_name": "test"}).json()
    assert [h["WebHookID"] for h in v1(emulator, "/webhooks").json()["webhooks"]] == [hook["id"]]
    made = label(emulator, "SO10004")
    hits = receiver.wait_for(lambda r: r["path"] == "/v1-ship"
                             and str(made["batch_id"]) in json.loads(r["body"])["resource_url"])
    assert hits, "no SHIP_NOTIFY delivery"
    payload = json.loads(hits[0]["body"])
    assert payload["resource_type"] == "SHIP_NOTIFY"
    assert "x-shipengine-rsa-sha256-signature" not in hits[0]["headers"]  # v1 is unsigned
    assert payload["resource_url"].endswith("includeShipmentItems=False")
    c = emulator.credentials
    shipments = requests.get(payload["resource_url"], auth=(c["v1_api_key"], c["v1_api_secret"])).json()["shipments"]
    assert [s["shipmentId"] for s in shipments] == [made["shipment_id"]]
    assert v1(emulator, f"/webhooks/{hook['id']}", "DELETE").status_code == 200
    assert v1(emulator, "/webhooks").json()["webhooks"] == []


def test_v2_delivery_is_signed_with_a_key_from_the_jwks(emulator, receiver):
    v2(emulator, "/v2/environment/webhooks", "POST",
       json={"url": receiver.url + "/v2-label", "event": "label_created_v2",
             "headers": [{"key": "x-shared-secret", "value": "abc"}]})
    made = label(emulator, "SO10005")
    hits = receiver.wait_for(lambda r: r["path"] == "/v2-label"
                             and f"se-{made['batch_id']}" in json.loads(r["body"])["resource_url"])
    assert hits
    delivery = hits[0]
    headers, body = delivery["headers"], delivery["body"]
    assert headers["x-shared-secret"] == "abc"
    jwks = requests.get(emulator.base_url + "/jwks").json()["keys"]
    assert {k["kty"] for k in jwks} == {"RSA", "EC"}
    jwk = next(k for k in jwks if k["kid"] == headers["x-shipengine-rsa-sha256-key-id"])
    public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    signed = headers["x-shipengine-timestamp"].encode() + b"." + body
    public_key.verify(base64.b64decode(headers["x-shipengine-rsa-sha256-signature"]), signed, padding.PKCS1v15(),
                      hashes.SHA256())
    with pytest.raises(Exception):
        public_key.verify(base64.b64decode(headers["x-shipengine-rsa-sha256-signature"]), signed + b" ",
                          padding.PKCS1v15(), hashes.SHA256())
    payload = json.loads(body)
    assert payload["resource_type"] == "LABEL_CREATED_V2"
    labels = v2(emulator, payload["resource_url"].replace(emulator.base_url, "")).json()["labels"]
    assert [lb["label_id"] for lb in labels] == [made["label_id"]]


def test_mark_shipped_fires_fulfillment_webhooks_whose_urls_return_the_fulfillment(emulator, receiver):
    v1(emulator, "/webhooks/subscribe", "POST", json={"target_url": receiver.url + "/ff-v1",
                                                      "event": "FULFILLMENT_SHIPPED"})
    v2(emulator, "/v2/environment/webhooks", "POST", json={"url": receiver.url + "/ff-v2",
                                                          "event": "fulfillment_shipped_v2"})
    made = control(emulator, "mark-shipped", {"order_number": "SO10008", "carrier_code": "fedex",
                                              "tracking_number": "777"})
    v1_hit = receiver.wait_for(lambda r: r["path"] == "/ff-v1" and str(made["order_id"]) in r["body"].decode())
    v2_hit = receiver.wait_for(lambda r: r["path"] == "/ff-v2" and made["v2_fulfillment_id"] in r["body"].decode())
    assert v1_hit and v2_hit
    v1_url = json.loads(v1_hit[0]["body"])["resource_url"]
    fulfillments = v1(emulator, v1_url.replace(emulator.base_url, "")).json()["fulfillments"]
    assert [(f["orderNumber"], f["trackingNumber"]) for f in fulfillments] == [("SO10008", "777")]
    v2_payload = json.loads(v2_hit[0]["body"])
    assert v2_payload["resource_type"] == "FULFILLMENT_SHIPPED_V2"
    rows = v2(emulator, v2_payload["resource_url"].replace(emulator.base_url, "")).json()["fulfillments"]
    assert [(f["fulfillment_id"], f["tracking_number"]) for f in rows] == [(made["v2_fulfillment_id"], "777")]


def test_label_fires_item_ship_notify_and_shipment_created_v2(emulator, receiver):
    v1(emulator, "/webhooks/subscribe", "POST", json={"target_url": receiver.url + "/item-ship",
                                                      "event": "ITEM_SHIP_NOTIFY"})
    v2(emulator, "/v2/environment/webhooks", "POST", json={"url": receiver.url + "/ship-created",
                                                          "event": "shipment_created_v2"})
    made = label(emulator, "SO10009")
    item_hit = receiver.wait_for(lambda r: r["path"] == "/item-ship" and str(made["batch_id"]) in r["body"].decode())
    created_hit = receiver.wait_for(lambda r: r["path"] == "/ship-created"
                                    and str(made["batch_id"]) in r["body"].decode())
    assert item_hit and created_hit
    url = json.loads(item_hit[0]["body"])["resource_url"]
    assert url.endswith("includeShipmentItems=True")
    assert v1(emulator, url.replace(emulator.base_url, "")).json()["shipments"][0]["shipmentItems"]
    url = json.loads(created_hit[0]["body"])["resource_url"]
    shipments = v2(emulator, url.replace(emulator.base_url, "")).json()["shipments"]
    assert [s["shipment_id"] for s in shipments] == [made["v2_shipment_id"]]


def test_second_v2_subscription_to_an_event_conflicts(emulator, oas, receiver):
    first = v2(emulator, "/v2/environment/webhooks", "POST", json={"url": receiver.url, "event": "track"})
    assert first.status_code == 200
    second = v2(emulator, "/v2/environment/webhooks", "POST", json={"url": receiver.url + "/b", "event": "track"})
    assert second.status_code == 409
    assert second.json()["errors"][0]["error_code"] == "webhook_event_type_conflict"
    assert oas.errors("/v2/environment/webhooks", "post", "409", second.json()) == []
    assert v2(emulator, f"/v2/environment/webhooks/{first.json()['webhook_id']}", "DELETE").status_code == 204
    assert v2(emulator, "/v2/environment/webhooks", "POST",
              json={"url": receiver.url, "event": "track"}).status_code == 200


def test_void_sets_void_fields_and_fires_no_webhook(emulator, receiver):
    v1(emulator, "/webhooks/subscribe", "POST", json={"target_url": receiver.url + "/void-v1",
                                                      "event": "SHIP_NOTIFY"})
    v2(emulator, "/v2/environment/webhooks", "POST", json={"url": receiver.url + "/void-v2",
                                                          "event": "label_created_v2"})
    made = label(emulator, "SO10006")
    assert receiver.wait_for(lambda r: r["path"] == "/void-v1") and receiver.wait_for(lambda r: r["path"] == "/void-v2")
    before = len(receiver.received)
    control(emulator, "clock/advance", {"seconds": 3600})
    control(emulator, "void", {"shipment_id": made["shipment_id"]})
    time.sleep(0.5)
    assert len(receiver.received) == before
    shipment = v1(emulator, "/shipments", params={"orderNumber": "SO10006"}).json()["shipments"][0]
    assert shipment["voided"] is True and shipment["voidDate"] is not None
    voided = v1(emulator, "/shipments", params={"voidDateStart": shipment["voidDate"][:10]}).json()["shipments"]
    assert [s["shipmentId"] for s in voided] == [made["shipment_id"]]
    label_v2 = v2(emulator, "/v2/labels", params={"label_status": "voided"}).json()["labels"]
    assert [lb["label_id"] for lb in label_v2] == [made["label_id"]] and label_v2[0]["voided_at"]


def test_deliveries_only_go_to_loopback(emulator):
    v1(emulator, "/webhooks/subscribe", "POST", json={"target_url": "https://example.com/hook",
                                                      "event": "SHIP_NOTIFY"})
    label(emulator, "SO10007")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        deliveries = control(emulator, "state", method="GET")["deliveries"]
        if deliveries and deliveries[0]["status"] != "queued":
            break
        time.sleep(0.02)
    assert [d["status"] for d in deliveries] == ["refused"]


def test_latency_slows_the_api_but_not_the_control_plane(emulator):
    control(emulator, "latency", {"ms": 300})
    try:
        started = time.monotonic()
        assert v1(emulator, "/stores").status_code == 200
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        control(emulator, "stats", method="GET")
        assert time.monotonic() - started < 0.3
    finally:
        control(emulator, "latency", {"ms": 0})


def test_latency_is_kept_on_average_and_never_much_earlier(emulator):
    """The configured latency is the mean response time from the request's arrival (the event loop's late timers
    are corrected for), no answer leaves more than 2 ms before it, and what was kept is reported."""
    control(emulator, "latency", {"ms": 20})
    try:
        elapsed = []
        for _ in range(40):
            started = time.monotonic()
            assert v1(emulator, "/stores").status_code == 200
            elapsed.append(time.monotonic() - started)
        kept = control(emulator, "stats", method="GET")["faults"]["latency_kept"]
    finally:
        control(emulator, "latency", {"ms": 0})
    assert kept["answers"] == 40
    assert kept["earliest_ms"] >= 18.0 and min(elapsed) >= 0.018
    # A busy machine can make the loop later than the correction allows (2 ms), never earlier.
    assert 19.0 <= kept["mean_ms"] <= 23.0, kept


def test_stats_count_requests_per_api(emulator):
    before = control(emulator, "stats", method="GET")
    v1(emulator, "/stores")
    v2(emulator, "/v2/warehouses")
    v2(emulator, "/v2/warehouses", headers={"API-Key": "wrong"})
    after = control(emulator, "stats", method="GET")
    assert after["requests"]["v1"] - before["requests"]["v1"] == 1
    assert after["requests"]["v2"] - before["requests"]["v2"] == 2
    assert after["unauthorized"]["v2"] - before["unauthorized"]["v2"] == 1


# ---- faults -----------------------------------------------------------------------------------------------
def test_injected_faults_look_like_each_api(emulator):
    control(emulator, "faults", {"rate": 1.0, "seed": 3, "kinds": ["429"]})
    v1_fault, v2_fault = v1(emulator, "/stores"), v2(emulator, "/v2/warehouses")
    assert (v1_fault.status_code, v1_fault.json()) == (429, {"message": "Too Many Requests"})
    assert "Retry-After" not in v1_fault.headers  # v1: what D1 documents, the X-Rate-Limit-* headers
    assert (v1_fault.headers["X-Rate-Limit-Remaining"], int(v1_fault.headers["X-Rate-Limit-Reset"]) > 0) == ("0", True)
    assert v1_fault.headers["X-Rate-Limit-Limit"] == "100000"
    assert 0 < int(v2_fault.headers["Retry-After"]) <= 60
    assert v2_fault.status_code == 429 and v2_fault.json()["errors"][0]["error_code"] == "rate_limit_exceeded"
    assert requests.get(emulator.base_url + "/__emulator/stats").status_code == 200  # control plane unaffected
