"""Sync 2 end to end: NetSuite stock read by source-netsuite-inventory, piped into destination-shipstation-inventory,
against both emulators. ShipStation's state and call counts are read from the emulators, never from the connectors.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

import pytest
import requests
from airbyte_cdk.models import (AirbyteMessage, AirbyteStateMessageSerializer, AirbyteStream, ConfiguredAirbyteCatalog,
                                ConfiguredAirbyteStream, DestinationSyncMode, SyncMode, Type)
from destination_shipstation_inventory import DestinationShipstationInventory
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.reliability import netsuite_stock, shipstation_stock, stock_differences
from emulators.shipstation import start_emulator as start_shipstation
from source_netsuite_inventory import SourceNetsuiteInventory

MERCHANT = dict(seed=7, items=20, locations=3, customers=2, orders=2)
LOGGER = logging.getLogger("test_sync2")


@pytest.fixture()
def emulators():
    with start_netsuite(**MERCHANT) as ns, start_shipstation(**MERCHANT) as ss:
        yield ns, ss


def stock_catalog() -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=_stock_stream(), sync_mode=SyncMode.full_refresh, destination_sync_mode=DestinationSyncMode.append)])


def _stock_stream() -> AirbyteStream:
    # Stock is full refresh only: every sync sends every row, so ShipStation is corrected wherever it differs.
    return AirbyteStream(name="stock", json_schema={}, supported_sync_modes=[SyncMode.full_refresh],
                         source_defined_primary_key=[["item_id"], ["location_id"]])


class Sync:
    """One source -> destination run; the state the destination confirmed is kept as JSON, as a platform would."""

    def __init__(self, ns, ss, **destination_extra) -> None:
        self.ns_config = netsuite_config(ns.base_url)
        self.ss_config = shipstation_config(ss.base_url, **destination_extra)
        self.state_json: str | None = None
        self.last_error: Exception | None = None

    def run(self) -> list[AirbyteMessage]:
        catalog = stock_catalog()
        state = [AirbyteStateMessageSerializer.load(s) for s in json.loads(self.state_json)] if self.state_json else None
        source_messages = SourceNetsuiteInventory().read(LOGGER, self.ns_config, catalog, state)
        self.records = 0

        def piped():
            for message in source_messages:
                if message.type == Type.RECORD:
                    self.records += 1
                if message.type in (Type.RECORD, Type.STATE):
                    yield message

        confirmed = []
        self.last_error = None
        try:
            for message in DestinationShipstationInventory().write(self.ss_config, catalog, piped()):
                confirmed.append(message)
        except Exception as error:  # the destination ends a sync with failures by raising, after its states
            self.last_error = error
        if confirmed:
            self.state_json = json.dumps([AirbyteStateMessageSerializer.dump(confirmed[-1].state)])
        return confirmed


def inventory_posts(ss) -> int:
    stats = requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()
    return stats.get("v2_calls", {}).get("POST /v2/inventory", 0)


def rate_limited(ss) -> int:
    return requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()["rate_limited"]["v2"]


def mismatches(ns, ss, column: str = "quantityavailable") -> dict:
    # Levels ShipStation lacks count too: the generated merchant's SKUs are all ShipStation products, so each
    # difference costs the destination one write.
    return stock_differences(ns, ss, column, missing_levels=True)


def change_netsuite_stock(ns, rows: list[tuple[int, int]], delta: int = 7) -> None:
    """Change available (and on hand) of (item, location) rows, stamped as modified now, as NetSuite would."""
    db = ns.backend.db
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    with db.lock:
        for item, location in rows:
            db.conn.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?, "
                            "quantityavailable = quantityavailable + ?, lastmodifieddate = ? "
                            "WHERE item = ? AND location = ?", (delta, delta, now, item, location))
        db.version += 1


@pytest.mark.parametrize("quantity_field, column", [("available", "quantityavailable"),
                                                    ("on_hand", "quantityonhand")])
def test_after_a_sync_shipstation_stock_equals_netsuite_quantity_everywhere(emulators, quantity_field, column):
    ns, ss = emulators
    drifted = len(mismatches(ns, ss, column))
    assert drifted > 0  # the generated merchant's ShipStation stock has drifted from NetSuite's
    Sync(ns, ss, quantity_field=quantity_field).run()
    assert mismatches(ns, ss, column) == {}
    assert inventory_posts(ss) == drifted  # one call per differing SKU and location, none for the others
    assert rate_limited(ss) == 0


def test_second_sync_with_nothing_changed_writes_nothing_and_k_changes_write_exactly_k(emulators):
    ns, ss = emulators
    sync = Sync(ns, ss)
    states = sync.run()
    assert states, "the destination confirms the source's state once the rows are applied"
    first = inventory_posts(ss)

    sync.run()
    assert inventory_posts(ss) == first

    changed = [(3, 1), (5, 2), (11, 3), (17, 1)]
    change_netsuite_stock(ns, changed)
    sync.run()
    assert inventory_posts(ss) == first + len(changed)
    assert mismatches(ns, ss) == {}


def set_shipstation_on_hand(ss, sku: str, warehouse: str, quantity: int) -> None:
    """A change made in ShipStation itself (a stock count in its UI, another app), not through the connector."""
    b = ss.backend
    with b.lock:
        location = next(loc for (s, loc) in b.levels
                        if s == sku and b.inv_warehouses[b.inv_locations[loc].warehouse_id].name == warehouse)
        b.levels[(sku, location)].on_hand = quantity


def test_a_change_made_in_shipstation_is_corrected_by_the_next_sync_even_with_nothing_changed_in_netsuite(emulators):
    ns, ss = emulators
    sync = Sync(ns, ss)
    sync.run()
    restarted = Sync(ns, ss)  # a fresh process: only the JSON state survives
    restarted.state_json = sync.state_json
    sku, warehouse = sorted(shipstation_stock(ss))[5]
    wanted = netsuite_stock(ns)[(sku, warehouse)]
    set_shipstation_on_hand(ss, sku, warehouse, wanted + 40)
    before = inventory_posts(ss)
    restarted.run()
    assert shipstation_stock(ss)[(sku, warehouse)] == wanted
    assert mismatches(ns, ss) == {}
    assert inventory_posts(ss) == before + 1  # the corrected level alone


def test_a_sku_skipped_as_unknown_is_written_by_the_next_sync_once_shipstation_has_the_product(emulators, tmp_path):
    from emulators.shipstation.backend import Product

    ns, ss = emulators
    db = ns.backend.db
    with db.lock:
        db.conn.execute("INSERT INTO item VALUES (999, 'LATE-PRODUCT', 'Late', NULL, 'InvtPart', 'F', 1, 1, "
                        "'oz', '2026-11-01 00:00:00')")
        db.conn.execute("INSERT INTO inventoryitemlocations VALUES (999, 1, 12, 9, 3, 0, 0, '2026-11-01 00:00:00')")
        db.version += 1
    audit_file = tmp_path / "audit.jsonl"
    sync = Sync(ns, ss, audit_file=str(audit_file))
    sync.run()
    assert ("LATE-PRODUCT", "Main Warehouse") not in shipstation_stock(ss)
    assert sync.state_json is not None  # a skip is not a failure: the sync completes and confirms its state

    # The merchant adds the product in ShipStation; nothing changes in NetSuite.
    with ss.backend.lock:
        moment = ss.backend.now()
        ss.backend.products["LATE-PRODUCT"] = Product(799999, "LATE-PRODUCT", "Late", 10.0, 1.0, None, moment, moment)
    audit_file.write_text("")
    before = inventory_posts(ss)
    sync.run()
    assert shipstation_stock(ss)[("LATE-PRODUCT", "Main Warehouse")] == 9
    assert inventory_posts(ss) == before + 1
    entries = [json.loads(line) for line in audit_file.read_text().splitlines()]
    assert [e["outcome"] for e in entries if e["key"] == "LATE-PRODUCT @ Main Warehouse"] == ["updated"]


def test_dry_run_reports_every_change_and_writes_nothing(emulators, tmp_path):
    ns, ss = emulators
    drifted = mismatches(ns, ss)
    audit_file = tmp_path / "audit.jsonl"
    Sync(ns, ss, dry_run=True, audit_file=str(audit_file)).run()
    assert inventory_posts(ss) == 0
    entries = [json.loads(line) for line in audit_file.read_text().splitlines()]
    would = {e["key"] for e in entries if e["outcome"] == "would_change"}
    assert would == {f"{sku} @ {loc}" for sku, loc in drifted}
    # every SKU and location gets exactly one outcome
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys)) == len(netsuite_stock(ns))


def test_unknown_sku_and_unmapped_location_are_reported_not_created(emulators, tmp_path):
    ns, ss = emulators
    db = ns.backend.db
    with db.lock:
        db.conn.execute("INSERT INTO item VALUES (999, 'NEW-ONLY-IN-NETSUITE', 'New', NULL, 'InvtPart', 'F', 1, 1, "
                        "'oz', '2026-11-01 00:00:00')")
        db.conn.execute("INSERT INTO location VALUES (9, 'Pop-up Shop', 'F')")
        db.conn.execute("INSERT INTO inventoryitemlocations VALUES (999, 1, 5, 5, 0, 0, 0, '2026-11-01 00:00:00')")
        db.conn.execute("INSERT INTO inventoryitemlocations VALUES (1, 9, 4, 4, 0, 0, 0, '2026-11-01 00:00:00')")
        db.version += 1
    audit_file = tmp_path / "audit.jsonl"
    Sync(ns, ss, audit_file=str(audit_file)).run()
    entries = {e["key"]: e for e in map(json.loads, audit_file.read_text().splitlines())}
    unknown = entries["NEW-ONLY-IN-NETSUITE @ Main Warehouse"]
    assert unknown["outcome"] == "skipped" and "not found in ShipStation" in unknown["reason"]
    assert "NEW-ONLY-IN-NETSUITE" not in {sku for sku, _ in shipstation_stock(ss)}
    unmapped = next(e for k, e in entries.items() if k.endswith("@ Pop-up Shop"))
    assert unmapped["outcome"] == "skipped" and "Pop-up Shop" in unmapped["reason"]


def test_explicit_location_map_sends_a_renamed_location_to_its_warehouse(emulators):
    ns, ss = emulators
    db = ns.backend.db
    with db.lock:
        db.conn.execute("UPDATE location SET name = 'MAIN WH (Austin)' WHERE id = 1")
        db.version += 1
    location_map = [{"netsuite_location": "MAIN WH (Austin)", "shipstation_warehouse": "Main Warehouse"}]
    Sync(ns, ss, location_map=location_map).run()
    theirs = shipstation_stock(ss)
    ours = ns.backend.db.select("SELECT i.itemid AS sku, s.quantityavailable AS available FROM "
                                "inventoryitemlocations s JOIN item i ON i.id = s.item WHERE s.location = 1")
    assert all(theirs[(r["sku"], "Main Warehouse")] == r["available"] for r in ours)


def test_with_faults_injected_the_sync_converges(emulators):
    ns, ss = emulators
    faults = {"rate": 0.15, "seed": 11, "kinds": ["500", "502", "503", "drop"]}
    for emulator in (ns, ss):
        requests.post(f"{emulator.base_url}/__emulator/faults", json=faults, timeout=10).raise_for_status()
    sync = Sync(ns, ss)
    deadline = time.monotonic() + 60
    for _attempt in range(3):  # a whole-sync retry is the platform's job; at most a few are allowed here
        sync.run()
        if not mismatches(ns, ss) or time.monotonic() > deadline:
            break
    assert mismatches(ns, ss) == {}
    injected = requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()["faults"]["injected"]
    assert sum(injected.values()) > 0  # the faults really happened


def test_a_failed_write_holds_back_the_state_so_the_next_sync_retries_it(emulators, monkeypatch):
    from shipstation_lib.errors import RequestRejected
    from shipstation_lib.inventory import InventoryApi

    ns, ss = emulators
    refused = sorted(mismatches(ns, ss))[0]
    real_set_on_hand = InventoryApi.set_on_hand

    def refuse_one(self, sku, location_id, quantity):
        if sku == refused[0]:
            raise RequestRejected("ShipStation refused the request (400): test refusal", 400)
        return real_set_on_hand(self, sku, location_id, quantity)

    sync = Sync(ns, ss)
    monkeypatch.setattr(InventoryApi, "set_on_hand", refuse_one)
    confirmed = sync.run()
    assert confirmed == [] and sync.state_json is None  # the cursor may not move past the refused row
    assert sync.last_error is not None and "could not be written" in str(sync.last_error)
    assert set(mismatches(ns, ss)) == {k for k in mismatches(ns, ss) if k[0] == refused[0]}

    monkeypatch.setattr(InventoryApi, "set_on_hand", real_set_on_hand)
    sync.run()
    assert mismatches(ns, ss) == {} and sync.state_json is not None
