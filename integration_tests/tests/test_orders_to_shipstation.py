"""NetSuite orders to ship, read by source-netsuite-inventory and written by destination-shipstation-inventory,
against both emulators; ShipStation's state and call counts are read from its emulator."""
from __future__ import annotations

import json
import logging

import pytest
import requests
from airbyte_cdk.models import (AirbyteStateMessageSerializer, AirbyteStream, ConfiguredAirbyteCatalog,
                                ConfiguredAirbyteStream, DestinationSyncMode, SyncMode, Type)
from destination_shipstation_inventory import DestinationShipstationInventory
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.orders_testkit import calls, change_order, v1_order
from emulators.shipstation import start_emulator as start_shipstation
from source_netsuite_inventory import SourceNetsuiteInventory

MERCHANT = dict(seed=11, items=10, locations=2, customers=3, orders=3)
LOGGER = logging.getLogger("test_orders")
SHIP_METHODS = [{"netsuite_ship_method": "UPS Ground", "carrier_code": "ups", "service_code": "ups_ground"}]


@pytest.fixture()
def emulators():
    with start_netsuite(**MERCHANT) as ns, start_shipstation(**MERCHANT) as ss:
        yield ns, ss


def catalog() -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=AirbyteStream(name="orders_to_ship", json_schema={}, supported_sync_modes=[SyncMode.incremental],
                             source_defined_cursor=True, default_cursor_field=["last_modified_at"]),
        sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])


class OrderSync:
    def __init__(self, ns, ss, version: str, tmp_path, **source_extra) -> None:
        self.ns_config = netsuite_config(ns.base_url, **source_extra)
        self.audit = tmp_path / f"audit-{version}.jsonl"
        self.ss_config = shipstation_config(ss.base_url, version, ship_method_map=SHIP_METHODS,
                                            audit_file=str(self.audit))
        self.state_json: str | None = None

    def run(self) -> list[dict]:
        before = len(self.outcomes())
        state = [AirbyteStateMessageSerializer.load(s) for s in json.loads(self.state_json)] if self.state_json else None
        messages = (m for m in SourceNetsuiteInventory().read(LOGGER, self.ns_config, catalog(), state)
                    if m.type in (Type.RECORD, Type.STATE))
        confirmed = list(DestinationShipstationInventory().write(self.ss_config, catalog(), messages))
        if confirmed:
            self.state_json = json.dumps([AirbyteStateMessageSerializer.dump(confirmed[-1].state)])
        return self.outcomes()[before:]

    def outcomes(self) -> list[dict]:
        return [json.loads(x) for x in self.audit.read_text().splitlines()] if self.audit.exists() else []


def test_v1_order_with_custom_fields_reaches_shipstation_then_a_second_run_writes_nothing(emulators, tmp_path):
    ns, ss = emulators
    change_order(ns, 5001, modified="2026-11-01 09:00:00", custbody_delivery_instructions="Leave at back door",
                 custbody_authority_to_leave="T", custbody_signature_required="T", memo="Fragile")
    sync = OrderSync(ns, ss, "v1", tmp_path)
    first = sync.run()
    # The emulated ShipStation already holds these orders under the same keys (imported earlier): the upsert
    # updates them, and never makes a second order.
    assert {o["key"]: o["outcome"] for o in first} == {"ns-5001": "updated", "ns-5002": "updated",
                                                       "ns-5003": "updated"}
    assert sum(1 for o in ss.backend.orders.values() if o.order_key == "ns-5001") == 1
    order = v1_order(ss, "ns-5001")
    assert order["customerNotes"] == "Leave at back door"
    assert order["confirmation"] == "signature"
    assert "Authority to leave: yes" in order["internalNotes"] and "Fragile" in order["internalNotes"]
    assert order["advancedOptions"]["customField2"] == "Authority to leave"
    assert (order["carrierCode"], order["serviceCode"]) == ("ups", "ups_ground")
    assert order["shipTo"]["street1"] and order["customerEmail"].endswith("@example.com")
    assert [i["sku"] for i in order["items"]] and order["orderStatus"] == "awaiting_shipment"
    posts = calls(ss, "POST /orders/createorder")
    assert posts == 3
    assert sync.run() == []  # nothing changed in NetSuite: nothing read, nothing written
    assert calls(ss, "POST /orders/createorder") == posts


