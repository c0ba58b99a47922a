"""Issue 15: the two NetSuite connectors on accounts with NetSuite's inventory features switched on in the
emulator (lots, serials, bins, several locations, OneWorld, kits, groups, lines never fulfilled, units of
measure). Every case asserts on the emulator's state (which lots, serials, bins and locations were consumed or
put back), not only on the connector's audit.
"""
from __future__ import annotations

import logging

import pytest
from airbyte_cdk.models import Status, SyncMode
from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
from emulators.configs import netsuite_config
from emulators.fulfillment_testkit import (catalog, fulfillment_assignments, fulfillment_lines, inventory_balances,
                                           messages, order_status, outcomes, seed, set_features, shipment, stats,
                                           stock_at, voided)
from emulators.netsuite import start_emulator
from source_netsuite_inventory import SourceNetsuiteInventory

MAIN, EAST = 1, 2  # the generated account's locations: "Main Warehouse", "East Coast DC"
MUG1, MUG2, MUG3, MUG4 = "MUG-HAR-00001", "MUG-CED-00002", "MUG-SUM-00003", "MUG-MEA-00004"


@pytest.fixture
def ns():
    """A small account of its own per test: features cannot be switched off once data uses them."""
    with start_emulator(items=4, locations=2, customers=2, orders=1, seed=11) as emulator:
        yield emulator


class Syncs:
    """Sync 1's destination run over shipment records, with the audit lines of each run."""

    def __init__(self, emulator, tmp_path, **settings) -> None:
        self.emulator = emulator
        self.audit = tmp_path / "audit.jsonl"
        self.settings = settings
        self.runs = 0

    def __call__(self, *records: dict, **settings) -> dict[str, dict]:
        before = len(outcomes(self.audit))
        self.runs += 1
        config = netsuite_config(self.emulator.base_url, audit_file=str(self.audit), **{**self.settings, **settings})
        list(DestinationNetsuiteFulfillment().write(config, catalog(), messages(list(records), f"s{self.runs}")))
        return {line["key"]: line for line in outcomes(self.audit)[before:]}


def with_fields(record: dict, **fields) -> dict:
    """A shipment with fields set by hand: its warehouse (as source-shipstation names it) or serial numbers per item
    (ShipStation's APIs have no such field: a record of the user's own mapping)."""
    return {**record, **fields}


def with_serials(record: dict, sku: str, numbers: list[str]) -> dict:
    items = [{**item, "serial_numbers": numbers} if item["sku"] == sku else item for item in record["items"]]
    return {**record, "items": items}


def balances(emulator, sku: str) -> dict[tuple, int]:
    """(location, bin, number) -> on hand, for one item."""
    return {(b["location"], b.get("bin"), b.get("number")): b["onhand"] for b in inventory_balances(emulator, sku)}


def assigned(emulator, order) -> list[tuple]:
    """(fulfillment, order line, location, bin, number, quantity) of every inventory assignment of the order."""
    return [(a["fulfillment"], a["orderline"], a["location"], a.get("bin"), a.get("number"), a["quantity"])
            for a in fulfillment_assignments(emulator, order)]


# --- lots ------------------------------------------------------------------------------------------------------
def seed_lots(emulator, sku="LOT-SERUM", lots=(("L-OLD", "2027-03-01", 3), ("L-SOON", "2026-12-15", 2),
                                              ("L-NOEXP", None, 10)), ordered=6, tranid="SO-LOT-1") -> dict:
    set_features(emulator, multilocation=True, lots=True)
    return seed(emulator, items=[{"itemid": sku, "islotitem": True}],
                stock=[{"item": sku, "location": MAIN, "lot": number, "quantity": qty,
                        **({"expirationdate": expiry} if expiry else {})} for number, expiry, qty in lots],
                sales_orders=[{"tranid": tranid, "lines": [{"item": sku, "quantity": ordered, "location": MAIN}]}])


