import datetime

import requests

from shipstation_lib.pacing import RetryAfterBackoff, shipstation_budget


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
