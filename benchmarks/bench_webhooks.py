"""Webhook benchmark: the delay from the relay receiving a ShipStation webhook to the item fulfillment being visible
in the NetSuite emulator, over 100 labels. Prints

    figure webhook_to_fulfillment_p50_s VALUE s
    figure webhook_to_fulfillment_p95_s VALUE s

and a breakdown of where the seconds go. Target: p95 within 5 s.

Set-up, as `sync-runner serve` runs it: both emulators (one generated merchant) with 200 ms added to every API
call (control plane `POST /__emulator/latency {"ms": 200}`), the relay started through the runner's relay bridge
and subscribed to the ShipStation emulator's v2 webhooks (signed; three events per label), the runner's default
coalescing window for its relay (0.3 s), sync 1 with the source's default lookback (24 h), run by the local runner (PyAirbyte,
local connector commands). One warm-up sync runs first, so PyAirbyte's import (~5 s, once per process) is not
counted against the first label.

Load: 100 labels (one unit of one line of an open order each) created in the ShipStation emulator, paced at a
steady 2 per second (`--rate`), not in bursts.

Measured per label: received = the relay's stored `received_at` of the first notification that named its shipment
(its `seen` row, read from the relay's SQLite file); fetched = that row's `seen_at`; visible = the first poll (every
0.1 s, `POST /__emulator/sql`, not delayed) that finds the item fulfillment with external id `ss-<shipment id>`;
and which runner sync wrote it (each run's start and end are timed around the runner's `run`).

Bounded: labels for at most 60 s, then at most 90 s of waiting; the whole run takes about two minutes.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration_tests"))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)

import demo  # noqa: E402  (integration_tests/demo.py: the emulators, the runner config, the relay wiring)
from emulators import fulfillment_testkit as kit  # noqa: E402

LABELS_PHASE_MAX_S = 60
WAIT_AFTER_LAST_S = 90
POLL_S = 0.1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))  # nearest rank
    return ordered[rank]


class FulfillmentWatcher(threading.Thread):
    """Notes when each item fulfillment (by external id) first becomes visible in NetSuite."""

    def __init__(self, ns) -> None:
        super().__init__(daemon=True, name="bench-watcher")
        self.ns, self.seen_at, self._halt = ns, {}, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rows = kit.sql(self.ns, """SELECT externalid FROM "transaction" WHERE type = 'ItemShip'
                                       AND externalid IS NOT NULL""")
            now = time.time()
            for row in rows:
                self.seen_at.setdefault(row["externalid"], now)
            self._halt.wait(POLL_S)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def relay_times(database: Path, labels: list[dict]) -> tuple[dict[str, float], dict[str, float], dict]:
    """From the relay's store: shipment id -> when the relay received the first webhook about it (matched by the
    resource URL: the label's batch or its shipment id, so a notification still queued counts too), shipment id
    -> when the relay had fetched and recorded it, and the store's notification counts by state."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as db:
        notes = db.execute("SELECT resource_url, received_at FROM notifications").fetchall()
        seen = dict(db.execute("SELECT id, seen_at FROM seen WHERE kind = 'v2.shipment'").fetchall())
        counts = dict(db.execute("SELECT state, COUNT(*) FROM notifications GROUP BY state").fetchall())
    received: dict[str, float] = {}
    for label in labels:
        sid, batch = label["v2_shipment_id"], f"batch_id=se-{label['batch_id']}"
        times = [at for url, at in notes if url.endswith(batch) or url.endswith(f"shipment_id={sid}")]
        if times:
            received[sid] = min(times)
    return received, seen, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--rate", type=float, default=2.0, help="labels per second")
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--coalesce", type=float, default=0.3,
                        help="the relay's coalescing window, seconds (the runner's default for its relay)")
    parser.add_argument("--lookback-minutes", type=int, default=None,
                        help="source-shipstation's lookback (default: the source's own, 24 h)")
    parser.add_argument("--v2-rate-limit", type=int, default=None,
                        help="diagnosis only: raise the ShipStation emulator's v2 limit (calls per minute; real: 200) "
                             "and the relay's pacing to match, to see the delay without rate-limit waits")
    args = parser.parse_args(argv)

    runs: list[dict] = []  # each runner sync: start, end, records read, outcomes

    def timed(run):
        def wrapper(connection: str):
            entry = {"connection": connection, "start": time.time()}
            runs.append(entry)
            try:
                summary = run(connection)
                entry.update(records=summary.records_read, outcomes=summary.outcomes)
                return summary
            finally:
                entry["end"] = time.time()
        return wrapper

    progress: list[str] = []
    merchant = dict(items=40, locations=3, customers=12, orders=args.labels + 10)
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp, \
            open(Path(tmp) / "pyairbyte.log", "w") as log, contextlib.redirect_stdout(log), \
            contextlib.redirect_stderr(log):
        terminal = sys.__stdout__

        def say(text: str) -> None:
            print(text, file=terminal, flush=True)

        with demo.world(Path(tmp), merchant, latency_ms=args.latency_ms, coalesce_seconds=args.coalesce,
                           lookback_minutes=args.lookback_minutes, relay_v2_rate_limit=args.v2_rate_limit) as w, \
                demo.runner_with_relay(w, progress.append, wrap_run=timed) as (scheduler, database, events):
            if args.v2_rate_limit:
                kit.control(w.ss, "rate-limits", {"v2": args.v2_rate_limit})
            say(f"bench_webhooks: {args.labels} labels at {args.rate:g}/s, {args.latency_ms:g} ms latency on both "
                f"emulators, ShipStation v2 limit {args.v2_rate_limit or 200}/min, lookback {'24 h (default)' if args.lookback_minutes is None else f'{args.lookback_minutes} min'}, relay on v2 webhooks ({', '.join(events)}), coalescing {args.coalesce:g} s")
            t = time.time()
            scheduler.request_sync("shipments_to_netsuite", wait=True, timeout=120)  # warm-up: PyAirbyte import
            say(f"  warm-up sync (PyAirbyte import and one empty sync 1): {time.time() - t:.1f} s")
            scheduler.request_sync("shipments_to_netsuite", wait=True, timeout=120)  # the fixed cost of a sync
            warmup_runs = len(runs)

            state = demo.shipstation_state(w.ss)
            orders = [o for o in state["orders"] if o["status"] == "awaiting_shipment"
                      and any(i["quantity"] > i["shipped"] for i in o["items"])]
            open_in_netsuite = set(kit.unused_orders(w.ns)) | {
                r["tranid"] for r in kit.sql(w.ns, """SELECT tranid FROM "transaction" WHERE type = 'SalesOrd'
                                                      AND status IN ('B', 'D', 'E')""")}
            orders = [o for o in orders if o["order_number"] in open_in_netsuite]
            if len(orders) < args.labels:
                say(f"only {len(orders)} open orders; the benchmark needs {args.labels}")
                return 1
            watcher = FulfillmentWatcher(w.ns)
            watcher.start()
            labels: list[dict] = []
            started = time.time()
            try:
                for n, order in enumerate(orders[:args.labels]):
                    due = started + n / args.rate
                    if due - time.time() > 0:
                        time.sleep(due - time.time())
                    if time.time() - started > LABELS_PHASE_MAX_S:
                        break
                    line = next(i for i in order["items"] if i["quantity"] > i["shipped"])
                    created_at = time.time()
                    label = kit.control(w.ss, "labels", {"order_number": order["order_number"],
                                                         "items": [{"sku": line["sku"], "quantity": 1}]})
                    labels.append({**label, "created_at": created_at})
                say(f"  {len(labels)} labels created in {time.time() - started:.1f} s")
                deadline = time.time() + WAIT_AFTER_LAST_S
                wanted = {f"ss-{lb['v2_shipment_id']}" for lb in labels}
                while time.time() < deadline and not wanted <= set(watcher.seen_at):
                    time.sleep(0.2)
            finally:
                watcher.stop()
            # Let the relay finish what is queued (bounded), so its fetch figures cover every label.
            drain = time.time() + 30
            while time.time() < drain and relay_times(database, labels)[2].get("received"):
                time.sleep(0.5)
            received_at, fetched_at, relay_counts = relay_times(database, labels)
            ss_stats = kit.stats(w.ss)

    rows, missing = [], []
    for label in labels:
        sid = label["v2_shipment_id"]
        visible = watcher.seen_at.get(f"ss-{sid}")
        if visible is None or sid not in received_at:
            missing.append(sid)
            continue
        received, fetched = received_at[sid], fetched_at.get(sid)
        run = next((r for r in runs[warmup_runs:] if r["start"] <= visible <= r.get("end", visible) + POLL_S * 2),
                   None)
        rows.append({"sid": sid, "created": label["created_at"], "received": received, "fetched": fetched,
                     "visible": visible, "run_start": run["start"] if run else None})
    if missing:
        say(f"  {len(missing)} labels never became visible fulfillments within {WAIT_AFTER_LAST_S} s of the last "
            f"label: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    if not rows:
        say("bench_webhooks: no label was measured")
        return 1

    delays = [r["visible"] - r["received"] for r in rows]
    say(f"figure webhook_to_fulfillment_p50_s {percentile(delays, 50):.2f} s")
    say(f"figure webhook_to_fulfillment_p95_s {percentile(delays, 95):.2f} s")

    def p(values, q):
        return f"{percentile(values, q):.2f}" if values else "n/a"

    with_run = [r for r in rows if r["run_start"] is not None]
    parts = [
        ("label created -> webhook received by the relay", [r["received"] - r["created"] for r in rows]),
        ("received -> that sync started (coalescing window, the sync before it)",
         [r["run_start"] - r["received"] for r in with_run]),
        ("that sync started -> fulfillment visible in NetSuite", [r["visible"] - r["run_start"] for r in with_run]),
        ("(beside it) received -> shipment fetched and recorded by the relay's worker",
         [r["fetched"] - r["received"] for r in rows if r["fetched"]]),
    ]
    say(f"  measured {len(rows)} of {len(labels)} labels; max {max(delays):.2f} s")
    say("  where the seconds go (p50 / p95 over labels):")
    for name, values in parts:
        say(f"    {p(values, 50):>6} / {p(values, 95):>6} s  {name}")
    measured_runs = [r for r in runs[warmup_runs:] if "end" in r]
    if measured_runs:
        durations = [r["end"] - r["start"] for r in measured_runs]
        records = [r.get("records", 0) for r in measured_runs]
        warm = runs[warmup_runs - 1] if warmup_runs else None
        say(f"  runner syncs during the load: {len(measured_runs)}, each {min(durations):.1f}-{max(durations):.1f} s "
            f"(median {statistics.median(durations):.1f} s), reading {min(records)}-{max(records)} labels "
            f"(within the lookback, each sync re-reads the labels before its state)")
        say("    durations: " + ", ".join(f"{d:.1f}" for d in durations) + " s")
        if warm and "end" in warm:
            say(f"  fixed cost of one sync with nothing to write (two connector starts through PyAirbyte, "
                f"{args.latency_ms:g} ms per call): {warm['end'] - warm['start']:.1f} s")
    say(f"  relay: {sum(relay_counts.values())} webhooks stored ({', '.join(f'{n} {k}' for k, n in sorted(relay_counts.items()))}); "
        f"ShipStation v2 calls {ss_stats['requests']['v2']}, answered 429 {ss_stats['rate_limited']['v2']}")
    p95 = percentile(delays, 95)
    say(f"  target p95 <= 5 s: {'met' if p95 <= 5 else 'NOT met'}")
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main())