def test_lot_item_shipped_in_two_parts_takes_the_first_expiring_lots_and_spills_into_the_next(ns, tmp_path):
    seed_lots(ns)
    sync = Syncs(ns, tmp_path, lot_numbered_items=True)
    first = shipment("SO-LOT-1", [("LOT-SERUM", 3)])
    second = shipment("SO-LOT-1", [("LOT-SERUM", 3)])
    audit1 = sync(first)
    audit2 = sync(second)
    f1, f2 = audit1[first["shipment_id"]]["fulfillment_id"], audit2[second["shipment_id"]]["fulfillment_id"]
    # The soonest expiring lot runs out in the first shipment and it spills into the next to expire; the second
    # shipment finishes that lot and spills into the lot without an expiry date.
    assert assigned(ns, "SO-LOT-1") == [(int(f1), 1, MAIN, None, "L-SOON", 2), (int(f1), 1, MAIN, None, "L-OLD", 1),
                                        (int(f2), 1, MAIN, None, "L-OLD", 2), (int(f2), 1, MAIN, None, "L-NOEXP", 1)]
    assert balances(ns, "LOT-SERUM") == {(MAIN, None, "L-OLD"): 0, (MAIN, None, "L-SOON"): 0,
                                         (MAIN, None, "L-NOEXP"): 9}
    assert order_status(ns, "SO-LOT-1") == "F"
    [line] = audit1[first["shipment_id"]]["lines"]
    assert line["assigned_by"] == "lot policy: first_expiring_first" and line["location"] == str(MAIN)
    assert [(lot["number"], lot["quantity"]) for lot in line["lots"]] == [("L-SOON", 2), ("L-OLD", 1)]


def test_two_shipments_of_one_lot_order_in_one_batch_never_assign_the_same_lot_twice(ns, tmp_path):
    seed_lots(ns)
    sync = Syncs(ns, tmp_path, lot_numbered_items=True)
    audit = sync(shipment("SO-LOT-1", [("LOT-SERUM", 3)]), shipment("SO-LOT-1", [("LOT-SERUM", 3)]))
    assert [a["outcome"] for a in audit.values()] == ["created", "created"]
    assert [(a[4], a[5]) for a in assigned(ns, "SO-LOT-1")] == [("L-SOON", 2), ("L-OLD", 1), ("L-OLD", 2),
                                                                ("L-NOEXP", 1)]


def test_oldest_lot_policy_and_leave_to_netsuite(ns, tmp_path):
    seed_lots(ns, lots=(("L-A", "2027-06-01", 5), ("L-B", "2026-12-01", 5)), ordered=4)
    sync = Syncs(ns, tmp_path, lot_numbered_items=True)
    record = shipment("SO-LOT-1", [("LOT-SERUM", 2)])
    sync(record, lot_policy="oldest_first")
    assert [(a[4], a[5]) for a in assigned(ns, "SO-LOT-1")] == [("L-A", 2)]  # made first, expires last
    # Left to NetSuite: no inventory detail is sent, and the emulator (like NetSuite without auto-assignment)
    # refuses a lot line without it: the shipment fails with NetSuite's words, nothing is fulfilled.
    other = shipment("SO-LOT-1", [("LOT-SERUM", 2)])
    audit = sync(other, lot_policy="leave_to_netsuite")
    assert audit[other["shipment_id"]]["outcome"] == "failed"
    assert "inventory detail" in audit[other["shipment_id"]]["reason"]
    assert len(assigned(ns, "SO-LOT-1")) == 1


def test_a_lot_that_runs_short_skips_the_shipment_naming_the_line_and_lots_and_a_later_sync_applies_it(ns, tmp_path):
    seed_lots(ns, lots=(("L-1", "2027-01-01", 2), ("L-2", "2027-02-01", 1)), ordered=5)
    sync = Syncs(ns, tmp_path, lot_numbered_items=True)
    record = shipment("SO-LOT-1", [("LOT-SERUM", 5)])
    audit = sync(record)
    assert audit[record["shipment_id"]]["outcome"] == "skipped"
    assert audit[record["shipment_id"]]["reason"] == (
        "line 1 (SKU LOT-SERUM): 5 needed from lots at location Main Warehouse, only 3 available "
        "(lot L-1: 2, lot L-2: 1); 2 short")
    assert assigned(ns, "SO-LOT-1") == []
    seed(ns, stock=[{"item": "LOT-SERUM", "location": MAIN, "lot": "L-3", "expirationdate": "2027-03-01",
                     "quantity": 4}])
    audit = sync(record)  # the source's lookback delivers it again
    assert audit[record["shipment_id"]]["outcome"] == "created"
    assert [(a[4], a[5]) for a in assigned(ns, "SO-LOT-1")] == [("L-1", 2), ("L-2", 1), ("L-3", 2)]


