"""Sync 2 benchmark: prints `figure NAME VALUE UNIT` lines, each the worst over its runs.

- suiteql_rows_per_s, source_peak_rss_mb_100k, source_peak_rss_mb_1m: the source's console command reads the
  `stock` stream (full refresh) from a NetSuite emulator running in its own process, with no added latency.
  Rows per second are counted from the first record to the last (the ~2 s of Python start-up are excluded);
  peak RSS is the source process's own maximum resident set (wait4), the emulator's memory is not counted.
- shipstation_calls_per_changed_sku, rate_limit_utilization, shipstation_429s: one sync, source to destination
  in process, against emulators whose v2 rate limit equals the connector's configured limit, with every stock
  row changed in NetSuite so the writes span about three rate-limit windows. Utilization is the fastest
  schedule the limit allows ((ceil(calls / limit) - 1) whole minutes, since a fixed window admits a burst) over
  the time the calls took.

Bounded: every phase has a deadline; the whole run takes about four minutes.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

VENV_BIN = Path(sys.executable).parent
DEADLINE_S = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_netsuite_process(items: int, locations: int, customers: int = 1, orders: int = 1,
                           latency_ms: float = 0) -> tuple[subprocess.Popen, str]:
    """The NetSuite emulator as its own process (its CPU not shared with what is measured): (process, base URL)."""
    port = free_port()
    creds_file = Path(tempfile.mkdtemp()) / "creds.json"
    proc = subprocess.Popen([str(VENV_BIN / "netsuite-emulator"), "--port", str(port), "--items", str(items),
                             "--locations", str(locations), "--customers", str(customers), "--orders", str(orders),
                             "--concurrency-limit", "5", "--latency-ms", str(latency_ms),
                             "--credentials-file", str(creds_file)],
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
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the NetSuite emulator did not start in time")


def stock_catalog() -> dict:
    # Stock is full refresh only: each sync reads it whole, so that is what is measured.
    return {"streams": [{"stream": {"name": "stock", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}


def measure_source(rows_wanted: int, locations: int = 4) -> tuple[int, float, float]:
    """(rows read, rows per second, peak RSS in MB) of the source command reading `rows_wanted` stock rows."""
    from emulators.configs import netsuite_config

    items = math.ceil(rows_wanted / locations)
    emulator, base = start_netsuite_process(items, locations)
    try:
        work = Path(tempfile.mkdtemp())
        (work / "config.json").write_text(json.dumps({**netsuite_config(base), "concurrency": 4}))
        (work / "catalog.json").write_text(json.dumps(stock_catalog()))
        proc = subprocess.Popen([str(VENV_BIN / "source-netsuite-inventory"), "read", "--config",
                                 str(work / "config.json"), "--catalog", str(work / "catalog.json")],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 20)
        rows, first, last = 0, None, None
        deadline = time.monotonic() + DEADLINE_S
        for line in proc.stdout:
            if b'"type":"RECORD"' in line:
                rows += 1
                last = time.monotonic()
                first = first or last
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the source read took too long")
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            raise RuntimeError(f"the source exited with status {status}")
        rate = rows / max((last or 0) - (first or 0), 1e-9)
        return rows, rate, usage.ru_maxrss / 1024
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


def measure_writes(rate_limit: int, windows: float = 2.9) -> tuple[int, int, float, int, float]:
    """(changed levels, POST calls, utilization %, 429s, seconds) of one sync writing ~`windows` windows of calls."""
    from airbyte_cdk.models import AirbyteStateMessageSerializer  # noqa: F401  (same CDK as the connectors)
    from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, Type
    from destination_shipstation_inventory import DestinationShipstationInventory
    from emulators.configs import netsuite_config, shipstation_config
    from emulators.netsuite import start_emulator as start_netsuite
    from emulators.shipstation import start_emulator as start_shipstation
    from source_netsuite_inventory import SourceNetsuiteInventory
    import logging

    locations = 3
    items = int(rate_limit * windows) // locations
    merchant = dict(seed=3, items=items, locations=locations, customers=1, orders=1)
    with start_netsuite(**merchant) as ns, start_shipstation(**merchant, v2_rate_limit=rate_limit) as ss:
        db = ns.backend.db
        with db.lock:  # every level differs, so the writes alone outlast two rate-limit windows
            db.conn.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + 1000, "
                            "quantityavailable = quantityavailable + 1000")
            db.version += 1
        catalog = ConfiguredAirbyteCatalogSerializer.load(stock_catalog())
        logger = logging.getLogger("bench")
        logging.getLogger("airbyte").setLevel(logging.WARNING)
        messages = SourceNetsuiteInventory().read(logger, netsuite_config(ns.base_url), catalog, None)
        piped = (m for m in messages if m.type in (Type.RECORD, Type.STATE))
        started = time.monotonic()
        destination = DestinationShipstationInventory()
        for _ in destination.write(shipstation_config(ss.base_url, rate_limit_per_minute=rate_limit), catalog,
                                   piped):
            pass
        took = time.monotonic() - started
        stats = requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()
    calls = sum(n for route, n in stats.get("v2_calls", {}).items())
    posts = stats.get("v2_calls", {}).get("POST /v2/inventory", 0)
    fastest = (math.ceil(calls / rate_limit) - 1) * 60
    utilization = 100.0 * fastest / took if fastest else float("nan")
    print(f"# writes: {items * locations} levels changed, {posts} POSTs, {calls - posts} reads, {calls} calls "
          f"in {took:.1f} s at {rate_limit}/min", flush=True)
    return items * locations, posts, utilization, stats["rate_limited"]["v2"], took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-limit", type=int, default=600, help="ShipStation v2 calls a minute (both sides)")
    parser.add_argument("--skip-1m", action="store_true", help="leave out the 1,000,000-row source run")
    args = parser.parse_args()

    rates, rss = [], {}
    for label, rows in (("100k", 100_000), ("1m", 1_000_000)):
        if label == "1m" and args.skip_1m:
            continue
        read, rate, peak = measure_source(rows)
        print(f"# source: {read} rows at {rate:,.0f} rows/s, peak RSS {peak:.0f} MB", flush=True)
        if read < rows:
            raise SystemExit(f"the source read {read} rows, expected {rows}")
        rates.append(rate)
        rss[label] = peak
    print(f"figure suiteql_rows_per_s {min(rates):.0f} rows/s")
    for label, peak in rss.items():
        print(f"figure source_peak_rss_mb_{label} {peak:.0f} MB")

    changed, posts, utilization, throttled, _ = measure_writes(args.rate_limit)
    print(f"figure shipstation_calls_per_changed_sku {posts / changed:.3f} calls")
    print(f"figure rate_limit_utilization {utilization:.1f} %")
    print(f"figure shipstation_429s {throttled} count")


if __name__ == "__main__":
    main()
