"""Sync 1's benchmark: destination-netsuite-fulfillment writing a realistic mix of ShipStation shipments into the
NetSuite emulator with 20 ms of latency on every call, then source-shipstation reading 10,000 shipments on v1 and
v2 (the source part, below), printing `figure NAME VALUE UNIT` lines. About 2.5 minutes in all on a 2-core machine
(the source part about 25 s); `--scale 0.1` for a quick try, `--part source|destination` for one part.

Runs: 1,000 shipments at concurrency 1, 1,000 at concurrency 5, 10,000 at concurrency 5 (the account's limit).
A fourth run, 1,000 shipments at concurrency 5 on an account with Lot Tracking and Bins on (suffix
`_lots_bins`): every order line is a lot-numbered item kept in bins at one warehouse, several lots per item with
their expiry dates spread over two bins, so the destination assigns lots (first expiring first) and bins from
the same batch lookup, and lots run out and spill into the next as the run goes. It checks besides that NetSuite
recorded an inventory assignment for every unit fulfilled.
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
  The 20 ms is the emulator's response time from a request's arrival, kept on average (its event loop's late
  timers corrected for: emulators/common/faults.py, LatencyTiming); each run prints the mean it really kept,
  and fails if that is more than 1% under 20 ms.

Correct as it goes, or it fails: every applied shipment is exactly one item fulfillment (no duplicate external id),
every voided one is gone again, no fulfillment for the unknown orders, and the audit says `created` exactly as
often. The emulator runs as its own process (its own interpreter, so its CPU does not share ours); the
destination runs in this process, as PyAirbyte would start it minus its start-up. Bounded: each run has a
deadline. How loaded the machine was is printed with the figures (load average before and after).

The source part: source-shipstation reading 10,000 shipments (labels), once on v1 and once on v2, from one
ShipStation emulator holding them. Figures (suffix `_v1`, `_v2`; the unsuffixed one is the worse of the two):
- source_shipments_per_s: records read / seconds from the start of the read (the source's first output line,
  after Python start-up and config checks) to its last record. That span holds every ShipStation call the source
  makes before its first record (v2 lists all labels first), so it is the read's whole cost; Python start-up is
  left out (about 2 s, a fixed cost, not a rate) and printed beside it with the first-to-last-record span, the
  whole command's wall time and the source's CPU seconds. Where that CPU time is well below the read time, the
  source was waiting for the emulator's answers: on v2 it is most of the read (the emulator filters and sorts
  every shipment and label for each page and holds each answer to the OAS, some 15-30 ms a page of 200 at 2,000
  labels and more at 10,000), so the v2 figure is a lower bound on the source's own speed.
- source_peak_rss_mb: the source process's own maximum resident set (os.wait4), the emulator's not counted.
- source_calls_vs_page_floor: the ShipStation list calls the source made (the emulator's `/__emulator/stats`
  v1_calls / v2_calls, GET on a list route, before and after the read) / the fewest pages that many rows can be
  listed in, ceil(rows / largest page size). The largest page size used:
  - v1: 500, D1's documented maximum `pageSize` on every list (shared/reference/shipstation-api.md; the
    emulator refuses more).
  - v2: 200. The OAS documents NO maximum for `page_size` on list_shipments and list_labels (its
    `page_size_query_param`: integer, minimum 1, default 25, no maximum), nor the docs for list_fulfillments;
    the only stated v2 maxima are listProducts' 100 and nothing for the inventory `limit`s. With no documented
    maximum, the floor uses the size the source's paginator asks for those lists
    (libs/shipstation/shipstation_lib/paging.py: V2_DEFAULT_PAGE_SIZE and V2_PAGE_SIZE["v2/fulfillments"], both
    `page_size` 200), fixed here so that a change there shows in the figure (a `#` line says if it moved). Any
    larger number would be a guess at what ShipStation accepts.
  So 1.0 means one list read exactly once at the largest page; the source reads several lists per sync (v1:
  labels by creation, label-less fulfillments; v2: labels, shipments, fulfillments), each costing at least one
  call even when empty, so the figure says how many lists' worth of pages a sync costs. No target is set.
Set-up: the emulator runs in this process (start_emulator) with one order per label, its labels made through its
backend's create_label (one single-package label per order, the whole order shipped, no webhooks subscribed);
the source runs as its console command, `source-shipstation read`, stream `shipments`, full refresh, no start
date, in its own process. THE RATE LIMITS ARE RAISED for this measurement: the emulator's per-key limits to
1,000,000 calls a minute on both APIs (`POST /__emulator/rate-limits`) and the source's own
`rate_limit_per_minute` setting to 10,000, its spec's maximum, so the figure is the source's own speed and not
ShipStation's 40 (v1) or 200 (v2) calls a minute. No emulated latency. Correct or it fails: the read exits 0 and
emits every label exactly once (records == distinct shipment ids == labels created, and those ids are exactly the
labels' ids), and every list call was answered (no 429).
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sync2 import start_netsuite_process  # noqa: E402  (the benchmarks' one NetSuite emulator launcher)

VENV_BIN = Path(sys.executable).parent
LATENCY_MS = 20.0
DEADLINE_S = 900
RUNS = ((1_000, 1), (1_000, 5), (10_000, 5))
LOTS_BINS_RUN = (1_000, 5)
LOT_ITEMS, LOTS_PER_BIN, LOT_SIZE = 40, 5, 12  # per item: 2 bins x 5 lots x 12 units = 120 units
BIN_LOCATION = 10
CALLS_TARGET = 1.1
THROUGHPUT_TARGET = 0.8

SOURCE_SHIPMENTS = 10_000
SOURCE_DEADLINE_S = 300  # one source read
PAGE_FLOOR = {"v1": 500, "v2": 200}  # the largest page size per API version: see the docstring
# The list operations the source's shipments stream may call, per API version (the emulator counts per route).
LIST_ROUTES = {"v1": {"GET /shipments", "GET /fulfillments", "GET /orders"},
               "v2": {"GET /v2/shipments", "GET /v2/labels", "GET /v2/fulfillments"}}


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


def seed_lots_and_bins(base: str, orders: int, seed: int) -> None:
    """Switches Lot Tracking and Bins on and seeds a warehouse with bins, lot items stocked in them and open sales
    orders of those items only (document numbers `LB-…`), through the emulator's control plane."""
    rng = random.Random(seed)
    control = lambda route, body: requests.post(f"{base}/__emulator/{route}", json=body, timeout=120)  # noqa: E731
    control("features", {"multilocation": True, "lots": True, "bins": True}).raise_for_status()
    bins = [{"id": 900 + n, "binnumber": f"A-{n:02d}", "location": BIN_LOCATION} for n in (1, 2)]
    skus = [f"LOT-{n:03d}" for n in range(LOT_ITEMS)]
    items = [{"itemid": sku, "islotitem": True, "usebins": True,
              "preferredbins": [{"location": BIN_LOCATION, "bin": bins[0]["id"]}]} for sku in skus]
    stock = [{"item": sku, "location": BIN_LOCATION, "bin": b["id"], "lot": f"{sku}-L{b['id']}-{k}",
              "expirationdate": f"2027-{1 + (k * 3 + b['id']) % 12:02d}-28", "quantity": LOT_SIZE}
             for sku in skus for b in bins for k in range(LOTS_PER_BIN)]
    sales_orders = [{"tranid": f"LB-{n:05d}", "status": "B", "location": BIN_LOCATION,
                     "lines": [{"item": sku, "quantity": rng.randint(1, 3), "location": BIN_LOCATION}
                               for sku in rng.sample(skus, rng.randint(1, 2))]} for n in range(orders)]
    answer = control("seed", {"locations": [{"id": BIN_LOCATION, "name": "Bin Warehouse", "usesbins": True}],
                              "bins": bins, "items": items, "stock": stock, "sales_orders": sales_orders})
    if answer.status_code != 200:
        raise RuntimeError(f"the emulator refused the lots-and-bins account: {answer.status_code} {answer.text[:300]}")


