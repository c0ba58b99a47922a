"""The pure mapping: shipment record + sales order lines -> the item fulfillment to create, or why not."""
import pytest

from destination_netsuite_fulfillment.fulfillment_plan import (CannotApply, OrderLine, SalesOrder, external_id_for,
                                                               parse_ship_method_map, plan_fulfillment)


def shipment(**overrides):
    record = {"shipment_id": "se-101", "kind": "label", "api_version": "v2", "order_number": "SO1", "voided": False,
              "carrier_code": "ups", "service_code": "ups_ground", "tracking_numbers": ["1Z1"],
              "packages": [{"tracking_number": "1Z1", "weight": 32, "weight_units": "ounces"}],
              "items": [{"sku": "MUG-1", "quantity": 2}]}
    return {**record, **overrides}


def order(status="B", lines=None):
    return SalesOrder("5001", "SO1", status, lines if lines is not None else [
        OrderLine(1, "MUG-1", 3, 0, "1", False), OrderLine(2, "TEE-2", 1, 0, "1", False)])


def test_partial_shipment_fulfills_only_the_shipped_quantity_and_excludes_the_other_lines():
    body = plan_fulfillment(shipment(), order()).transform_body()
    assert body["item"]["items"] == [{"orderLine": 1, "quantity": 2, "itemReceive": True, "location": {"id": "1"}},
                                     {"orderLine": 2, "itemReceive": False}]
    assert body["externalId"] == "ss-se-101"
    assert body["shipStatus"] == {"id": "C"}
    assert body["package"]["items"] == [{"packageTrackingNumber": "1Z1", "packageWeight": 2.0}]
    assert "se-101" in body["memo"] and "SO1" in body["memo"] and "ups/ups_ground" in body["memo"] and "1Z1" in body["memo"]


def test_multi_package_shipment_carries_every_tracking_number_once():
    plan = plan_fulfillment(shipment(tracking_numbers=["1Z1", "1Z2", "1Z3"],
                                     packages=[{"tracking_number": "1Z1"}, {"tracking_number": "1Z2"}]), order())
    assert [p.tracking_number for p in plan.packages] == ["1Z1", "1Z2", "1Z3"]


def test_same_sku_on_two_lines_is_filled_in_line_order_and_case_insensitively():
    lines = [OrderLine(1, "MUG-1", 1, 0, "1", False), OrderLine(2, "MUG-1", 5, 1, "2", False)]
    plan = plan_fulfillment(shipment(items=[{"sku": "mug-1", "quantity": 3}]), order(lines=lines))
    assert [(p.order_line, p.quantity, p.location) for p in plan.lines] == [(1, 1, "1"), (2, 2, "2")]


@pytest.mark.parametrize("status, words", [("H", "is closed"), ("C", "is cancelled"), ("G", "billed"),
                                           ("F", "fully fulfilled"), ("A", "pending approval")])
def test_order_that_cannot_be_fulfilled_is_refused_with_its_status(status, words):
    with pytest.raises(CannotApply, match=words):
        plan_fulfillment(shipment(), order(status))


def test_unknown_sku_and_too_many_are_refused_with_the_numbers():
    with pytest.raises(CannotApply, match="SKU NOPE is not on an open line of sales order SO1"):
        plan_fulfillment(shipment(items=[{"sku": "NOPE", "quantity": 1}]), order())
    with pytest.raises(CannotApply, match="has 4 of SKU MUG-1 but sales order SO1 has only 3 left"):
        plan_fulfillment(shipment(items=[{"sku": "MUG-1", "quantity": 4}]), order())
    closed = [OrderLine(1, "MUG-1", 3, 0, "1", True), OrderLine(2, "TEE-2", 1, 0, "1", False)]
    with pytest.raises(CannotApply, match="not on an open line"):
        plan_fulfillment(shipment(), order(lines=closed))


def test_shipment_without_items_is_not_guessed():
    with pytest.raises(CannotApply, match="lists no items"):
        plan_fulfillment(shipment(items=[]), order())


def test_ship_method_map_exact_service_then_carrier_wide_then_unset_with_a_note():
    methods = parse_ship_method_map([{"carrier_code": "ups", "service_code": "ups_ground", "ship_item_id": "11"},
                                     {"carrier_code": "ups", "ship_item_id": "12"}])
    assert plan_fulfillment(shipment(), order(), ship_methods=methods).transform_body()["shipMethod"] == {"id": "11"}
    assert plan_fulfillment(shipment(service_code="ups_2nd_day_air"), order(),
                            ship_methods=methods).ship_method_id == "12"
    unmapped = plan_fulfillment(shipment(carrier_code="fedex", service_code="fedex_ground"), order(), ship_methods=methods)
    assert "shipMethod" not in unmapped.transform_body()
    assert unmapped.notes == ("ship method left unset: fedex/fedex_ground is not in the ship method map",)


def test_ship_status_from_config():
    assert plan_fulfillment(shipment(), order(), ship_status="Packed").transform_body()["shipStatus"] == {"id": "B"}


def test_external_id_keeps_netsuite_safe_ids_and_disambiguates_cleaned_ones():
    assert external_id_for("se-123") == "ss-se-123"
    assert external_id_for("123456") == "ss-123456"
    a, b = external_id_for("a.b"), external_id_for("a/b")
    assert a != b and a.startswith("ss-a_b-") and all(c.isalnum() or c in "_-" for c in a + b)
