"""A key ShipStation refuses mid-sync stops the stock writer at once, naming the credential and never its value."""
import logging

import pytest
from connector_audit import AuditTrail, Outcome
from destination_shipstation_inventory.stock_writer import StockWriter
from shipstation_lib.errors import FeatureMissing, KeyRefused, KeyRejected, RequestRejected
from shipstation_lib.inventory import InventoryLocation

KEY = "ss-v2-key-that-must-never-be-printed-0123"


class FakeInventory:
    """ShipStation holding 0 of every SKU at one location, answering the write of `refused` SKUs with `refusal`."""

    class client:
        version = "v2"

    def __init__(self, refused: set[str], refusal: Exception) -> None:
        self.refused, self.refusal, self.writes = refused, refusal, []

    def locations(self):
        return [InventoryLocation("se-1", "Default", "se-10", "Main Warehouse")]

    def levels(self):
        return [{"sku": f"SKU-{n}", "inventory_location_id": "se-1", "on_hand": 0} for n in range(5)]

    def set_on_hand(self, sku, location_id, quantity):
        if sku in self.refused:
            raise self.refusal
        self.writes.append(sku)


def _rows():
    return [{"sku": f"SKU-{n}", "location_name": "Main Warehouse", "available": 3} for n in range(5)]


@pytest.mark.parametrize("refusal, status", [
    (KeyRejected("ShipStation refused the v2 API key: it is wrong, was revoked, ...", 401), "401"),
    (FeatureMissing("ShipStation refused access: Inventory is not enabled", 403), "403"),
])
def test_a_refused_key_stops_at_once_and_says_which_key(tmp_path, refusal, status):
    api = FakeInventory({"SKU-2", "SKU-3", "SKU-4"}, refusal)
    audit_file = tmp_path / "audit.jsonl"
    writer = StockWriter(api, AuditTrail(logging.getLogger("test"), "test", str(audit_file)), logging.getLogger("test"))
    outcomes = []
    with pytest.raises(KeyRefused) as stopped:
        for row in _rows():
            outcomes.append(writer.apply(row))
    assert outcomes == [Outcome.UPDATED, Outcome.UPDATED]  # the third write was refused; nothing sent after it
    assert api.writes == ["SKU-0", "SKU-1"]
    assert f"v2 API key of this connection ({status})" in stopped.value.message
    assert "API Settings" in stopped.value.message or "plan" in stopped.value.message
    assert KEY not in stopped.value.message and KEY not in audit_file.read_text()


def test_a_refusal_about_one_row_does_not_stop_the_others(tmp_path):
    api = FakeInventory({"SKU-2"}, RequestRejected("ShipStation refused the request (400): bad sku", 400))
    writer = StockWriter(api, AuditTrail(logging.getLogger("test"), "test", None), logging.getLogger("test"))
    outcomes = []
    for row in _rows():
        outcomes.append(writer.apply(row))
    assert outcomes == [Outcome.UPDATED, Outcome.UPDATED, Outcome.FAILED, Outcome.UPDATED, Outcome.UPDATED]
    assert writer.failed == 1
