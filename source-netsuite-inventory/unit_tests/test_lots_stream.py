"""The optional per-lot stream: listed only when its setting is on, so an account without lots never sees its
tables queried; its query reads lots only, in keyset order."""
from source_netsuite_inventory import SourceNetsuiteInventory
from source_netsuite_inventory.lots_stream import Lots

CONFIG = {"account_id": "1234567", "base_url": "http://127.0.0.1:9",
          "credentials": {"auth_type": "token_based", "consumer_key": "k", "consumer_secret": "s", "token_id": "t",
                          "token_secret": "u"}}


def test_the_lots_stream_is_there_only_with_its_setting():
    assert "lots" not in {s.name for s in SourceNetsuiteInventory().streams(CONFIG)}
    streams = {s.name: s for s in SourceNetsuiteInventory().streams({**CONFIG, "lot_stream": True})}
    assert isinstance(streams["lots"], Lots) and streams["lots"].primary_key == ["lot_id", "location_id"]


def test_the_lots_query_reads_lots_with_stock_in_key_order():
    sql = Lots(client=None).keyset_query().window((7, 2))
    assert "FROM inventorynumberlocation nl JOIN inventorynumber n" in sql
    assert "i.islotitem = 'T' AND nl.quantityonhand > 0" in sql
    assert sql.endswith("ORDER BY nl.inventorynumber, nl.location")
    assert "(nl.inventorynumber > 7) OR (nl.inventorynumber = 7 AND nl.location > 2)" in sql
