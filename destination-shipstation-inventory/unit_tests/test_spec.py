import logging

from destination_shipstation_inventory import DestinationShipstationInventory


def test_stock_settings_default_to_available_quantity_and_real_writes():
    spec = DestinationShipstationInventory().spec(logging.getLogger()).connectionSpecification
    assert spec["properties"]["quantity_field"]["default"] == "available"
    assert spec["properties"]["dry_run"]["default"] is False
    # v1 stays selectable so that `check` can say why it cannot write stock.
    assert [o["properties"]["api_version"]["const"] for o in spec["properties"]["credentials"]["oneOf"]] == ["v1", "v2"]
