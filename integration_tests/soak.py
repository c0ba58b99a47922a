"""`make soak`: both syncs under 10% faults over many seeds, each destination SIGKILLed at random points and run
again, and ShipStation's rate limit shrinking under sync 2; then `figure NAME VALUE UNIT` lines.

    .venv/bin/python integration_tests/soak.py [--minutes 15] [--seeds 10] [--kills 20]

Bounded: every phase stops starting new work once its share of `--minutes` is spent (the figures then say how many
seeds and kills ran). Faults are every kind on both emulators (429, 500, 502, 503, slow, drop); ShipStation's 429
says Retry-After: 60 and the clients wait it out, so a seed that draws one costs a minute more.
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from emulators import reliability as rel

FIGURES = ["lost_shipments", "duplicate_fulfillments", "stock_mismatches", "crashes", "foreign_host_requests",
           "secrets_leaked"]


def change_stock(w: rel.World, rng: random.Random, rows: int) -> None:
    db = w.ns.backend.db
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    with db.lock:
        keys = db.select("SELECT item, location FROM inventoryitemlocations ORDER BY item, location")
        for key in rng.sample(keys, min(rows, len(keys))):
            delta = rng.randint(1, 25)
            db.conn.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?, "
                            "quantityavailable = quantityavailable + ?, lastmodifieddate = ? "
                            "WHERE item = ? AND location = ?", (delta, delta, now, key["item"], key["location"]))
        db.version += 1


class Soak:
    def __init__(self, args) -> None:
        self.args = args
        self.counts = {name: 0 for name in FIGURES}
        self.counts.update(seeds_run=0, kills_sync1=0, kills_sync2=0, kill_reruns_failed=0, faults_injected=0,
                           sync_runs=0, runs_ended_in_clear_error=0, voided_still_fulfilled=0)
        self.texts: list[str] = []
        self.secrets: set[str] = set()
        self.details: list[str] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="soak-"))

    def note(self, what: str) -> None:
        self.details.append(what)
        print(f"  {what}", flush=True)

    def account(self, sync: rel._Sync, runs: list[rel.Outcome]) -> None:
        self.counts["sync_runs"] += len(runs)
        for run in runs:
            if run.crash:
                self.counts["crashes"] += 1
                self.note(f"crash in {sync.name}: {run.describe()}")
            elif run.error is not None:
                self.counts["runs_ended_in_clear_error"] += 1
        self.texts.extend(sync.texts())
        self.secrets.update(sync.secrets())

    def check(self, w: rel.World, label: str, sync1=True, sync2=True) -> None:
        if sync1:
            lost, dupes, voided = rel.lost_shipments(w), rel.duplicate_fulfillments(w), rel.voided_still_fulfilled(w)
            self.counts["lost_shipments"] += len(lost)
            self.counts["duplicate_fulfillments"] += len(dupes)
            self.counts["voided_still_fulfilled"] += len(voided)
            for what, items in (("lost", lost), ("duplicated", dupes), ("void not applied", voided)):
                if items:
                    self.note(f"{label}: {what} {items[:5]}")
        if sync2:
            mismatched = rel.stock_mismatches(w)
            self.counts["stock_mismatches"] += len(mismatched)
            if mismatched:
                self.note(f"{label}: stock mismatches {list(mismatched.items())[:5]}")

    def faults(self, deadline: float) -> None:
        kinds_ss = rel.ALL_FAULTS if not self.args.no_shipstation_429 else [k for k in rel.ALL_FAULTS if k != "429"]
        for n in range(self.args.seeds):
            if time.monotonic() > deadline:
                self.note(f"faults: time share spent after {n} seeds")
                break
            seed = 1000 + n
            started = time.monotonic()
            with rel.world(seed=seed, orders=40, rate_limits={"v1": 100000, "v2": 100000}) as w:
                rng = random.Random(seed)
                w.buy_labels(self.args.labels, rng)
                change_stock(w, rng, 6)
                sync1 = rel.Sync1(w, self.workdir / f"faults-{seed}", batch_size=rng.choice([2, 5, 10]),
                                  api_version=rng.choice(["v1", "v2"]),
                                  auth=rng.choice(["token_based", "oauth2_client_credentials"]))
                sync2 = rel.Sync2(w, self.workdir / f"faults-{seed}", auth=rng.choice(["token_based",
                                                                                       "oauth2_client_credentials"]))
                (self.workdir / f"faults-{seed}").mkdir(exist_ok=True)
                w.faults(0.10, seed, kinds_ss=kinds_ss, slow_seconds=2.0)
                with rel.short_timeouts(1.5):
                    runs1 = rel.converge(sync1, attempts=5, seconds=240)
                    runs2 = rel.converge(sync2, attempts=5, seconds=240)
                self.counts["faults_injected"] += w.injected()
                w.calm()
                self.account(sync1, runs1)
                self.account(sync2, runs2)
                self.check(w, f"seed {seed}")
            self.counts["seeds_run"] += 1
            print(f"faults seed {seed}: sync1 {len(runs1)} run(s), sync2 {len(runs2)} run(s), "
                  f"{time.monotonic() - started:.0f} s", flush=True)

    def kills(self, which: str, deadline: float) -> None:
        rng = random.Random(77 if which == "sync1" else 78)
        with rel.world(seed=500 if which == "sync1" else 501, orders=max(60, self.args.kills * 4 + 20), items=30,
                       locations=3, rate_limits={"v1": 100000, "v2": 100000}) as w:
            base = self.workdir / f"kills-{which}"
            base.mkdir()
            if which == "sync1":
                sync = rel.Sync1(w, base, batch_size=2, concurrency=1)
                console = "destination-netsuite-fulfillment"
                w.control("ns", "latency", {"ms": 150})
            else:
                sync = rel.Sync2(w, base)
                console = "destination-shipstation-inventory"
                w.control("ss", "latency", {"ms": 60})
            # A run that ends before its random moment is not a kill: go on until `kills` processes really died.
            for n in range(self.args.kills * 2):
                if self.counts[f"kills_{which}"] >= self.args.kills:
                    break
                if time.monotonic() > deadline:
                    self.note(f"kills {which}: time share spent after {n} runs")
                    break
                if which == "sync1":
                    w.buy_labels(3, rng, void_share=0.15)
                else:
                    change_stock(w, rng, 12)
                run = rel.run_destination_killed(sync, rng, base / f"kill-{n}", console, kill_window=(0.6, 2.5))
                self.counts[f"kills_{which}"] += run.killed
                self.counts["foreign_host_requests"] += len(run.foreign)
                if run.rerun_returncode != 0:
                    self.counts["kill_reruns_failed"] += 1
                    traced = [line for line in run.outputs if '"TRACE"' in line]
                    if not any("NetSuite" in t or "ShipStation" in t for t in traced):
                        self.counts["crashes"] += 1
                    self.note(f"kill {which} #{n}: rerun exited {run.rerun_returncode}: {(traced or run.outputs)[-1:]}")
                self.texts.extend(run.outputs)
                self.check(w, f"kill {which} #{n}", sync1=which == "sync1", sync2=which == "sync2")
            self.texts.extend(sync.texts())
            self.secrets.update(sync.secrets())
        print(f"kills {which}: {self.counts[f'kills_{which}']} killed mid-run", flush=True)

    def rate_limit_shrink(self) -> None:
        """Sync 2 while ShipStation's v2 limit drops from 200 to 20 a minute: it must wait, not fail."""
        with rel.world(seed=900, items=40, locations=3) as w:
            base = self.workdir / "shrink"
            base.mkdir()
            sync = rel.Sync2(w, base)
            w.control("ss", "latency", {"ms": 30})

            def shrink():
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if sum(a["outcome"] == "updated" for a in sync.audit_lines()) >= 3:
                        w.control("ss", "rate-limits", {"v2": 20})
                        return
                    time.sleep(0.01)
            watcher = threading.Thread(target=shrink, daemon=True)
            watcher.start()
            started = time.monotonic()
            outcome = sync.run()
            watcher.join(timeout=30)
            self.account(sync, [outcome])
            self.check(w, "rate-limit shrink", sync1=False)
            limited = rel.kit.stats(w.ss)["rate_limited"]["v2"]
            self.counts["rate_limit_shrink_failed"] = int(outcome.error is not None)
            self.counts["rate_limit_shrink_429s"] = limited
            self.counts["rate_limit_shrink_seconds"] = round(time.monotonic() - started)
            print(f"rate-limit shrink: {outcome.describe()}, {limited} refusals, "
                  f"{time.monotonic() - started:.0f} s", flush=True)

    def run(self) -> int:
        started = time.monotonic()
        total = self.args.minutes * 60
        guard, logs = rel.NetworkGuard(), rel.LogCapture()
        import destination_netsuite_fulfillment, destination_shipstation_inventory  # noqa: F401,E401
        import source_netsuite_inventory, source_shipstation  # noqa: F401,E401
        import airbyte_cdk.entrypoint  # noqa: F401 - sets up the CDK's console handler on the root logger
        root = logging.getLogger()
        for handler in list(root.handlers):  # it prints every log line to stdout; they are captured and scanned
            root.removeHandler(handler)
        with guard.active(), logs.active():
            self.faults(started + total * 0.6)
            self.kills("sync1", started + total * 0.78)
            self.kills("sync2", started + total * 0.94)
            if not self.args.skip_rate_limit:
                self.rate_limit_shrink()
        self.counts["foreign_host_requests"] += len(guard.foreign)
        leaked = rel.leaked_secrets(sorted(self.secrets), logs.lines + self.texts)
        self.counts["secrets_leaked"] = len(leaked)
        if leaked:
            self.note(f"secrets found in output: {leaked}")
        minutes = (time.monotonic() - started) / 60
        print()
        units = {"seeds_run": "seeds", "kills_sync1": "kills", "kills_sync2": "kills", "faults_injected": "faults",
                 "sync_runs": "runs", "rate_limit_shrink_seconds": "s", "rate_limit_shrink_429s": "count"}
        for name in FIGURES + [k for k in self.counts if k not in FIGURES]:
            print(f"figure {name} {self.counts[name]} {units.get(name, 'count')}")
        print(f"figure soak_minutes {minutes:.1f} min")
        bad = sum(self.counts[name] for name in FIGURES) + self.counts["voided_still_fulfilled"]
        return 1 if bad else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="time bound of the whole soak (default 15)")
    parser.add_argument("--seeds", type=int, default=10, help="fault seeds, each running both syncs (default 10)")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per destination (default 20)")
    parser.add_argument("--labels", type=int, default=10, help="labels bought per fault seed (default 10)")
    parser.add_argument("--no-shipstation-429", action="store_true", help="leave 429 out of ShipStation's faults")
    parser.add_argument("--skip-rate-limit", action="store_true", help="leave out the rate-limit shrink (~1-2 min)")
    args = parser.parse_args(argv)
    return Soak(args).run()


if __name__ == "__main__":
    sys.exit(main())
