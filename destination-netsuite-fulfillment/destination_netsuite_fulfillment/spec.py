"""The destination's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification, DestinationSyncMode
from netsuite_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/destination-netsuite-fulfillment/docs.md"
FULFILLMENT_GROUP = {"id": "fulfillment", "title": "How shipments become fulfillments"}


def specification() -> ConnectorSpecification:
    properties = connection_properties()
    properties.update({
        "order_number_field": {
            "title": "NetSuite field holding the ShipStation order number", "type": "string",
            "enum": ["tranid", "otherrefnum", "externalid"], "default": "tranid", "group": "fulfillment", "order": 10,
            "description": "Where the sales order keeps the number ShipStation shows as its order number: the "
                           "document number (tranid), the customer PO number (otherrefnum) or the external id.",
        },
        "ship_status": {
            "title": "Fulfillment status", "type": "string", "enum": ["Shipped", "Packed", "Picked"],
            "default": "Shipped", "group": "fulfillment", "order": 11,
            "description": "The status the item fulfillment gets when a shipment is recorded.",
        },
        "ship_method_map": {
            "title": "Ship method map", "type": "array", "group": "fulfillment", "order": 12, "default": [],
            "description": "Which NetSuite ship method (a shipping item's internal id) each ShipStation carrier and "
                           "service becomes. Leave the service empty to cover every service of a carrier. A "
                           "shipment whose carrier and service are not listed gets no ship method; its audit "
                           "line says so.",
            "items": {
                "type": "object", "title": "Ship method", "required": ["carrier_code", "ship_item_id"],
                "description": "One ShipStation carrier, optionally one of its services, and the NetSuite ship "
                               "method it becomes.",
                "properties": {
                    "carrier_code": {
                        "title": "ShipStation carrier code", "type": "string", "examples": ["ups"], "order": 0,
                        "description": "The carrier code ShipStation gives the shipment, as ShipStation writes "
                                       "it, e.g. ups or fedex.",
                    },
                    "service_code": {
                        "title": "ShipStation service code (optional)", "type": "string",
                        "examples": ["ups_ground"], "order": 1,
                        "description": "The service code ShipStation gives the shipment, e.g. ups_ground. Leave "
                                       "empty to cover every service of the carrier; an entry with a service "
                                       "wins over one without.",
                    },
                    "ship_item_id": {
                        "title": "NetSuite ship method internal id", "type": "string", "examples": ["1234"],
                        "order": 2,
                        "description": "The internal id of the NetSuite shipping item that the fulfillment "
                                       "gets as its ship method.",
                    },
                },
            },
        },
        "batch_size": {
            "title": "Shipments per batch", "type": "integer", "minimum": 1, "maximum": 500, "default": 100,
            "group": "advanced", "order": 23,
            "description": "Shipments looked up in NetSuite with one query. Larger batches mean fewer queries; "
                           "progress is confirmed to Airbyte after each batch.",
        },
        "audit_file": {
            "title": "Audit file", "type": "string", "group": "advanced", "order": 22,
            "description": "Optional path of a local file where every record's outcome is appended as a JSON line.",
        },
    })
    return ConnectorSpecification(
        documentationUrl=DOCS_URL,
        supported_destination_sync_modes=[DestinationSyncMode.append],
        connectionSpecification={
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "NetSuite item fulfillment destination",
            "type": "object",
            "required": CONNECTION_REQUIRED,
            "additionalProperties": True,
            "properties": properties,
            "groups": [ACCOUNT_GROUP, FULFILLMENT_GROUP, ADVANCED_GROUP],
        },
    )
