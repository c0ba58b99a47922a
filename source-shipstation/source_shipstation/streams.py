"""ShipStation lists passed on as ShipStation sends them (full refresh), for the streams that need no mapping.
`shipments` and `orders` have their own modules: they are mapped to documented schemas and read incrementally.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1, V2

from .paging import pages


@dataclass(frozen=True)
class Listing:
    name: str
    path: str
    records_key: str
    primary_key: str | list[str]
    paged: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)


LISTINGS = {
    V1: (
        Listing("fulfillments", "fulfillments", "fulfillments", "fulfillmentId"),
        Listing("warehouses", "warehouses", "", "warehouseId", paged=False),
    ),
    V2: (
        Listing("labels", "v2/labels", "labels", "label_id"),
        Listing("warehouses", "v2/warehouses", "warehouses", "warehouse_id", paged=False),
        Listing("inventory", "v2/inventory", "inventory", ["sku", "inventory_location_id"]),
        Listing("inventory_warehouses", "v2/inventory_warehouses", "inventory_warehouses", "inventory_warehouse_id"),
    ),
}


class ShipStationListStream(Stream):
    def __init__(self, client: ShipStationClient, listing: Listing) -> None:
        self.client = client
        self.listing = listing

    @property
    def name(self) -> str:
        return self.listing.name

    @property
    def primary_key(self) -> str | list[str]:
        return self.listing.primary_key

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": True,
                "properties": {key: {"type": ["string", "integer"]} for key in self._key_fields()}}

    def _key_fields(self) -> list[str]:
        key = self.listing.primary_key
        return [key] if isinstance(key, str) else list(key)

    def _pages(self) -> Iterable[Any]:
        listing = self.listing
        if not listing.paged:
            yield self.client.get(listing.path, params=dict(listing.params))
            return
        yield from pages(self.client, listing.path, listing.params)

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        for body in self._pages():
            records = body if isinstance(body, list) else body.get(self.listing.records_key) or []
            yield from records
