"""ShipStation's v1 and v2 answers mapped onto the one `shipments` schema (schemas/shipments.json).

The builders live in shipstation_lib.shipment_records, shared with the webhook relay (which builds the same record
for the runner's fast path); this module keeps the names the source's readers import.
"""
from shipstation_lib.shipment_records import (
    FULFILLMENT_PREFIX, current_label, later_of, missing_id, v1_address, v1_fulfillment, v1_items, v1_shipment,
    v2_address, v2_fulfillment, v2_items, v2_order_key, v2_shipment)

__all__ = ["FULFILLMENT_PREFIX", "current_label", "later_of", "missing_id", "v1_address", "v1_fulfillment",
           "v1_items", "v1_shipment", "v2_address", "v2_fulfillment", "v2_items", "v2_order_key", "v2_shipment"]
