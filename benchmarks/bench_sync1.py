"""Sync 1's destination benchmark: destination-netsuite-fulfillment writing a realistic mix of ShipStation
shipments into the NetSuite emulator with 20 ms of latency on every call, printing `figure NAME VALUE UNIT` lines.

Runs: 1,000 shipments at concurrency 1, 1,000 at concurrency 5, 10,000 at concurrency 5 (the account's limit).
The mix, drawn with a fixed seed over the emulator's generated sales orders:
- most orders shipped whole in one label; some in two packages (one shipment, two tracking numbers);
- some split: one unit of the first line first (a partial fulfillment), the rest in a second shipment;
- a few labels voided after they were applied (the void arrives later in the same sync: a reversal);
- a few shipments for orders NetSuite does not have (skipped, no fulfillment);
- replays: a tenth of the applied shipments sent again at the end (found by external id, nothing written).

Figures, per run (suffix `_<shipments>_c<concurrency>`) and overall (the worst run):
- netsuite_calls_per_fulfillment: every request the NetSuite emulator served during the run (order lookups,
  transforms, reversals, re-reads, token requests) / fulfillments created. Target <= 1.1.
- fulfillment_throughput_vs_bound: fulfillments created per second / (concurrency / latency), i.e. against what
  `concurrency` requests in flight of 20 ms each could do at best if each fulfillment cost one call. Target >= 0.8.

Correct as it goes, or it fails: every applied shipment is exactly one item fulfillment (no duplicate external id),
every voided one is gone again, no fulfillment for the unknown orders, and the audit says `created` exactly as
often. The emulator runs as its own process (its own interpreter, so its CPU does not share ours); the
destination runs in this process, as PyAirbyte would start it minus its start-up. Bounded: each run has a
deadline. How loaded the machine was is printed with the figures (load average before and after).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sync2 import free_port  # noqa: E402  (one helper for the benchmarks' emulator ports)

VENV_BIN = Path(sys.executable).parent
LATENCY_MS = 20.0
DEADLINE_S = 900
RUNS = ((1_000, 1), (1_000, 5), (10_000, 5))
CALLS_TARGET = 1.1
THROUGHPUT_TARGET = 0.8


@dataclass
class Mix:
    records: list[dict] = field(default_factory=list)
    applied: set[str] = field(default_factory=set)  # shipment ids that must end as one fulfillment each
    voided: set[str] = field(default_factory=set)  # applied, then voided: must end with none
    unknown: int = 0
    replays: int = 0

    @property
    def created(self) -> int:
        return len(self.applied) + len(self.voided)


def start_netsuite(orders: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    creds = Path(tempfile.mkdtemp()) / "creds.json"
    proc = subprocess.Popen([str(VENV_BIN / "netsuite-emulator"), "--port", str(port), "--items", "300",
                             "--locations", "3", "--customers", "50", "--orders", str(orders),
                             "--concurrency-limit", "5", "--latency-ms", str(LATENCY_MS),
                             "--credentials-file", str(creds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/__emulator/credentials", timeout=2).raise_for_status()
            return proc, base
        except requests.RequestException:
            if proc.poll() is not None:
                raise RuntimeError("the NetSuite emulator exited")
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the NetSuite emulator did not start in time")


def sql(base: str, query: str) -> list[dict]:
    response = requests.post(f"{base}/__emulator/sql", json={"q": query}, timeout=60)
    response.raise_for_status()
    return response.json()["rows"]


def open_orders(base: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """(document number, [(sku, quantity ordered)]) of every open sales order, in order."""
    rows = sql(base, """SELECT t.tranid AS tranid, i.itemid AS sku, -l.quantity AS qty FROM "transaction" t
        JOIN transactionline l ON l."transaction" = t.id JOIN item i ON i.id = l.item
        WHERE t.type = 'SalesOrd' AND t.status = 'B' AND l.mainline = 'F' ORDER BY t.id, l.id""")
    orders: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        orders.setdefault(row["tranid"], []).append((row["sku"], int(row["qty"])))
    return list(orders.items())


def shipment_mix(orders: list, wanted: int, seed: int) -> Mix:
    from emulators.fulfillment_testkit import shipment, voided

    rng = random.Random(seed)
    mix, to_void = Mix(), []
    for number, lines in orders:
        if len(mix.records) >= wanted * 0.86:
            break
        draw = rng.random()
        if draw < 0.12 and lines[0][1] >= 2:  # split: one unit of the first line, then the rest
            first = shipment(number, [(lines[0][0], 1)])
            rest = shipment(number, [(lines[0][0], lines[0][1] - 1), *lines[1:]])
            mix.records += [first, rest]
            mix.applied |= {first["shipment_id"], rest["shipment_id"]}
            continue
        two_packages = draw > 0.94
        record = shipment(number, lines, tracking=[f"1Z{number}A", f"1Z{number}B"] if two_packages else None)
        mix.records.append(record)
        if rng.random() < 0.03:
            to_void.append(record)
            mix.voided.add(record["shipment_id"])
        else:
            mix.applied.add(record["shipment_id"])
    for k in range(max(1, wanted // 50)):  # orders NetSuite does not have
        mix.records.append(shipment(f"NOT-IN-NETSUITE-{k}", [("NO-SUCH-SKU", 1)]))
        mix.unknown += 1
    mix.records += [voided(record) for record in to_void]
    applied_records = [r for r in mix.records if r["shipment_id"] in mix.applied]
    replays = applied_records[: max(0, wanted - len(mix.records))]
    mix.records += replays
    mix.replays = len(replays)
    return mix


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def run(shipments: int, concurrency: int, seed: int) -> dict:
    from airbyte_cdk.models import Type
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
    from emulators import fulfillment_testkit as kit
    from emulators.configs import netsuite_config

    proc, base = start_netsuite(orders=int(shipments * 1.05) + 20)
    try:
        mix = shipment_mix(open_orders(base), shipments, seed)
        workdir = Path(tempfile.mkdtemp())
        audit = workdir / "audit.jsonl"
        config = {**netsuite_config(base), "concurrency": concurrency, "audit_file": str(audit)}
        before = requests.get(f"{base}/__emulator/stats", timeout=10).json()["requests_served"]
        started = time.monotonic()
        for message in DestinationNetsuiteFulfillment().write(config, kit.catalog(), kit.messages(mix.records)):
            if time.monotonic() - started > DEADLINE_S:
                raise RuntimeError(f"the run of {shipments} shipments at concurrency {concurrency} took too long")
            assert message.type in (Type.STATE, Type.LOG, Type.TRACE)
        seconds = time.monotonic() - started
        calls = requests.get(f"{base}/__emulator/stats", timeout=10).json()["requests_served"] - before
        check(base, mix, kit.outcomes(audit))
        rate = mix.created / seconds
        return {"shipments": len(mix.records), "created": mix.created, "calls": calls, "seconds": seconds,
                "calls_per_fulfillment": calls / mix.created, "fulfillments_per_s": rate,
                "throughput_vs_bound": rate / (concurrency / (LATENCY_MS / 1000))}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def check(base: str, mix: Mix, audit: list[dict]) -> None:
    """Every applied shipment is one fulfillment, every voided one none, none twice; the audit agrees."""
    live = sql(base, """SELECT externalid, COUNT(*) AS n FROM "transaction" WHERE type = 'ItemShip'
        GROUP BY externalid""")
    duplicates = [r["externalid"] for r in live if r["n"] > 1]
    if duplicates:
        raise AssertionError(f"{len(duplicates)} shipments became more than one fulfillment: {duplicates[:5]}")
    if len(live) != len(mix.applied):
        raise AssertionError(f"{len(live)} fulfillments in NetSuite, {len(mix.applied)} expected")
    outcomes: dict[str, int] = {}
    for entry in audit:
        outcomes[entry["outcome"]] = outcomes.get(entry["outcome"], 0) + 1
    expected = {"created": mix.created, "reversed": len(mix.voided), "already_present": mix.replays,
                "skipped": mix.unknown}
    if {k: outcomes.get(k, 0) for k in expected} != expected:
        raise AssertionError(f"audit outcomes {outcomes}, expected {expected}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every run's shipments (a quick try)")
    args = parser.parse_args(argv)
    # The audit trail goes to its file, not the screen. Imported first: the CDK sets its logger to INFO on import.
    import destination_netsuite_fulfillment  # noqa: F401
    logging.getLogger("airbyte").setLevel(logging.WARNING)
    load_before = load_average()
    results = []
    for shipments, concurrency in RUNS:
        shipments = max(50, int(shipments * args.scale))
        result = run(shipments, concurrency, args.seed)
        results.append(result)
        suffix = f"_{shipments}_c{concurrency}"
        print(f"figure netsuite_calls_per_fulfillment{suffix} {result['calls_per_fulfillment']:.3f} calls", flush=True)
        print(f"figure fulfillments_per_s{suffix} {result['fulfillments_per_s']:.1f} fulfillments/s", flush=True)
        print(f"figure fulfillment_throughput_vs_bound{suffix} {result['throughput_vs_bound']:.2f} ratio", flush=True)
        print(f"#   {result['shipments']} records, {result['created']} fulfillments created, {result['calls']} "
              f"NetSuite calls in {result['seconds']:.1f} s", flush=True)
    worst_calls = max(r["calls_per_fulfillment"] for r in results)
    worst_rate = min(r["throughput_vs_bound"] for r in results)
    print(f"figure netsuite_calls_per_fulfillment {worst_calls:.3f} calls")
    print(f"figure fulfillment_throughput_vs_bound {worst_rate:.2f} ratio")
    print(f"#   targets: calls <= {CALLS_TARGET} ({'holds' if worst_calls <= CALLS_TARGET else 'MISSED'}), "
          f"throughput >= {THROUGHPUT_TARGET} ({'holds' if worst_rate >= THROUGHPUT_TARGET else 'MISSED'}); "
          f"load average (1/5 min) {load_before} before, {load_average()} after, on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