def test_a_voided_label_reverses_a_lot_assigned_fulfillment_and_the_lots_are_back_at_the_location(ns, tmp_path):
    seed_lots(ns)
    sync = Syncs(ns, tmp_path, lot_numbered_items=True)
    record = shipment("SO-LOT-1", [("LOT-SERUM", 3)])
    sync(record)
    assert balances(ns, "LOT-SERUM")[(MAIN, None, "L-SOON")] == 0
    replacement = shipment("SO-LOT-1", [("LOT-SERUM", 4)])
    audit = sync(voided(record), replacement)
    assert audit[record["shipment_id"]]["outcome"] == "reversed"
    # The replacement label, in the same batch as the void, sees the lots the void put back.
    assert audit[replacement["shipment_id"]]["outcome"] == "created"
    f2 = int(audit[replacement["shipment_id"]]["fulfillment_id"])
    assert assigned(ns, "SO-LOT-1") == [(f2, 1, MAIN, None, "L-SOON", 2), (f2, 1, MAIN, None, "L-OLD", 2)]
    assert balances(ns, "LOT-SERUM") == {(MAIN, None, "L-OLD"): 1, (MAIN, None, "L-SOON"): 0,
                                         (MAIN, None, "L-NOEXP"): 10}
    sync(voided(replacement))
    assert balances(ns, "LOT-SERUM") == {(MAIN, None, "L-OLD"): 3, (MAIN, None, "L-SOON"): 2,
                                         (MAIN, None, "L-NOEXP"): 10}
    assert assigned(ns, "SO-LOT-1") == [] and order_status(ns, "SO-LOT-1") == "B"


# --- serials ---------------------------------------------------------------------------------------------------
def seed_serials(emulator, ordered=3) -> None:
    set_features(emulator, multilocation=True, serials=True)
    seed(emulator, items=[{"itemid": "SER-CAM", "isserialitem": True}],
         stock=[{"item": "SER-CAM", "location": MAIN, "serials": ["CAM-0001", "CAM-0002", "CAM-0003", "CAM-0004"]}],
         sales_orders=[{"tranid": "SO-SER-1", "lines": [{"item": "SER-CAM", "quantity": ordered, "location": MAIN}]}])


def test_serials_listed_by_shipstation_are_the_ones_fulfilled(ns, tmp_path):
    seed_serials(ns)
    sync = Syncs(ns, tmp_path, serial_numbered_items=True)
    record = with_serials(shipment("SO-SER-1", [("SER-CAM", 2)]), "SER-CAM", ["CAM-0003", "CAM-0001"])
    audit = sync(record)
    [line] = audit[record["shipment_id"]]["lines"]
    assert line["assigned_by"] == "ShipStation"
    assert [(a[4], a[5]) for a in assigned(ns, "SO-SER-1")] == [("CAM-0003", 1), ("CAM-0001", 1)]
    assert balances(ns, "SER-CAM") == {(MAIN, None, "CAM-0001"): 0, (MAIN, None, "CAM-0002"): 1,
                                       (MAIN, None, "CAM-0003"): 0, (MAIN, None, "CAM-0004"): 1}


def test_a_serial_shipstation_names_that_is_not_available_skips_the_shipment_naming_it(ns, tmp_path):
    seed_serials(ns)
    sync = Syncs(ns, tmp_path, serial_numbered_items=True)
    record = with_serials(shipment("SO-SER-1", [("SER-CAM", 1)]), "SER-CAM", ["CAM-9999"])
    audit = sync(record)
    assert audit[record["shipment_id"]]["reason"] == ("line 1 (SKU SER-CAM): serial number CAM-9999 is not "
                                                      "available at location Main Warehouse")
    assert assigned(ns, "SO-SER-1") == []