def test_v1_change_cancel_unknown_ship_method_and_shipped_orders(emulators, tmp_path):
    ns, ss = emulators
    sync = OrderSync(ns, ss, "v1", tmp_path)
    sync.run()
    change_order(ns, 5001, custbody_delivery_instructions="Ring twice")
    change_order(ns, 5002, status="C")
    change_order(ns, 5003, shipmethod=2)
    outcomes = {o["key"]: o for o in sync.run()}
    assert outcomes["ns-5001"]["outcome"] == "updated" and v1_order(ss, "ns-5001")["customerNotes"] == "Ring twice"
    assert outcomes["ns-5002"]["outcome"] == "updated" and v1_order(ss, "ns-5002")["orderStatus"] == "cancelled"
    assert outcomes["ns-5003"]["outcome"] == "updated" and "FedEx 2Day" in outcomes["ns-5003"]["note"]
    assert v1_order(ss, "ns-5003")["requestedShippingService"] == "FedEx 2Day"
    assert v1_order(ss, "ns-5003")["carrierCode"] is None
    # Shipped in ShipStation, then changed in NetSuite: ShipStation is left alone.
    ss.backend.create_label(v1_order(ss, "ns-5001")["orderNumber"])
    change_order(ns, 5001, modified="2026-11-22 13:00:00", custbody_delivery_instructions="Too late")
    posts = calls(ss, "POST /orders/createorder")
    outcome = next(o for o in sync.run() if o["key"] == "ns-5001")
    assert outcome["outcome"] == "unchanged" and "shipped" in outcome["note"]
    assert calls(ss, "POST /orders/createorder") == posts


def test_a_status_filter_that_excludes_the_order_imports_nothing(emulators, tmp_path):
    ns, ss = emulators
    sync = OrderSync(ns, ss, "v1", tmp_path, orders_statuses=["Partially Fulfilled"])
    assert sync.run() == []
    assert calls(ss, "POST /orders/createorder") == 0


def test_v2_creates_shipments_finds_them_by_external_id_and_cancels(emulators, tmp_path):
    ns, ss = emulators
    change_order(ns, 5001, modified="2026-11-01 09:00:00", custbody_delivery_instructions="Back door",
                 custbody_signature_required="T")
    sync = OrderSync(ns, ss, "v2", tmp_path)
    assert {o["outcome"] for o in sync.run()} == {"created"}
    held = ss.backend.order_by_external_shipment_id("ns-5001")
    # v2's create has no service field: the ship method (and what the map says of it) is in the packer's notes.
    assert held.v2_fields["notes_from_buyer"] == \
        "Back door | Ship via: UPS Ground (ups/ups_ground) | SIGNATURE REQUIRED"
    # One listing of ShipStation's shipments and one create for the whole batch: no call per order.
    assert (calls(ss, "GET /v2/shipments"), calls(ss, "POST /v2/shipments")) == (1, 1)
    assert {ss.backend.order_by_external_shipment_id(f"ns-{i}").status for i in (5001, 5002, 5003)} == \
        {"awaiting_shipment"}
    # Read again in full (a replay): found by external id, nothing created twice.
    sync.state_json = None
    assert {o["outcome"] for o in sync.run()} == {"unchanged"}
    assert calls(ss, "POST /v2/shipments") == 1
    change_order(ns, 5002, status="H")
    outcome = next(o for o in sync.run() if o["key"] == "ns-5002")
    assert outcome["outcome"] == "updated" and ss.backend.order_by_external_shipment_id("ns-5002").status == "cancelled"


def test_v2_order_changed_after_import_is_replaced_under_a_revised_key_until_it_ships(emulators, tmp_path):
    from destination_netsuite_fulfillment.order_lookup import internal_id_of

    ns, ss = emulators
    sync = OrderSync(ns, ss, "v2", tmp_path)
    sync.run()
    first = ss.backend.order_by_external_shipment_id("ns-5001")
    change_order(ns, 5001, custbody_delivery_instructions="Ring twice")
    before = kit_calls(ss)
    outcome = next(o for o in sync.run() if o["key"] == "ns-5001")
    replacement = ss.backend.order_by_external_shipment_id("ns-5001-r2")
    assert outcome["outcome"] == "updated" and outcome["action"] == "replaced"
    assert first.status == "cancelled" and replacement.status == "awaiting_shipment"
    assert replacement.v2_fields["notes_from_buyer"] == "Ring twice | Ship via: UPS Ground (ups/ups_ground)"
    # The replacement still names the NetSuite order for the way back (labels -> fulfillments).
    assert internal_id_of("ns-5001-r2") == 5001
    # A listing, a cancel and a create: nothing looked up order by order.
    assert kit_calls(ss) - before == 3
    # Unchanged now: the replacement is recognised, nothing written.
    sync.state_json = None
    assert next(o for o in sync.run() if o["key"] == "ns-5001")["outcome"] == "unchanged"
    change_order(ns, 5001, modified="2026-11-22 13:00:00", custbody_delivery_instructions="Side gate")
    sync.run()
    third = ss.backend.order_by_external_shipment_id("ns-5001-r3")
    assert third.v2_fields["notes_from_buyer"].startswith("Side gate |")
    assert replacement.status == "cancelled"
    # Labelled in ShipStation, then changed in NetSuite: left alone.
    ss.backend.create_label("ns-5001-r3")
    change_order(ns, 5001, modified="2026-11-22 14:00:00", custbody_delivery_instructions="Too late")
    before = kit_calls(ss)
    outcome = next(o for o in sync.run() if o["key"] == "ns-5001")
    assert outcome["outcome"] == "unchanged" and "shipped" in outcome["note"]
    assert ss.backend.order_by_external_shipment_id("ns-5001-r4") is None and kit_calls(ss) - before == 1


def kit_calls(ss) -> int:
    stats = requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()
    return sum(stats.get("v2_calls", {}).values())
