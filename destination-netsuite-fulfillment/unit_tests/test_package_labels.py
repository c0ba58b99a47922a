"""Extra package labels of a multi-package v1 shipment: which fulfillment they join, and the package sublist."""
import pytest

from destination_netsuite_fulfillment.fulfillment_plan import CannotApply, memo_for, packages_of
from destination_netsuite_fulfillment.package_labels import (ConnectorFulfillment, find_sibling, is_package_only,
                                                             packages_with, packages_without, shipstation_order_id_in)


def label(shipment_id="1005", order_id="77", items=(), tracking="1ZEXTRA"):
    return {"shipment_id": shipment_id, "order_id": order_id, "order_number": "SO1", "kind": "label",
            "tracking_numbers": [tracking],
            "packages": [{"tracking_number": tracking, "weight": 16, "weight_units": "ounces", "package_code": "package"}],
            "items": [{"sku": s, "quantity": q} for s, q in items]}


def made_by_us(shipment_id, order_id="77"):
    """A fulfillment as this connector makes it: external id and memo from the items label."""
    items_label = label(shipment_id, order_id, items=[("MUG-1", 1)], tracking=f"1Z{shipment_id}")
    return ConnectorFulfillment(f"f{shipment_id}", f"ss-{shipment_id}", memo_for(items_label))


def test_a_label_without_items_but_with_tracking_is_an_extra_package_and_one_with_items_is_not():
    assert is_package_only(label())
    assert not is_package_only(label(items=[("MUG-1", 1)]))
    assert not is_package_only({**label(), "tracking_numbers": [], "packages": []})


def test_the_memo_names_the_shipstation_order_id_so_a_sibling_label_can_find_it():
    assert shipstation_order_id_in(made_by_us("1001", order_id="77").memo) == "77"
    assert shipstation_order_id_in("typed by hand") is None


def test_the_sibling_is_the_latest_earlier_label_of_the_same_shipstation_order():
    # 1001: an earlier shipment of the order; 1004: the items label of this purchase; 1009: a later shipment.
    candidates = [made_by_us("1001"), made_by_us("1004"), made_by_us("1009"),
                  made_by_us("1003", order_id="88"),  # another ShipStation order on the same sales order
                  ConnectorFulfillment("fx", "ss-se-55", None)]  # a v2 shipment: not a label id
    assert find_sibling(label("1005"), candidates).fulfillment_id == "f1004"


def test_a_memo_edited_by_hand_does_not_hide_the_sibling():
    assert find_sibling(label("1005"), [ConnectorFulfillment("f1004", "ss-1004", "checked by Bob")]
                        ).fulfillment_id == "f1004"


def test_no_earlier_label_recorded_yet_is_a_reason_to_skip_so_the_lookback_brings_it_again():
    with pytest.raises(CannotApply, match="no item fulfillment of an earlier label of ShipStation order 77"):
        find_sibling(label("1005"), [made_by_us("1009"), made_by_us("1004", order_id="88")])


def test_a_label_id_that_is_not_a_v1_number_cannot_be_placed():
    with pytest.raises(CannotApply, match="not a v1 label id"):
        find_sibling(label("se-1005"), [made_by_us("1004")])


def test_adding_keeps_the_existing_packages_and_a_replay_adds_nothing():
    existing = [{"links": [], "packageTrackingNumber": "1Z1004", "packageWeight": 1.0, "packageDescr": "package"}]
    after = packages_with(existing, packages_of(label()))
    assert after == [{"packageTrackingNumber": "1Z1004", "packageWeight": 1.0, "packageDescr": "package"},
                     {"packageTrackingNumber": "1ZEXTRA", "packageWeight": 1.0, "packageDescr": "package"}]
    assert packages_with(after, packages_of(label())) is None


def test_a_void_removes_only_its_own_package_and_a_second_void_changes_nothing():
    existing = [{"packageTrackingNumber": "1Z1004", "packageWeight": 1.0},
                {"packageTrackingNumber": "1ZEXTRA", "packageWeight": 1.0}]
    after = packages_without(existing, packages_of(label()))
    assert after == [{"packageTrackingNumber": "1Z1004", "packageWeight": 1.0}]
    assert packages_without(after, packages_of(label())) is None
