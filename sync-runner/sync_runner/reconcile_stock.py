"""Reconciliation, section (c): stock per SKU and location where NetSuite and ShipStation disagree now.

Both sides are read as sync 2 reads them, with its connectors' own code: NetSuite's stock per item and location
by source-netsuite-inventory's Stock query (SuiteQL in keyset windows, netsuite_lib.paging), ShipStation's
inventory levels and locations through shipstation_lib's InventoryApi (GETs, the one paginator); each NetSuite
location is matched to a ShipStation inventory location by destination-shipstation-inventory's LocationMap (the
destination's `location_map`, else the warehouse of the same name), and NetSuite's figure is the one the
destination would set (`quantity_field`, default available; negative read as 0; rounded).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from netsuite_lib.client import NetSuiteClient
from shipstation_lib.client import ShipStationClient
from shipstation_lib.inventory import InventoryApi

from destination_shipstation_inventory.mapping import LocationMap
from destination_shipstation_inventory.stock_writer import wanted_quantity
from source_netsuite_inventory.streams import Stock

DEFAULT_QUANTITY_FIELD = "available"


@dataclass
class StockFindings:
    quantity_field: str = DEFAULT_QUANTITY_FIELD
    compared: int = 0  # SKU and location pairs with a ShipStation inventory location to compare with
    differences: list[dict] = field(default_factory=list)
    not_compared: dict[str, int] = field(default_factory=dict)  # why a NetSuite row had nothing to compare with


def compare_stock(netsuite: NetSuiteClient, shipstation: ShipStationClient,
                  destination_config: Mapping[str, Any]) -> StockFindings:
    quantity_field = destination_config.get("quantity_field") or DEFAULT_QUANTITY_FIELD
    findings = StockFindings(quantity_field=quantity_field)
    api = InventoryApi(shipstation)
    locations = LocationMap(api.locations(), destination_config.get("location_map") or [])
    on_hand: dict[tuple[str, str], int] = {}
    for level in api.levels():
        if level.get("sku") and level.get("inventory_location_id"):
            on_hand[(level["sku"], level["inventory_location_id"])] = int(level.get("on_hand") or 0)
    seen: set[tuple[str, str]] = set()
    mapped: dict[str, tuple[str, Any]] = {}  # ShipStation location id -> (NetSuite location name, location)
    for row in Stock(netsuite).rows():
        sku, where = row.get("sku"), row.get("location_name")
        if not sku:
            _count(findings, "the NetSuite item has no SKU (item name/number)")
            continue
        resolution = locations.resolve(where)
        if resolution.location is None:
            _count(findings, resolution.reason or "no ShipStation inventory location")
            continue
        location = resolution.location
        mapped[location.id] = (where, location)
        seen.add((sku, location.id))
        findings.compared += 1
        wanted, _ = wanted_quantity(row, quantity_field)
        held = on_hand.get((sku, location.id))
        if held != wanted:
            findings.differences.append(_difference(sku, where, location, row.get(quantity_field), wanted, held))
    # Stock ShipStation holds at a mapped location for a SKU NetSuite has no stock row for there: NetSuite says
    # none, so the difference is all of it (the sync never sends such a row, so it never corrects it).
    for (sku, location_id), held in sorted(on_hand.items()):
        if location_id in mapped and (sku, location_id) not in seen and held != 0:
            findings.compared += 1
            where, location = mapped[location_id]
            findings.differences.append(_difference(sku, where, location, None, 0, held,
                                                    note="NetSuite has no stock row for this SKU at this location"))
    findings.differences.sort(key=lambda d: (d["sku"], d["netsuite_location"] or ""))
    return findings


def _difference(sku: str, where: str | None, location, netsuite_value: Any, wanted: int, held: int | None,
                note: str | None = None) -> dict:
    return {"sku": sku, "netsuite_location": where, "shipstation_warehouse": location.warehouse_name,
            "shipstation_location": location.name, "netsuite_quantity": _number(netsuite_value),
            "netsuite_as_synced": wanted, "shipstation_on_hand": held,
            # ShipStation minus NetSuite: positive means ShipStation shows more than NetSuite has.
            "difference": (held or 0) - wanted,
            "note": note or ("ShipStation has no inventory level for this SKU here" if held is None else None)}


def _count(findings: StockFindings, reason: str) -> None:
    findings.not_compared[reason] = findings.not_compared.get(reason, 0) + 1


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
