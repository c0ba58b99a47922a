"""How NetSuite location names find ShipStation inventory locations."""
from destination_shipstation_inventory.mapping import LocationMap
from shipstation_lib.inventory import InventoryLocation

LOCATIONS = [
    InventoryLocation("se-1", "Default", "se-10", "Main Warehouse"),
    InventoryLocation("se-2", "Aisle A", "se-20", "East DC"),
    InventoryLocation("se-3", "Aisle B", "se-20", "East DC"),
]


def test_same_name_ignoring_case_and_spaces_finds_the_warehouse_s_only_location():
    assert LocationMap(LOCATIONS).resolve("  main   WAREHOUSE ").location.id == "se-1"


def test_a_warehouse_with_several_locations_needs_the_map_and_says_so():
    resolution = LocationMap(LOCATIONS).resolve("East DC")
    assert resolution.location is None and "2 inventory locations" in resolution.reason
    mapped = LocationMap(LOCATIONS, [{"netsuite_location": "East DC", "shipstation_warehouse": "East DC",
                                      "shipstation_location": "aisle b"}])
    assert mapped.resolve("East DC").location.id == "se-3"


def test_a_location_without_a_warehouse_is_explained():
    resolution = LocationMap(LOCATIONS).resolve("Pop-up Shop")
    assert resolution.location is None and "Pop-up Shop" in resolution.reason
