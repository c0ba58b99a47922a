"""The pure pieces behind fulfilling on accounts with lots, serials, bins, locations, units and item kinds."""
import pytest

from destination_netsuite_fulfillment.allocation import StockSlot, allocate, bin_order, policy_order, take_named
from destination_netsuite_fulfillment.fulfillment_plan import (CannotApply, OrderLine, SalesOrder, plan_fulfillment)
from destination_netsuite_fulfillment.inventory_assignment import assign
from destination_netsuite_fulfillment.inventory_settings import InventorySettings, inventory_settings
from destination_netsuite_fulfillment.line_kinds import FULFILLED, GROUP_HEADER, NOT_FULFILLED, line_kind
from destination_netsuite_fulfillment.locations import Location, shipped_from
from destination_netsuite_fulfillment.order_lookup import lookup_query
from destination_netsuite_fulfillment.stock_pool import StockPool
from destination_netsuite_fulfillment.units import LineUnit, NotWholeUnits, describe, to_line_units


def lot(number_id, number, expiry, available, bin_id=None, preferred=False):
    return StockSlot("9", "1", available, number_id, number, expiry, bin_id, bin_id and f"B{bin_id}", preferred)


def shipment(items, **extra):
    return {"shipment_id": "se-1", "order_number": "SO1", "items": [{"sku": s, "quantity": q} for s, q in items],
            **extra}


# --- allocation ------------------------------------------------------------------------------------------------
def test_first_expiring_first_then_oldest_and_lots_without_expiry_last():
    slots = [lot("30", "C", None, 5), lot("20", "B", "2027-01-01", 5), lot("10", "A", "2027-01-01", 5),
             lot("40", "D", "2026-12-01", 5)]
    assert [s.number for s in policy_order(slots, "first_expiring_first")] == ["D", "A", "B", "C"]
    assert [s.number for s in policy_order(slots, "oldest_first")] == ["A", "B", "C", "D"]


def test_allocation_spills_into_the_next_lot_and_reports_the_shortfall():
    ordered = policy_order([lot("1", "A", "2027-01-01", 2), lot("2", "B", "2027-02-01", 3)], "first_expiring_first")
    takes, short = allocate(ordered, 4)
    assert [(t.slot.number, t.quantity) for t in takes] == [("A", 2), ("B", 2)] and short == 0
    takes, short = allocate(ordered, 7)
    assert sum(t.quantity for t in takes) == 5 and short == 2


def test_within_a_lot_the_preferred_bin_first_then_the_fullest():
    slots = [lot("1", "A", None, 2, "1"), lot("1", "A", None, 9, "2"), lot("1", "A", None, 1, "3", preferred=True)]
    assert [s.bin_id for s in policy_order(slots, "oldest_first")] == ["3", "2", "1"]
    assert [s.bin_id for s in bin_order(slots)] == ["3", "2", "1"]


def test_serials_named_are_taken_once_each_and_unknown_ones_named():
    slots = [lot("1", "CAM-1", None, 1), lot("2", "CAM-2", None, 1), lot("3", "CAM-3", None, 0)]
    takes, missing = take_named(slots, ["cam-2", "CAM-3", "CAM-9"])
    assert [t.slot.number for t in takes] == ["CAM-2"] and missing == ["CAM-3", "CAM-9"]


def test_the_pool_takes_and_gives_back():
    pool = StockPool([lot("1", "A", None, 3)])
    takes, _ = allocate(pool.at("9", "1"), 2)
    pool.take(takes)
    assert pool.total("9", "1") == 1
    pool.give_back(takes)
    assert pool.total("9", "1") == 3


# --- units, kinds, locations -----------------------------------------------------------------------------------
def test_units_convert_eaches_to_whole_cases_only():
    case = LineUnit("Case of 12", 12)
    assert to_line_units(24, case) == 2 and to_line_units(5, LineUnit()) == 5
    assert describe(24, case) == "24 each = 2 x Case of 12 (12 each)" and describe(5, LineUnit()) is None
    with pytest.raises(NotWholeUnits, match="18 each is not a whole number of Case of 12"):
        to_line_units(18, case)