def test_serials_not_listed_are_skipped_or_assigned_by_the_serial_policy(ns, tmp_path):
    seed_serials(ns)
    sync = Syncs(ns, tmp_path, serial_numbered_items=True)
    record = shipment("SO-SER-1", [("SER-CAM", 2)])
    audit = sync(record, serial_policy="skip")
    assert audit[record["shipment_id"]]["outcome"] == "skipped"
    assert "item SER-CAM is serial-numbered and ShipStation does not list its serial numbers" in \
        audit[record["shipment_id"]]["reason"]
    assert assigned(ns, "SO-SER-1") == []
    audit = sync(record)  # default policy: assign available serials, each written in the audit
    [line] = audit[record["shipment_id"]]["lines"]
    assert [s["number"] for s in line["serials"]] == ["CAM-0001", "CAM-0002"]
    assert line["assigned_by"].startswith("serial policy: assign available")
    assert [(a[4], a[5]) for a in assigned(ns, "SO-SER-1")] == [("CAM-0001", 1), ("CAM-0002", 1)]


# --- bins ------------------------------------------------------------------------------------------------------
def test_bins_the_preferred_bin_first_then_the_fullest(ns, tmp_path):
    set_features(ns, multilocation=True, bins=True)
    seed(ns, locations=[{"id": 10, "name": "Bin Warehouse", "usesbins": True}],
         bins=[{"id": 501, "binnumber": "A-01", "location": 10}, {"id": 502, "binnumber": "A-02", "location": 10},
               {"id": 503, "binnumber": "A-03", "location": 10}],
         items=[{"itemid": "BIN-MUG", "usebins": True, "preferredbins": [{"location": 10, "bin": 502}]}],
         stock=[{"item": "BIN-MUG", "location": 10, "bin": 501, "quantity": 5},
                {"item": "BIN-MUG", "location": 10, "bin": 502, "quantity": 2},
                {"item": "BIN-MUG", "location": 10, "bin": 503, "quantity": 8}],
         sales_orders=[{"tranid": "SO-BIN-1", "lines": [{"item": "BIN-MUG", "quantity": 9, "location": 10}]}])
    sync = Syncs(ns, tmp_path, bins=True)
    record = shipment("SO-BIN-1", [("BIN-MUG", 6)])
    audit = sync(record)
    [line] = audit[record["shipment_id"]]["lines"]
    assert line["bins"] == [{"bin": "A-02", "quantity": 2}, {"bin": "A-03", "quantity": 4}]
    assert [(a[3], a[5]) for a in assigned(ns, "SO-BIN-1")] == [("A-02", 2), ("A-03", 4)]
    assert balances(ns, "BIN-MUG") == {(10, "A-01", None): 5, (10, "A-02", None): 0, (10, "A-03", None): 4}
    sync(shipment("SO-BIN-1", [("BIN-MUG", 3)]))  # the preferred bin is empty: the fullest bin now is A-01
    assert balances(ns, "BIN-MUG") == {(10, "A-01", None): 2, (10, "A-02", None): 0, (10, "A-03", None): 4}


