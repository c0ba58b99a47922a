"""Audit store benchmark (issue 17): prints `figure NAME VALUE UNIT` lines.

- audit_store_search_ms: the page's one search box (AuditStore.search: order number, shipment id, SKU,
  fulfillment id or key, the newest 500 outcomes and the count of all) over a store of 1,000,000 outcomes, built
  here from 100 runs of 10,000 outcomes shaped like the destinations' (sync 1 shipments with lines and tracking
  numbers, stock levels "SKU @ location"). The figure is the slowest of the four kinds of search, each the median
  of 7 searches for different values (a SKU here has about 1,700 outcomes across runs; an order a handful).
- audit_store_ingest_share_pct: what adding a run's outcomes to that 1,000,000-outcome store costs, as a share of
  the run's own time, the worse of two real runs through the local runner and PyAirbyte against the NetSuite and
  ShipStation emulators, with PyAirbyte already imported by a warm-up run (as under `sync-runner serve`): sync 2's
  first run (stock, 300 SKU x location levels, every differing level corrected; a small catalogue, as the
  run's time is mostly ShipStation's rate limit and would only make the share smaller) and a sync 1 run of 10 labels
  (the short kind a webhook triggers, where the store's share is largest). Each run's summary is then added to
  the big store (AuditStore.ingest, as Runner.audited does) and timed.

Bounded: the store is built in about a minute on a shared 2-core machine; DEADLINE_S stops the whole benchmark.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration_tests"))
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)

from sync_runner.audit_store import AuditStore  # noqa: E402

OUTCOMES, PER_RUN = 1_000_000, 10_000
SKUS, LOCATIONS = 3_000, 3
DEADLINE_S = 600
SEARCHES_PER_KIND = 7
started = time.monotonic()


def check_deadline(phase: str) -> None:
    if time.monotonic() - started > DEADLINE_S:
        print(f"bench_audit_store: over {DEADLINE_S} s at {phase}", file=sys.stderr)
        sys.exit(1)


def synthetic_run(n: int, rng: random.Random) -> list[dict]:
    """10,000 outcomes: 4,000 shipments (sync 1) and 6,000 stock levels (sync 2), as the destinations record them."""
    at = f"2026-{1 + n // 30 % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00+00:00"
    entries = []
    for i in range(4_000):
        shipment = n * 4_000 + i
        sku = f"SKU-{rng.randrange(SKUS):05d}"
        outcome = rng.choices(["created", "already_present", "skipped", "failed"], [70, 20, 8, 2])[0]
        entry = {"at": at, "connector": "destination-netsuite-fulfillment", "stream": "shipments",
                 "key": f"se-{shipment}", "outcome": outcome, "order_number": f"SO{shipment // 2}"}
        if outcome in ("skipped", "failed"):
            entry["reason"] = f"no sales order with tranid SO{shipment // 2}"
        else:
            entry.update(fulfillment_id=str(10_000_000 + shipment), external_id=f"ss-se-{shipment}",
                         lines=[{"line": 1, "sku": sku, "quantity": 1 + rng.randrange(3)}],
                         tracking_numbers=[f"1Z{shipment:012d}"])
        entries.append(entry)
    for i in range(6_000):
        level = (n * 6_000 + i) % (SKUS * LOCATIONS)
        outcome = "updated" if rng.random() < 0.05 else "unchanged"
        entry = {"at": at, "connector": "destination-shipstation-inventory", "stream": "stock",
                 "key": f"SKU-{level // LOCATIONS:05d} @ Warehouse {level % LOCATIONS}", "outcome": outcome,
                 "inventory_location_id": f"se-{level % LOCATIONS}", "quantity": rng.randrange(100)}
        if outcome == "updated":
            entry["previous"] = rng.randrange(100)
        entries.append(entry)
    return entries


def build(store: AuditStore) -> None:
    rng = random.Random(17)
    t = time.monotonic()
    for n in range(OUTCOMES // PER_RUN):
        entries = synthetic_run(n, rng)
        store.ingest("both", entries, seconds=60.0, records_read=len(entries), outcomes={})
        check_deadline(f"building the store (run {n})")
    print(f"# built a store of {OUTCOMES:,} outcomes in {time.monotonic() - t:.0f} s "
          f"({store.path.stat().st_size / 1e6:.0f} MB)", flush=True)


def search_ms(store: AuditStore) -> float:
    rng = random.Random(4)
    kinds = {
        "order number": [f"SO{rng.randrange(OUTCOMES // 5)}" for _ in range(SEARCHES_PER_KIND)],
        "shipment id": [f"se-{rng.randrange(400_000)}" for _ in range(SEARCHES_PER_KIND)],
        "SKU": [f"SKU-{rng.randrange(SKUS):05d}" for _ in range(SEARCHES_PER_KIND)],
        "fulfillment id": [str(10_000_000 + rng.randrange(400_000)) for _ in range(SEARCHES_PER_KIND)],
    }
    worst = 0.0
    for kind, values in kinds.items():
        times, found = [], []
        for value in values:
            t = time.perf_counter()
            outcomes, total = store.search(value)
            times.append((time.perf_counter() - t) * 1000)
            found.append(total)
        if kind == "SKU" and not all(found):
            raise SystemExit(f"a SKU search found nothing: {found}")  # the figure must come from real answers
        median = statistics.median(times)
        print(f"# search by {kind}: median {median:.1f} ms, worst {max(times):.1f} ms, outcomes found {found}",
              flush=True)
        worst = max(worst, median)
    return worst


def real_runs() -> list:
    """Sync 2's first run and a sync 1 run of 10 labels through the runner on the emulators: their RunSummary."""
    import demo
    from emulators import fulfillment_testkit as kit
    from sync_runner.config import load_config
    from sync_runner.runner import Runner

    merchant = {"items": 100, "locations": 3, "customers": 4, "orders": 30}
    with tempfile.TemporaryDirectory() as workdir, demo.world(Path(workdir), merchant=merchant) as w:
        runner = Runner(load_config(w.config_path), progress=lambda text: None)
        runner.run("shipments_to_netsuite")  # warm-up: PyAirbyte's import, paid once per process
        check_deadline("the warm-up run")
        stock = runner.run("stock_to_shipstation")
        check_deadline("the stock run")
        for number in kit.unused_orders(w.ns)[:10]:
            kit.control(w.ss, "labels", {"order_number": number})
        labels = runner.run("shipments_to_netsuite")
        check_deadline("the labels run")
    if len(stock.audit) < 250 or labels.outcomes.get("created") != 10:
        raise SystemExit(f"the real runs did not apply what they should: {stock.outcomes}, {labels.outcomes}")
    return [stock, labels]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = AuditStore(Path(tmp) / "audit.sqlite3")
        build(store)
        print(f"figure audit_store_search_ms {search_ms(store):.1f} ms", flush=True)
        check_deadline("the searches")
        shares = []
        for summary in real_runs():
            t = time.perf_counter()
            store.ingest(summary.connection, summary.audit, summary.seconds, summary.records_read, summary.outcomes)
            ingest_s = time.perf_counter() - t
            shares.append(100 * ingest_s / summary.seconds)
            print(f"# real run: {summary.connection}, {summary.records_read} records read in {summary.seconds:.1f} s;"
                  f" adding its {len(summary.audit)} outcomes to the {OUTCOMES:,}-outcome store took "
                  f"{ingest_s * 1000:.1f} ms ({shares[-1]:.2f} %)", flush=True)
        print(f"figure audit_store_ingest_share_pct {max(shares):.2f} %", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