def assigned_units(base: str) -> tuple[int, int]:
    """(units on the connector's fulfillments of lot items, units NetSuite recorded in their inventory detail)."""
    # The emulator's own tables (POST /__emulator/sql is SQLite, not SuiteQL): item flags live in ns_item_feature.
    lines = sql(base, """SELECT SUM(ABS(l.quantity)) AS n FROM transactionline l
        JOIN "transaction" t ON t.id = l."transaction" JOIN ns_item_feature f ON f.id = l.item
        WHERE t.type = 'ItemShip' AND f.islotitem = 'T' AND l.mainline = 'F'""")
    details = sql(base, "SELECT SUM(ABS(quantity)) AS n FROM inventoryassignment WHERE inventorynumber IS NOT NULL")
    return int(float(lines[0].get("n") or 0)), int(float(details[0].get("n") or 0))


def run(shipments: int, concurrency: int, seed: int, lots_and_bins: bool = False) -> dict:
    from airbyte_cdk.models import Type
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
    from emulators import fulfillment_testkit as kit
    from emulators.configs import netsuite_config

    orders = int(shipments * 1.05) + 20
    proc, base = start_netsuite_process(items=300, locations=3, customers=50,
                                        orders=50 if lots_and_bins else orders, latency_ms=LATENCY_MS)
    try:
        if lots_and_bins:
            seed_lots_and_bins(base, orders, seed)
        candidates = [(number, lines) for number, lines in open_orders(base)
                      if number.startswith("LB-") == lots_and_bins]
        mix = shipment_mix(candidates, shipments, seed)
        workdir = Path(tempfile.mkdtemp())
        audit = workdir / "audit.jsonl"
        config = {**netsuite_config(base), "concurrency": concurrency, "audit_file": str(audit)}
        if lots_and_bins:
            config.update(lot_numbered_items=True, bins=True)
        before = requests.get(f"{base}/__emulator/stats", timeout=10).json()["requests_served"]
        started = time.monotonic()
        for message in DestinationNetsuiteFulfillment().write(config, kit.catalog(), kit.messages(mix.records)):
            if time.monotonic() - started > DEADLINE_S:
                raise RuntimeError(f"the run of {shipments} shipments at concurrency {concurrency} took too long")
            assert message.type in (Type.STATE, Type.LOG, Type.TRACE)
        seconds = time.monotonic() - started
        stats = requests.get(f"{base}/__emulator/stats", timeout=10).json()
        calls = stats["requests_served"] - before
        kept = stats["faults"]["latency_kept"]
        if kept["mean_ms"] is None or kept["mean_ms"] < LATENCY_MS * 0.99:
            # The emulator aims early by what its timers overshoot; answering faster than the bound assumes would
            # flatter the throughput figure, so it fails the run rather than print it.
            raise AssertionError(f"the emulator answered {kept['mean_ms']} ms after arrival on average, under the "
                                 f"{LATENCY_MS:.0f} ms the bound assumes")
        check(base, mix, kit.outcomes(audit))
        if lots_and_bins:
            on_lines, in_details = assigned_units(base)
            if on_lines == 0 or on_lines != in_details:
                raise AssertionError(f"{on_lines} units of lot items fulfilled but {in_details} assigned to lots")
        rate = mix.created / seconds
        return {"shipments": len(mix.records), "created": mix.created, "calls": calls, "seconds": seconds,
                "calls_per_fulfillment": calls / mix.created, "fulfillments_per_s": rate,
                "throughput_vs_bound": rate / (concurrency / (LATENCY_MS / 1000)),
                "latency_kept_ms": kept["mean_ms"], "earliest_ms": kept["earliest_ms"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def kept_latency(result: dict) -> str:
    # The bound assumes LATENCY_MS per call: say what the emulator really kept (its answers' mean time from arrival).
    return (f"the emulator answered {result['latency_kept_ms']:.2f} ms after arrival on average (configured "
            f"{LATENCY_MS:.0f}, earliest {result['earliest_ms']:.2f})")


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


# ---- the source part ----------------------------------------------------------------------------------------

def shipments_catalog() -> dict:
    return {"streams": [{"stream": {"name": "shipments", "json_schema": {},
                                    "supported_sync_modes": ["full_refresh", "incremental"]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}


def make_labels(backend, wanted: int) -> dict[str, set[str]]:
    """`wanted` single-package labels, one per open order (the whole order shipped), through the backend in
    process. Returns the ids each API version must emit: v1 `shipmentId`, v2 `se-<id>`."""
    labels = []
    for order in list(backend.orders.values()):
        if len(labels) >= wanted:
            break
        if order.status == "awaiting_shipment" and any(i.quantity > i.shipped for i in order.items):
            labels.append(backend.create_label(order.order_number))
    if len(labels) < wanted:
        raise RuntimeError(f"the emulator had orders for {len(labels)} labels, {wanted} wanted")
    return {"v1": {str(s.packages[0].v1_shipment_id) for s in labels},
            "v2": {f"se-{s.shipment_id}" for s in labels}}


def emulator_stats(base: str) -> dict:
    response = requests.get(f"{base}/__emulator/stats", timeout=30)
    response.raise_for_status()
    return response.json()


def read_source(base: str, version: str, expected: set[str]) -> dict:
    """One `source-shipstation read` of the shipments stream: records, times, peak RSS and calls; checked."""
    from emulators.configs import shipstation_config

    work = Path(tempfile.mkdtemp())
    config = shipstation_config(base, version, rate_limit_per_minute=10_000)  # the spec's maximum
    (work / "config.json").write_text(json.dumps(config))
    (work / "catalog.json").write_text(json.dumps(shipments_catalog()))
    before = emulator_stats(base)
    started = time.monotonic()
    proc = subprocess.Popen([str(VENV_BIN / "source-shipstation"), "read", "--config", str(work / "config.json"),
                             "--catalog", str(work / "catalog.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 20)
    timer = threading.Timer(SOURCE_DEADLINE_S, proc.kill)  # bounded even when the source goes quiet
    timer.start()
    ids: list[str] = []
    errors: list[str] = []
    first_output = first = last = None
    try:
        for line in proc.stdout:
            now = time.monotonic()
            first_output = first_output or now
            if b'"RECORD"' in line:
                message = json.loads(line)
                if message.get("type") == "RECORD":
                    ids.append(str(message["record"]["data"].get("shipment_id")))
                    last = now
                    first = first or now
            elif b'"TRACE"' in line and b'"ERROR"' in line:
                errors.append(line.decode(errors="replace")[:500])
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    whole = time.monotonic() - started
    if whole >= SOURCE_DEADLINE_S:
        raise RuntimeError(f"the {version} source read took more than {SOURCE_DEADLINE_S} s: killed")
    if status != 0:
        raise RuntimeError(f"the {version} source read exited with status {status}: {' | '.join(errors)[:1000]}")
    after = emulator_stats(base)
    key = f"{version}_calls"
    calls = {route: n - before.get(key, {}).get(route, 0) for route, n in after.get(key, {}).items()}
    calls = {route: n for route, n in calls.items() if n}
    throttled = after["rate_limited"][version] - before["rate_limited"][version]
    check_source(version, ids, expected, throttled, errors)
    list_calls = sum(n for route, n in calls.items() if route in LIST_ROUTES[version])
    rows = len(ids)
    return {"rows": rows, "whole_s": whole, "read_s": (last or 0) - (first_output or 0),
            "records_s": (last or 0) - (first or 0),
            "shipments_per_s": rows / max((last or 0) - (first_output or 0), 1e-9),
            "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime, "calls": calls,
            "list_calls": list_calls,
            "floor": math.ceil(rows / PAGE_FLOOR[version]),
            "calls_vs_floor": list_calls / math.ceil(rows / PAGE_FLOOR[version])}


def check_source(version: str, ids: list[str], expected: set[str], throttled: int, errors: list[str]) -> None:
    """Every label exactly once: as many records as labels, as many distinct ids, and the very ids created."""
    distinct = set(ids)
    if len(ids) != len(distinct):
        raise AssertionError(f"{version}: {len(ids) - len(distinct)} shipments emitted more than once")
    if distinct != expected:
        missing, extra = expected - distinct, distinct - expected
        raise AssertionError(f"{version}: {len(distinct)} distinct shipments emitted, {len(expected)} labels created; "
                             f"missing {len(missing)} (e.g. {sorted(missing)[:3]}), unexpected {len(extra)} "
                             f"(e.g. {sorted(extra)[:3]})")
    if throttled:
        raise AssertionError(f"{version}: the emulator answered 429 {throttled} times with its limits raised")
    if errors:
        raise AssertionError(f"{version}: the source reported errors: {errors[:2]}")


def source_part(shipments: int, seed: int) -> dict[str, dict]:
    from emulators.shipstation import start_emulator

    results = {}
    with start_emulator(seed=seed, items=200, locations=2, customers=50, orders=shipments + 50) as ss:
        expected = make_labels(ss.backend, shipments)
        limits = requests.post(f"{ss.base_url}/__emulator/rate-limits", json={"v1": 1_000_000, "v2": 1_000_000},
                               timeout=10)
        limits.raise_for_status()
        for version in ("v1", "v2"):
            results[version] = read_source(ss.base_url, version, expected[version])
    return results


def paging_note() -> str | None:
    """Say so if the source's paginator no longer asks the page size the v2 floor assumes."""
    try:
        from shipstation_lib import paging
    except ImportError:
        return None
    asked = {paging.V2_DEFAULT_PAGE_SIZE[1], paging.V2_PAGE_SIZE.get("v2/fulfillments", ("", 0))[1]}
    if asked != {PAGE_FLOOR["v2"]}:
        return (f"#   note: shipstation_lib.paging now asks page sizes {sorted(asked)} on the v2 shipment lists; "
                f"the v2 floor here still uses {PAGE_FLOOR['v2']}")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every run's shipments (a quick try)")
    parser.add_argument("--part", choices=("all", "destination", "source"), default="all")
    args = parser.parse_args(argv)
    # The audit trail goes to its file, not the screen. Imported first: the CDK sets its logger to INFO on import.
    import destination_netsuite_fulfillment  # noqa: F401
    logging.getLogger("airbyte").setLevel(logging.WARNING)
    # Skipped records are audited at WARN (the unknown orders of the mix): the audit file has them, and check()
    # reads it; on the screen they would bury the figures.
    logging.getLogger("airbyte").addFilter(lambda record: not str(record.msg).startswith("audit "))
    load_before = load_average()
    if args.part in ("all", "destination"):
        destination_part(args)
    if args.part in ("all", "source"):
        shipments = max(50, int(SOURCE_SHIPMENTS * args.scale))
        results = source_part(shipments, args.seed)
        for version, r in results.items():
            print(f"figure source_shipments_per_s_{version} {r['shipments_per_s']:.0f} shipments/s", flush=True)
            print(f"figure source_peak_rss_mb_{version} {r['peak_rss_mb']:.0f} MB", flush=True)
            print(f"figure source_calls_vs_page_floor_{version} {r['calls_vs_floor']:.2f} ratio", flush=True)
            print(f"#   {version}: {r['rows']} shipments; read {r['read_s']:.2f} s (first record to last "
                  f"{r['records_s']:.2f} s), whole command {r['whole_s']:.2f} s, source CPU {r['cpu_s']:.2f} s; "
                  f"{r['list_calls']} list calls, floor {r['floor']} pages of {PAGE_FLOOR[version]}; calls: "
                  + ", ".join(f"{route} {n}" for route, n in sorted(r["calls"].items())), flush=True)
        print(f"figure source_shipments_per_s {min(r['shipments_per_s'] for r in results.values()):.0f} shipments/s")
        print(f"figure source_peak_rss_mb {max(r['peak_rss_mb'] for r in results.values()):.0f} MB")
        print(f"figure source_calls_vs_page_floor {max(r['calls_vs_floor'] for r in results.values()):.2f} ratio")
        note = paging_note()
        if note:
            print(note)
        print("#   source: emulator rate limits raised to 1,000,000/min on v1 and v2 and the source's "
              "rate_limit_per_minute set to 10,000 (its maximum) for this measurement: its own speed, not "
              "ShipStation's limit", flush=True)
    print(f"#   load average (1/5 min) {load_before} before, {load_average()} after, on {os.cpu_count()} cores",
          flush=True)
    return 0


def destination_part(args) -> None:
    results = []
    for shipments, concurrency in RUNS:
        shipments = max(50, int(shipments * args.scale))
        result = run(shipments, concurrency, args.seed)
        results.append(result)
        suffix = f"_{shipments}_c{concurrency}"
        print(f"figure netsuite_calls_per_fulfillment{suffix} {result['calls_per_fulfillment']:.3f} calls", flush=True)
        print(f"figure fulfillments_per_s{suffix} {result['fulfillments_per_s']:.1f} fulfillments/s", flush=True)
        print(f"figure fulfillment_throughput_vs_bound{suffix} {result['throughput_vs_bound']:.3f} ratio", flush=True)
        print(f"#   {result['shipments']} records, {result['created']} fulfillments created, {result['calls']} "
              f"NetSuite calls in {result['seconds']:.1f} s; {kept_latency(result)}", flush=True)
    shipments, concurrency = LOTS_BINS_RUN
    shipments = max(50, int(shipments * args.scale))
    result = run(shipments, concurrency, args.seed, lots_and_bins=True)
    results.append(result)
    suffix = f"_{shipments}_c{concurrency}_lots_bins"
    print(f"figure netsuite_calls_per_fulfillment{suffix} {result['calls_per_fulfillment']:.3f} calls", flush=True)
    print(f"figure fulfillment_throughput_vs_bound{suffix} {result['throughput_vs_bound']:.3f} ratio", flush=True)
    print(f"#   {result['shipments']} records, {result['created']} fulfillments created (lots first expiring first, "
          f"bins), {result['calls']} NetSuite calls in {result['seconds']:.1f} s; {kept_latency(result)}", flush=True)
    worst_calls = max(r["calls_per_fulfillment"] for r in results)
    worst_rate = min(r["throughput_vs_bound"] for r in results)
    print(f"figure netsuite_calls_per_fulfillment {worst_calls:.3f} calls")
    # Three decimals: the summary table judges the printed value, which must not round a miss (0.798) up to 0.80.
    print(f"figure fulfillment_throughput_vs_bound {worst_rate:.3f} ratio")
    print(f"#   targets: calls <= {CALLS_TARGET} ({'holds' if worst_calls <= CALLS_TARGET else 'MISSED'}), "
          f"throughput >= {THROUGHPUT_TARGET} ({'holds' if worst_rate >= THROUGHPUT_TARGET else 'MISSED'})",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