def test_lots_in_bins_take_the_lot_by_policy_and_its_bins(ns, tmp_path):
    set_features(ns, multilocation=True, lots=True, bins=True)
    seed(ns, locations=[{"id": 10, "name": "Bin Warehouse", "usesbins": True}],
         bins=[{"id": 501, "binnumber": "A-01", "location": 10}, {"id": 502, "binnumber": "A-02", "location": 10}],
         items=[{"itemid": "LOT-BIN", "islotitem": True, "usebins": True,
                 "preferredbins": [{"location": 10, "bin": 502}]}],
         stock=[{"item": "LOT-BIN", "location": 10, "bin": 501, "lot": "L1", "expirationdate": "2027-01-31", "quantity": 3},
                {"item": "LOT-BIN", "location": 10, "bin": 502, "lot": "L1", "expirationdate": "2027-01-31", "quantity": 1},
                {"item": "LOT-BIN", "location": 10, "bin": 501, "lot": "L2", "expirationdate": "2026-12-31", "quantity": 2}],
         sales_orders=[{"tranid": "SO-LB-1", "lines": [{"item": "LOT-BIN", "quantity": 4, "location": 10}]}])
    sync = Syncs(ns, tmp_path, lot_numbered_items=True, bins=True)
    sync(shipment("SO-LB-1", [("LOT-BIN", 4)]))
    assert [(a[3], a[4], a[5]) for a in assigned(ns, "SO-LB-1")] == [("A-01", "L2", 2), ("A-02", "L1", 1),
                                                                     ("A-01", "L1", 1)]
    assert balances(ns, "LOT-BIN") == {(10, "A-01", "L1"): 2, (10, "A-02", "L1"): 0, (10, "A-01", "L2"): 0}


# --- locations -------------------------------------------------------------------------------------------------
def test_two_warehouses_ship_one_order_each_line_from_the_location_that_shipped_it(ns, tmp_path):
    set_features(ns, multilocation=True)
    seed(ns, sales_orders=[{"tranid": "SO-2WH-1", "lines": [{"item": MUG1, "quantity": 4, "location": MAIN},
                                                            {"item": MUG2, "quantity": 2, "location": MAIN}]}])
    main_before, east_before = stock_at(ns, MUG1, MAIN), stock_at(ns, MUG1, EAST)
    sync = Syncs(ns, tmp_path, warehouse_location_map=[{"shipstation_warehouse": "NJ Warehouse",
                                                        "location_id": str(EAST)}])
    by_name = with_fields(shipment("SO-2WH-1", [(MUG1, 3)]), warehouse_name="Main Warehouse", warehouse_id="11")
    by_map = with_fields(shipment("SO-2WH-1", [(MUG1, 1), (MUG2, 2)]), warehouse_name="NJ Warehouse",
                         warehouse_id="12")
    audit = sync(by_name, by_map)
    lines = [(ln["orderline"], ln["location"], ln["quantity"]) for ln in fulfillment_lines(ns, "SO-2WH-1")]
    assert lines == [(1, MAIN, 3), (1, EAST, 1), (2, EAST, 2)]
    assert stock_at(ns, MUG1, MAIN) == main_before - 3 and stock_at(ns, MUG1, EAST) == east_before - 1
    assert [ln["location_from"] for ln in audit[by_name["shipment_id"]]["lines"]] == ["same name"]
    assert [ln["location_from"] for ln in audit[by_map["shipment_id"]]["lines"]] == ["warehouse map"] * 2
    assert order_status(ns, "SO-2WH-1") == "F"


def test_a_warehouse_that_matches_no_location_keeps_the_order_lines_location_and_says_so(ns, tmp_path):
    set_features(ns, multilocation=True)
    seed(ns, sales_orders=[{"tranid": "SO-2WH-2", "lines": [{"item": MUG1, "quantity": 1, "location": EAST}]}])
    record = with_fields(shipment("SO-2WH-2", [(MUG1, 1)]), warehouse_name="Somewhere Else")
    audit = Syncs(ns, tmp_path)(record)
    assert [ln["location"] for ln in fulfillment_lines(ns, "SO-2WH-2")] == [EAST]
    assert any("Somewhere Else matches no NetSuite location" in n for n in audit[record["shipment_id"]]["notes"])