@pytest.mark.parametrize("item_type, extra, kind", [
    ("InvtPart", {}, FULFILLED), ("Kit", {}, FULFILLED), ("Group", {}, GROUP_HEADER),
    ("Discount", {}, NOT_FULFILLED), ("ShipItem", {}, NOT_FULFILLED), ("EndGroup", {}, NOT_FULFILLED),
    ("Service", {}, NOT_FULFILLED), ("Service", {"fulfillable": "T"}, FULFILLED),
    ("NonInvtPart", {"fulfillable": "F"}, NOT_FULFILLED), ("OthCharge", {}, NOT_FULFILLED),
    ("InvtPart", {"drop_ship": True}, NOT_FULFILLED), ("InvtPart", {"special_order": True}, NOT_FULFILLED),
    (None, {}, FULFILLED)])
def test_which_lines_a_fulfillment_carries(item_type, extra, kind):
    assert line_kind(item_type, **extra)[0] == kind


def test_warehouse_by_map_then_by_name_else_the_order_line():
    locations = [Location("1", "Main Warehouse", "1"), Location("2", "East Coast DC", "1")]
    assert shipped_from({"warehouse_name": "main warehouse"}, {}, locations).location.id == "1"
    mapped = shipped_from({"warehouse_id": "77", "warehouse_name": "NJ"}, {"77": "2"}, locations)
    assert (mapped.location.id, mapped.how) == ("2", "warehouse map")
    none = shipped_from({"warehouse_name": "Elsewhere"}, {}, locations)
    assert none.location is None and "Elsewhere matches no NetSuite location" in none.note
    assert shipped_from({}, {}, locations).location is None


# --- the plan and its completion -------------------------------------------------------------------------------
def mixed_order():
    return SalesOrder("5", "SO1", "B", [
        OrderLine(1, "KIT", 1, 0, "1", False, item_id="20"),
        OrderLine(2, "BUNDLE", 2, 0, "1", False, kind=GROUP_HEADER),
        OrderLine(3, "MUG", 2, 0, "1", False, item_id="3", group=2),
        OrderLine(4, "TEE", 6, 0, "1", False, item_id="4", group=2),
        OrderLine(5, None, 0, 0, None, False, kind=NOT_FULFILLED, why_not="the end of an item group"),
        OrderLine(6, "PROMO", 0, 0, None, False, kind=NOT_FULFILLED, why_not="a discount"),
        OrderLine(7, "DROP", 1, 0, "1", False, kind=NOT_FULFILLED, why_not="a drop-ship line (the vendor ships it)")])


def test_a_group_ships_as_its_members_and_lines_never_fulfilled_are_left_out_with_a_note():
    plan = plan_fulfillment(shipment([("BUNDLE", 1), ("PROMO", 1)]), mixed_order())
    assert [(ln.order_line, ln.quantity) for ln in plan.lines] == [(3, 1), (4, 3)]
    # Only lines a fulfillment can carry are named at all, and the kit not shipped is left out explicitly.
    assert [i["orderLine"] for i in plan.transform_body()["item"]["items"]] == [3, 4, 1]
    assert plan.notes[0].startswith("SKU PROMO is a discount on sales order SO1 (line 6)")
    with pytest.raises(CannotApply, match="only lines that are never fulfilled"):
        plan_fulfillment(shipment([("DROP", 1)]), mixed_order())


def lot_order(quantity=4, numbered="lot", unit=LineUnit()):
    return SalesOrder("5", "SO1", "B", [OrderLine(1, "SERUM", quantity, 0, "1", False, item_id="9",
                                                  numbered=numbered, unit=unit)], subsidiary="1")


def test_lots_become_the_inventory_detail_in_the_lines_unit_and_the_audit_names_them():
    pool = StockPool([lot("1", "A", "2027-02-01", 11), lot("2", "B", "2027-01-01", 13)])
    order = lot_order(24, unit=LineUnit("Case of 12", 12))
    plan = plan_fulfillment(shipment([("SERUM", 24)]), order)
    done = assign(plan, order, shipment([("SERUM", 24)]), InventorySettings(lots=True), pool,
                  shipped_from({}, {}, []), {"1": "Main"})
    [line] = done.plan.transform_body()["item"]["items"]
    assert line["quantity"] == 2 and line["location"] == {"id": "1"}
    assert line["inventoryDetail"]["inventoryAssignment"]["items"] == [
        {"issueInventoryNumber": {"id": "2"}, "quantity": round(13 / 12, 6)},
        {"issueInventoryNumber": {"id": "1"}, "quantity": round(11 / 12, 6)}]
    [detail] = done.details
    assert detail["unit_conversion"] == "24 each = 2 x Case of 12 (12 each)"
    assert [(x["number"], x["quantity"]) for x in detail["lots"]] == [("B", 13), ("A", 11)]
    assert pool.total("9", "1") == 0


