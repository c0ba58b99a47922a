"""v2 lists page exactly as ShipStation documents each one (issue 14, item 3, emulator side).

- OAS getInventoryLevels, getInventoryWarehouses, listInventoryLocations take `limit` and no page parameter: the
  only way past page 1 is `links.next.href`; `page`/`page_size` change nothing, so a client paging with `page`
  reads page 1 again and again (and loses every row past it).
- OAS list_shipments, list_labels, listProducts (and D2 list_fulfillments) take `page` and `page_size`, and their
  links say `page=N`.
Every href is the emulator's own absolute URL.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from emulators.shipstation import start_emulator
from emulators.shipstation.oas import OAS
from emulators.shipstation.testkit import control, label, reset, v2


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=11, items=30, locations=3, customers=8, orders=12) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    reset(emulator)
    yield


def walk(emulator, path: str, key: str, params: dict) -> tuple[list, list[dict]]:
    """Every row, following links.next.href from the first page; and every page answered."""
    rows, pages, answer = [], [], v2(emulator, path, params=params)
    while True:
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append(page)
        rows += page[key]
        nxt = page["links"]["next"].get("href")
        if not nxt:
            return rows, pages
        assert len(pages) < 100, "links never end"
        answer = v2(emulator, nxt)


def add_inventory_places(emulator, n: int = 5) -> None:
    """A few more inventory warehouses and locations, so that each of those lists has several pages of 2."""
    warehouse = v2(emulator, "/v2/inventory_warehouses").json()["inventory_warehouses"][0]["inventory_warehouse_id"]
    for i in range(n):
        assert v2(emulator, "/v2/inventory_warehouses", "POST", json={"name": f"Extra {i}"}).status_code == 200
        assert v2(emulator, "/v2/inventory_locations", "POST",
                  json={"name": f"Extra {i}", "inventory_warehouse_id": warehouse}).status_code == 200


INVENTORY_LISTS = [("/v2/inventory", "inventory", "sku"),
                   ("/v2/inventory_warehouses", "inventory_warehouses", "inventory_warehouse_id"),
                   ("/v2/inventory_locations", "inventory_locations", "inventory_location_id")]


@pytest.mark.parametrize("path,key,_", INVENTORY_LISTS)
def test_inventory_lists_ignore_page_and_page_size(emulator, path, key, _):
    add_inventory_places(emulator)
    first = v2(emulator, path, params={"limit": 2}).json()
    assert first["page"] == 1 and first["pages"] > 2
    for params in ({"limit": 2, "page": 2}, {"limit": 2, "page": 3, "page_size": 1}):
        again = v2(emulator, path, params=params).json()
        assert again[key] == first[key] and again["page"] == 1, params
    # page_size is no page size here: without `limit`, the (UNCONFIRMED) default of 100 applies.
    assert len(v2(emulator, path, params={"page_size": 1}).json()[key]) == min(first["total"], 100)


@pytest.mark.parametrize("path,key,ident", INVENTORY_LISTS)
def test_inventory_lists_page_by_limit_and_links_next_href(emulator, path, key, ident):
    add_inventory_places(emulator)
    everything = v2(emulator, path, params={"limit": 1000}).json()
    limit = 7 if key == "inventory" else 2
    rows, pages = walk(emulator, path, key, {"limit": limit})
    assert rows == everything[key] and len(rows) == everything["total"]
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1)) and {p["pages"] for p in pages} == {len(pages)}
    base = urlsplit(emulator.base_url)
    for page in pages:
        for name in ("first", "last"):
            href = urlsplit(page["links"][name]["href"])
            assert (href.scheme, href.netloc, href.path) == (base.scheme, base.netloc, path)
        assert parse_qs(urlsplit(page["links"]["first"]["href"]).query)["limit"] == [str(limit)]
        for name in ("next", "prev"):
            if page["links"][name]:
                query = parse_qs(urlsplit(page["links"][name]["href"]).query)
                assert "page" not in query and "page_size" not in query and query["limit"] == [str(limit)]
    assert pages[0]["links"]["prev"] == {} and pages[-1]["links"]["next"] == {}
    back = v2(emulator, pages[-1]["links"]["prev"]["href"]).json()
    assert back[key] == pages[-2][key]
    last = v2(emulator, pages[0]["links"]["last"]["href"]).json()
    assert last[key] == pages[-1][key]


def test_inventory_links_keep_the_filters(emulator):
    loc = v2(emulator, "/v2/inventory_locations").json()["inventory_locations"][1]["inventory_location_id"]
    rows, pages = walk(emulator, "/v2/inventory", "inventory", {"inventory_location_id": loc, "limit": 4})
    assert len(pages) > 2 and {r["inventory_location_id"] for r in rows} == {loc}
    assert len(rows) == v2(emulator, "/v2/inventory", params={"inventory_location_id": loc,
                                                              "limit": 1000}).json()["total"]


def test_inventory_refuses_a_cursor_it_did_not_give_and_a_bad_limit(emulator):
    oas = OAS()
    for params in ({"cursor": "page-2"}, {"limit": "ten"}, {"limit": 0}):
        refused = v2(emulator, "/v2/inventory", params=params)
        assert refused.status_code == 400, params
        assert refused.json()["errors"][0]["error_type"] == "validation"
        assert oas.component_errors("error_response_body", refused.json()) == []


@pytest.mark.parametrize("path,key", [("/v2/shipments", "shipments"), ("/v2/labels", "labels"),
                                      ("/v2/products", "products"), ("/v2/fulfillments", "fulfillments")])
def test_documented_page_lists_page_by_page_and_page_size(emulator, path, key):
    for n in range(1, 8):  # labels for 7 orders, 4 more marked shipped elsewhere (fulfillments)
        label(emulator, f"SO1000{n}")
    for n in (8, 9, 10, 11):
        control(emulator, "mark-shipped", {"order_number": f"SO100{n:02d}"})
    everything = v2(emulator, path, params={"page_size": 100}).json()[key]
    assert len(everything) >= 4
    second = v2(emulator, path, params={"page_size": 2, "page": 2}).json()
    assert second[key] == everything[2:4] and second["page"] == 2
    rows, pages = walk(emulator, path, key, {"page_size": 2})
    assert rows == everything
    for page in pages[:-1]:
        assert parse_qs(urlsplit(page["links"]["next"]["href"]).query)["page"] == [str(page["page"] + 1)]
        assert urlsplit(page["links"]["next"]["href"]).netloc == urlsplit(emulator.base_url).netloc
