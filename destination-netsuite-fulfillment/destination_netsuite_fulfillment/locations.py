"""The NetSuite location a shipment was shipped from: its ShipStation warehouse, through the merchant's map, else
the NetSuite location with the same name. Without either, the order line's own location stays (as before).
Pure: the batch lookup reads the locations, this module matches.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    subsidiary: str | None = None


@dataclass(frozen=True)
class ShippedFrom:
    location: Location | None
    how: str | None  # for the audit: "warehouse map", "same name"; None when the order line's location stays
    note: str | None = None  # a warehouse that matched nothing


def warehouse_of(shipment: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(warehouse id, warehouse name) as the shipment record carries them, when it does."""
    wid = shipment.get("warehouse_id")
    name = shipment.get("warehouse_name")
    return (str(wid).strip() or None) if wid is not None else None, (str(name).strip() or None) if name else None


def shipped_from(shipment: Mapping[str, Any], warehouse_map: Mapping[str, str],
                 locations: Iterable[Location]) -> ShippedFrom:
    wid, name = warehouse_of(shipment)
    if wid is None and name is None:
        return ShippedFrom(None, None)
    by_id = {loc.id: loc for loc in locations}
    for key in (wid, name):
        if key is not None and key.casefold() in warehouse_map:
            location_id = warehouse_map[key.casefold()]
            return ShippedFrom(by_id.get(location_id, Location(location_id, f"location {location_id}")),
                               "warehouse map")
    if name is not None:
        same = [loc for loc in by_id.values() if loc.name.strip().casefold() == name.casefold()]
        if len(same) == 1:
            return ShippedFrom(same[0], "same name")
    label = name or wid
    return ShippedFrom(None, None, f"ShipStation warehouse {label} matches no NetSuite location (by the warehouse "
                                   "map or by name): the order lines' locations were kept")


def locations_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Location]:
    return [Location(str(r["location_id"]), str(r.get("location_name") or ""),
                     None if r.get("subsidiary") is None else str(r["subsidiary"])) for r in rows]
