"""The audit store answers what people ask: an order's, a shipment's, a SKU's or a fulfillment's whole history,
what needs attention now, a run's records; and every run the Runner makes lands in it, failed ones too."""
from __future__ import annotations

from pathlib import Path

import pytest

from sync_runner.audit_store import AuditStore
from sync_runner.config import parse_config
from sync_runner.connection import RunFailed, RunSummary
from sync_runner.runner import Runner


def shipment(key, outcome, order, reason=None, **details):
    entry = {"at": "2026-11-30T10:00:00+00:00", "connector": "destination-netsuite-fulfillment",
             "stream": "shipments", "key": key, "outcome": outcome, "order_number": order, **details}
    return entry | ({"reason": reason} if reason else {})


@pytest.fixture()
def store(tmp_path) -> AuditStore:
    store = AuditStore(tmp_path / "audit.sqlite3")
    store.ingest("shipments_to_netsuite", [
        shipment("se-1", "created", "SO100", fulfillment_id="77", tracking_numbers=["1Z1"],
                 lines=[{"line": 1, "sku": "MUG-1", "quantity": 2, "bin": "A-01", "lot": "L7"}]),
        shipment("se-2", "skipped", "SO101", reason="no sales order with tranid SO101"),
    ], seconds=4.0, records_read=2, outcomes={"created": 1, "skipped": 1})
    store.ingest("stock_to_shipstation", [
        {"at": "2026-11-30T11:00:00+00:00", "stream": "stock", "key": "MUG-1 @ Main", "outcome": "updated",
         "quantity": 9, "previous": 4},
    ], seconds=2.0, records_read=1, outcomes={"updated": 1})
    store.ingest("shipments_to_netsuite", [
        shipment("se-2", "created", "SO101", fulfillment_id="78"),
        shipment("se-3", "failed", "SO102", reason="NetSuite answered 500"),
    ], seconds=3.0, records_read=2, outcomes={"created": 1, "failed": 1}, kind="targeted replay")
    return store


def test_one_search_finds_an_order_a_shipment_a_sku_and_a_fulfillment_across_runs(store):
    by_order, total = store.search("so101")  # any case
    assert total == 2 and [o.outcome for o in by_order] == ["created", "skipped"]  # newest first
    assert {o.run_id for o in by_order} == {1, 3}
    [by_shipment], _ = store.search("se-1")
    assert by_shipment.tracking_numbers == ["1Z1"] and by_shipment.lines[0]["bin"] == "A-01"
    by_sku, total = store.search("MUG-1")
    assert total == 2 and {o.stream for o in by_sku} == {"shipments", "stock"}
    [by_fulfillment], _ = store.search("78")
    assert by_fulfillment.key == "se-2"
    assert store.search("nothing-like-this") == ([], 0)


def test_needs_attention_is_each_records_latest_outcome_only(store):
    attention = store.needs_attention()
    assert [(o.key, o.outcome, o.reason) for o in attention] == [("se-3", "failed", "NetSuite answered 500")]


def test_runs_and_queries_by_outcome_run_and_date(store):
    runs = store.runs()
    assert [r.kind for r in runs] == ["targeted replay", "sync", "sync"]
    assert runs[0].outcomes == {"created": 1, "failed": 1} and runs[0].seconds == 3.0
    assert runs[0].started_at < runs[0].ended_at
    assert [o.key for o in store.query(run_id=1)] == ["se-1", "se-2"]  # in the order the run applied them
    assert [o.key for o in store.query(outcome="created")] == ["se-2", "se-1"]
    assert [o.key for o in store.query(since="2026-11-30T10:30", until="2026-12-01")] == ["MUG-1 @ Main"]
    assert store.first_seen("shipments_to_netsuite", ["se-2", "se-9"]) == {"se-2": "2026-11-30T10:00:00+00:00"}


def test_every_runner_run_is_kept_failed_ones_too(tmp_path, monkeypatch):
    config = parse_config({"connections": {"c": {"streams": ["shipments"], "source": {"connector": "s"},
                                                 "destination": {"connector": "d"}}}, "state_dir": "state"}, tmp_path)
    audit = [shipment("se-5", "created", "SO5")]
    summary = RunSummary("c", 1, {"created": 1}, Path("audit.jsonl"), 1.5, audit)
    results = iter([summary, RunFailed("c failed: NetSuite is down", summary)])

    def fake_run(*args, **kwargs):
        result = next(results)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr("sync_runner.runner.run_connection", fake_run)
    runner = Runner(config, progress=lambda text: None)
    runner.run("c")
    with pytest.raises(RunFailed):
        runner.run("c")
    runs = AuditStore.for_state_dir(config.state_dir).runs()
    assert [r.error for r in runs] == ["c failed: NetSuite is down", None]
    assert AuditStore.for_state_dir(config.state_dir).search("SO5")[1] == 2


def test_a_store_that_cannot_be_written_does_not_fail_the_run(tmp_path, monkeypatch):
    config = parse_config({"connections": {"c": {"streams": ["s"], "source": {"connector": "s"},
                                                 "destination": {"connector": "d"}}}, "state_dir": "state"}, tmp_path)
    summary = RunSummary("c", 0, {}, Path("audit.jsonl"), 1.0, [])
    monkeypatch.setattr("sync_runner.runner.run_connection", lambda *a, **k: summary)
    monkeypatch.setattr("sync_runner.audit_store.AuditStore.ingest", lambda *a, **k: 1 / 0)
    said = []
    assert Runner(config, progress=said.append).run("c") is summary
    assert "could not keep this run's outcomes" in said[0]
