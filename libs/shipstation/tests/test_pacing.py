import datetime

import requests

from shipstation_lib import pacing
from shipstation_lib.pacing import RESET_MARGIN_S, RetryAfterBackoff, shipstation_budget, sliding_window_budget


def _response(status=200, **headers):
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


def test_reset_header_is_read_as_seconds_from_now_not_as_a_timestamp():
    budget = shipstation_budget(40)
    before = datetime.datetime.now()
    reset = budget.get_reset_ts_from_response(_response(**{"X-Rate-Limit-Reset": "22"}))
    assert datetime.timedelta(seconds=22) <= reset - before <= datetime.timedelta(seconds=24)


def test_429_waits_as_long_as_retry_after_says():
    wait = RetryAfterBackoff().backoff_time(_response(429, **{"Retry-After": "7"}), attempt_count=1)
    assert 7 <= wait <= 8.5


def test_429_without_retry_after_falls_back_to_the_reset_countdown():
    wait = RetryAfterBackoff().backoff_time(_response(429, **{"X-Rate-Limit-Reset": "13"}), attempt_count=1)
    assert 13 <= wait <= 14.5


def test_budget_blocks_once_the_servers_remaining_count_reaches_zero():
    budget = shipstation_budget(40)
    request = requests.Request("GET", "http://127.0.0.1/shipments").prepare()
    budget.update_from_response(request, _response(**{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "30"}))
    try:
        budget.acquire_call(request, block=False)
    except Exception as exc:  # CallRateLimitHit
        assert exc.time_to_wait > datetime.timedelta(seconds=25)
    else:
        raise AssertionError("a call was allowed although ShipStation said none remain")


def _wait_once_spent(budget, calls: int) -> datetime.timedelta:
    """How long the budget makes the call after `calls` wait."""
    request = requests.Request("GET", "http://127.0.0.1/inventory").prepare()
    for _ in range(calls):
        budget.acquire_call(request, block=False)
    try:
        budget.acquire_call(request, block=False)
    except Exception as exc:  # CallRateLimitHit
        return exc.time_to_wait
    raise AssertionError("a call past the limit was allowed at once")


def test_budgets_wait_out_shipstations_whole_minute_by_default():
    assert _wait_once_spent(shipstation_budget(2), 2) > datetime.timedelta(seconds=55)
    assert _wait_once_spent(sliding_window_budget(2), 2) > datetime.timedelta(seconds=60)


def test_a_shorter_window_given_to_a_budget_is_the_wait():
    assert _wait_once_spent(shipstation_budget(2, window_seconds=3), 2) <= datetime.timedelta(seconds=3)
    wait = _wait_once_spent(sliding_window_budget(2, window_seconds=3), 2)
    assert datetime.timedelta(seconds=3) < wait <= datetime.timedelta(seconds=3 + RESET_MARGIN_S)


def test_the_module_window_is_read_when_a_budget_is_made(monkeypatch):
    # What a test against the emulator's shortened window relies on: connectors build their budgets without one.
    monkeypatch.setattr(pacing, "WINDOW_SECONDS", 3)
    assert _wait_once_spent(sliding_window_budget(2), 2) <= datetime.timedelta(seconds=3 + RESET_MARGIN_S)
    assert _wait_once_spent(shipstation_budget(2), 2) <= datetime.timedelta(seconds=3)


def test_a_429_saying_no_wait_waits_at_most_one_window():
    # One whole window always ends the window the refused call was counted in; waiting longer gains nothing.
    silent_429 = _response(429)
    assert RetryAfterBackoff(window_seconds=3).backoff_time(silent_429, attempt_count=6) == 3
    assert RetryAfterBackoff().backoff_time(silent_429, attempt_count=10) == 60
    assert RetryAfterBackoff(window_seconds=3).backoff_time(_response(503), attempt_count=4) == 16


def test_retry_after_zero_is_still_a_wait_of_ours():
    # The CDK replaces a falsy wait with its own exponential backoff (seconds to minutes); ShipStation said now.
    wait = RetryAfterBackoff().backoff_time(_response(429, **{"Retry-After": "0"}), attempt_count=3)
    assert 0 < wait < 1
