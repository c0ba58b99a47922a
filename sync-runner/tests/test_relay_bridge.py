"""`serve`'s relay wiring, whole: ShipStation's webhook for a printed label reaches the relay, which asks this
runner for a sync, which writes the fulfillment into NetSuite through PyAirbyte."""
from __future__ import annotations

import os
import time

import pytest

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")
pytest.importorskip("webhook_relay.relay")

from emulators import fulfillment_testkit as kit  # noqa: E402

from sync_runner.config import load_config  # noqa: E402
from sync_runner.cli import main  # noqa: E402
from sync_runner.relay_bridge import start_relay  # noqa: E402
from sync_runner.scheduler import Scheduler  # noqa: E402
from sync_runner.runner import Runner  # noqa: E402


def test_a_printed_label_reaches_netsuite_through_the_relay_and_this_runner(world, add_relay):
    ns, ss, config_path, secrets = world
    port = add_relay(config_path)
    config = load_config(config_path)
    lines: list[str] = []
    runner = Runner(config, progress=lines.append)
    # No schedules here: every sync in this test is one the relay asked for.
    scheduler = Scheduler(runner.run, {"shipments_to_netsuite": None}).start()
    stop_relay = start_relay(config.relay, scheduler, set(config.connections), config.state_dir, lines.append)
    try:
        assert main(["subscribe", "--config", str(config_path)]) == 0
        order = kit.unused_orders(ns)[0]
        label = kit.control(ss, "labels", {"order_number": order})
        deadline = time.monotonic() + 30
        while not kit.fulfillments(ns, order) and time.monotonic() < deadline:
            time.sleep(0.2)
        [made] = kit.fulfillments(ns, order)
        assert made["packages"] == label["tracking_numbers"]
        assert scheduler.runs_started >= 1
    finally:
        stop_relay()
        assert scheduler.stop(30)
    assert f"webhook relay listening on http://127.0.0.1:{port}, triggering shipments_to_netsuite" in lines
    assert not any(secret in line for line in lines for secret in secrets)


def test_a_connection_without_a_schedule_is_warned_that_skipped_shipments_wait_for_a_regular_sync():
    from sync_runner.config import Connection, Endpoint
    from sync_runner.relay_bridge import unscheduled_catch_up

    def connection(interval):
        return Connection("shipments_to_netsuite", Endpoint("source-shipstation", {}),
                          Endpoint("destination-netsuite-fulfillment", {}), ["shipments"], interval)

    warning = unscheduled_catch_up(connection(None))
    assert warning.startswith("[shipments_to_netsuite] has no schedule: a shipment the fast path skips")
    assert "sync-runner run shipments_to_netsuite" in warning
    assert unscheduled_catch_up(connection(900)) is None
    assert unscheduled_catch_up(None) is None
