"""ShipStation's warehouse (ship-from location) names, by id.

A shipment names only its warehouse's id; the NetSuite destination fulfils each line from the NetSuite location
of the same name unless the merchant's map says otherwise, so the records carry the name too. The list is read
once, at the first shipment that names a warehouse (one call: neither API pages it), and again after `max_age`
seconds for a long-lived reader (the webhook relay). A warehouse the list does not have gets no name.
"""
from __future__ import annotations

import time
from typing import Any

from .client import ShipStationClient, listed
from .credentials import V1


class WarehouseNames:
    def __init__(self, client: ShipStationClient, max_age: float | None = None) -> None:
        self.client = client
        self.max_age = max_age
        self._names: dict[str, str] | None = None
        self._read_at = 0.0

    def name_of(self, warehouse_id: Any) -> str | None:
        key = "" if warehouse_id is None else str(warehouse_id).strip()
        if not key:
            return None
        if self._names is None or (self.max_age is not None and time.monotonic() - self._read_at > self.max_age):
            self._names = self._read()
            self._read_at = time.monotonic()
        return self._names.get(key)

    def name(self, record: dict) -> dict:
        """`record` with `warehouse_name` set from its `warehouse_id` (None where there is no name)."""
        record["warehouse_name"] = self.name_of(record.get("warehouse_id"))
        return record

    def _read(self) -> dict[str, str]:
        if self.client.version == V1:
            body = self.client.get("warehouses")
            rows = body if isinstance(body, list) else listed(body, "warehouses", "GET /warehouses")
            pairs = ((row.get("warehouseId"), row.get("warehouseName")) for row in rows if isinstance(row, dict))
        else:
            rows = listed(self.client.get("v2/warehouses"), "warehouses", "GET /v2/warehouses")
            pairs = ((row.get("warehouse_id"), row.get("name")) for row in rows)
        return {str(wid).strip(): str(name).strip() for wid, name in pairs
                if wid is not None and name is not None and str(name).strip()}
