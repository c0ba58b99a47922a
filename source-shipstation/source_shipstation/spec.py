"""The source's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification
from shipstation_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/source-shipstation/docs.md"


def specification() -> ConnectorSpecification:
    properties = connection_properties()
    properties["start_date"] = {
        "title": "Start date", "type": "string", "format": "date-time", "group": "account", "order": 1,
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", "examples": ["2026-01-01T00:00:00Z"],
        "description": "Read shipments and orders created from this moment on (UTC). Leave empty for the last 30 days.",
    }
    return ConnectorSpecification(
        documentationUrl=DOCS_URL,
        connectionSpecification={
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "ShipStation source",
            "type": "object",
            "required": CONNECTION_REQUIRED,
            "additionalProperties": True,
            "properties": properties,
            "groups": [ACCOUNT_GROUP, ADVANCED_GROUP],
        },
    )
