"""The NetSuite emulator's REST record API for every record type it holds (issue 14, item 7), through real clients:
requests + requests-oauthlib (TBA) and an OAuth 2.0 bearer. Each test failed on the emulator before this file.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from requests_oauthlib import OAuth1

from emulators.netsuite import start_emulator

RECORD = "/services/rest/record/v1"
TOKEN = "/services/rest/auth/oauth2/v1/token"
SCHEMA = {"Accept": "application/schema+json"}


@pytest.fixture(scope="module")
def emu():
    with start_emulator(items=30, locations=3, customers=8, orders=12) as running:
        yield running


@pytest.fixture(scope="module")
def creds(emu):
    return requests.get(emu.base_url + "/__emulator/credentials", timeout=5).json()


def tba(creds) -> OAuth1:
    return OAuth1(creds["consumer_key"], client_secret=creds["consumer_secret"],
                  resource_owner_key=creds["token_id"], resource_owner_secret=creds["token_secret"],
                  realm=creds["realm"], signature_method="HMAC-SHA256")


def get(emu, creds, path, params=None, headers=None):
    return requests.get(emu.base_url + path, params=params, headers=headers, auth=tba(creds), timeout=10)


def sql(emu, q):
    r = requests.post(f"{emu.base_url}/__emulator/sql", json={"q": q}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def detail(response) -> dict:
    return response.json()["o:errorDetails"][0]


def dmy(iso: str) -> str:
    """The account's date format (D/M/YYYY) for an ISO date."""
    y, m, d = iso[:10].split("-")
    return f"{int(d)}/{int(m)}/{y}"


@pytest.mark.parametrize("spelling", ["salesOrder", "salesorder", "SALESORDER"])
def test_record_type_names_in_any_case(emu, creds, spelling):
    r = get(emu, creds, f"{RECORD}/{spelling}/5001")
    assert r.status_code == 200, r.text
    assert r.json()["tranId"] == "SO10001"


@pytest.mark.parametrize("rtype, table, where", [
    ("salesOrder", "transaction", "type = 'SalesOrd'"),
    ("inventoryItem", "item", "itemtype = 'InvtPart'"),
    ("customer", "customer", "1 = 1"),
    ("location", "location", "1 = 1"),
])
def test_collections_list_every_record_with_absolute_links(emu, creds, rtype, table, where):
    expected = [str(r["id"]) for r in sql(emu, f'SELECT id FROM "{table}" WHERE {where} ORDER BY id')]
    r = get(emu, creds, f"{RECORD}/{rtype.lower()}")
    assert r.status_code == 200, r.text
    page = r.json()
    assert set(page) == {"links", "count", "hasMore", "items", "offset", "totalResults"}
    assert page["totalResults"] == len(expected) and page["count"] == len(expected) and page["hasMore"] is False
    assert [i["id"] for i in page["items"]] == expected
    first = page["items"][0]["links"][0]
    assert first["rel"] == "self" and first["href"] == f"{emu.base_url}{RECORD}/{rtype.lower()}/{expected[0]}"
    # The href is what a client follows (Airbyte's source does): it answers the record.
    follow = requests.get(first["href"], params={"expandSubResources": True}, auth=tba(creds), timeout=5)
    assert follow.status_code == 200 and follow.json()["id"] == expected[0]


def test_limit_offset_has_more_and_next_link(emu, creds):
    r = get(emu, creds, f"{RECORD}/inventoryItem", {"limit": 10, "offset": 10}).json()
    assert r["count"] == 10 and r["offset"] == 10 and r["totalResults"] == 30 and r["hasMore"] is True
    assert [i["id"] for i in r["items"]] == [str(i) for i in range(11, 21)]
    nxt = {link["rel"]: link["href"] for link in r["links"]}["next"]
    assert urlparse(nxt).path == f"{RECORD}/inventoryItem" and parse_qs(urlparse(nxt).query)["offset"] == ["20"]
    last = requests.get(nxt, auth=tba(creds), timeout=5).json()
    assert last["count"] == 10 and last["hasMore"] is False


@pytest.mark.parametrize("params, name", [({"limit": 1001}, "limit"), ({"limit": 0}, "limit"),
                                           ({"limit": 10, "offset": 5}, "offset")])
def test_bad_paging_is_refused(emu, creds, params, name):
    r = get(emu, creds, f"{RECORD}/customer", params)
    assert r.status_code == 400 and detail(r)["o:errorCode"] == "INVALID_PARAMETER"
    assert detail(r)["o:errorQueryParam"] == name


