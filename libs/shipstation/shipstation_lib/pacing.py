"""Pacing on ShipStation's rate limit, shared by every stream and worker using one key.

The CDK's API budget reads a reset header as an epoch timestamp; ShipStation's `X-Rate-Limit-Reset` is a
countdown in seconds (airbyte-python-cdk issue 1151), so this budget converts it before the CDK's fixed-window
policy sees it. Before the first answer, and on v2 where the headers are usually absent, the window is the
configured per-minute limit.

ShipStation counts in fixed 60 s windows on both APIs, always: so the window is not a config field.
`WINDOW_SECONDS` is read each time a budget or backoff is made, so a test against the emulator with a shortened
window can shorten it here too, in process (integration_tests/emulators/reliability.py `short_rate_window`);
a caller can also pass `window_seconds`.
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
WINDOW_SECONDS = 60.0  # ShipStation's rate window
MAX_BACKOFF_S = 60.0  # longest wait between retries of a failure that gives no wait of its own


def _window(window_seconds: Optional[float]) -> float:
    return float(WINDOW_SECONDS if window_seconds is None else window_seconds)


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


def shipstation_budget(calls_per_window: int, window_seconds: Optional[float] = None) -> CountdownResetBudget:
    window = datetime.timedelta(seconds=_window(window_seconds))
    policy = FixedWindowCallRatePolicy(
        next_reset_ts=datetime.datetime.now() + window,
        period=window,
        call_limit=calls_per_window,
        matchers=[],
    )
    return CountdownResetBudget(ratelimit_reset_header=RESET_HEADER, ratelimit_remaining_header=REMAINING_HEADER,
                                policies=[policy])


def sliding_window_budget(calls_per_window: int, window_seconds: Optional[float] = None) -> HttpAPIBudget:
    """At most `calls_per_window` calls in any window-long span (plus a margin for network jitter), for a writer
    that must see no 429: a client-side fixed window starts when the client is made, ShipStation's at its first
    call, and wherever the two fall, a window ShipStation counts in can never hold more than the limit this way."""
    policy = MovingWindowCallRatePolicy(
        rates=[Rate(calls_per_window, datetime.timedelta(seconds=_window(window_seconds) + RESET_MARGIN_S))],
        matchers=[])
    return HttpAPIBudget(ratelimit_reset_header=RESET_HEADER, ratelimit_remaining_header=REMAINING_HEADER,
                         policies=[policy])


class RetryAfterBackoff(BackoffStrategy):
    """Wait as long as a 429 says (Retry-After, else the reset countdown); exponential for other retries."""

    def __init__(self, window_seconds: Optional[float] = None) -> None:
        self.window_seconds = _window(window_seconds)

    def backoff_time(self, response_or_exception, attempt_count: int) -> Optional[float]:
        if isinstance(response_or_exception, requests.Response):
            for header in ("Retry-After", RESET_HEADER):
                value = response_or_exception.headers.get(header)
                if value is not None:
                    try:
                        # No margin of ours: the CDK sleeps a second past whatever this returns (its
                        # user_defined_backoff_handler), which already covers a countdown rounded down. Never 0,
                        # which the CDK takes as "no wait given" and replaces with its own exponential backoff.
                        return max(float(value), 0.1)
                    except ValueError:
                        continue
            if response_or_exception.status_code == 429:
                # A 429 that says no wait: one whole window certainly ends the window it was counted in.
                return min(2.0 ** attempt_count, self.window_seconds)
        return min(2.0 ** attempt_count, MAX_BACKOFF_S)
