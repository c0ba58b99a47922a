"""The source's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification
from shipstation_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

from .windows import DEFAULT_LOOKBACK_MINUTES

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/source-shipstation/docs.md"


SYNC_GROUP = {"id": "sync", "title": "What to read"}
SYNC_PROPERTIES = {
    "start_date": {
        "title": "Start date", "type": "string", "format": "date-time", "group": "sync", "order": 10,
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
        "examples": ["2026-11-01T00:00:00Z"],
        "description": "The first sync reads shipments and orders from this moment on (a date-time with its "
                       "offset, e.g. Z for UTC). Leave empty to read everything ShipStation holds. Later syncs "
                       "continue where the last one stopped.",
    },
    "lookback_minutes": {
        "title": "Lookback (minutes)", "type": "integer", "minimum": 0, "maximum": 43200,
        "default": DEFAULT_LOOKBACK_MINUTES, "group": "sync", "order": 11,
        "description": "Every sync re-reads this far back before where the last one stopped, so that late "
                       "changes are seen: a label voided after it was read, a label ShipStation recorded late. "
                       "Default 1440 (24 hours). A void older than this is not seen again.",
    },
}


def specification() -> ConnectorSpecification:
    properties = {**connection_properties(), **SYNC_PROPERTIES}
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