# --- OneWorld --------------------------------------------------------------------------------------------------
def test_oneworld_repeating_document_numbers_are_told_apart_by_the_warehouse_or_the_subsidiary_setting(ns, tmp_path):
    set_features(ns, multilocation=True, oneworld=True)
    made = seed(ns, subsidiaries=[{"id": 2, "name": "UK Ltd", "parent": 1, "country": "GB"}],
                locations=[{"id": 20, "name": "London", "subsidiary": 2}],
                stock=[{"item": MUG1, "location": 20, "quantity": 10}],
                customers=[{"id": 3001, "entityid": "CUST-UK-1", "companyname": "Brit Co", "subsidiary": 2}],
                sales_orders=[{"tranid": "SO-1001", "lines": [{"item": MUG1, "quantity": 2, "location": MAIN}]},
                              {"tranid": "SO-1001", "customer": 3001, "subsidiary": 2,
                               "lines": [{"item": MUG1, "quantity": 2, "location": 20}]}])
    us_order, uk_order = (o["id"] for o in made["sales_orders"])
    sync = Syncs(ns, tmp_path)
    ambiguous = shipment("SO-1001", [(MUG1, 1)])
    from_london = with_fields(shipment("SO-1001", [(MUG1, 2)]), warehouse_name="London")
    audit = sync(ambiguous, from_london)
    assert audit[ambiguous["shipment_id"]]["reason"].startswith("2 sales orders have tranid SO-1001")
    assert audit[from_london["shipment_id"]]["sales_order_id"] == str(uk_order)
    assert [(ln["location"], ln["quantity"]) for ln in fulfillment_lines(ns, uk_order)] == [(20, 2)]
    assert stock_at(ns, MUG1, 20) == 8
    audit = sync(ambiguous, subsidiary_id="1")  # this connection ships for the parent company only
    assert audit[ambiguous["shipment_id"]]["sales_order_id"] == str(us_order)
    assert [(ln["location"], ln["quantity"]) for ln in fulfillment_lines(ns, us_order)] == [(MAIN, 1)]


def test_oneworld_a_warehouse_of_another_subsidiary_is_refused_before_netsuite(ns, tmp_path):
    set_features(ns, multilocation=True, oneworld=True)
    seed(ns, subsidiaries=[{"id": 2, "name": "UK Ltd", "parent": 1}],
         locations=[{"id": 20, "name": "London", "subsidiary": 2}],
         sales_orders=[{"tranid": "SO-US-9", "lines": [{"item": MUG1, "quantity": 1, "location": MAIN}]}])
    record = with_fields(shipment("SO-US-9", [(MUG1, 1)]), warehouse_name="London")
    audit = Syncs(ns, tmp_path)(record)
    assert audit[record["shipment_id"]]["reason"] == (
        "line 1 (SKU MUG-HAR-00001): shipped from NetSuite location London, which belongs to subsidiary 2, but "
        "sales order SO-US-9 belongs to subsidiary 1")
    assert fulfillment_lines(ns, "SO-US-9") == []


# --- kits, groups, lines never fulfilled ----------------------------------------------------------------------
def test_a_kit_an_item_group_a_discount_and_a_shipping_line_on_one_order(ns, tmp_path):
    set_features(ns, multilocation=True)
    made = seed(ns, items=[{"itemid": "GIFT-KIT", "itemtype": "Kit", "members": [{"item": MUG1, "quantity": 1},
                                                                                  {"item": MUG2, "quantity": 2}]},
                           {"itemid": "BUNDLE", "itemtype": "Group", "members": [{"item": MUG3, "quantity": 1},
                                                                                 {"item": MUG4, "quantity": 3}]},
                           {"itemid": "PROMO10", "itemtype": "Discount"}, {"itemid": "UPS-GROUND", "itemtype": "ShipItem"},
                           {"itemid": "INSTALL", "itemtype": "Service"}],
                sales_orders=[{"tranid": "SO-MIX-1", "lines": [
                    {"item": "GIFT-KIT", "quantity": 1, "location": MAIN},
                    {"item": "BUNDLE", "quantity": 2, "location": MAIN},
                    {"item": MUG1, "quantity": 1, "location": MAIN, "createpo": "DropShip"},
                    {"item": "INSTALL", "quantity": 1, "location": MAIN},
                    {"item": "PROMO10", "rate": -5.0}, {"item": "UPS-GROUND", "rate": 7.5}]}])
    lines = {ln["item"] if isinstance(ln["item"], str) else ln["line"]: ln for ln in made["sales_orders"][0]["lines"]}
    kit_before = (stock_at(ns, MUG1, MAIN), stock_at(ns, MUG2, MAIN))
    record = shipment("SO-MIX-1", [("GIFT-KIT", 1), ("BUNDLE", 2), ("PROMO10", 1)])
    audit = Syncs(ns, tmp_path, drop_ship_lines=True)(record)
    outcome = audit[record["shipment_id"]]
    assert outcome["outcome"] == "created", outcome
    assert any(n.startswith("SKU PROMO10 is a discount on sales order SO-MIX-1") for n in outcome["notes"])
    made_lines = fulfillment_lines(ns, "SO-MIX-1")
    by_sku = {}
    for ln in made_lines:
        by_sku.setdefault(ln["sku"], []).append(ln)
    # The kit is one line with its members beside it; the group's members are fulfilled, the group line is not.
    assert [ln["quantity"] for ln in by_sku["GIFT-KIT"]] == [1]
    assert sorted((ln["sku"], ln["quantity"]) for ln in made_lines if ln.get("kitmemberof")) == sorted([(MUG1, 1), (MUG2, 2)])
    assert [ln["quantity"] for ln in by_sku[MUG3]] == [2] and [ln["quantity"] for ln in by_sku[MUG4]] == [6]
    assert not {"BUNDLE", "PROMO10", "UPS-GROUND", "INSTALL"} & set(by_sku)
    assert stock_at(ns, MUG1, MAIN) == kit_before[0] - 1 and stock_at(ns, MUG2, MAIN) == kit_before[1] - 2
    # The drop-ship line is the vendor's: neither fulfilled here nor keeping the order open.
    assert order_status(ns, "SO-MIX-1") == "F"
    assert lines  # seeded as described


