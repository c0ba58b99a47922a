"""`make demo`'s flow, whole, with a smaller merchant: both emulators, the four checks, sync 2 twice through the
local runner, three labels through webhook -> relay -> runner -> NetSuite, a void reversed by sync 1, and the
closing summary; and nothing left running afterwards."""
from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")
pytest.importorskip("webhook_relay.relay")

DEMO_PATH = Path(__file__).resolve().parents[1] / "demo.py"


def load_demo():
    spec = importlib.util.spec_from_file_location("netsuite_shipstation_demo", DEMO_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_demo_shows_both_directions_and_stops_everything(tmp_path):
    demo = load_demo()
    threads_before = set(threading.enumerate())
    lines: list[str] = []
    result = demo.run_demo(tmp_path, merchant=dict(items=16, locations=2, customers=4, orders=6), out=lines.append)
    text = "\n".join(lines)

    # the four checks, one line each
    checks = [ln for ln in lines if re.match(r"^ {3}(source|destination)-\S+ ", ln)]
    assert len(checks) == 4 and all(ln.endswith("SUCCEEDED") for ln in checks)
    # sync 2: what differed was corrected, with examples, and a second run wrote nothing
    assert result.stock_differed > 0 and result.stock_corrected == result.stock_differed
    assert f"{result.stock_corrected} corrected in ShipStation" in text
    examples = [ln for ln in lines if re.search(r" at .+: ShipStation (\d+|none) -> \d+ \(NetSuite available\)$", ln)]
    assert 3 <= len(examples) <= 5
    assert result.second_run_writes == 0 and "0 writes to ShipStation" in text
    # sync 1 by webhook: each label became a Shipped fulfillment with its tracking numbers, within seconds
    assert "subscribed to ShipStation API v2 webhooks" in text
    assert len(result.fulfillments) == 3
    for made in result.fulfillments:
        assert re.search(rf"order {made['order_number']} \(.+\): item fulfillment {made['fulfillment_id']}, Shipped, "
                         r"\d+\.\d s after the label", text)
        assert f"tracking: {', '.join(made['tracking_numbers'])}" in text
        assert made["seconds"] < demo.FULFILLMENT_WAIT_S
    assert len(result.fulfillments[2]["tracking_numbers"]) == 2  # the two-package label
    # the void, reversed by the next sync 1
    assert result.reversed_order == result.fulfillments[0]["order_number"]
    assert re.search(rf"item fulfillment {result.fulfillments[0]['fulfillment_id']} reversed, order "
                     rf"{result.reversed_order} is back to Pending Fulfillment", text)
    # the closing summary, for someone who has never seen the project
    summary = text.split("What changed", 1)[1]
    assert "ShipStation:" in summary and "NetSuite:" in summary and "Demo done in" in summary
    # no secret printed, nothing left running
    assert not any(t.is_alive() and not t.daemon for t in set(threading.enumerate()) - threads_before)
    assert not re.search(r"token_secret|consumer_secret|api_key", text)
