"""ShipStation lists passed on as ShipStation sends them (full refresh), for the streams that need no mapping.
`shipments` and `orders` have their own modules: they are mapped to documented schemas and read incrementally.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from shipstation_lib.client import ShipStationClient, listed
from shipstation_lib.errors import BadAnswer
from shipstation_lib.credentials import V1, V2
from shipstation_lib.paging import rows


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

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        listing = self.listing
        if listing.paged:
            yield from rows(self.client, listing.path, listing.records_key, listing.params)
            return
        body = self.client.get(listing.path, params=dict(listing.params))
        request = f"GET {self.client.api.url(listing.path)}"
        if not listing.records_key:
            # v1 GET /warehouses answers a bare list (D1 warehouses/list).
            if not isinstance(body, list) or not all(isinstance(row, dict) for row in body):
                raise BadAnswer(f"ShipStation's answer to {request} is not a list of warehouses.")
            yield from body
            return
        yield from listed(body, listing.records_key, request)
