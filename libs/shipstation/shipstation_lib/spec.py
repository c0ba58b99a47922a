"""The connection fields both ShipStation connectors ask for, in the form the Airbyte UI renders."""
from __future__ import annotations

from .credentials import V1, V2

ACCOUNT_GROUP = {"id": "account", "title": "ShipStation account"}
ADVANCED_GROUP = {"id": "advanced", "title": "Advanced"}

_V1 = {
    "title": "API v1 (key and secret)",
    "type": "object",
    "required": ["api_version", "api_key", "api_secret"],
    "properties": {
        "api_version": {"type": "string", "const": V1, "order": 0},
        "api_key": {"title": "API key", "type": "string", "airbyte_secret": True, "order": 1,
                    "description": "Settings > Account > API Settings, under 'API v1'."},
        "api_secret": {"title": "API secret", "type": "string", "airbyte_secret": True, "order": 2,
                       "description": "Shown beside the v1 API key."},
    },
}

_V2 = {
    "title": "API v2 (API key)",
    "type": "object",
    "required": ["api_version", "api_key"],
    "properties": {
        "api_version": {"type": "string", "const": V2, "order": 0},
        "api_key": {"title": "API key", "type": "string", "airbyte_secret": True, "order": 1,
                    "description": "Settings > Account > API Settings, under 'API v2'. Stock can only be written "
                                   "with a v2 key, on an account with the Inventory feature."},
    },
}


def connection_properties(versions: tuple[str, ...] = (V1, V2), first_order: int = 0) -> dict:
    options = [option for option in (_V1, _V2) if option["properties"]["api_version"]["const"] in versions]
    return {
        "credentials": {
            "title": "ShipStation API", "type": "object", "group": "account", "order": first_order,
            "description": "Which ShipStation API to use, and its key. v1 comes with every account; v2 needs a "
                           "v2 API key.",
            "oneOf": options,
        },
        "rate_limit_per_minute": {
            "title": "Requests per minute", "type": "integer", "minimum": 1, "maximum": 10000,
            "group": "advanced", "order": first_order + 20,
            "description": "Leave empty to use ShipStation's limit (40 a minute on v1, 200 on v2). Set it lower to "
                           "leave room for other apps using the same key, or higher if ShipStation raised yours.",
        },
        "base_url": {
            "title": "Base URL override", "type": "string", "group": "advanced", "order": first_order + 21,
            "pattern": r"^https?://",
            "description": "Leave empty. For tests against a local ShipStation emulator only.",
        },
    }


CONNECTION_REQUIRED = ["credentials"]
