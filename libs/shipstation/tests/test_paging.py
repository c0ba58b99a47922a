"""The one ShipStation paginator: v2 follows `links.next.href` (bounded, never off the API's host, never back to a
page already read), v1 pages by number, and a page without its list is an error, never "no records"."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from shipstation_lib.client import ShipStationClient
from shipstation_lib.errors import BadAnswer
from shipstation_lib.paging import pages, rows

BASE = "https://api.shipstation.test"


class Scripted(ShipStationClient):
    """A real client whose HTTP answers are scripted per URL path and `page`/`cursor` query value."""

    def __init__(self, version: str, answers) -> None:
        creds = {"api_version": version, "api_key": "k", "api_secret": "s"}
        super().__init__({"credentials": creds, "base_url": BASE})
        self.answers, self.asked = answers, []

    def _json(self, url, params):
        query = {**dict(parse_qsl(urlsplit(url).query)), **{k: str(v) for k, v in (params or {}).items()}}
        self.asked.append((urlsplit(url).path, query))
        return self.answers(urlsplit(url).path, query)


def v2_page(rows_, page, pages_, next_href=None):
    return {"inventory": rows_, "total": 9, "page": page, "pages": pages_,
            "links": {"first": {"href": f"{BASE}/v2/inventory"}, "last": {"href": f"{BASE}/v2/inventory"},
                      "prev": {}, "next": {"href": next_href} if next_href else {}}}


def test_v2_follows_next_links_with_the_documented_limit_and_never_sends_page():
    def answers(path, q):
        n = int(q.get("cursor", "1"))
        return v2_page([{"sku": f"S{n}"}], n, 3, f"{BASE}/v2/inventory?limit=1&cursor={n + 1}" if n < 3 else None)
    client = Scripted("v2", answers)
    assert [r["sku"] for r in rows(client, "inventory", "inventory", size=1)] == ["S1", "S2", "S3"]
    first = client.asked[0][1]
    assert first == {"limit": "1"}  # OAS getInventoryLevels documents `limit`; no page, no page_size
    assert all("page" not in q and "page_size" not in q for _, q in client.asked)


@pytest.mark.parametrize("href, words", [
    ("https://evil.example/v2/inventory?cursor=2", "not on"),
    ("http://api.shipstation.test/v2/inventory?cursor=2", "not on"),  # the scheme counts too
    (f"{BASE}/v2/inventory?limit=500", "already read"),  # back to the first page
])
def test_v2_refuses_a_next_link_off_the_api_or_back_to_a_page_read(href, words):
    client = Scripted("v2", lambda path, q: v2_page([{"sku": "S1"}], 1, 2, href))
    with pytest.raises(BadAnswer, match=words):
        list(rows(client, "inventory", "inventory"))
    assert len(client.asked) == 1  # nothing was sent to the link


def test_v2_an_api_that_ignores_the_page_asked_for_is_caught_not_read_forever():
    client = Scripted("v2", lambda path, q: v2_page([{"sku": "S1"}], 1, 5,
                                                    f"{BASE}/v2/inventory?cursor={int(q.get('cursor', 1)) + 1}"))
    with pytest.raises(BadAnswer, match="page 1 again"):
        list(rows(client, "inventory", "inventory"))


def test_v2_more_pages_said_but_no_way_to_them_is_an_error():
    client = Scripted("v2", lambda path, q: v2_page([{"sku": "S1"}], 1, 3, None))
    with pytest.raises(BadAnswer, match="no `links.next.href`"):
        list(rows(client, "inventory", "inventory"))


def test_v2_page_count_is_bounded():
    client = Scripted("v2", lambda path, q: v2_page([], int(q.get("cursor", 1)), 10 ** 6,
                                                    f"{BASE}/v2/inventory?cursor={int(q.get('cursor', 1)) + 1}"))
    with pytest.raises(BadAnswer, match="after 3"):
        list(pages(client, "inventory", max_pages=3))


def test_v1_pages_by_number_and_refuses_an_answer_for_another_page():
    def answers(path, q):
        return {"orders": [{"orderId": int(q["page"])}], "page": int(q["page"]), "pages": 2}
    client = Scripted("v1", answers)
    assert [r["orderId"] for r in rows(client, "orders", "orders")] == [1, 2]
    assert client.asked[0][1]["pageSize"] == "500"
    stuck = Scripted("v1", lambda path, q: {"orders": [], "page": 1, "pages": 2})
    with pytest.raises(BadAnswer, match="page 1 where page 2 was asked"):
        list(rows(stuck, "orders", "orders"))


def test_a_page_without_its_list_is_an_error_not_no_records():
    client = Scripted("v2", lambda path, q: {"total": 0, "page": 1, "pages": 1, "links": {}})
    with pytest.raises(BadAnswer, match="has no `inventory` list"):
        list(rows(client, "inventory", "inventory"))
