"""v1 answers hold to what D1 documents (issue 14, items 11 and 12).

- A v1 429 carries the three documented headers (X-Rate-Limit-Limit, -Remaining, -Reset: seconds left) and no
  Retry-After, which v1 does not document: a client that waits only on Retry-After must fail here as it would
  hammer the real API.
- `GET /orders/list` (a path from before the current docs) is not served: D1 documents GET /orders,
  GET /orders/{orderId} (an integer) and GET /orders/listbytag. It answers ASP.NET Web API's "no resource" 404,
  not an order lookup.
"""
from __future__ import annotations

import pytest

from emulators.shipstation import start_emulator
from emulators.shipstation.testkit import control, reset, v1

V1_RATE_HEADERS = {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=2, items=6, locations=2, customers=3, orders=4) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    reset(emulator)
    yield


def test_v1_429_sends_the_three_documented_headers_and_no_retry_after(emulator):
    control(emulator, "rate-limits", {"v1": 2, "reset_windows": True})
    assert [v1(emulator, "/stores").status_code for _ in range(2)] == [200, 200]
    over = v1(emulator, "/stores")
    assert over.status_code == 429 and over.json() == {"message": "Too Many Requests"}
    present = {h.lower() for h in over.headers}
    assert V1_RATE_HEADERS <= present
    assert "retry-after" not in present
    assert (over.headers["X-Rate-Limit-Limit"], over.headers["X-Rate-Limit-Remaining"]) == ("2", "0")
    assert 0 < int(over.headers["X-Rate-Limit-Reset"]) <= 60
    control(emulator, "clock/advance", {"seconds": int(over.headers["X-Rate-Limit-Reset"])})
    assert v1(emulator, "/stores").status_code == 200  # waiting out X-Rate-Limit-Reset is enough


def test_an_injected_v1_429_looks_the_same(emulator):
    control(emulator, "faults", {"rate": 1.0, "seed": 1, "kinds": ["429"]})
    over = v1(emulator, "/orders")
    assert over.status_code == 429 and over.json() == {"message": "Too Many Requests"}
    present = {h.lower() for h in over.headers}
    assert V1_RATE_HEADERS <= present and "retry-after" not in present
    assert over.headers["X-Rate-Limit-Remaining"] == "0" and int(over.headers["X-Rate-Limit-Reset"]) > 0


@pytest.mark.parametrize("path", ["/orders/list", "/orders/List", "/orders/list?orderStatus=awaiting_shipment"])
def test_orders_list_is_not_served(emulator, path):
    answer = v1(emulator, path)
    assert answer.status_code == 404
    body = answer.json()
    assert body["Message"].startswith("No HTTP resource was found that matches the request URI")
    assert "MessageDetail" in body and "Order list" not in answer.text


def test_a_numeric_unknown_order_is_still_an_order_lookup(emulator):
    answer = v1(emulator, "/orders/999999999")
    assert answer.status_code == 404 and "999999999" in answer.text
    known = v1(emulator, "/orders").json()["orders"][0]["orderId"]
    assert v1(emulator, f"/orders/{known}").status_code == 200
