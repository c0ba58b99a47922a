"""The destination's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification, DestinationSyncMode
from netsuite_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

DOCS_URL = "https://github.com/netsuite-shipstation/connectors/blob/main/destination-netsuite-fulfillment/docs.md"
FULFILLMENT_GROUP = {"id": "fulfillment", "title": "How shipments become fulfillments"}
FEATURES_GROUP = {"id": "features", "title": "Your NetSuite account's inventory features"}

# Each of these is off (or empty) by default, which fulfils a plain account as before. docs.md says which NetSuite
# feature each one needs; `check` reads what each one chosen needs and names the feature when it cannot.
FEATURE_PROPERTIES = {
    "lot_numbered_items": {
        "title": "Lot-numbered items", "type": "boolean", "default": False, "group": "features", "order": 39,
        "description": "Turn on if some items are lot-numbered (needs Lot Tracking and Advanced Bin / Numbered "
                       "Inventory Management). The connector then reads what is available per lot in the same "
                       "lookup and assigns lots by the lot policy.",
    },
    "serial_numbered_items": {
        "title": "Serial-numbered items", "type": "boolean", "default": False, "group": "features", "order": 40,
        "description": "Turn on if some items are serial-numbered (needs Serialized Inventory and Advanced Bin / "
                       "Numbered Inventory Management). Serial numbers come from the serial policy (ShipStation's "
                       "APIs have no serial number field), or from the record where it lists them.",
    },
    "lot_policy": {
        "title": "Lot policy", "type": "string", "enum": ["first_expiring_first", "oldest_first", "leave_to_netsuite"],
        "default": "first_expiring_first", "group": "features", "order": 41,
        "description": "Which lots a fulfillment takes, from those available at the location that shipped: the "
                       "first to expire first (lots without an expiry date last), then the oldest; or the oldest "
                       "first; or leave it to NetSuite (no lots sent, for accounts that assign them themselves).",
    },
    "serial_policy": {
        "title": "Serial policy", "type": "string", "enum": ["assign_available", "skip"],
        "default": "assign_available", "group": "features", "order": 42,
        "description": "How a serial-numbered line gets its serial numbers when the record lists none (ShipStation's "
                       "APIs have no serial number field, so with source-shipstation: always): assign available "
                       "serial numbers of that location (oldest first; each written in the audit), or skip the "
                       "shipment with a reason naming the item, to enter them by hand. Serial numbers a record "
                       "lists on its item are always used.",
    },
    "bins": {
        "title": "Bins", "type": "boolean", "default": False, "group": "features", "order": 43,
        "description": "Turn on if locations use bins (Use Bins and Advanced Bin / Numbered Inventory Management). Each line then takes "
                       "its item's preferred bin, else the bins with stock, fullest first.",
    },
    "units_of_measure": {
        "title": "Units of measure", "type": "boolean", "default": False, "group": "features", "order": 44,
        "description": "Turn on if order lines can be sold in a unit other than the base unit (Multiple Units of "
                       "Measure), e.g. a case of 12: ShipStation's each are converted to the line's unit.",
    },
    "drop_ship_lines": {
        "title": "Drop-ship and special-order lines", "type": "boolean", "default": False, "group": "features",
        "order": 45,
        "description": "Turn on if sales orders have drop-ship or special-order lines (Drop Shipments & Special "
                       "Orders): they are never named on a fulfillment, and a shipment listing only them is "
                       "skipped with the reason.",
    },
    "warehouse_location_map": {
        "title": "Warehouse to location map", "type": "array", "default": [], "group": "features", "order": 46,
        "description": "The NetSuite location each ShipStation warehouse ships from. A warehouse not listed is "
                       "matched to the NetSuite location of the same name; a shipment from a warehouse that "
                       "matches none keeps the order lines' locations (the audit says so).",
        "items": {
            "type": "object", "title": "Warehouse", "required": ["shipstation_warehouse", "location_id"],
            "properties": {
                "shipstation_warehouse": {"title": "ShipStation warehouse (id or name)", "type": "string", "order": 0,
                                          "description": "The warehouse id or name as ShipStation shows it."},
                "location_id": {"title": "NetSuite location internal id", "type": "string", "order": 1,
                                "examples": ["3"],
                                "description": "The internal id of the NetSuite location that warehouse is."},
            },
        },
    },
    "subsidiary_id": {
        "title": "Subsidiary (OneWorld)", "type": "string", "group": "features", "order": 47, "pattern": "^[0-9]*$",
        "description": "Optional internal id of a subsidiary: only its sales orders are matched. Use it where "
                       "document numbers repeat across subsidiaries and this ShipStation account ships for one.",
    },
}


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
        **FEATURE_PROPERTIES,
        "batch_size": {
            "title": "Shipments per batch", "type": "integer", "minimum": 1, "maximum": 500, "default": 500,
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
            "groups": [ACCOUNT_GROUP, FULFILLMENT_GROUP, FEATURES_GROUP, ADVANCED_GROUP],
        },
    )
