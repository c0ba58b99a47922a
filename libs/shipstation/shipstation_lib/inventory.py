"""ShipStation's v2 Inventory API as the stock destination needs it: read every level, the warehouses and their
locations, the product SKUs, and set one SKU's on-hand figure at one location (the API takes one per call).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .client import ShipStationClient
from .paging import rows

PRODUCTS_PAGE_SIZE = 100  # the most GET /v2/products accepts (OAS listProducts)


@dataclass(frozen=True)
class InventoryLocation:
    id: str
    name: str
    warehouse_id: str
    warehouse_name: str


class InventoryApi:
    """Page sizes and paging are shipstation_lib.paging's: `limit` and `links.next.href` on the inventory lists,
    as the OAS documents them. The OAS marks no field of these rows required: rows without an id are left out
    here, with a warning naming the row and the field; a missing name reads as ""."""

    def __init__(self, client: ShipStationClient) -> None:
        self.client = client

    def levels(self) -> Iterator[dict]:
        return rows(self.client, "inventory", "inventory")

    def locations(self) -> list[InventoryLocation]:
        warehouses: dict[str, str] = {}
        for w in rows(self.client, "inventory_warehouses", "inventory_warehouses"):
            if self._has(w, "inventory_warehouse_id", "inventory warehouse"):
                warehouses[w["inventory_warehouse_id"]] = w.get("name") or ""
        found = []
        for loc in rows(self.client, "inventory_locations", "inventory_locations"):
            if self._has(loc, "inventory_location_id", "inventory location") and \
                    self._has(loc, "inventory_warehouse_id", "inventory location"):
                found.append(InventoryLocation(loc["inventory_location_id"], loc.get("name") or "",
                                               loc["inventory_warehouse_id"],
                                               warehouses.get(loc["inventory_warehouse_id"], "")))
        return found

    def product_skus(self) -> set[str]:
        return {p["sku"] for p in rows(self.client, "products", "products", size=PRODUCTS_PAGE_SIZE) if p.get("sku")}

    def _has(self, row: dict, field: str, what: str) -> bool:
        if row.get(field):
            return True
        self.client.logger.warning(f"ShipStation listed an {what} without `{field}` ({_describe(row)}): left out.")
        return False

    def set_on_hand(self, sku: str, location_id: str, quantity: int) -> None:
        # `adjust` sets on hand to `quantity` (increment/decrement are deltas): replaying it changes nothing.
        self.client.request("POST", "inventory", json={"transaction_type": "adjust", "sku": sku,
                                                       "inventory_location_id": location_id,
                                                       "quantity": quantity})


def _describe(row: dict) -> str:
    shown = {k: v for k, v in row.items() if k in ("name", "inventory_warehouse_id", "inventory_location_id", "sku")}
    return ", ".join(f"{k} {v!r}" for k, v in shown.items()) or "no identifying field"