# --- units of measure ------------------------------------------------------------------------------------------
def test_a_line_sold_in_cases_of_12_is_fulfilled_in_cases_from_shipstations_each(ns, tmp_path):
    set_features(ns, multilocation=True, units=True)
    seed(ns, unitstypes=[{"id": 1, "name": "Count", "uoms": [
                 {"id": 1, "unitname": "Each", "pluralname": "Each", "abbreviation": "ea", "conversionrate": 1,
                  "baseunit": True},
                 {"id": 2, "unitname": "Case of 12", "pluralname": "Cases", "abbreviation": "cs", "conversionrate": 12}]}],
         items=[{"itemid": "MUG-CASE", "unitstype": 1, "stockunit": 1, "saleunit": 2, "purchaseunit": 2}],
         stock=[{"item": "MUG-CASE", "location": MAIN, "quantity": 60}],
         sales_orders=[{"tranid": "SO-CASE-1", "lines": [{"item": "MUG-CASE", "quantity": 3, "location": MAIN}]}])
    sync = Syncs(ns, tmp_path, units_of_measure=True)
    odd = shipment("SO-CASE-1", [("MUG-CASE", 18)])
    audit = sync(odd)
    assert audit[odd["shipment_id"]]["reason"] == ("line 1 (SKU MUG-CASE): 18 each is not a whole number of Case "
                                                   "of 12 (12 each), the unit the line was sold in")
    record = shipment("SO-CASE-1", [("MUG-CASE", 24)])
    audit = sync(record)
    [line] = audit[record["shipment_id"]]["lines"]
    assert line["unit_conversion"] == "24 each = 2 x Case of 12 (12 each)"
    assert [(ln["quantity"], ln["units"]) for ln in fulfillment_lines(ns, "SO-CASE-1")] == [(24, 2)]
    assert stock_at(ns, "MUG-CASE", MAIN) == 36
    assert order_status(ns, "SO-CASE-1") == "D"


# --- calls, check, and the source ------------------------------------------------------------------------------
def test_with_lots_and_bins_on_a_batch_costs_one_lookup_and_one_call_per_fulfillment(ns, tmp_path):
    set_features(ns, multilocation=True, lots=True, bins=True)
    seed(ns, locations=[{"id": 10, "name": "Bin Warehouse", "usesbins": True}],
         bins=[{"id": 501, "binnumber": "A-01", "location": 10}],
         items=[{"itemid": "LOT-BIN", "islotitem": True, "usebins": True}],
         stock=[{"item": "LOT-BIN", "location": 10, "bin": 501, "lot": f"L{n}", "quantity": 3} for n in range(10)],
         sales_orders=[{"tranid": f"SO-CALLS-{n}", "lines": [{"item": "LOT-BIN", "quantity": 2, "location": 10}]}
                       for n in range(10)])
    before = stats(ns)["requests_served"]
    audit = Syncs(ns, tmp_path, lot_numbered_items=True, bins=True)(
        *[shipment(f"SO-CALLS-{n}", [("LOT-BIN", 2)]) for n in range(10)])
    assert [a["outcome"] for a in audit.values()] == ["created"] * 10
    assert stats(ns)["requests_served"] - before == 11  # one lookup, ten transforms