def test_q_filters_by_last_modified_date_as_airbyte_sends_it(emu, creds):
    rows = sql(emu, "SELECT id, lastmodifieddate AS m FROM item ORDER BY lastmodifieddate")
    start, end = rows[5]["m"][:10], rows[-5]["m"][:10]
    expected = sorted(r["id"] for r in rows if f"{start} 00:00:00" < r["m"] < f"{end} 00:00:00")
    q = f'lastModifiedDate AFTER "{dmy(start)}" AND lastModifiedDate BEFORE "{dmy(end)}"'
    r = get(emu, creds, f"{RECORD}/inventoryitem", {"q": q})
    assert r.status_code == 200, r.text
    assert sorted(int(i["id"]) for i in r.json()["items"]) == expected and 0 < len(expected) < 30
    on_or_after = get(emu, creds, f"{RECORD}/inventoryitem", {"q": f'lastModifiedDate ON_OR_AFTER "{dmy(end)}"'})
    assert on_or_after.json()["totalResults"] == sum(r["m"] >= f"{end} 00:00:00" for r in rows)


def test_q_operators_for_strings_numbers_booleans_and_parentheses(emu, creds):
    customers = sql(emu, "SELECT id, entityid, email FROM customer ORDER BY id")
    one = customers[2]
    r = get(emu, creds, f"{RECORD}/customer", {"q": f'entityId IS "{one["entityid"]}"'}).json()
    assert [i["id"] for i in r["items"]] == [str(one["id"])]
    r = get(emu, creds, f"{RECORD}/customer", {"q": f"id ANY_OF {customers[0]['id']}, {customers[1]['id']}"}).json()
    assert [i["id"] for i in r["items"]] == [str(customers[0]["id"]), str(customers[1]["id"])]
    r = get(emu, creds, f"{RECORD}/customer", {"q": 'email CONTAIN "@example.com" AND isInactive IS false'}).json()
    assert r["totalResults"] == len(customers)
    q = f'(id EQUAL {customers[0]["id"]} OR id EQUAL {customers[3]["id"]}) AND email START_WITH "nobody"'
    assert get(emu, creds, f"{RECORD}/customer", {"q": q}).json()["totalResults"] == 0
    r = get(emu, creds, f"{RECORD}/salesorder", {"q": 'tranId IS "SO10003"'}).json()
    assert [i["id"] for i in r["items"]] == ["5003"]


@pytest.mark.parametrize("literal", ["2026-11-01", "2026-11-01T00:00:00Z", "11/25/2026", "1/11/2026 23:53"])
def test_q_dates_not_in_the_accounts_format_are_refused_in_netsuites_words(emu, creds, literal):
    r = get(emu, creds, f"{RECORD}/customer", {"q": f'lastModifiedDate AFTER "{literal}"'})
    assert r.status_code == 400
    assert detail(r) == {"detail": f'Invalid search query. Search error occurred: Parse of date/time "{literal}" '
                                   'failed with date format "d/M/yy" in time zone UTC',
                         "o:errorQueryParam": "q", "o:errorCode": "INVALID_PARAMETER"}


def test_q_date_with_the_accounts_12_hour_time_is_read(emu, creds):
    r = get(emu, creds, f"{RECORD}/customer", {"q": 'lastModifiedDate ON_OR_AFTER "1/1/2026 3:30 pm"'})
    assert r.status_code == 200 and r.json()["totalResults"] == 8


def test_us_date_format_preference_switches_what_q_reads(emu, creds):
    r = requests.post(f"{emu.base_url}/__emulator/preferences", json={"date_format": "M/D/YYYY"}, timeout=5)
    assert r.status_code == 200
    try:
        assert get(emu, creds, f"{RECORD}/customer", {"q": 'lastModifiedDate AFTER "11/25/2026"'}).status_code == 200
        bad = get(emu, creds, f"{RECORD}/customer", {"q": 'lastModifiedDate AFTER "25/11/2026"'})
        assert bad.status_code == 400 and 'date format "M/d/yy"' in detail(bad)["detail"]
    finally:
        requests.post(f"{emu.base_url}/__emulator/preferences", json={"date_format": "D/M/YYYY"}, timeout=5)


@pytest.mark.parametrize("q", ["lastModifiedDate AFTER '1/1/2026'", "nosuchfield IS \"x\"", "email AFTER \"1/1/2026\"",
                               "entityId LIKE \"x\"", "(id EQUAL 1", "isInactive IS maybe"])
def test_q_that_netsuite_cannot_parse_is_refused(emu, creds, q):
    r = get(emu, creds, f"{RECORD}/customer", {"q": q})
    assert r.status_code == 400
    assert detail(r) == {"detail": "Invalid search query. Provide a valid search query.", "o:errorQueryParam": "q",
                         "o:errorCode": "INVALID_PARAMETER"}


