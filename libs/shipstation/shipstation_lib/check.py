"""What `check` of both ShipStation connectors does: one real call per thing the connector needs."""
from __future__ import annotations

from .client import ShipStationClient
from .credentials import V1, V2
from .errors import FeatureMissing, ShipStationError

PROBES = {V1: "warehouses", V2: "warehouses"}


def diagnose(client: ShipStationClient, needs_inventory: bool = False) -> str | None:
    """None when the connector can work, otherwise the first problem in words a merchant can act on."""
    if needs_inventory and client.version == V1:
        return ("Stock can only be written through ShipStation's v2 Inventory API, and this is a v1 key. Create a "
                "v2 API key under Settings > Account > API Settings and choose 'API v2'.")
    try:
        client.get(PROBES[client.version])
        if needs_inventory:
            try:
                client.get("inventory", params={"limit": 1})
            except FeatureMissing:
                return ("This ShipStation account cannot use the Inventory API: it is a plan add-on. Turn on "
                        "Inventory in ShipStation (Settings > Products > Inventory) and try again.")
    except ShipStationError as error:
        return error.message
    return None
