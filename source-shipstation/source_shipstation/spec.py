"""The source's settings page in the Airbyte UI, and the check of the settings JSON Schema cannot express."""
from typing import Any, Mapping

from airbyte_cdk.models import ConnectorSpecification
from shipstation_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

from .windows import DEFAULT_LOOKBACK_MINUTES

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/source-shipstation/docs.md"


SYNC_GROUP = {"id": "sync", "title": "What to read"}
SYNC_PROPERTIES = {
    "start_date": {
        "title": "Start date", "type": "string", "format": "date-time", "group": "sync", "order": 10,
        # The UI's date-time picker writes YYYY-MM-DDTHH:mm:ssZ (UTC). The pattern also accepts the offset and
        # fractional-second form this field took before 0.2.0's picker change (2026-11-01T02:00:00+02:00),
        # because the CDK validates a saved config against this pattern on check, discover and read: narrowing
        # it would break connections saved with that form.
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
        "pattern_descriptor": "YYYY-MM-DDTHH:mm:ssZ",
        "examples": ["2026-11-01T00:00:00Z"],
        "description": "The first sync reads shipments and orders from this moment on, in UTC, e.g. "
                       "2026-11-01T00:00:00Z. Leave empty to read everything ShipStation holds. Later syncs "
                       "continue where the last one stopped. A date-time with an offset "
                       "(2026-11-01T02:00:00+02:00) is accepted too.",
    },
    "lookback_minutes": {
        "title": "Lookback (minutes)", "type": "integer", "minimum": 0, "maximum": 43200,
        "default": DEFAULT_LOOKBACK_MINUTES, "group": "sync", "order": 11,
        "description": "Every sync re-reads this far back before where the last one stopped, so that late "
                       "changes are seen: a label voided after it was read, a label ShipStation recorded late. "
                       "Default 1440 (24 hours). A void older than this is not seen again.",
    },
}

SHIPMENT_IDS = "shipment_ids"
ADVANCED_PROPERTIES = {
    SHIPMENT_IDS: {
        "title": "Only these shipments", "type": "array", "items": {"type": "string"}, "group": "advanced",
        "order": 22,
        "examples": [["se-123456", "fulfillment-se-7890"]],
        "description": "For a targeted replay (applying given shipments again): the shipments stream emits only "
                       "these shipment ids (v1 shipmentId as text, v2 se-..., or fulfillment-<id> for an order "
                       "shipped without a label), of those read in its usual window; the others are skipped while "
                       "the sync's position still moves past them. Empty or absent: every shipment, as a regular "
                       "sync needs.",
    },
}


def shipment_ids(config: Mapping[str, Any]) -> frozenset[str] | None:
    """The shipment ids the shipments stream is limited to; None when it emits every shipment (setting absent or
    empty). ValueError, with a sentence a merchant can act on, for a value that names no shipment."""
    value = config.get(SHIPMENT_IDS)
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f"'Only these shipments' must be a list of shipment ids, not {type(value).__name__}.")
    ids = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"'Only these shipments' holds {item!r}, which is not a shipment id: each entry must be "
                             "a ShipStation shipment id as text (e.g. se-123456, or 123456 for API v1).")
        ids.append(item.strip())
    return frozenset(ids) or None


def specification() -> ConnectorSpecification:
    properties = {**connection_properties(), **SYNC_PROPERTIES, **ADVANCED_PROPERTIES}
    return ConnectorSpecification(
        documentationUrl=DOCS_URL,
        connectionSpecification={
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "ShipStation source",
            "type": "object",
            "required": CONNECTION_REQUIRED,
            "additionalProperties": True,
            "properties": properties,
            "groups": [ACCOUNT_GROUP, SYNC_GROUP, ADVANCED_GROUP],
        },
    )