def test_a_short_lot_gives_back_what_the_shipment_took_and_names_the_line():
    pool = StockPool([lot("1", "A", None, 3)])
    order = SalesOrder("5", "SO1", "B", [OrderLine(1, "SERUM", 2, 0, "1", False, item_id="9", numbered="lot"),
                                         OrderLine(2, "SERUM2", 2, 0, "1", False, item_id="9", numbered="lot")])
    record = shipment([("SERUM", 2), ("SERUM2", 2)])
    with pytest.raises(CannotApply, match=r"line 2 \(SKU SERUM2\): 2 needed from lots at location Main, only 1 "
                                          r"available \(lot A: 1\); 1 short"):
        assign(plan_fulfillment(record, order), order, record, InventorySettings(lots=True), pool,
               shipped_from({}, {}, []), {"1": "Main"})
    assert pool.total("9", "1") == 3


def test_serial_policy_skip_names_the_item_and_leave_to_netsuite_sends_no_detail():
    order = lot_order(1, numbered="serial")
    record = shipment([("SERUM", 1)])
    plan = plan_fulfillment(record, order)
    with pytest.raises(CannotApply, match="item SERUM is serial-numbered and ShipStation does not list"):
        assign(plan, order, record, InventorySettings(serials=True, serial_policy="skip"),
               StockPool([lot("1", "S1", None, 1)]), shipped_from({}, {}, []))
    lots = lot_order(1)
    done = assign(plan_fulfillment(record, lots), lots, record,
                  InventorySettings(lots=True, lot_policy="leave_to_netsuite"), StockPool(), shipped_from({}, {}, []))
    assert "inventoryDetail" not in done.plan.transform_body()["item"]["items"][0]


def test_a_plain_account_gets_the_same_body_as_before():
    order = SalesOrder("5", "SO1", "B", [OrderLine(1, "MUG", 3, 0, "1", False), OrderLine(2, "TEE", 1, 0, "1", False)])
    record = shipment([("MUG", 2)])
    plan = plan_fulfillment(record, order)
    done = assign(plan, order, record, InventorySettings(), None, shipped_from(record, {}, []))
    assert done.plan.transform_body() == plan.transform_body()
    assert plan.transform_body()["item"]["items"] == [{"orderLine": 1, "quantity": 2, "itemReceive": True,
                                                      "location": {"id": "1"}}, {"orderLine": 2, "itemReceive": False}]


# --- settings and the lookup -----------------------------------------------------------------------------------
def test_settings_default_to_a_plain_account_and_refuse_what_cannot_be_used():
    plain = inventory_settings({})
    assert not plain.reads_stock and plain.requirements() == [] and plain.lot_policy == "first_expiring_first"
    with pytest.raises(ValueError, match="lot policy"):
        inventory_settings({"lot_policy": "random"})
    with pytest.raises(ValueError, match="location internal id"):
        inventory_settings({"warehouse_location_map": [{"shipstation_warehouse": "NJ", "location_id": "x"}]})
    full = inventory_settings({"lot_numbered_items": True, "bins": True, "units_of_measure": True})
    assert {r.setting for r in full.requirements()} >= {"Lot-numbered items", "Bins", "Units of measure"}


def test_the_lookup_reads_feature_tables_only_when_their_setting_is_on_and_stays_one_query():
    plain = lookup_query("tranid", ["SO1"], ["ss-1"])
    for table in ("inventorybalance", "inventorynumber", "unitstypeuom", "i.islotitem", "i.usebins", "itembinquantity"):
        assert table not in plain
    full = lookup_query("tranid", ["SO1"], ["ss-1"], features=inventory_settings(
        {"lot_numbered_items": True, "bins": True, "units_of_measure": True}), with_locations=True)
    assert full.count("SELECT 'stock'") == 1 and "FROM inventorybalance b" in full
    assert "i.islotitem" in full and "isserialitem" not in full  # each flag only with its own feature
    assert full.count(" UNION ALL ") == 3
