"""source-netsuite-inventory against the NetSuite emulator: past SuiteQL's 100,000-row cap, and incremental reads."""
from __future__ import annotations

import time

import pytest
import requests
from airbyte_cdk.models import SyncMode
from emulators.configs import netsuite_config
from emulators.netsuite import start_emulator
from source_netsuite_inventory import SourceNetsuiteInventory


def streams(emulator, **extra) -> dict:
    config = {**netsuite_config(emulator.base_url), **extra}
    return {stream.name: stream for stream in SourceNetsuiteInventory().streams(config)}


def test_a_catalogue_of_150000_stock_rows_is_read_whole_past_the_100000_row_cap():
    started = time.monotonic()
    with start_emulator(items=50_000, locations=3, customers=1, orders=1, concurrency_limit=5) as ns:
        # Latency (the emulated response time) above the emulator's own work on a page, so requests overlap in the
        # emulator when (and only when) the source sends them together.
        requests.post(f"{ns.base_url}/__emulator/latency", json={"ms": 40}, timeout=10).raise_for_status()
        stock = streams(ns, concurrency=4)["stock"]
        keys, skus = set(), set()
        count = 0
        for record in stock.read_records(SyncMode.full_refresh):
            count += 1
            keys.add((record["item_id"], record["location_id"]))
            skus.add(record["sku"])
        stats = requests.get(f"{ns.base_url}/__emulator/stats", timeout=10).json()
    assert count == len(keys) == 150_000  # every row once: none lost at the cap, none repeated across windows
    assert len(skus) == 50_000
    assert stats["max_in_flight"] > 1  # pages were fetched in parallel
    assert stats["rejected_for_concurrency"] == 0  # ...and never more at once than configured
    assert time.monotonic() - started < 60


@pytest.fixture()
def netsuite():
    with start_emulator(items=30, locations=2, customers=5, orders=1) as ns:
        yield ns


def stamp(ns, table: str, where: str, moment: str) -> None:
    db = ns.backend.db
    with db.lock:
        db.conn.execute(f"UPDATE {table} SET lastmodifieddate = ? WHERE {where}", (moment,))
        db.version += 1


def test_items_are_incremental_with_an_overlap_and_rows_in_the_overlap_are_not_sent_twice(netsuite):
    items = streams(netsuite)["items"]
    first = list(items.read_records(SyncMode.incremental))
    assert len(first) == 30
    cursor = items.state["last_modified_at"]
    assert cursor == max(r["last_modified_at"] for r in first)

    # A change saved just before the cursor (inside the overlap window), as a slow save or clock skew would be.
    stamp(netsuite, "item", "id = 4", "2026-11-02 14:30:00")
    again = streams(netsuite)["items"]
    again.state = items.state
    assert [r["id"] for r in again.read_records(SyncMode.incremental)] == [4]
    assert [r["id"] for r in again.read_records(SyncMode.incremental)] == []  # nothing changed since


def test_dates_come_in_one_fixed_format_whatever_the_account_preference(netsuite):
    customer = next(iter(streams(netsuite)["customers"].read_records(SyncMode.full_refresh)))
    # The emulator's display preference is D/M/YYYY; TO_CHAR must win over it.
    assert customer["last_modified_at"][4] == "-" and customer["last_modified_at"].endswith("Z")


def test_stock_records_carry_sku_and_location_name(netsuite):
    record = next(iter(streams(netsuite)["stock"].read_records(SyncMode.full_refresh)))
    names = {r["name"] for r in netsuite.backend.db.select("SELECT name FROM location")}
    assert record["sku"] and record["location_name"] in names
    assert set(record) >= {"item_id", "location_id", "on_hand", "available", "committed", "on_order", "backordered"}


def test_discover_offers_stock_as_full_refresh_only_and_items_and_customers_as_incremental(netsuite):
    import logging

    catalog = SourceNetsuiteInventory().discover(logging.getLogger("test"), netsuite_config(netsuite.base_url))
    modes = {stream.name: {mode.value for mode in stream.supported_sync_modes} for stream in catalog.streams}
    # Stock must be sent whole each sync, or ShipStation-side drift and skipped SKUs would never be corrected.
    assert modes["stock"] == {"full_refresh"}
    assert modes["items"] == modes["customers"] == {"full_refresh", "incremental"}
    assert modes["locations"] == {"full_refresh"}
