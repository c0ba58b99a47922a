"""Reliability, fast part: both syncs under 10% injected faults, and the destination of each SIGKILLed and run
again. Outcomes are read from the emulators (integration_tests/emulators/reliability.py)."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from emulators import reliability as rel

# ShipStation's 429 answers Retry-After: 60 (as the real API does) and the clients wait it out: a minute per fault,
# too long here. The fast part injects it on NetSuite only; `make soak` injects every kind on both.
SHIPSTATION_FAST_KINDS = ["500", "502", "503", "slow", "drop"]
NO_LIMITS = {"v1": 100000, "v2": 100000}  # faults here, not pacing (the rate-limit tests are in test_reliability_limits)


def change_netsuite_stock(w, rng: random.Random, rows: int = 5) -> None:
    db = w.ns.backend.db
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    with db.lock:
        keys = db.select("SELECT item, location FROM inventoryitemlocations ORDER BY item, location")
        for key in rng.sample(keys, rows):
            delta = rng.randint(1, 20)
            db.conn.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?, "
                            "quantityavailable = quantityavailable + ?, lastmodifieddate = ? "
                            "WHERE item = ? AND location = ?", (delta, delta, now, key["item"], key["location"]))
        db.version += 1


@pytest.mark.parametrize("seed", [101, 202])
def test_under_ten_percent_faults_both_syncs_converge_with_nothing_lost_duplicated_or_mismatched(tmp_path, guard, seed):
    _, logs = guard
    with rel.world(seed=seed, rate_limits=NO_LIMITS) as w:
        w.buy_labels(10, random.Random(seed))
        sync1, sync2 = rel.Sync1(w, tmp_path, batch_size=3), rel.Sync2(w, tmp_path)
        assert rel.lost_shipments(w) and rel.stock_mismatches(w)  # there is work to do
        w.faults(0.10, seed, kinds_ss=SHIPSTATION_FAST_KINDS, slow_seconds=1.2)
        with rel.short_timeouts(0.8):
            runs1 = rel.converge(sync1, attempts=4, seconds=40)
            runs2 = rel.converge(sync2, attempts=4, seconds=40)
        injected = w.injected()
        w.calm()
        assert injected > 0  # the faults really happened
        assert [r for r in runs1 + runs2 if r.crash] == [], [r.describe() for r in runs1 + runs2]
        assert rel.lost_shipments(w) == []
        assert rel.duplicate_fulfillments(w) == []
        assert rel.voided_still_fulfilled(w) == []
        assert rel.stock_mismatches(w) == {}
        secrets = sync1.secrets() + sync2.secrets()
        assert rel.leaked_secrets(secrets, logs.lines + sync1.texts() + sync2.texts()) == []


@pytest.mark.parametrize("which", ["sync1", "sync2"])
def test_destination_killed_at_random_points_and_run_again_loses_and_duplicates_nothing(tmp_path, guard, which):
    rng = random.Random(7 if which == "sync1" else 8)
    with rel.world(seed=31, orders=40, rate_limits=NO_LIMITS) as w:
        if which == "sync1":
            sync = rel.Sync1(w, tmp_path, batch_size=2, concurrency=1)
            console = "destination-netsuite-fulfillment"
            w.control("ns", "latency", {"ms": 250})  # long enough that the kill lands mid-way
        else:
            sync = rel.Sync2(w, tmp_path)
            console = "destination-shipstation-inventory"
            w.control("ss", "latency", {"ms": 120})
        kills = 0
        for n in range(3):
            if which == "sync1":
                w.buy_labels(4, rng, void_share=0.0)
            else:
                change_netsuite_stock(w, rng, rows=10)
            run = rel.run_destination_killed(sync, rng, tmp_path / f"kill-{n}", console, kill_window=(0.8, 2.2))
            kills += run.killed
            assert run.rerun_returncode == 0, "\n".join(run.outputs[-20:])
            assert run.foreign == []
            assert rel.leaked_secrets(sync.secrets(), run.outputs) == []
            if which == "sync1":
                assert rel.lost_shipments(w) == [] and rel.duplicate_fulfillments(w) == []
            else:
                assert rel.stock_mismatches(w) == {}
        assert kills >= 2  # most runs really died mid-way (a run may finish before its random moment)
