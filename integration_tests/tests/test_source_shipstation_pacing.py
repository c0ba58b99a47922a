"""The ShipStation client paces itself on the rate-limit headers, against the emulator's real windows.

The emulator counts fixed 60-second windows on its own clock. To keep these tests short, a window is opened and
the emulator's clock moved to a few seconds before that window ends; the client knows nothing of this and must
learn it from X-Rate-Limit-Remaining / X-Rate-Limit-Reset (or Retry-After) alone. The client is the one
source-shipstation builds from its config, so these are the waits a sync makes.
"""
from __future__ import annotations

import logging
import time

import pytest
import requests

from emulators.configs import shipstation_config
from emulators.shipstation import start_emulator
from emulators.shipstation_testkit import control, stats
from shipstation_lib.client import ShipStationClient

LIMIT = 3
SECONDS_LEFT_IN_WINDOW = 3


@pytest.fixture
def emulator():
    with start_emulator(seed=5, items=6, locations=1, customers=2, orders=3) as running:
        yield running


def rate_limited(emulator, version: str = "v1") -> int:
    return stats(emulator)["rate_limited"][version]


def open_window_nearly_over(emulator, config: dict, calls: int) -> None:
    """Someone else on the same key makes `calls` requests; then the window has a few seconds left."""
    version = config["credentials"]["api_version"]
    control(emulator, "rate-limits", {version: LIMIT, "reset_windows": True})
    if version == "v1":
        url, auth, headers = f"{emulator.base_url}/warehouses", \
            (config["credentials"]["api_key"], config["credentials"]["api_secret"]), {}
    else:
        url, auth, headers = f"{emulator.base_url}/v2/warehouses", None, {"API-Key": config["credentials"]["api_key"]}
    for _ in range(calls):
        requests.get(url, auth=auth, headers=headers, timeout=10).raise_for_status()
    control(emulator, "clock/advance", {"seconds": 60 - SECONDS_LEFT_IN_WINDOW})


def test_client_waits_for_the_window_to_reset_when_none_remain_and_gets_no_429(emulator):
    config = shipstation_config(emulator.base_url, "v1")
    open_window_nearly_over(emulator, config, calls=1)
    client = ShipStationClient(config, logging.getLogger("test"))

    started = time.monotonic()
    for _ in range(LIMIT + 1):  # two fit in this window, the rest only in the next one
        client.get("warehouses")
    elapsed = time.monotonic() - started

    assert rate_limited(emulator) == 0
    # It waited for the reset the headers announced, and not a whole minute.
    assert SECONDS_LEFT_IN_WINDOW - 1 <= elapsed <= SECONDS_LEFT_IN_WINDOW + 5


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_429_is_waited_out_as_retry_after_says_and_the_call_then_succeeds(emulator, version):
    config = shipstation_config(emulator.base_url, version)
    open_window_nearly_over(emulator, config, calls=LIMIT)  # another app used the whole window
    client = ShipStationClient(config, logging.getLogger("test"))

    started = time.monotonic()
    warehouses = client.get("warehouses")
    elapsed = time.monotonic() - started

    # v2 sends no X-Rate-Limit-* headers (the emulator's default, as documented): Retry-After alone says how long.
    assert warehouses and rate_limited(emulator, version) == 1
    assert SECONDS_LEFT_IN_WINDOW - 1 <= elapsed <= SECONDS_LEFT_IN_WINDOW + 5
