"""ShipStation's v2 Inventory API as the stock destination needs it: read every level, the warehouses and their
locations, the product SKUs, and set one SKU's on-hand figure at one location (the API takes one per call).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from .client import ShipStationClient, listed, page_count

# No maximum is documented for GET /v2/inventory's page size; asking for many rows per page saves calls, and a
# smaller page from ShipStation is still followed to the end through `pages`.
INVENTORY_PAGE_SIZE = 500
PRODUCTS_PAGE_SIZE = 100  # the most GET /v2/products accepts
MAX_PAGES = 100_000  # a guard against an answer whose `pages` never ends, not a limit anyone should meet


@dataclass(frozen=True)
class InventoryLocation:
    id: str
    name: str
    warehouse_id: str
    warehouse_name: str


class InventoryApi:
    def __init__(self, client: ShipStationClient) -> None:
        self.client = client

    def _pages(self, path: str, key: str, params: dict[str, Any]) -> Iterator[dict]:
        page = 1
        while page <= MAX_PAGES:
            body = self.client.get(path, params={**params, "page": page})
            request = f"GET {self.client.api.url(path)}"
            yield from listed(body, key, request)
            if page >= (page_count(body, request, 1) or 1):
                return
            page += 1

    def levels(self) -> Iterator[dict]:
        # The OAS names the page size `limit`, newer SDKs `page_size`: both are sent.
        return self._pages("inventory", "inventory",
                           {"limit": INVENTORY_PAGE_SIZE, "page_size": INVENTORY_PAGE_SIZE})

    def locations(self) -> list[InventoryLocation]:
        warehouses = {w["inventory_warehouse_id"]: w["name"]
                      for w in self._pages("inventory_warehouses", "inventory_warehouses", {"page_size": 100})}
        return [InventoryLocation(loc["inventory_location_id"], loc["name"], loc["inventory_warehouse_id"],
                                  warehouses.get(loc["inventory_warehouse_id"], ""))
                for loc in self._pages("inventory_locations", "inventory_locations", {"page_size": 100})]

    def product_skus(self) -> set[str]:
        return {p["sku"] for p in self._pages("products", "products", {"page_size": PRODUCTS_PAGE_SIZE})
                if p.get("sku")}

    def set_on_hand(self, sku: str, location_id: str, quantity: int) -> None:
        # `adjust` sets on hand to `quantity` (increment/decrement are deltas): replaying it changes nothing.
        self.client.request("POST", "inventory", json={"transaction_type": "adjust", "sku": sku,
                                                       "inventory_location_id": location_id,
                                                       "quantity": quantity})
