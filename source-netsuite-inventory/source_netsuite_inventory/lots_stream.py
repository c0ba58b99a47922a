"""The optional per-lot stream: how much of each lot is at each location, with its expiry date, for merchants
who keep lots in their warehouse system too. Read whole every sync, like stock, and only when the setting is on:
its tables exist only on accounts with Lot Tracking, so an account without lots never sees a query for them.
"""
from __future__ import annotations

from netsuite_lib.paging import KeysetQuery

from .streams import SuiteQLStream

LOT_STREAM_SETTING = "lot_stream"
# The tables the stream reads, for `check` (inventorynumberlocation: quantities per lot and location, base units).
LOT_PROBES = ("SELECT inventorynumber, location, quantityonhand, quantityavailable FROM inventorynumberlocation",
              "SELECT id, inventorynumber, item, expirationdate FROM inventorynumber")


class Lots(SuiteQLStream):
    primary_key = ["lot_id", "location_id"]
    key_columns = ("nl.inventorynumber", "nl.location")
    key_fields = ("lot_id", "location_id")
    select = ("SELECT nl.inventorynumber AS lot_id, n.inventorynumber AS lot_number, n.item AS item_id, "
              "i.itemid AS sku, TO_CHAR(n.expirationdate, 'YYYY-MM-DD') AS expiration_date, "
              "nl.location AS location_id, l.name AS location_name, nl.quantityonhand AS on_hand, "
              "nl.quantityavailable AS available "
              "FROM inventorynumberlocation nl JOIN inventorynumber n ON n.id = nl.inventorynumber "
              "JOIN item i ON i.id = n.item JOIN location l ON l.id = nl.location")

    def keyset_query(self, where: str = "") -> KeysetQuery:
        # Serial numbers share these tables; this stream is about lots. An exhausted lot is left out.
        only_lots = "i.islotitem = 'T' AND nl.quantityonhand > 0"
        return KeysetQuery(self.select, self.key_columns, self.key_fields,
                           f"({where}) AND {only_lots}" if where else only_lots)



