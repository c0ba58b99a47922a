"""Pacing on ShipStation's rate limit, shared by every stream and worker using one key.

The CDK's API budget reads a reset header as an epoch timestamp; ShipStation's `X-Rate-Limit-Reset` is a
countdown in seconds (airbyte-python-cdk issue 1151), so this budget converts it before the CDK's fixed-window
policy sees it. Before the first answer, and on v2 where the headers are usually absent, the window is the
configured per-minute limit.
"""
from __future__ import annotations

import datetime
from typing import Optional

import requests
from airbyte_cdk.sources.streams.call_rate import (FixedWindowCallRatePolicy, HttpAPIBudget,
                                                  MovingWindowCallRatePolicy, Rate)
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy

RESET_HEADER = "X-Rate-Limit-Reset"
REMAINING_HEADER = "X-Rate-Limit-Remaining"
# The countdown is whole seconds, rounded down: wait a little past it so the next call lands in the new window.
RESET_MARGIN_S = 1.0


class CountdownResetBudget(HttpAPIBudget):
    def get_reset_ts_from_response(self, response: requests.Response) -> Optional[datetime.datetime]:
        value = response.headers.get(self._ratelimit_reset_header)
        if value is None:
            # v2 sends no X-Rate-Limit-Reset, only Retry-After on a 429. Without this, the CDK marks the window
            # spent with no reset time and the budget sits out its own whole minute instead of Retry-After.
            value = response.headers.get("Retry-After")
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            return None
        return datetime.datetime.now() + datetime.timedelta(seconds=seconds + RESET_MARGIN_S)


def shipstation_budget(calls_per_minute: int) -> CountdownResetBudget:
    policy = FixedWindowCallRatePolicy(
        next_reset_ts=datetime.datetime.now() + datetime.timedelta(minutes=1),
        period=datetime.timedelta(minutes=1),
        call_limit=calls_per_minute,
        matchers=[],
    )
    return CountdownResetBudget(ratelimit_reset_header=RESET_HEADER, ratelimit_remaining_header=REMAINING_HEADER,
                                policies=[policy])


def sliding_window_budget(calls_per_minute: int) -> HttpAPIBudget:
    """At most `calls_per_minute` calls in any 60 s span (plus a margin for network jitter), for a writer that
    must see no 429: a client-side fixed window starts when the client is made, ShipStation's at its first call,
    and wherever the two fall, a window ShipStation counts in can never hold more than the limit this way."""
    policy = MovingWindowCallRatePolicy(
        rates=[Rate(calls_per_minute, datetime.timedelta(seconds=60 + RESET_MARGIN_S))], matchers=[])
    return HttpAPIBudget(ratelimit_reset_header=RESET_HEADER, ratelimit_remaining_header=REMAINING_HEADER,
                         policies=[policy])


class RetryAfterBackoff(BackoffStrategy):
    """Wait as long as a 429 says (Retry-After, else the reset countdown); exponential for other retries."""

    def backoff_time(self, response_or_exception, attempt_count: int) -> Optional[float]:
        if isinstance(response_or_exception, requests.Response):
            for header in ("Retry-After", RESET_HEADER):
                value = response_or_exception.headers.get(header)
                if value is not None:
                    try:
                        return max(float(value), 0.0) + RESET_MARGIN_S
                    except ValueError:
                        continue
        return min(2.0 ** attempt_count, 60.0)
