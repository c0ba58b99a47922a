import json
import logging

import pytest

from connector_audit import AuditTrail, Outcome


def test_each_record_gets_one_line_in_the_log_and_the_file_and_counts_in_the_summary(tmp_path, caplog):
    path = tmp_path / "audit" / "sync.jsonl"
    trail = AuditTrail(logging.getLogger("t"), "destination-x", str(path))
    with caplog.at_level(logging.INFO):
        trail.record("shipments", "se-1", Outcome.CREATED, fulfillment_id="77")
        trail.record("shipments", "se-2", Outcome.SKIPPED, reason="no sales order SO1 in NetSuite")
        trail.record("shipments", "se-3", Outcome.SKIPPED, reason="order closed")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["key"] for line in lines] == ["se-1", "se-2", "se-3"]
    assert lines[1]["reason"] == "no sales order SO1 in NetSuite" and lines[0]["fulfillment_id"] == "77"
    assert trail.summary() == {"created": 1, "skipped": 2}
    assert sum("audit {" in r.message for r in caplog.records) == 3
    assert "3 records: 1 created, 2 skipped" in trail.log_summary()


def test_a_skip_or_failure_without_reason_is_refused():
    trail = AuditTrail(logging.getLogger("t"), "destination-x")
    with pytest.raises(ValueError, match="needs a reason"):
        trail.record("stock", "SKU-1", Outcome.FAILED)


def test_memory_stays_flat_however_many_records_a_sync_brings():
    # A destination keeps one trail for a whole sync; a catalogue of a million SKUs must not be held in memory.
    import tracemalloc

    trail = AuditTrail(logging.getLogger("t.quiet"), "destination-x")
    tracemalloc.start()
    try:
        for n in range(20_000):
            trail.record("stock", f"SKU-{n} @ Main Warehouse", Outcome.UNCHANGED, inventory_location_id="se-1",
                         quantity=n)
        grown, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert trail.summary() == {"unchanged": 20_000}
    assert grown < 200_000  # bytes; holding the entries would take several megabytes
