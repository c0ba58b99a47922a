"""Every filter ShipStation documents for the lists the emulator serves is honoured (issue 14, item 9).

Sources: OAS list_shipments and list_labels (shared/reference/shipstation-v2-openapi.yaml); D2 list_fulfillments
(docs.shipstation.com/openapi/fulfillments/list_fulfillments); D1 list orders, list shipments, list fulfillments
(docs.shipstation.com/apis/shipstation-v1/...). A filter ignored returns everything, so each test checks that a
filter both keeps what matches and drops what does not.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from emulators.shipstation import start_emulator
from emulators.shipstation.testkit import control, label, reset, v1, v2

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=3, items=10, locations=2, customers=5, orders=8) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    reset(emulator)
    yield


def v1_orders(emulator, **params) -> list[dict]:
    answer = v1(emulator, "/orders", params={"pageSize": 500, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["orders"]


def shipments(emulator, **params) -> list[dict]:
    answer = v2(emulator, "/v2/shipments", params={"page_size": 100, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["shipments"]


def numbers(rows, key="shipment_number") -> list[str]:
    return sorted(r[key] for r in rows)


def utc_of_pacific(text: str) -> str:
    return datetime.fromisoformat(text[:19]).replace(tzinfo=PACIFIC).astimezone(ZoneInfo("UTC")).isoformat()


# ---- v2 /v2/shipments ---------------------------------------------------------------------------------------
def test_v2_shipments_store_id(emulator):
    everything = shipments(emulator)
    store = everything[0]["store_id"]
    assert numbers(shipments(emulator, store_id=store)) == numbers(everything)
    assert shipments(emulator, store_id="se-999") == []


def test_v2_shipments_ship_to_name_and_item_keyword(emulator):
    orders = v1_orders(emulator)
    target = orders[2]
    surname = target["shipTo"]["name"].split()[-1]
    expected = sorted(o["orderNumber"] for o in orders if surname.lower() in o["shipTo"]["name"].lower())
    assert 0 < len(expected) < len(orders)
    assert numbers(shipments(emulator, ship_to_name=surname.upper())) == expected
    sku = target["items"][0]["sku"]
    with_sku = sorted(o["orderNumber"] for o in orders if any(i["sku"] == sku for i in o["items"]))
    assert 0 < len(with_sku) < len(orders)
    assert numbers(shipments(emulator, item_keyword=sku.lower())) == with_sku
    assert shipments(emulator, item_keyword="no-such-thing") == []


def test_v2_shipments_payment_dates(emulator):
    orders = sorted(v1_orders(emulator), key=lambda o: o["paymentDate"])
    middle = utc_of_pacific(orders[3]["paymentDate"])
    later = sorted(o["orderNumber"] for o in orders[3:])
    assert numbers(shipments(emulator, payment_date_start=middle)) == later
    assert numbers(shipments(emulator, payment_date_end=middle)) == sorted(o["orderNumber"] for o in orders[:4])
    refused = v2(emulator, "/v2/shipments", params={"payment_date_start": "yesterday"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["error_type"] == "validation"


def test_v2_shipments_sales_order_and_pickup_match_nothing_here(emulator):
    # The emulator holds no v2 sales orders and no pickups: a client relying on either filter gets nothing,
    # never everything.
    assert shipments(emulator) != []
    assert shipments(emulator, sales_order_id="12345") == []
    assert shipments(emulator, pickup_id="pik_3YcKU5zdtJuCqoeNwyqqbW") == []


# ---- v2 /v2/labels ------------------------------------------------------------------------------------------
def test_v2_labels_warehouse_rate_service_and_carrier(emulator):
    label(emulator, "SO10001", carrier_code="ups_walleted")
    label(emulator, "SO10002")
    labels = v2(emulator, "/v2/labels").json()["labels"]
    assert len(labels) == 2
    held = {lb["carrier_id"]: lb for lb in labels}
    assert len(held) == 2
    warehouses = [w["warehouse_id"] for w in v2(emulator, "/v2/warehouses").json()["warehouses"]]
    shipment = v2(emulator, f"/v2/shipments/{labels[0]['shipment_id']}").json()
    mine = shipment["warehouse_id"]
    assert len(v2(emulator, "/v2/labels", params={"warehouse_id": mine}).json()["labels"]) == 2
    other = next(w for w in warehouses if w != mine)
    assert v2(emulator, "/v2/labels", params={"warehouse_id": other}).json()["labels"] == []
    assert v2(emulator, "/v2/labels", params={"rate_id": "se-12345"}).json()["labels"] == []
    for carrier, lb in held.items():
        assert [x["label_id"] for x in v2(emulator, "/v2/labels", params={"carrier_id": carrier}).json()["labels"]] \
            == [lb["label_id"]]
        assert [x["label_id"] for x in v2(emulator, "/v2/labels", params={
            "service_code": lb["service_code"]}).json()["labels"]] == [lb["label_id"]]
    assert v2(emulator, "/v2/labels", params={"tracking_number": ""}).status_code == 400  # OAS minLength 1


# ---- v2 /v2/fulfillments ------------------------------------------------------------------------------------
def test_v2_fulfillments_documented_filters(emulator):
    first = control(emulator, "mark-shipped", {"order_number": "SO10003", "tracking_number": "TRACK-3"})
    control(emulator, "clock/advance", {"seconds": 3600})
    second = control(emulator, "mark-shipped", {"order_number": "SO10007", "tracking_number": "TRACK-7"})
    every = v2(emulator, "/v2/fulfillments").json()["fulfillments"]
    assert len(every) == 2
    later = [f for f in every if f["fulfillment_id"] == second["v2_fulfillment_id"]][0]

    def ids(**params):
        answer = v2(emulator, "/v2/fulfillments", params=params)
        assert answer.status_code == 200, answer.text
        return [f["fulfillment_id"] for f in answer.json()["fulfillments"]]
    assert ids(ship_date_start=later["ship_date"]) == [second["v2_fulfillment_id"]]
    assert ids(create_date_end=later["ship_date"][:4] + "-01-01T00:00:00Z") == []
    assert ids(shipment_number="SO10003") == [first["v2_fulfillment_id"]]
    assert ids(tracking_number="TRACK-7") == [second["v2_fulfillment_id"]]
    name = v1_orders(emulator, orderNumber="SO10003")[0]["shipTo"]["name"]
    assert first["v2_fulfillment_id"] in ids(ship_to_name=name.lower())
    assert ids(ship_to_country_code="ZZ") == []
    assert ids(order_source_id="se-999") == []
    assert ids(sort_by="created_at", sort_dir="desc") == [second["v2_fulfillment_id"], first["v2_fulfillment_id"]]


# ---- v1 /orders ---------------------------------------------------------------------------------------------
def test_v1_orders_customer_name_and_item_keyword(emulator):
    orders = v1_orders(emulator)
    surname = orders[2]["shipTo"]["name"].split()[-1]
    expected = sorted(o["orderNumber"] for o in orders if surname.lower() in o["billTo"]["name"].lower()
                      or surname.lower() in o["shipTo"]["name"].lower())
    assert 0 < len(expected) < len(orders)
    assert numbers(v1_orders(emulator, customerName=surname.lower()), "orderNumber") == expected
    sku = orders[2]["items"][0]["sku"]
    with_sku = sorted(o["orderNumber"] for o in orders if any(sku in i["sku"] for i in o["items"]))
    assert 0 < len(with_sku) < len(orders)
    assert numbers(v1_orders(emulator, itemKeyword=sku), "orderNumber") == with_sku


def test_v1_orders_payment_dates_are_pacific_and_inclusive(emulator):
    orders = sorted(v1_orders(emulator), key=lambda o: o["paymentDate"])
    pivot = orders[3]["paymentDate"][:19]
    assert numbers(v1_orders(emulator, paymentDateStart=pivot), "orderNumber") == \
        sorted(o["orderNumber"] for o in orders[3:])
    assert numbers(v1_orders(emulator, paymentDateEnd=pivot), "orderNumber") == \
        sorted(o["orderNumber"] for o in orders[:4])


def test_v1_orders_order_number_starts_with_and_the_rest(emulator):
    assert len(v1_orders(emulator, orderNumber="SO1000")) == 8  # D1: "performs a 'starts with' search"
    assert numbers(v1_orders(emulator, orderNumber="SO10004"), "orderNumber") == ["SO10004"]
    assert v1_orders(emulator, customsCountryCode="CN") == []
    assert v1_orders(emulator, orderStatus="rejected_fulfillment") == []  # a D1 status, accepted
    assert v1(emulator, "/orders", params={"orderStatus": "lost"}).status_code == 400


def test_v1_orders_by_tag(emulator):
    order = v1_orders(emulator, orderNumber="SO10005")[0]
    body = {k: order[k] for k in ("orderNumber", "orderKey", "orderDate", "orderStatus", "billTo", "shipTo",
                                  "items")}
    assert v1(emulator, "/orders/createorder", "POST", json={**body, "tagIds": [77]}).status_code == 200
    tagged = v1(emulator, "/orders/listbytag", params={"orderStatus": "awaiting_shipment", "tagId": 77}).json()
    assert [o["orderNumber"] for o in tagged["orders"]] == ["SO10005"]
    assert v1(emulator, "/orders/listbytag", params={"orderStatus": "awaiting_shipment",
                                                     "tagId": 78}).json()["orders"] == []
    assert v1(emulator, "/orders/listbytag", params={"tagId": 77}).status_code == 400  # orderStatus required
    # GET /orders documents no tagId: it is ignored there, as the real API ignores unknown parameters.
    assert len(v1_orders(emulator, tagId=77)) == 8


# ---- v1 /shipments and /fulfillments ------------------------------------------------------------------------
def test_v1_shipments_recipient_filters(emulator):
    label(emulator, "SO10001")
    label(emulator, "SO10007")
    name = v1_orders(emulator, orderNumber="SO10007")[0]["shipTo"]["name"]
    found = v1(emulator, "/shipments", params={"recipientName": name.upper()}).json()["shipments"]
    assert {s["orderNumber"] for s in found} == {o["orderNumber"] for o in v1_orders(emulator, customerName=name)
                                                 if o["orderNumber"] in ("SO10001", "SO10007")}
    assert v1(emulator, "/shipments", params={"recipientCountryCode": "ZZ"}).json()["shipments"] == []
    assert len(v1(emulator, "/shipments", params={"recipientCountryCode": "us"}).json()["shipments"]) == 2


def test_v1_fulfillments_id_tracking_and_recipient(emulator):
    a = control(emulator, "mark-shipped", {"order_number": "SO10002", "tracking_number": "T-2"})
    control(emulator, "mark-shipped", {"order_number": "SO10006", "tracking_number": "T-6"})

    def ids(**params):
        return [f["fulfillmentId"] for f in v1(emulator, "/fulfillments", params=params).json()["fulfillments"]]
    assert len(ids()) == 2
    assert ids(fulfillmentId=a["fulfillment_id"]) == [a["fulfillment_id"]]
    assert ids(trackingNumber="T-2") == [a["fulfillment_id"]]
    assert ids(recipientName="nobody at all") == []


# ---- v2 /v2/products ----------------------------------------------------------------------------------------
def test_v2_products_name_and_active(emulator):
    products = v2(emulator, "/v2/products").json()["products"]
    target = products[3]
    word = target["name"].split()[0]
    named = v2(emulator, "/v2/products", params={"name": word.lower()}).json()["products"]
    assert target["sku"] in {p["sku"] for p in named}
    assert all(word.lower() in p["name"].lower() for p in named) and len(named) < len(products)
    assert v2(emulator, "/v2/products", params={"active": "false"}).json()["products"] == []
    assert len(v2(emulator, "/v2/products", params={"active": "true"}).json()["products"]) == len(products)
    assert v2(emulator, "/v2/products", params={"active": "maybe"}).status_code == 400
