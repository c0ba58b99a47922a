"""The relay's fast path, as `serve` runs it: a printed label's webhook becomes its NetSuite fulfillment through
the destination alone (no source process), exactly once however often it is delivered or replayed, and a shipment
the fast path could not apply (its sales order not yet in NetSuite) is applied by the next regular sync."""
from __future__ import annotations

import os
import time

import pytest

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")
pytest.importorskip("webhook_relay.relay")

from emulators import fulfillment_testkit as kit  # noqa: E402

from sync_runner.cli import main  # noqa: E402
from sync_runner.config import load_config  # noqa: E402
from sync_runner.connection import close_fast_path_sessions  # noqa: E402
from sync_runner.relay_bridge import start_relay  # noqa: E402
from sync_runner.runner import Runner  # noqa: E402
from sync_runner.scheduler import Scheduler  # noqa: E402

CONNECTION = "shipments_to_netsuite"


class Served:
    """The runner's scheduler with the relay started on it, as `serve` does; counts regular syncs and keeps
    every fast-path run's records and summary."""

    def __init__(self, config_path, ss, port: int) -> None:
        self.port = port  # the relay section add_relay (conftest.py) wrote into the config
        self.config_path, self.ss = config_path, ss
        self.config = load_config(config_path)
        self.lines: list[str] = []
        self.runner = Runner(self.config, progress=self.lines.append, lock_wait_seconds=60)
        self.syncs: list[object] = []
        self.applies: list[tuple[list[dict], object]] = []

        def run(name):
            summary = self.runner.run(name)
            self.syncs.append(summary)
            return summary

        def apply(name, records):
            summary = self.runner.apply(name, records)
            self.applies.append((records, summary))
            return summary

        # No schedules here: every sync in these tests is one the test asks for.
        self.scheduler = Scheduler(run, {name: None for name in self.config.connections}, apply_once=apply)

    def __enter__(self) -> "Served":
        self.scheduler.start()
        self.stop_relay = start_relay(self.config.relay, self.scheduler, set(self.config.connections),
                                      self.config.state_dir, self.lines.append,
                                      shipments_connection=self.config.connection(CONNECTION))
        assert main(["subscribe", "--config", str(self.config_path)]) == 0
        return self

    def __exit__(self, *exc) -> None:
        self.stop_relay()
        assert self.scheduler.stop(60)
        close_fast_path_sessions()

    def sync(self):
        return self.scheduler.request_sync(CONNECTION, wait=True, timeout=120)


def wait_for(condition, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def fulfillments_of(ns, shipment_id: str) -> list[dict]:
    return kit.sql(ns, f"""SELECT id FROM "transaction" WHERE type = 'ItemShip' AND externalid = 'ss-{shipment_id}'""")


def hide_order(ns, tranid: str, hidden: bool) -> None:
    """The sales order is (not) in NetSuite yet, as far as a lookup by order number can tell."""
    db = ns.backend.db
    old, new = (tranid, f"later-{tranid}") if hidden else (f"later-{tranid}", tranid)
    with db.lock:
        db.conn.execute('UPDATE "transaction" SET tranid = ? WHERE tranid = ?', (new, old))
        db.version += 1


def test_a_webhook_becomes_exactly_one_fulfillment_without_a_source_run(world, add_relay):
    ns, ss, config_path, secrets = world
    with Served(config_path, ss, add_relay(config_path)) as served:
        order = kit.unused_orders(ns)[0]
        label = kit.control(ss, "labels", {"order_number": order})
        wait_for(lambda: served.applies and fulfillments_of(ns, label["v2_shipment_id"]))
        [made] = kit.fulfillments(ns, order)
        assert made["packages"] == label["tracking_numbers"]
        assert served.syncs == []  # no source process was started for it
        [(records, summary)] = served.applies
        assert [r["shipment_id"] for r in records] == [str(label["v2_shipment_id"])]
        assert summary.outcomes == {"created": 1}
        # The summary carries the run's audit, as a sync's does (the runner's audit store keeps it).
        assert [e["outcome"] for e in summary.audit] == ["created"]
        assert str(label["v2_shipment_id"]) in str(summary.audit[0])
    assert any("fast path" in line for line in served.lines)
    assert not any(secret in line for line in served.lines for secret in secrets)


def test_a_replayed_notification_or_record_never_duplicates(world, add_relay):
    ns, ss, config_path, _ = world
    with Served(config_path, ss, add_relay(config_path)) as served:
        order = kit.unused_orders(ns)[0]
        label = kit.control(ss, "labels", {"order_number": order})
        sid = str(label["v2_shipment_id"])
        wait_for(lambda: served.applies and fulfillments_of(ns, sid))
        # ShipStation delivers the same webhook again: the relay keeps it as a duplicate, nothing is applied.
        ss.backend.notify("v2", "label_created_v2", f"{ss.base_url}/v2/labels?batch_id=se-{label['batch_id']}", None)
        time.sleep(2)
        assert len(served.applies) == 1
        # The same records applied again (a restarted relay replaying), then a regular sync reading the label.
        again = served.scheduler.apply_records(CONNECTION, served.applies[0][0], timeout=60)
        assert again.outcomes == {"already_present": 1}
        synced = served.sync()
        assert synced.records_read >= 1 and "created" not in synced.outcomes
        assert len(fulfillments_of(ns, sid)) == 1
        assert len(kit.fulfillments(ns, order)) == 1


def test_a_shipment_the_fast_path_could_not_apply_is_applied_by_the_next_regular_sync(world, add_relay):
    ns, ss, config_path, _ = world
    with Served(config_path, ss, add_relay(config_path)) as served:
        served.sync()  # the connection has state: the next sync reads from here (lookback 0 in this config)
        order = kit.unused_orders(ns)[0]
        hide_order(ns, order, hidden=True)
        label = kit.control(ss, "labels", {"order_number": order})
        sid = str(label["v2_shipment_id"])
        wait_for(lambda: served.applies)
        [(_, summary)] = served.applies
        assert set(summary.outcomes) == {"skipped"}, summary.outcomes
        assert fulfillments_of(ns, sid) == []
        hide_order(ns, order, hidden=False)  # the order reaches NetSuite
        synced = served.sync()
        # Read again because the fast path moved no state past it, and applied now.
        assert synced.outcomes.get("created") == 1, synced.outcomes
        assert len(fulfillments_of(ns, sid)) == 1
