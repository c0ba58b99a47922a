"""The source's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification
from shipstation_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/source-shipstation/docs.md"


def specification() -> ConnectorSpecification:
    properties = connection_properties()
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
