"""The source's settings page in the Airbyte UI."""
from airbyte_cdk.models import ConnectorSpecification
from netsuite_lib.spec import ACCOUNT_GROUP, ADVANCED_GROUP, CONNECTION_REQUIRED, connection_properties

ORDERS_GROUP = {"id": "orders", "title": "Orders to ship"}
ORDER_PROPERTIES = {
    "orders_record_type": {
        "title": "Import type", "type": "string", "enum": ["sales_order", "invoice", "item_fulfillment"],
        "default": "sales_order", "group": "orders", "order": 30,
        "description": "Which NetSuite transactions become ShipStation orders: sales orders, invoices, or item "
                       "fulfillments (then choose Picked and/or Packed as statuses).",
    },
    "orders_statuses": {
        "title": "Statuses to import", "type": "array", "items": {"type": "string"}, "group": "orders", "order": 31,
        "description": "NetSuite status names, as NetSuite shows them. Default for sales orders: Pending "
                       "Fulfillment and Partially Fulfilled; for item fulfillments: Picked and Packed. Cancelled "
                       "and closed sales orders are always read when they change, so ShipStation cancels them.",
    },
    "orders_custom_fields": {
        "title": "Custom body fields", "type": "object", "group": "orders", "order": 32,
        "description": "Script ids of the transaction body fields that carry delivery details.",
        "properties": {
            "delivery_instructions": {
                "type": "string", "default": "custbody_delivery_instructions", "order": 0,
                "title": "Delivery instructions (text)",
                "description": "Script id of the free-text body field holding the customer's delivery "
                               "instructions; ShipStation shows them to the packer.",
            },
            "authority_to_leave": {
                "type": "string", "default": "custbody_authority_to_leave", "order": 1,
                "title": "Authority to leave (checkbox)",
                "description": "Script id of the checkbox body field that is ticked when the parcel may be left "
                               "without anyone signing for it.",
            },
            "signature_required": {
                "type": "string", "default": "custbody_signature_required", "order": 2,
                "title": "Signature required (checkbox)",
                "description": "Script id of the checkbox body field that is ticked when delivery needs a "
                               "signature.",
            },
        },
    },
}
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
                "lot_stream": {
                    "title": "Per-lot stock stream", "type": "boolean", "default": False, "group": "advanced",
                    "order": 23,
                    "description": "Also read `lots`: each lot's number, expiry date and quantity per location. "
                                   "Needs Lot Tracking (Setup > Company > Enable Features > Items & Inventory) "
                                   "and the role permission Lists > Items (View).",
                },
                **ORDER_PROPERTIES,
            },
            "groups": [ACCOUNT_GROUP, ORDERS_GROUP, ADVANCED_GROUP],
        },
    )
