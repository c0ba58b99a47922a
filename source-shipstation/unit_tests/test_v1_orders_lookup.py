"""Finding the orders behind a page of v1 fulfillments never costs more calls than fetching each order would."""
from datetime import datetime, timezone

from shipstation_lib.credentials import ShipStationApi
from source_shipstation.v1_orders_lookup import orders_by_id


class FakeV1:
    version = "v1"
    api = ShipStationApi.from_config({"credentials": {"api_version": "v1", "api_key": "k", "api_secret": "s"}})

    def __init__(self, listed: list[dict], pages: int) -> None:
        self.listed, self.pages, self.calls = listed, pages, []

    def get(self, path, params=None):
        self.calls.append(path)
        if path == "orders":
            page = params["page"]
            return {"orders": self.listed if page == 1 else [], "page": page, "pages": self.pages}
        return {"orderId": int(path.split("/")[1]), "fetched": True}


SINCE = datetime(2026, 11, 20, tzinfo=timezone.utc)


def test_one_listing_finds_every_order_of_the_page():
    client = FakeV1([{"orderId": 1}, {"orderId": 2}, {"orderId": 3}, {"orderId": 9}], pages=1)
    found = orders_by_id(client, {1, 2, 3}, SINCE)
    assert sorted(found) == [1, 2, 3] and client.calls == ["orders"]


def test_on_a_busy_account_the_listing_stops_and_the_rest_is_fetched_one_by_one():
    client = FakeV1([], pages=50)  # 50 pages of other orders' changes
    found = orders_by_id(client, {1, 2}, SINCE)
    assert all(found[i]["fetched"] for i in (1, 2))
    assert len(client.calls) <= 3  # at most one page, then the two single fetches


def test_a_single_order_is_fetched_directly():
    client = FakeV1([], pages=1)
    orders_by_id(client, {4}, SINCE)
    assert client.calls == ["orders/4"]
