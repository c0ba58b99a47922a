"""The source's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification
from netsuite_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/source-netsuite-inventory/docs.md"


def specification() -> ConnectorSpecification:
    return ConnectorSpecification(
        documentationUrl=DOCS_URL,
        connectionSpecification={
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "NetSuite inventory source",
            "type": "object",
            "required": CONNECTION_REQUIRED,
            "additionalProperties": True,
            "properties": {
                **connection_properties(),
                "lookback_window_minutes": {
                    "title": "Overlap window (minutes)", "type": "integer", "minimum": 0, "maximum": 1440,
                    "default": 60, "group": "advanced", "order": 22,
                    "description": "Each incremental read starts this long before the last change it saw, so "
                                   "changes saved while the previous sync ran, or read in another time zone, are "
                                   "not missed. Rows already sent are not sent again.",
                },
            },
            "groups": [ACCOUNT_GROUP, ADVANCED_GROUP],
        },
    )
