"""The NetSuite emulator's account features (issue 15, item 1), against the emulator alone: each feature switched on
the way Enable Features switches it, what NetSuite then refuses (status, o:errorCode, detail), and what a fulfillment
takes from where (which lots, serials, bins, locations), read back from the emulator's state. No connector here, so
a connector's success elsewhere cannot come from a lenient emulator. Contract: emulators/netsuite/README.md
"Account features".
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

from emulators.fulfillment_testkit import (fulfillment_assignments, fulfillment_lines, inventory_balances, seed,
                                           set_features, sql, stock_at)
from emulators.netsuite import start_emulator

RECORD = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"
EWA = "Error while accessing a resource. "


@pytest.fixture(scope="module")
def running():
    with start_emulator(items=6, locations=2, customers=3, orders=3) as emu:
        yield emu


@pytest.fixture
def emu(running):
    """A fresh account per test: reset drops seeded data and switches every feature off."""
    r = requests.post(running.base_url + "/__emulator/reset",
                      json={"items": 6, "locations": 2, "customers": 3, "orders": 3}, timeout=10)
    assert r.status_code == 200, r.text
    return running


@pytest.fixture(scope="module")
def auth(running):
    c = requests.get(running.base_url + "/__emulator/credentials", timeout=5).json()
    return OAuth1(c["consumer_key"], client_secret=c["consumer_secret"], resource_owner_key=c["token_id"],
                  resource_owner_secret=c["token_secret"], realm=c["realm"], signature_method="HMAC-SHA256")


def suiteql(emu, auth, query: str) -> requests.Response:
    return requests.post(emu.base_url + SUITEQL, json={"q": query}, auth=auth, headers={"Prefer": "transient"},
                         timeout=10)


def rows(emu, auth, query: str) -> list[dict]:
    r = suiteql(emu, auth, query)
    assert r.status_code == 200, r.text
    return [{k: v for k, v in item.items() if k != "links"} for item in r.json()["items"]]


def transform(emu, auth, so_id: int, lines: list[dict] | None = None) -> requests.Response:
    body = {} if lines is None else {"item": {"items": lines}}
    return requests.post(f"{emu.base_url}{RECORD}/salesOrder/{so_id}/!transform/itemFulfillment", json=body,
                         auth=auth, timeout=10)


def delete_fulfillment(emu, auth, response: requests.Response) -> None:
    r = requests.delete(response.headers["Location"], auth=auth, timeout=10)
    assert r.status_code == 204, r.text


def refusal(response: requests.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    return response.json()["o:errorDetails"][0]


def detail(*assignments: tuple) -> dict:
    """inventoryDetail from (number id or None, bin id or None, quantity) triples."""
    items = []
    for number, bin_id, quantity in assignments:
        a = {"quantity": quantity}
        if number is not None:
            a["issueInventoryNumber"] = {"id": str(number)}
        if bin_id is not None:
            a["binNumber"] = {"id": str(bin_id)}
        items.append(a)
    return {"inventoryAssignment": {"items": items}}


def number_id(emu, text: str) -> int:
    return sql(emu, f"SELECT id FROM inventorynumber WHERE inventorynumber = '{text}'")[0]["id"]


# --- switching features ------------------------------------------------------------------------------------------
def test_all_features_start_off_and_their_tables_and_columns_are_refused(emu, auth):
    state = requests.get(emu.base_url + "/__emulator/features", timeout=5).json()["features"]
    assert state == {"MULTILOCINVT": False, "LOTNUMBEREDINVENTORY": False, "SERIALIZEDINVENTORY": False,
                     "BINMANAGEMENT": False, "ADVBINSERIALLOTMGMT": False, "SUBSIDIARIES": False,
                     "UNITSOFMEASURE": False}
    for table in ("bin", "inventorynumber", "inventorynumberlocation", "inventorybalance", "inventoryassignment",
                  "itembinquantity", "unitstype", "unitstypeuom"):
        d = refusal(suiteql(emu, auth, f"SELECT * FROM {table}"))
        assert d["o:errorCode"] == "INVALID_PARAMETER" and d["o:errorQueryParam"] == "q"
        assert d["detail"] == ("Invalid search query. Detailed unprocessed description follows. "
                               f"Invalid search type: {table}.")
    d = refusal(suiteql(emu, auth, "SELECT id, islotitem FROM item"))
    assert d["detail"].endswith("Unknown identifier 'islotitem'. Available identifiers are: {item=item}.")
    d = refusal(suiteql(emu, auth, "SELECT i.usebins FROM item i"))
    assert d["detail"].endswith("Search error occurred: Field 'usebins' for record 'item' was not found.")
    d = refusal(suiteql(emu, auth, "SELECT l.units FROM transactionline l"))
    assert d["detail"].endswith("Field 'units' for record 'transactionline' was not found.")
    star = rows(emu, auth, "SELECT * FROM item WHERE id = 1")[0]
    assert not {"islotitem", "isserialitem", "usebins", "unitstype", "saleunit"} & set(star)
    # Kits and groups need no feature: itemmember is always there (empty until seeded).
    assert rows(emu, auth, "SELECT id FROM itemmember") == []


def test_features_switch_by_netsuite_id_or_alias_and_bring_advanced_bins_along(emu):
    state = set_features(emu, lots=True)
    assert state["LOTNUMBEREDINVENTORY"] and state["ADVBINSERIALLOTMGMT"] and not state["BINMANAGEMENT"]
    assert set_features(emu, MULTILOCINVT=True, oneworld=True)["SUBSIDIARIES"]
    r = requests.post(emu.base_url + "/__emulator/features", json={"advancedbins": False}, timeout=5)
    assert r.status_code == 400 and "legacy mode is not emulated" in r.json()["error"]
    r = requests.post(emu.base_url + "/__emulator/features", json={"nosuchfeature": True}, timeout=5)
    assert r.status_code == 400
    seed(emu, items=[{"itemid": "LOT-A", "islotitem": True}])
    r = requests.post(emu.base_url + "/__emulator/features", json={"lots": False}, timeout=5)
    assert r.status_code == 400 and "item LOT-A uses it" in r.json()["error"]
    requests.post(emu.base_url + "/__emulator/reset", json={"items": 6, "locations": 2, "customers": 3,
                                                             "orders": 3}, timeout=10)
    assert not any(requests.get(emu.base_url + "/__emulator/features", timeout=5).json()["features"].values())


def test_seeding_data_of_a_feature_that_is_off_is_refused(emu):
    for data, needs in (({"items": [{"itemid": "L", "islotitem": True}]}, "LOTNUMBEREDINVENTORY"),
                        ({"subsidiaries": [{"name": "UK"}]}, "SUBSIDIARIES"),
                        ({"locations": [{"name": "W", "usesbins": True}]}, "BINMANAGEMENT"),
                        ({"unitstypes": [{"name": "Count", "uoms": []}]}, "UNITSOFMEASURE")):
        r = requests.post(emu.base_url + "/__emulator/seed", json=data, timeout=5)
        assert r.status_code == 400 and needs in r.json()["error"], r.text


# --- Multi-Location Inventory ---------------------------------------------------------------------------------
def test_multilocation_needs_a_location_on_every_line_and_stock_there(emu, auth):
    made = seed(emu, items=[{"itemid": "WIDGET"}], stock=[{"item": "WIDGET", "location": 1, "quantity": 5},
                                                          {"item": "WIDGET", "location": 2, "quantity": 1}],
                sales_orders=[{"tranid": "SO-MLI", "lines": [{"item": "WIDGET", "quantity": 4, "location": None}]}])
    so = made["sales_orders"][0]["id"]
    set_features(emu, multilocation=True)
    d = refusal(transform(emu, auth, so))
    assert d == {"detail": EWA + "Multi-location Inventory Error (MLI_LOCATION_REQUIRED): this transaction or its "
                               "items must have locations.", "o:errorCode": "USER_ERROR"}
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "quantity": 2}]))
    assert d["o:errorCode"] == "USER_ERROR" and d["o:errorPath"] == "item.items[0]"
    # Location 2 holds one: NetSuite does not let the fulfillment drive it negative.
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "quantity": 2, "location": 2}]))
    assert d["detail"] == EWA + ("You cannot fulfill more than the quantity on hand (1) of item WIDGET at location "
                                 "East Coast DC.")
    assert transform(emu, auth, so, [{"orderLine": 1, "quantity": 3, "location": {"id": "1"}}]).status_code == 204
    assert stock_at(emu, "WIDGET", 1) == 2 and stock_at(emu, "WIDGET", 2) == 1
    assert [(ln["location"], ln["quantity"]) for ln in fulfillment_lines(emu, "SO-MLI")] == [(1, 3)]


def test_without_multilocation_a_line_without_location_is_taken_as_before(emu, auth):
    made = seed(emu, items=[{"itemid": "WIDGET"}],
                sales_orders=[{"tranid": "SO-NOLOC", "lines": [{"item": "WIDGET", "quantity": 1, "location": None}]}])
    assert transform(emu, auth, made["sales_orders"][0]["id"]).status_code == 204


# --- lots ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def lots(emu):
    set_features(emu, lots=True, multilocation=True)
    made = seed(emu, items=[{"itemid": "SERUM", "islotitem": True}, {"itemid": "TONER", "islotitem": True},
                            {"itemid": "PLAIN"}],
                stock=[{"item": "SERUM", "location": 1, "lot": "L-OLD", "expirationdate": "2027-01-31", "quantity": 2},
                       {"item": "SERUM", "location": 1, "lot": "L-NEW", "expirationdate": "2027-06-30", "quantity": 5},
                       {"item": "SERUM", "location": 2, "lot": "L-EAST", "quantity": 9},
                       {"item": "TONER", "location": 1, "lot": "T-1", "quantity": 3},
                       {"item": "PLAIN", "location": 1, "quantity": 10}],
                sales_orders=[{"tranid": "SO-LOT", "location": 1, "lines": [{"item": "PLAIN", "quantity": 1},
                                                                             {"item": "SERUM", "quantity": 4}]}])
    return made["sales_orders"][0]["id"]


def test_lot_line_without_inventory_detail_is_refused_naming_its_line(emu, auth, lots):
    d = refusal(transform(emu, auth, lots))
    assert d == {"detail": EWA + "Please configure the inventory detail in line 2 of the item list.",
                 "o:errorCode": "USER_ERROR"}
    # "Line N" counts the fulfillment form's lines, received or not: the order's line 2 is line 2 there.
    d = refusal(transform(emu, auth, lots, [{"orderLine": 1, "itemReceive": False}, {"orderLine": 2, "quantity": 4}]))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 2 of the item list."
    assert d["o:errorPath"] == "item.items[1]"
    # Lines a fulfillment never takes are not on its form: behind a discount, order line 3 is form line 2.
    made = seed(emu, items=[{"itemid": "PROMO", "itemtype": "Discount"}],
                sales_orders=[{"tranid": "SO-LOT-2", "location": 1, "lines": [
                    {"item": "PROMO", "rate": -1.0}, {"item": "PLAIN", "quantity": 1}, {"item": "SERUM", "quantity": 1}]}])
    d = refusal(transform(emu, auth, made["sales_orders"][0]["id"]))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 2 of the item list."
    # An assignment without its lot number is as incomplete.
    d = refusal(transform(emu, auth, lots, [{"orderLine": 1, "itemReceive": False},
                                            {"orderLine": 2, "quantity": 1, "inventoryDetail": detail((None, None, 1))}]))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 2 of the item list."


def test_lot_assignments_must_add_up_name_the_items_lots_and_fit_what_is_there(emu, auth, lots):
    old, new, east, toner = (number_id(emu, n) for n in ("L-OLD", "L-NEW", "L-EAST", "T-1"))
    skip = {"orderLine": 1, "itemReceive": False}

    def line(*assignments, quantity=4):
        return [skip, {"orderLine": 2, "quantity": quantity, "inventoryDetail": detail(*assignments)}]

    d = refusal(transform(emu, auth, lots, line((old, None, 2), (new, None, 1))))
    assert d == {"detail": EWA + "The total inventory detail quantity must be 4.", "o:errorPath": "item.items[1]",
                 "o:errorCode": "USER_ERROR"}
    d = refusal(transform(emu, auth, lots, line((toner, None, 4))))
    assert d == {"detail": EWA + f"You have entered an Invalid Field Value {toner} for the following field: "
                                 "issueinventorynumber.",
                 "o:errorPath": "item.items[1].inventoryDetail.inventoryAssignment.items[0]", "o:errorCode": "USER_ERROR"}
    # L-EAST is the item's, but it is at location 2, not at the line's location 1.
    d = refusal(transform(emu, auth, lots, line((east, None, 4))))
    assert d["detail"] == EWA + f"You have entered an Invalid Field Value {east} for the following field: " \
                                "issueinventorynumber."
    d = refusal(transform(emu, auth, lots, line((old, None, 3), (new, None, 1))))
    assert d["detail"] == EWA + "Insufficient quantity available for lot number L-OLD: 2 available, 3 requested."
    # A bin where the location uses none.
    d = refusal(transform(emu, auth, lots, line((old, 77, 2), (new, None, 2))))
    assert d["detail"] == EWA + "Invalid binnumber reference key 77."
    # Nothing was taken by the refused calls.
    assert {b["number"]: b["onhand"] for b in inventory_balances(emu, "SERUM")} == {"L-OLD": 2, "L-NEW": 5,
                                                                                    "L-EAST": 9}


def test_fulfilling_a_lot_item_takes_the_lots_and_deleting_puts_them_back(emu, auth, lots):
    old, new = number_id(emu, "L-OLD"), number_id(emu, "L-NEW")
    r = transform(emu, auth, lots, [{"orderLine": 2, "quantity": 3, "inventoryDetail": detail((old, None, 2),
                                                                                               (new, None, 1))}])
    assert r.status_code == 204, r.text
    assert [(a["orderline"], a["number"], a["location"], a["quantity"]) for a in fulfillment_assignments(emu, lots)] \
        == [(2, "L-OLD", 1, 2), (2, "L-NEW", 1, 1)]
    by_lot = {b["number"]: b["onhand"] for b in inventory_balances(emu, "SERUM")}
    assert by_lot == {"L-OLD": 0, "L-NEW": 4, "L-EAST": 9}
    assert stock_at(emu, "SERUM", 1) == 4 and stock_at(emu, "PLAIN", 1) == 9
    # SuiteQL reads the same: balances per number and location, the fulfillment's inventory detail.
    assert rows(emu, auth, f"SELECT quantityonhand FROM inventorynumberlocation WHERE inventorynumber = {new}") == \
        [{"quantityonhand": "4"}]
    # L-OLD is used up: no balance row for it (its number-location row stays, at 0).
    assert rows(emu, auth, f"SELECT b.quantityonhand FROM inventorybalance b WHERE b.inventorynumber = {old}") == []
    assert rows(emu, auth, f"SELECT quantityonhand FROM inventorynumberlocation WHERE inventorynumber = {old}") == \
        [{"quantityonhand": "0"}]
    assignment = rows(emu, auth, "SELECT a.inventorynumber, a.quantity FROM inventoryassignment a "
                                 "ORDER BY a.inventorynumber")
    assert assignment == [{"inventorynumber": str(old), "quantity": "2"}, {"inventorynumber": str(new), "quantity": "1"}]
    delete_fulfillment(emu, auth, r)
    assert {b["number"]: b["onhand"] for b in inventory_balances(emu, "SERUM")} == {"L-OLD": 2, "L-NEW": 5,
                                                                                    "L-EAST": 9}
    assert stock_at(emu, "SERUM", 1) == 7 and fulfillment_assignments(emu, lots) == []
    assert rows(emu, auth, "SELECT COUNT(*) AS n FROM inventoryassignment") == [{"n": "0"}]


def test_suiteql_answers_lot_tables_as_netsuite_does(emu, auth, lots):
    got = rows(emu, auth, "SELECT n.id, n.inventorynumber, n.item, n.expirationdate, "
                          "TO_CHAR(n.expirationdate, 'YYYY-MM-DD') AS expires FROM inventorynumber n "
                          "JOIN item i ON i.id = n.item WHERE i.itemid = 'SERUM' ORDER BY n.id")
    assert got[0]["inventorynumber"] == "L-OLD" and got[0]["expirationdate"] == "31/1/2027"
    assert got[0]["expires"] == "2027-01-31"
    assert "expirationdate" not in got[2]  # no expiry: the NULL column is left out
    assert all(isinstance(v, str) for row in got for v in row.values())
    flags = rows(emu, auth, "SELECT itemid, itemtype, islotitem FROM item WHERE itemid IN ('SERUM', 'PLAIN') "
                            "ORDER BY itemid")
    assert flags == [{"itemid": "PLAIN", "itemtype": "InvtPart", "islotitem": "F"},
                     {"itemid": "SERUM", "itemtype": "InvtPart", "islotitem": "T"}]
    # A lot-numbered item is a lotNumberedInventoryItem record in NetSuite, not an inventoryItem.
    serum = sql(emu, "SELECT id FROM item WHERE itemid = 'SERUM'")[0]["id"]
    r = requests.get(f"{emu.base_url}{RECORD}/inventoryItem/{serum}", auth=auth, timeout=10)
    assert refusal(r, 404)["o:errorCode"] == "NONEXISTENT_ID"
    balance = rows(emu, auth, "SELECT b.location, b.inventorynumber, b.quantityonhand, b.quantityavailable "
                              "FROM inventorybalance b JOIN item i ON i.id = b.item WHERE i.itemid = 'PLAIN'")
    assert balance == [{"location": "1", "quantityonhand": "10", "quantityavailable": "10"}]


# --- serials -------------------------------------------------------------------------------------------------------
def test_serials_are_one_each_once_each_and_leave_with_the_fulfillment(emu, auth):
    set_features(emu, serials=True)
    made = seed(emu, items=[{"itemid": "CAMERA", "isserialitem": True}],
                stock=[{"item": "CAMERA", "location": 1, "serials": ["CAM-1", "CAM-2", "CAM-3"]}],
                sales_orders=[{"tranid": "SO-SER", "lines": [{"item": "CAMERA", "quantity": 2}]}])
    so = made["sales_orders"][0]["id"]
    one, two = number_id(emu, "CAM-1"), number_id(emu, "CAM-2")
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "inventoryDetail": detail((one, None, 2))}]))
    assert d["detail"] == EWA + "The quantity of serial number CAM-1 must be 1." and d["o:errorCode"] == "USER_ERROR"
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "inventoryDetail": detail((one, None, 1), (one, None, 1))}]))
    assert d["detail"] == EWA + "Serial number CAM-1 has been entered more than once."
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "inventoryDetail": detail((one, None, 1))}]))
    assert d["detail"] == EWA + "The total inventory detail quantity must be 2."
    r = transform(emu, auth, so, [{"orderLine": 1, "inventoryDetail": detail((one, None, 1), (two, None, 1))}])
    assert r.status_code == 204, r.text
    assert {b["number"]: b["onhand"] for b in inventory_balances(emu, "CAMERA")} == {"CAM-1": 0, "CAM-2": 0,
                                                                                     "CAM-3": 1}
    # A shipped serial is no longer at the location.
    made = seed(emu, sales_orders=[{"tranid": "SO-SER2", "lines": [{"item": "CAMERA", "quantity": 1}]}])
    d = refusal(transform(emu, auth, made["sales_orders"][0]["id"],
                          [{"orderLine": 1, "inventoryDetail": detail((one, None, 1))}]))
    assert d["detail"] == EWA + f"You have entered an Invalid Field Value {one} for the following field: " \
                                "issueinventorynumber."
    delete_fulfillment(emu, auth, r)
    assert all(b["onhand"] == 1 for b in inventory_balances(emu, "CAMERA"))


# --- bins ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def bins(emu):
    set_features(emu, bins=True, lots=True)
    made = seed(emu, locations=[{"id": 10, "name": "Bin Warehouse", "usesbins": True}],
                bins=[{"id": 501, "binnumber": "A-01", "location": 10}, {"id": 502, "binnumber": "A-02", "location": 10},
                      {"id": 503, "binnumber": "B-01", "location": 10}],
                items=[{"itemid": "BOLT", "usebins": True, "preferredbins": [{"location": 10, "bin": 502}]},
                       {"itemid": "GLUE", "islotitem": True, "usebins": True}, {"itemid": "NUT"}],
                stock=[{"item": "BOLT", "location": 10, "bin": 501, "quantity": 3},
                       {"item": "BOLT", "location": 10, "bin": 502, "quantity": 10},
                       {"item": "GLUE", "location": 10, "bin": 501, "lot": "G-1", "quantity": 4},
                       {"item": "NUT", "location": 10, "quantity": 8}],
                sales_orders=[{"tranid": "SO-BIN", "location": 10,
                               "lines": [{"item": "BOLT", "quantity": 5}, {"item": "GLUE", "quantity": 2},
                                         {"item": "NUT", "quantity": 1}]}])
    return made["sales_orders"][0]["id"]


def test_bin_lines_need_a_bin_of_their_location_holding_the_item(emu, auth, bins):
    glue = number_id(emu, "G-1")
    skip = [{"orderLine": 2, "itemReceive": False}, {"orderLine": 3, "itemReceive": False}]
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "quantity": 5}] + skip))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 1 of the item list."
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "quantity": 5, "inventoryDetail": detail((None, None, 5))}]
                          + skip))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 1 of the item list."
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "quantity": 5, "inventoryDetail": detail((None, 999, 5))}]
                          + skip))
    assert d["detail"] == EWA + "Invalid binnumber reference key 999." and d["o:errorCode"] == "USER_ERROR"
    # B-01 is a bin of the location, but holds no bolts.
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "quantity": 5, "inventoryDetail": detail((None, 503, 5))}]
                          + skip))
    assert d["detail"] == EWA + "Invalid binnumber reference key 503."
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "quantity": 5, "inventoryDetail": detail((None, 501, 5))}]
                          + skip))
    assert d["detail"] == EWA + "Insufficient quantity available for bin A-01: 3 available, 5 requested."
    # A lot item in bins names both; a plain item at the same location (not using bins) takes no detail.
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "itemReceive": False},
                                            {"orderLine": 2, "inventoryDetail": detail((glue, None, 2))},
                                            {"orderLine": 3, "itemReceive": False}]))
    assert d["detail"] == EWA + "Please configure the inventory detail in line 2 of the item list."
    d = refusal(transform(emu, auth, bins, [{"orderLine": 1, "itemReceive": False}, {"orderLine": 2, "itemReceive": False},
                                            {"orderLine": 3, "inventoryDetail": detail((None, 501, 1))}]))
    assert d["detail"] == EWA + "Inventory detail is not applicable to item NUT."


def test_fulfilling_from_bins_takes_each_bin_and_lot(emu, auth, bins):
    glue = number_id(emu, "G-1")
    r = transform(emu, auth, bins, [
        {"orderLine": 1, "quantity": 5, "inventoryDetail": detail((None, 501, 3), (None, 502, 2))},
        {"orderLine": 2, "quantity": 2, "inventoryDetail": detail((glue, 501, 2))}])
    assert r.status_code == 204, r.text
    got = [(a["sku"], a["bin"], a["number"], a["quantity"]) for a in fulfillment_assignments(emu, "SO-BIN")]
    assert got == [("BOLT", "A-01", None, 3), ("BOLT", "A-02", None, 2), ("GLUE", "A-01", "G-1", 2)]
    assert [(b["sku"], b["bin"], b["onhand"]) for b in inventory_balances(emu) if b["sku"] == "BOLT"] == \
        [("BOLT", "A-01", 0), ("BOLT", "A-02", 8)]
    assert stock_at(emu, "NUT", 10) == 7  # the line the body did not name was taken in full, without detail
    preferred = rows(emu, auth, "SELECT q.bin, q.preferredbin, q.onhand FROM itembinquantity q JOIN item i "
                                "ON i.id = q.item WHERE i.itemid = 'BOLT' ORDER BY q.bin")
    assert preferred == [{"bin": "501", "preferredbin": "F", "onhand": "0"},
                         {"bin": "502", "preferredbin": "T", "onhand": "8"}]
    assert rows(emu, auth, "SELECT l.usesbins FROM location l WHERE l.id = 10") == [{"usesbins": "T"}]
    named = rows(emu, auth, "SELECT BUILTIN.DF(b.binnumber) AS bin, BUILTIN.DF(b.inventorynumber) AS lot, "
                            "b.quantityonhand FROM inventorybalance b JOIN item i ON i.id = b.item "
                            "WHERE i.itemid = 'GLUE'")
    assert named == [{"bin": "A-01", "lot": "G-1", "quantityonhand": "2"}]
    delete_fulfillment(emu, auth, r)
    assert [(b["bin"], b["onhand"]) for b in inventory_balances(emu, "BOLT")] == [("A-01", 3), ("A-02", 10)]


def test_inventory_detail_is_refused_where_nothing_needs_it(emu, auth):
    made = seed(emu, items=[{"itemid": "PLAIN"}],
                sales_orders=[{"tranid": "SO-PLAIN", "lines": [{"item": "PLAIN", "quantity": 1}]}])
    so = made["sales_orders"][0]["id"]
    d = refusal(transform(emu, auth, so, [{"orderLine": 1, "inventoryDetail": detail((None, None, 1))}]))
    assert d == {"detail": EWA + "Inventory detail is not applicable to item PLAIN.",
                 "o:errorPath": "item.items[0]", "o:errorCode": "USER_ERROR"}


# --- lines that are never fulfilled, kits, groups --------------------------------------------------------------------
@pytest.fixture
def mixed(emu):
    made = seed(emu, items=[{"itemid": "CUP"}, {"itemid": "SAUCER"}, {"itemid": "SPOON"},
                            {"itemid": "TEA-SET", "itemtype": "Kit", "members": [{"item": "CUP", "quantity": 2},
                                                                                 {"item": "SAUCER", "quantity": 2}]},
                            {"itemid": "PICNIC", "itemtype": "Group", "members": [{"item": "SPOON", "quantity": 3},
                                                                                  {"item": "CUP", "quantity": 1}]},
                            {"itemid": "PROMO10", "itemtype": "Discount"}, {"itemid": "UPS", "itemtype": "ShipItem"},
                            {"itemid": "GIFTWRAP", "itemtype": "NonInvtPart"},
                            {"itemid": "ENGRAVE", "itemtype": "Service", "isfulfillable": True},
                            {"itemid": "HANDLING", "itemtype": "OthCharge"}],
                stock=[{"item": i, "location": 1, "quantity": 50} for i in ("CUP", "SAUCER", "SPOON")],
                sales_orders=[{"tranid": "SO-MIX", "lines": [
                    {"item": "TEA-SET", "quantity": 2}, {"item": "PICNIC", "quantity": 2},
                    {"item": "PROMO10", "rate": -5.0}, {"item": "UPS", "rate": 7.5}, {"item": "GIFTWRAP"},
                    {"item": "ENGRAVE"}, {"item": "HANDLING"}, {"item": "CUP", "quantity": 1, "createpo": "DropShip"},
                    {"item": "SAUCER", "quantity": 1, "createpo": "SpecOrd"}, {"item": "SPOON", "quantity": 1}]}])
    return made["sales_orders"][0]


def test_order_lines_carry_their_item_types_as_suiteql_reports_them(emu, auth, mixed):
    got = rows(emu, auth, f"SELECT l.id, l.itemtype, l.quantity, l.createpo FROM transactionline l "
                          f"WHERE l.transaction = {mixed['id']} AND l.mainline = 'F' ORDER BY l.id")
    assert [(r["itemtype"], r.get("quantity"), r.get("createpo")) for r in got] == [
        ("Kit", "-2", None), ("Group", "-2", None), ("InvtPart", "-6", None), ("InvtPart", "-2", None),
        ("EndGroup", None, None), ("Discount", None, None), ("ShipItem", None, None), ("NonInvtPart", "-1", None),
        ("Service", "-1", None), ("OthCharge", "-1", None), ("InvtPart", "-1", "DropShip"),
        ("InvtPart", "-1", "SpecOrd"), ("InvtPart", "-1", None)]
    members = rows(emu, auth, "SELECT m.parentitem, m.item, m.quantity FROM itemmember m JOIN item k "
                              "ON k.id = m.parentitem WHERE k.itemid = 'TEA-SET' ORDER BY m.id")
    assert [m["quantity"] for m in members] == ["2", "2"]


def test_lines_that_are_never_fulfilled_cannot_be_named(emu, auth, mixed):
    kinds = {ln["line"]: ln["itemtype"] for ln in mixed["lines"]}
    never = [n for n, kind in kinds.items() if kind in ("Group", "EndGroup", "Discount", "ShipItem", "NonInvtPart",
                                                         "OthCharge")] + [11, 12]  # drop-ship, special order
    for n in never:
        d = refusal(transform(emu, auth, mixed["id"], [{"orderLine": n, "quantity": 1}]))
        assert d == {"detail": f"Invalid value for orderLine: {n} is not an open line of the sales order.",
                     "o:errorPath": "item.items[0].orderLine", "o:errorCode": "INVALID_CONTENT"}, n


def test_a_kit_ships_with_its_members_and_group_members_ship_one_by_one(emu, auth, mixed):
    r = transform(emu, auth, mixed["id"])  # everything a fulfillment can take
    assert r.status_code == 204, r.text
    lines = fulfillment_lines(emu, mixed["id"])
    got = [(ln["orderline"], ln["sku"], ln["quantity"], ln["kitmemberof"]) for ln in lines]
    kit_line = lines[0]["line"]
    assert got == [(1, "TEA-SET", 2, None), (None, "CUP", 4, kit_line), (None, "SAUCER", 4, kit_line),
                   (3, "SPOON", 6, None), (4, "CUP", 2, None), (9, "ENGRAVE", 1, None), (13, "SPOON", 1, None)]
    assert stock_at(emu, "CUP", 1) == 44 and stock_at(emu, "SAUCER", 1) == 46 and stock_at(emu, "SPOON", 1) == 43
    # Only lines a fulfillment can take decide the status: discount, shipping, group, drop-ship and special-order
    # lines (and the non-fulfillable GIFTWRAP and HANDLING) do not keep the order open.
    assert sql(emu, f'SELECT status FROM "transaction" WHERE id = {mixed["id"]}')[0]["status"] == "F"
    kit_members = rows(emu, auth, f"SELECT l.item, l.kitmemberof FROM transactionline l JOIN transaction f "
                                  f"ON f.id = l.transaction WHERE f.createdfrom = {mixed['id']} "
                                  f"AND l.kitmemberof IS NOT NULL")
    assert len(kit_members) == 2
    delete_fulfillment(emu, auth, r)
    assert stock_at(emu, "CUP", 1) == 50 and stock_at(emu, "SAUCER", 1) == 50 and stock_at(emu, "SPOON", 1) == 50
    assert sql(emu, f'SELECT status FROM "transaction" WHERE id = {mixed["id"]}')[0]["status"] == "B"


def test_kit_members_need_stock_at_the_location_under_multilocation(emu, auth, mixed):
    set_features(emu, multilocation=True)
    d = refusal(transform(emu, auth, mixed["id"], [{"orderLine": 1, "quantity": 2, "location": 2}]))
    assert d["detail"].startswith(EWA + "You cannot fulfill more than the quantity on hand (0) of item CUP")


def test_a_kit_with_lot_members_is_refused_as_not_emulated(emu, auth):
    set_features(emu, lots=True)
    made = seed(emu, items=[{"itemid": "LOTTY", "islotitem": True},
                            {"itemid": "BOX", "itemtype": "Kit", "members": [{"item": "LOTTY", "quantity": 1}]}],
                sales_orders=[{"tranid": "SO-KITLOT", "lines": [{"item": "BOX", "quantity": 1}]}])
    d = refusal(transform(emu, auth, made["sales_orders"][0]["id"]))
    assert d["detail"] == EWA + "Kits with lot-numbered, serialized or bin-managed members are not emulated."


# --- units of measure ------------------------------------------------------------------------------------------------
@pytest.fixture
def cases(emu):
    set_features(emu, units=True, lots=True)
    made = seed(emu, unitstypes=[{"id": 1, "name": "Count", "uoms": [
                    {"id": 1, "unitname": "Each", "abbreviation": "ea", "conversionrate": 1, "baseunit": True},
                    {"id": 2, "unitname": "Case of 12", "abbreviation": "cs", "conversionrate": 12}]}],
                items=[{"itemid": "MUG", "unitstype": 1, "saleunit": 2, "stockunit": 1},
                       {"itemid": "JAM", "islotitem": True, "unitstype": 1, "saleunit": 2}],
                stock=[{"item": "MUG", "location": 1, "quantity": 100},
                       {"item": "JAM", "location": 1, "lot": "J-1", "quantity": 12},
                       {"item": "JAM", "location": 1, "lot": "J-2", "quantity": 24}],
                sales_orders=[{"tranid": "SO-CASE", "lines": [{"item": "MUG", "quantity": 2},
                                                               {"item": "JAM", "quantity": 2},
                                                               {"item": "MUG", "quantity": 5, "units": 1}]}])
    return made["sales_orders"][0]["id"]


def test_a_case_of_12_reads_in_base_units_in_suiteql_and_in_cases_on_the_record(emu, auth, cases):
    got = rows(emu, auth, f"SELECT l.id, l.quantity, l.units, u.abbreviation, u.conversionrate FROM transactionline l "
                          f"JOIN unitstypeuom u ON u.internalid = l.units WHERE l.transaction = {cases} ORDER BY l.id")
    assert got == [{"id": "1", "quantity": "-24", "units": "2", "abbreviation": "cs", "conversionrate": "12"},
                   {"id": "2", "quantity": "-24", "units": "2", "abbreviation": "cs", "conversionrate": "12"},
                   {"id": "3", "quantity": "-5", "units": "1", "abbreviation": "ea", "conversionrate": "1"}]
    assert rows(emu, auth, f"SELECT BUILTIN.DF(l.units) AS unit FROM transactionline l WHERE l.transaction = {cases} "
                           "AND l.id = 1") == [{"unit": "Case of 12"}]
    item = rows(emu, auth, "SELECT unitstype, saleunit, stockunit FROM item WHERE itemid = 'MUG'")
    assert item == [{"unitstype": "1", "saleunit": "2", "stockunit": "1"}]
    so = requests.get(f"{emu.base_url}{RECORD}/salesOrder/{cases}?expandSubResources=true", auth=auth, timeout=10)
    line = so.json()["item"]["items"][0]
    assert line["quantity"] == 2.0 and line["units"] == {"id": "2", "refName": "cs"}


def test_fulfillment_quantities_are_in_the_lines_unit(emu, auth, cases):
    j1, j2 = number_id(emu, "J-1"), number_id(emu, "J-2")
    d = refusal(transform(emu, auth, cases, [{"orderLine": 1, "quantity": 3}]))
    assert d["detail"] == "You can not fulfill more than the remaining quantity (2) of order line 1."
    # Lot assignments count cases too: 1 case of J-1 (12 jars) and 1 of J-2.
    d = refusal(transform(emu, auth, cases, [{"orderLine": 2, "inventoryDetail": detail((j1, None, 2))}]))
    assert d["detail"] == EWA + "Insufficient quantity available for lot number J-1: 12 available, 24 requested."
    r = transform(emu, auth, cases, [{"orderLine": 1, "quantity": 1},
                                     {"orderLine": 2, "inventoryDetail": detail((j1, None, 1), (j2, None, 1))},
                                     {"orderLine": 3, "itemReceive": False}])
    assert r.status_code == 204, r.text
    assert stock_at(emu, "MUG", 1) == 88
    assert [(a["number"], a["quantity"]) for a in fulfillment_assignments(emu, cases)] == [("J-1", 12), ("J-2", 12)]
    shipped = sql(emu, f'SELECT id, quantityshiprecv FROM transactionline WHERE "transaction" = {cases} AND id > 0 '
                       "ORDER BY id")
    assert [s["quantityshiprecv"] for s in shipped] == [12, 24, 0]
    assert [(ln["quantity"], ln["units"]) for ln in fulfillment_lines(emu, cases)] == [(12, 2), (24, 2)]
    # One case of mugs is left: the next fulfillment may take 1, not 2.
    d = refusal(transform(emu, auth, cases, [{"orderLine": 1, "quantity": 2}, {"orderLine": 3, "itemReceive": False}]))
    assert d["detail"] == "You can not fulfill more than the remaining quantity (1) of order line 1."


# --- OneWorld ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def oneworld(emu):
    set_features(emu, oneworld=True)
    made = seed(emu, subsidiaries=[{"id": 2, "name": "UK Ltd", "country": "GB"}],
                locations=[{"id": 20, "name": "London DC", "subsidiary": 2}],
                items=[{"itemid": "TEA"}],
                stock=[{"item": "TEA", "location": 1, "quantity": 10}, {"item": "TEA", "location": 20, "quantity": 10}],
                customers=[{"id": 3001, "entityid": "CUST-UK", "companyname": "Brit Co", "subsidiary": 2,
                            "subsidiaries": [1, 2]}],
                sales_orders=[{"tranid": "SO-DUP", "customer": 3001, "subsidiary": 1,
                               "lines": [{"item": "TEA", "quantity": 1}]},
                              {"tranid": "SO-DUP", "customer": 3001, "subsidiary": 2, "location": 20,
                               "lines": [{"item": "TEA", "quantity": 2}]}])
    return made["sales_orders"]


def test_document_numbers_repeat_across_subsidiaries(emu, auth, oneworld):
    got = rows(emu, auth, "SELECT t.id, t.tranid, l.subsidiary FROM transaction t JOIN transactionline l "
                          "ON l.transaction = t.id AND l.mainline = 'T' WHERE t.tranid = 'SO-DUP' ORDER BY t.id")
    assert [(g["tranid"], g["subsidiary"]) for g in got] == [("SO-DUP", "1"), ("SO-DUP", "2")]
    rel = rows(emu, auth, "SELECT r.subsidiary, r.isprimarysub FROM customersubsidiaryrelationship r "
                          "WHERE r.entity = 3001 ORDER BY r.subsidiary")
    assert rel == [{"subsidiary": "1", "isprimarysub": "F"}, {"subsidiary": "2", "isprimarysub": "T"}]
    assert rows(emu, auth, "SELECT subsidiary FROM customer WHERE id = 3001") == [{"subsidiary": "2"}]
    assert rows(emu, auth, "SELECT id, name FROM subsidiary ORDER BY id")[1] == {"id": "2", "name": "UK Ltd"}
    d = refusal(suiteql(emu, auth, "SELECT t.subsidiary FROM transaction t"))
    assert d["detail"].endswith("Field 'subsidiary' for record 'transaction' was not found. Reason: NOT_EXPOSED")
    r = requests.post(emu.base_url + "/__emulator/seed", json={"sales_orders": [
        {"tranid": "SO-DUP", "customer": 3001, "subsidiary": 2, "lines": [{"item": "TEA", "quantity": 1}]}]}, timeout=5)
    assert r.status_code == 400 and "already exists in subsidiary 2" in r.json()["error"]


def test_a_line_cannot_ship_from_another_subsidiarys_location(emu, auth, oneworld):
    uk = oneworld[1]["id"]
    d = refusal(transform(emu, auth, uk, [{"orderLine": 1, "quantity": 2, "location": 1}]))
    assert d == {"detail": EWA + "You have entered an Invalid Field Value 1 for the following field: location.",
                 "o:errorPath": "item.items[0]", "o:errorCode": "USER_ERROR"}
    assert transform(emu, auth, uk).status_code == 204
    assert stock_at(emu, "TEA", 20) == 8 and stock_at(emu, "TEA", 1) == 10
    assert rows(emu, auth, f"SELECT DISTINCT l.subsidiary FROM transactionline l JOIN transaction f "
                           f"ON f.id = l.transaction WHERE f.createdfrom = {uk}") == [{"subsidiary": "2"}]


# --- permissions -------------------------------------------------------------------------------------------------------
def test_feature_tables_need_their_own_permission(emu, auth):
    set_features(emu, lots=True)
    assert rows(emu, auth, "SELECT id FROM inventorynumber") == []
    requests.post(emu.base_url + "/__emulator/permissions", json={"remove": ["inventorynumber"]}, timeout=5)
    try:
        d = refusal(suiteql(emu, auth, "SELECT id FROM inventorynumber"))
        assert d["detail"].endswith("Search error occurred: Record 'inventorynumber' was not found.")
    finally:
        requests.post(emu.base_url + "/__emulator/permissions", json={"grant": ["inventorynumber"]}, timeout=5)


# --- the contract's own example ------------------------------------------------------------------------------------
def test_the_readmes_seed_example_seeds_as_it_stands(emu, auth):
    readme = (Path(__file__).parents[1] / "emulators" / "netsuite" / "README.md").read_text()
    section = readme[readme.index("### Seeding data"):]
    example = json.loads(section[section.index("```json") + len("```json"):section.index("```\n", 10)])
    set_features(emu, multilocation=True, lots=True, serials=True, bins=True, oneworld=True, units=True)
    made = seed(emu, **example)
    so = made["sales_orders"][0]
    kinds = [ln["itemtype"] for ln in so["lines"]]
    assert kinds == ["InvtPart", "InvtPart", "Kit", "Group", "InvtPart", "InvtPart", "EndGroup", "InvtPart",
                     "Discount", "ShipItem", "InvtPart"]
    assert rows(emu, auth, "SELECT q.preferredbin FROM itembinquantity q WHERE q.item = 9001") == [{"preferredbin": "T"}]
    assert rows(emu, auth, "SELECT COUNT(*) AS n FROM inventorynumber") == [{"n": "3"}]
