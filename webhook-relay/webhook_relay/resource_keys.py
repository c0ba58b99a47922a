"""What a notification's resource URL is about, read from the URL alone, so the relay can skip fetches whose answer
it already knows.

ShipStation sends several notifications per label: v1 SHIP_NOTIFY and ITEM_SHIP_NOTIFY for the same batch, v2
label_created_v2 and shipment_created_v2 for the same batch plus fulfillment_shipped_v2 naming the shipment. Every
fetch costs a call on the merchant's rate limit, the same limit the sync itself reads with; fetching each would
spend three calls to learn one shipment id, and a relay over the limit delays every shipment behind it.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# The listing of one label batch: the labels and the shipments of a batch are the same shipments.
_BATCH_PARAMS = ("batch_id", "batchId")
# A URL that names one shipment (v2 fulfillments carry the shipment they belong to).
_SHIPMENT_PARAMS = ("shipment_id", "shipmentId")


@dataclass(frozen=True)
class ResourceKey:
    key: str  # notifications with the same key (and API) point at the same records
    shipment_id: str | None = None  # set when the URL names exactly one shipment


def resource_key(resource_url: str) -> ResourceKey:
    query = parse_qs(urlsplit(resource_url).query)

    def single(names: tuple[str, ...]) -> str | None:
        values = [v for name in names for v in query.get(name, [])]
        return values[0] if len(values) == 1 and values[0] else None

    shipment, batch = single(_SHIPMENT_PARAMS), single(_BATCH_PARAMS)
    if batch is not None and shipment is None:
        return ResourceKey(f"batch:{batch}")
    if shipment is not None:
        return ResourceKey(f"shipment:{shipment}", shipment)
    return ResourceKey(f"url:{resource_url}")