def test_check_names_the_feature_a_setting_needs_but_the_account_lacks(ns):
    config = netsuite_config(ns.base_url)
    destination = DestinationNetsuiteFulfillment()
    assert destination.check(logging.getLogger(), config).status == Status.SUCCEEDED
    for setting, words in (({"lot_numbered_items": True}, "'Lot-numbered items' needs Lot Tracking"),
                           ({"serial_numbered_items": True}, "'Serial-numbered items' needs Serialized Inventory"),
                           ({"bins": True}, "'Bins' needs Use Bins"),
                           ({"units_of_measure": True}, "'Units of measure' needs Multiple Units of Measure")):
        status = destination.check(logging.getLogger(), {**config, **setting})
        assert status.status == Status.FAILED and words in status.message, status.message
    set_features(ns, lots=True, bins=True, units=True)
    assert destination.check(logging.getLogger(), {**config, "lot_numbered_items": True, "bins": True,
                                                   "units_of_measure": True}).status == Status.SUCCEEDED
    source = SourceNetsuiteInventory()
    assert source.check(logging.getLogger(), {**config, "lot_stream": True}).status == Status.SUCCEEDED


def test_source_stock_per_location_matches_what_can_be_fulfilled_and_the_lot_stream_lists_each_lot(ns, tmp_path):
    set_features(ns, multilocation=True, lots=True, serials=True, bins=True)
    seed(ns, locations=[{"id": 10, "name": "Bin Warehouse", "usesbins": True}],
         bins=[{"id": 501, "binnumber": "A-01", "location": 10}, {"id": 502, "binnumber": "A-02", "location": 10}],
         items=[{"itemid": "LOT-BIN", "islotitem": True, "usebins": True}, {"itemid": "SER-CAM", "isserialitem": True}],
         stock=[{"item": "LOT-BIN", "location": 10, "bin": 501, "lot": "L1", "expirationdate": "2027-01-31", "quantity": 3},
                {"item": "LOT-BIN", "location": 10, "bin": 502, "lot": "L1", "expirationdate": "2027-01-31", "quantity": 2},
                {"item": "LOT-BIN", "location": 10, "bin": 502, "lot": "L2", "quantity": 4},
                {"item": "SER-CAM", "location": MAIN, "serials": ["CAM-1", "CAM-2"]}],
         sales_orders=[{"tranid": "SO-SRC-1", "lines": [{"item": "LOT-BIN", "quantity": 4, "location": 10}]}])
    Syncs(ns, tmp_path, lot_numbered_items=True, bins=True)(shipment("SO-SRC-1", [("LOT-BIN", 4)]))
    config = netsuite_config(ns.base_url, lot_stream=True)
    streams = {s.name: s for s in SourceNetsuiteInventory().streams(config)}
    stock = {(r["sku"], r["location_id"]): r["on_hand"] for r in streams["stock"].read_records(SyncMode.full_refresh)}
    # Bins and lots summed per location, serial items counted, all in base units: what is left to fulfil.
    assert stock[("LOT-BIN", 10)] == sum(b["onhand"] for b in inventory_balances(ns, "LOT-BIN")) == 5
    assert stock[("SER-CAM", MAIN)] == 2
    lots = sorted((r["lot_number"], r["expiration_date"], r["location_id"], r["on_hand"])
                  for r in streams["lots"].read_records(SyncMode.full_refresh))
    assert lots == [("L1", "2027-01-31", 10, 1.0), ("L2", None, 10, 4.0)]
