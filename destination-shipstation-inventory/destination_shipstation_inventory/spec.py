"""The destination's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification, DestinationSyncMode
from shipstation_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/destination-shipstation-inventory/docs.md"
STOCK_GROUP = {"id": "stock", "title": "How NetSuite stock becomes ShipStation stock"}


def specification() -> ConnectorSpecification:
    # Both API versions are offered so that `check` can tell a merchant with only a v1 key what to do, rather
    # than the form silently refusing it.
    properties = connection_properties()
    properties.update({
        "quantity_field": {
            "title": "NetSuite quantity to use as ShipStation stock", "type": "string",
            "enum": ["available", "on_hand"], "default": "available", "group": "stock", "order": 10,
            "description": "Available (on hand minus committed to orders) keeps ShipStation from selling stock "
                           "already promised; on hand copies the physical count.",
        },
        "dry_run": {
            "title": "Dry run", "type": "boolean", "default": False, "group": "stock", "order": 11,
            "description": "Report every change that would be made without writing anything to ShipStation.",
        },
        "location_map": {
            "title": "Location map", "type": "array", "group": "stock", "order": 12,
            "description": "Only where names differ: which ShipStation inventory warehouse (and, if it has "
                           "several, which inventory location) holds each NetSuite location's stock. Locations "
                           "not listed go to the ShipStation warehouse with the same name.",
            "items": {
                "type": "object", "title": "NetSuite location to ShipStation warehouse",
                "required": ["netsuite_location", "shipstation_warehouse"],
                "properties": {
                    "netsuite_location": {"title": "NetSuite location name", "type": "string", "order": 0},
                    "shipstation_warehouse": {"title": "ShipStation inventory warehouse name", "type": "string",
                                              "order": 1},
                    "shipstation_location": {"title": "ShipStation inventory location name (optional)",
                                             "type": "string", "order": 2,
                                             "description": "Needed only when the warehouse has several."},
                },
            },
        },
        "ship_method_map": {
            "title": "Ship method map", "type": "array", "group": "stock", "order": 13,
            "description": "Orders: which ShipStation carrier and service each NetSuite ship method means. An "
                           "order whose ship method is not listed is imported without carrier and service, the "
                           "NetSuite name shown as the requested service, and the audit trail says so.",
            "items": {"type": "object", "required": ["netsuite_ship_method"], "properties": {
                "netsuite_ship_method": {"type": "string", "title": "NetSuite ship method name"},
                "carrier_code": {"type": "string", "title": "ShipStation carrier code"},
                "service_code": {"type": "string", "title": "ShipStation service code"}}},
        },
        "audit_file": {
            "title": "Audit file", "type": "string", "group": "advanced", "order": 22,
            "description": "Optional path of a local file where every SKU's outcome is appended as a JSON line.",
        },
    })
    return ConnectorSpecification(
        documentationUrl=DOCS_URL,
        supported_destination_sync_modes=[DestinationSyncMode.append, DestinationSyncMode.overwrite],
        connectionSpecification={
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "ShipStation inventory destination",
            "type": "object",
            "required": CONNECTION_REQUIRED,
            "additionalProperties": True,
            "properties": properties,
            "groups": [ACCOUNT_GROUP, STOCK_GROUP, ADVANCED_GROUP],
        },
    )
