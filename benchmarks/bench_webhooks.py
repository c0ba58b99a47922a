"""Webhook benchmark: the delay from the relay receiving a ShipStation webhook to the item fulfillment being visible
in the NetSuite emulator, over 100 labels. Prints

    figure webhook_to_fulfillment_p50_s VALUE s
    figure webhook_to_fulfillment_p95_s VALUE s
    figure webhook_to_fulfillment_p50_busy_s VALUE s
    figure webhook_to_fulfillment_p95_busy_s VALUE s

and a breakdown of where the seconds go. Target: p95 within 5 s, both with the machine otherwise quiet and while
one core is kept busy. Two phases in one run, on the same world: first quiet, then busy (the benchmark itself
starts one child process that spins on one core, bounded in time, killed when the phase ends).

Set-up, as `sync-runner serve` runs it: both emulators (one generated merchant) with 200 ms added to every API
call (control plane `POST /__emulator/latency {"ms": 200}`), the relay started through the runner's relay bridge
and subscribed to the ShipStation emulator's v2 webhooks (signed; three events per label), the runner's default
coalescing window for its relay (0.3 s), sync 1 with the source's default lookback (24 h), run by the local runner (PyAirbyte,
local connector commands), with `serve`'s fast path (the relay builds the records of the shipments it fetched
and the runner applies them with the destination alone, no source process; sync_runner/relay_bridge.py). One
warm-up sync runs first, so PyAirbyte's import (~5 s, once per process) is not counted against the first label.
`--no-fast-path`: every webhook gets a regular sync, as before the fast path (for comparison).

Load: 100 labels (one unit of one line of an open order each) created in the ShipStation emulator, paced at a
steady 2 per second (`--rate`), not in bursts.

Measured per label: received = the relay's stored `received_at` of the first notification that named its shipment
(its `seen` row, read from the relay's SQLite file); fetched = that row's `seen_at`; visible = the first poll (every
0.1 s, `POST /__emulator/sql`, not delayed) that finds the item fulfillment with external id `ss-<shipment id>`;
and which runner run wrote it (each run's start and end are timed around the runner's `run` and `apply`).
Checked as it goes: every label must become exactly one fulfillment (no external id twice), or the benchmark fails.

Bounded: per phase, labels for at most 60 s, then at most 90 s of waiting (the busy child is killed by then, and
stops by itself after BUSY_MAX_S in any case); the whole run takes three to four minutes.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import subprocess
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
BUSY_MAX_S = LABELS_PHASE_MAX_S + WAIT_AFTER_LAST_S + 30  # the busy child's own bound, whatever happens here
# One core kept busy: a pure-Python spin (`yes > /dev/null`'s equivalent), ending by itself at its deadline.
SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def one_core_busy(enabled: bool):
    """A child process spinning on one core while the block runs; killed at the end, bounded by BUSY_MAX_S."""
    if not enabled:
        yield None
        return
    child = subprocess.Popen([sys.executable, "-c", SPIN.format(seconds=BUSY_MAX_S)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        yield child
    finally:
        child.kill()
        child.wait(10)


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
    parser.add_argument("--labels", type=int, default=100, help="labels per phase")
    parser.add_argument("--rate", type=float, default=2.0, help="labels per second")
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--coalesce", type=float, default=0.3,
                        help="the relay's coalescing window, seconds (the runner's default for its relay)")
    parser.add_argument("--lookback-minutes", type=int, default=None,
                        help="source-shipstation's lookback (default: the source's own, 24 h)")
    parser.add_argument("--v2-rate-limit", type=int, default=None,
                        help="diagnosis only: raise the ShipStation emulator's v2 limit (calls per minute; real: 200) "
                             "and the relay's pacing to match, to see the delay without rate-limit waits")
    parser.add_argument("--phases", default="quiet,busy", help="which phases to run, in order (quiet, busy)")
    parser.add_argument("--no-fast-path", action="store_true",
                        help="every webhook gets a regular sync (source and destination), as before the fast path")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if not phases or any(p not in ("quiet", "busy") for p in phases):
        parser.error("--phases takes quiet, busy or both")

    runs: list[dict] = []  # each runner run: kind (sync or fast path), start, end, records, outcomes

    def timed(kind):
        def wrap(call):
            def wrapper(connection: str, *rest):
                entry = {"kind": kind, "connection": connection, "start": time.time()}
                runs.append(entry)
                try:
                    summary = call(connection, *rest)
                    entry.update(records=summary.records_read, outcomes=summary.outcomes)
                    return summary
                finally:
                    entry["end"] = time.time()
            return wrapper
        return wrap

    progress: list[str] = []
    merchant = dict(items=40, locations=3, customers=12, orders=args.labels * len(phases) + 10)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp, \
            open(Path(tmp) / "pyairbyte.log", "w") as log, contextlib.redirect_stdout(log), \
            contextlib.redirect_stderr(log):
        terminal = sys.__stdout__

        def say(text: str) -> None:
            print(text, file=terminal, flush=True)

        with demo.world(Path(tmp), merchant, latency_ms=args.latency_ms, coalesce_seconds=args.coalesce,
                        lookback_minutes=args.lookback_minutes, relay_v2_rate_limit=args.v2_rate_limit) as w, \
                demo.runner_with_relay(w, progress.append, wrap_run=timed("sync"), wrap_apply=timed("fast path"),
                                       fast_path=not args.no_fast_path) as (scheduler, database, events):
            if args.v2_rate_limit:
                kit.control(w.ss, "rate-limits", {"v2": args.v2_rate_limit})
            say(f"bench_webhooks: {args.labels} labels per phase ({', '.join(phases)}) at {args.rate:g}/s, "
                f"{args.latency_ms:g} ms latency on both emulators, ShipStation v2 limit {args.v2_rate_limit or 200}/min, "
                f"lookback {'24 h (default)' if args.lookback_minutes is None else f'{args.lookback_minutes} min'}, "
                f"relay on v2 webhooks ({', '.join(events)}), coalescing {args.coalesce:g} s, "
                f"{'no fast path (a regular sync per webhook)' if args.no_fast_path else 'fast path (destination alone)'}; "
                f"{os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
            t = time.time()
            scheduler.request_sync("shipments_to_netsuite", wait=True, timeout=120)  # warm-up: PyAirbyte import
            say(f"  warm-up sync (PyAirbyte import and one empty sync 1): {time.time() - t:.1f} s")
            scheduler.request_sync("shipments_to_netsuite", wait=True, timeout=120)  # the fixed cost of a sync
            warm = dict(runs[-1])

            state = demo.shipstation_state(w.ss)
            orders = [o for o in state["orders"] if o["status"] == "awaiting_shipment"
                      and any(i["quantity"] > i["shipped"] for i in o["items"])]
            open_in_netsuite = set(kit.unused_orders(w.ns)) | {
                r["tranid"] for r in kit.sql(w.ns, """SELECT tranid FROM "transaction" WHERE type = 'SalesOrd'
                                                      AND status IN ('B', 'D', 'E')""")}
            orders = [o for o in orders if o["order_number"] in open_in_netsuite]
            if len(orders) < args.labels * len(phases):
                say(f"only {len(orders)} open orders; the benchmark needs {args.labels * len(phases)}")
                return 1
            for n, phase in enumerate(phases):
                first_run = len(runs)
                calls_before = kit.stats(w.ss)["requests"]["v2"]
                with one_core_busy(phase == "busy") as child:
                    labels, watcher = create_labels(w, orders[n * args.labels:(n + 1) * args.labels], args.rate,
                                                    say, phase)
                    load = os.getloadavg()[0]
                    busy_alive = child is None or child.poll() is None
                received_at, fetched_at, relay_counts = relay_times(database, labels)
                results[phase] = {"labels": labels, "watcher": watcher, "runs": runs[first_run:],
                                  "received": received_at, "fetched": fetched_at, "load": load,
                                  "busy_alive": busy_alive,
                                  "calls": kit.stats(w.ss)["requests"]["v2"] - calls_before}
            # Let the relay finish what is queued (bounded), so its fetch figures cover every label.
            drain = time.time() + 30
            while time.time() < drain and relay_times(database, [])[2].get("received"):
                time.sleep(0.5)
            relay_counts = relay_times(database, [])[2]
            twice = kit.sql(w.ns, """SELECT externalid, COUNT(*) AS n FROM "transaction" WHERE type = 'ItemShip'
                                     AND externalid IS NOT NULL GROUP BY externalid HAVING COUNT(*) > 1""")
            ss_stats = kit.stats(w.ss)

    failed = False
    for phase in phases:
        failed |= report(phase, results[phase], say, args)
    if twice:
        say(f"  WRONG: {len(twice)} shipments became more than one fulfillment: "
            + ", ".join(r["externalid"] for r in twice[:5]))
        failed = True
    say(f"  fixed cost of one regular sync with nothing to write (two connector starts through PyAirbyte, "
        f"{args.latency_ms:g} ms per call): {warm['end'] - warm['start']:.1f} s")
    say(f"  relay: {sum(relay_counts.values())} webhooks stored ({', '.join(f'{n} {k}' for k, n in sorted(relay_counts.items()))}); "
        f"ShipStation v2 calls {ss_stats['requests']['v2']}, answered 429 {ss_stats['rate_limited']['v2']}")
    return 1 if failed else 0


def create_labels(w, orders: list[dict], rate: float, say, phase: str) -> tuple[list[dict], FulfillmentWatcher]:
    """Creates one label per order at `rate`, waits (bounded) for their fulfillments; returns the labels and the
    watcher that saw them appear."""
    watcher = FulfillmentWatcher(w.ns)
    watcher.start()
    labels: list[dict] = []
    started = time.time()
    try:
        for n, order in enumerate(orders):
            due = started + n / rate
            if due - time.time() > 0:
                time.sleep(due - time.time())
            if time.time() - started > LABELS_PHASE_MAX_S:
                break
            line = next(i for i in order["items"] if i["quantity"] > i["shipped"])
            created_at = time.time()
            label = kit.control(w.ss, "labels", {"order_number": order["order_number"],
                                                 "items": [{"sku": line["sku"], "quantity": 1}]})
            labels.append({**label, "created_at": created_at})
        say(f"  {phase}: {len(labels)} labels created in {time.time() - started:.1f} s")
        deadline = time.time() + WAIT_AFTER_LAST_S
        wanted = {f"ss-{lb['v2_shipment_id']}" for lb in labels}
        while time.time() < deadline and not wanted <= set(watcher.seen_at):
            time.sleep(0.2)
    finally:
        watcher.stop()
    return labels, watcher


def report(phase: str, result: dict, say, args) -> bool:
    """Prints the phase's figures and breakdown; returns whether it failed."""
    labels, watcher, runs = result["labels"], result["watcher"], result["runs"]
    received_at, fetched_at = result["received"], result["fetched"]
    suffix = "_busy" if phase == "busy" else ""
    rows, missing = [], []
    for label in labels:
        sid = label["v2_shipment_id"]
        visible = watcher.seen_at.get(f"ss-{sid}")
        if visible is None or sid not in received_at:
            missing.append(sid)
            continue
        received, fetched = received_at[sid], fetched_at.get(sid)
        run = next((r for r in runs if r["start"] <= visible <= r.get("end", visible) + POLL_S * 2), None)
        rows.append({"sid": sid, "created": label["created_at"], "received": received, "fetched": fetched,
                     "visible": visible, "run_start": run["start"] if run else None})
    if missing:
        say(f"  {phase}: {len(missing)} labels never became visible fulfillments within {WAIT_AFTER_LAST_S} s of "
            f"the last label: {', '.join(map(str, missing[:5]))}{' ...' if len(missing) > 5 else ''}")
    if not rows:
        say(f"bench_webhooks: no label was measured in the {phase} phase")
        return True

    delays = [r["visible"] - r["received"] for r in rows]
    p95 = percentile(delays, 95)
    say(f"figure webhook_to_fulfillment_p50{suffix}_s {percentile(delays, 50):.2f} s")
    say(f"figure webhook_to_fulfillment_p95{suffix}_s {p95:.2f} s")

    def p(values, q):
        return f"{percentile(values, q):.2f}" if values else "n/a"

    with_run = [r for r in rows if r["run_start"] is not None]
    parts = [
        ("label created -> webhook received by the relay", [r["received"] - r["created"] for r in rows]),
        ("received -> shipment fetched and recorded by the relay's worker",
         [r["fetched"] - r["received"] for r in rows if r["fetched"]]),
        ("received -> the run that applied it started (coalescing, the run before it, the other half's listing)",
         [r["run_start"] - r["received"] for r in with_run]),
        ("that run started -> fulfillment visible in NetSuite", [r["visible"] - r["run_start"] for r in with_run]),
    ]
    busy = f", one core kept busy by the benchmark's spinning child{'' if result['busy_alive'] else ' (which ENDED early)'}" \
        if phase == "busy" else ""
    say(f"  {phase}{busy}: measured {len(rows)} of {len(labels)} labels; max {max(delays):.2f} s; "
        f"1-min load average at the end {result['load']:.1f}; ShipStation v2 calls {result['calls']}")
    say("  where the seconds go (p50 / p95 over labels):")
    for name, values in parts:
        say(f"    {p(values, 50):>6} / {p(values, 95):>6} s  {name}")
    for kind in ("fast path", "sync"):
        done = [r for r in runs if r["kind"] == kind and "end" in r]
        if done:
            durations = [r["end"] - r["start"] for r in done]
            records = [r.get("records", 0) for r in done]
            say(f"  {kind} runs: {len(done)}, each {min(durations):.1f}-{max(durations):.1f} s (median "
                f"{statistics.median(durations):.1f} s), {min(records)}-{max(records)} records each")
    say(f"  target p95 <= 5 s ({phase}): {'met' if p95 <= 5 else 'NOT met'}")
    return bool(missing) or (phase == "busy" and not result["busy_alive"])


if __name__ == "__main__":
    sys.exit(main())
