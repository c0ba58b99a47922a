"""Which ShipStation inventory location a NetSuite location's stock goes to.

By default a NetSuite location goes to the ShipStation inventory warehouse of the same name (compared ignoring
case and surrounding spaces), at that warehouse's only inventory location. The merchant's explicit map wins over
names, and is needed when names differ or a warehouse has several locations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from shipstation_lib.inventory import InventoryLocation


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


@dataclass(frozen=True)
class Resolution:
    location: InventoryLocation | None
    reason: str | None = None


class LocationMap:
    def __init__(self, locations: Sequence[InventoryLocation], explicit: Iterable[Mapping[str, Any]] = ()) -> None:
        self._by_warehouse: dict[str, list[InventoryLocation]] = {}
        for loc in locations:
            self._by_warehouse.setdefault(_norm(loc.warehouse_name), []).append(loc)
        self._explicit = {_norm(row["netsuite_location"]): row for row in explicit if row.get("netsuite_location")}
        self._cache: dict[str, Resolution] = {}

    def resolve(self, netsuite_location: str | None) -> Resolution:
        key = _norm(netsuite_location)
        if key not in self._cache:
            self._cache[key] = self._resolve(netsuite_location, key)
        return self._cache[key]

    def _resolve(self, netsuite_location: str | None, key: str) -> Resolution:
        if not key:
            return Resolution(None, "the NetSuite stock row has no location name")
        row = self._explicit.get(key)
        warehouse = _norm(row["shipstation_warehouse"]) if row else key
        wanted_location = _norm(row.get("shipstation_location")) if row else ""
        candidates = self._by_warehouse.get(warehouse, [])
        if not candidates:
            how = "mapped to" if row else "with the same name as"
            return Resolution(None, f"no ShipStation inventory warehouse {how} NetSuite location "
                                    f"'{netsuite_location}'; add it to the location map or create the warehouse")
        if wanted_location:
            named = [c for c in candidates if _norm(c.name) == wanted_location]
            if len(named) == 1:
                return Resolution(named[0])
            return Resolution(None, f"ShipStation warehouse '{candidates[0].warehouse_name}' has no single inventory "
                                    f"location named '{row['shipstation_location']}'")
        if len(candidates) == 1:
            return Resolution(candidates[0])
        return Resolution(None, f"ShipStation warehouse '{candidates[0].warehouse_name}' has {len(candidates)} "
                                f"inventory locations; name one for NetSuite location '{netsuite_location}' in "
                                f"the location map")