def test_expand_sub_resources(emu, creds):
    plain = get(emu, creds, f"{RECORD}/inventoryItem/1").json()
    assert "items" not in plain["locations"]
    full = get(emu, creds, f"{RECORD}/inventoryitem/1", {"expandSubResources": "true"}).json()
    stock = sql(emu, "SELECT location, quantityonhand FROM inventoryitemlocations WHERE item = 1 ORDER BY location")
    assert [(int(s["location"]["id"]), s["quantityOnHand"]) for s in full["locations"]["items"]] == \
        [(s["location"], float(s["quantityonhand"])) for s in stock]
    assert full["totalQuantityOnHand"] == float(sum(s["quantityonhand"] for s in stock))
    assert full["lastModifiedDate"].endswith("Z") and full["itemType"]["id"] == "InvtPart"
    so = get(emu, creds, f"{RECORD}/salesorder/5002", {"expandSubResources": "True"}).json()
    assert so["item"]["count"] == len(so["item"]["items"]) > 0


def test_customer_location_and_missing_records(emu, creds):
    c = get(emu, creds, f"{RECORD}/customer/1001").json()
    assert c["entityId"] == "CUST00001" and c["subsidiary"]["id"] == "1" and c["isInactive"] is False
    loc = get(emu, creds, f"{RECORD}/LOCATION/2").json()
    assert loc["name"] == "East Coast DC"
    gone = get(emu, creds, f"{RECORD}/customer/999")
    assert gone.status_code == 404 and gone.json()["title"] == "Not Found"
    assert detail(gone)["o:errorCode"] == "NONEXISTENT_ID"
    assert get(emu, creds, f"{RECORD}/contact", {"limit": 1}).json()["totalResults"] == 0


def test_metadata_catalog_list_and_json_schema(emu, creds):
    listing = get(emu, creds, f"{RECORD}/metadata-catalog/")
    assert listing.status_code == 200
    names = {i["name"] for i in listing.json()["items"]}
    assert {"salesorder", "itemfulfillment", "inventoryitem", "customer", "location"} <= names
    for name in ("salesOrder", "inventoryitem", "customer", "location", "itemfulfillment"):
        schema = get(emu, creds, f"{RECORD}/metadata-catalog/{name}", headers=SCHEMA)
        assert schema.status_code == 200 and schema.headers["content-type"].startswith("application/schema+json")
        props = schema.json()["properties"]
        assert props["id"]["type"] == "string" and props["links"]["items"]["$ref"].endswith("/nsLink")
    item = get(emu, creds, f"{RECORD}/metadata-catalog/inventoryitem", headers=SCHEMA).json()["properties"]
    assert item["lastModifiedDate"] == {"title": "Date Last Modified", "type": "string", "x-ns-filterable": True,
                                        "nullable": True, "format": "date-time"}
    link = get(emu, creds, f"{RECORD}/metadata-catalog/nsLink", headers=SCHEMA).json()
    assert set(link["properties"]) == {"rel", "href"}
    assert get(emu, creds, f"{RECORD}/metadata-catalog/nosuchrecord", headers=SCHEMA).status_code == 404


def test_record_api_takes_an_oauth2_bearer_and_refuses_no_auth(emu, creds):
    now = int(time.time())
    assertion = jwt.encode({"iss": creds["client_id"], "scope": "rest_webservices", "aud": emu.base_url + TOKEN,
                            "iat": now, "exp": now + 600}, creds["private_key"], algorithm="ES256",
                           headers={"kid": creds["certificate_id"], "typ": "JWT"})
    token = requests.post(emu.base_url + TOKEN, timeout=5, data={
        "grant_type": "client_credentials", "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}).json()["access_token"]
    r = requests.get(f"{emu.base_url}{RECORD}/customer", params={"limit": 2}, timeout=5,
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["count"] == 2
    assert requests.get(f"{emu.base_url}{RECORD}/customer", timeout=5).status_code == 401
    assert requests.get(f"{emu.base_url}{RECORD}/metadata-catalog", timeout=5).status_code == 401


def test_transform_and_fulfillment_in_any_case(emu, creds):
    r = requests.post(f"{emu.base_url}{RECORD}/salesorder/5004/!transform/itemfulfillment", json={},
                      auth=tba(creds), timeout=5)
    assert r.status_code == 204, r.text
    fid = r.headers["Location"].rsplit("/", 1)[1]
    listed = get(emu, creds, f"{RECORD}/itemfulfillment").json()
    assert fid in [i["id"] for i in listed["items"]]
    assert get(emu, creds, f"{RECORD}/ITEMFULFILLMENT/{fid}").json()["createdFrom"]["id"] == "5004"
    assert requests.delete(f"{emu.base_url}{RECORD}/itemfulfillment/{fid}", auth=tba(creds), timeout=5).status_code == 204
