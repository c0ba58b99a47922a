import logging

from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment


def test_order_number_field_choices_and_shared_netsuite_auth():
    spec = DestinationNetsuiteFulfillment().spec(logging.getLogger()).connectionSpecification
    assert spec["properties"]["order_number_field"]["enum"] == ["tranid", "otherrefnum", "externalid"]
    assert spec["properties"]["order_number_field"]["default"] == "tranid"
    assert len(spec["properties"]["credentials"]["oneOf"]) == 2
    assert {g["id"] for g in spec["groups"]} == {p["group"] for p in spec["properties"].values()}
