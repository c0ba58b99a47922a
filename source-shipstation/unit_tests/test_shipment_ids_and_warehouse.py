"""Two settings-and-fields additions to `shipments`: "Only these shipments" (`shipment_ids`, what a targeted
replay reads with) emits just those shipments of the window read as usual, the cursors and state moving as in an
unfiltered read; and every shipment carries the ShipStation warehouse it shipped from (`warehouse_id`), as v1 and
v2 state it, with its name from ShipStation's warehouse list (`warehouse_name`). Against the ShipStation emulator,
through the CDK's own read, as the platform runs it."""
from __future__ import annotations

import json
import logging

import jsonschema
import pytest
from airbyte_cdk.models import (AirbyteStateMessageSerializer, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream,
                                DestinationSyncMode, Status, SyncMode)
from airbyte_cdk.test.entrypoint_wrapper import read

from emulators.configs import shipstation_config
from emulators.shipstation import start_emulator
from emulators.shipstation.testkit import v1, v2
from emulators.shipstation_testkit import control, order_numbers
from shipstation_lib.shipment_records import v1_fulfillment, v1_shipment, v2_fulfillment, v2_shipment
from source_shipstation import SourceShipstation
from source_shipstation.schemas_loader import load_schema
from source_shipstation.spec import shipment_ids


# ---- the setting ------------------------------------------------------------------------------------------
def test_only_these_shipments_is_an_optional_advanced_list_of_ids():
    spec = SourceShipstation().spec(logging.getLogger()).connectionSpecification
    field = spec["properties"]["shipment_ids"]
    assert (field["type"], field["items"], field["group"]) == ("array", {"type": "string"}, "advanced")
    assert field["title"] == "Only these shipments" and "replay" in field["description"]
    assert "shipment_ids" not in spec["required"]


@pytest.mark.parametrize("value, expected", [
    (None, None), ([], None), (["se-1", " se-2 ", "se-1"], frozenset({"se-1", "se-2"})), (["12345"], {"12345"}),
])
def test_absent_or_empty_means_every_shipment(value, expected):
    config = {} if value is None else {"shipment_ids": value}
    assert shipment_ids(config) == expected


@pytest.mark.parametrize("value", ["se-1", [""], ["se-1", "  "], [12345], [None]])
def test_a_value_that_names_no_shipment_is_refused_by_check_with_a_sentence(value):
    with pytest.raises(ValueError, match="Only these shipments"):
        shipment_ids({"shipment_ids": value})
    config = {"credentials": {"api_version": "v2", "api_key": "k"}, "base_url": "http://127.0.0.1:9",
              "shipment_ids": value}
    status = SourceShipstation().check(logging.getLogger(), config)
    assert status.status == Status.FAILED and "Only these shipments" in status.message


# ---- the builders -----------------------------------------------------------------------------------------
def test_warehouse_ids_leave_as_text_and_none_when_shipstation_states_none():
    schema = load_schema("shipments")
    label = v1_shipment({"shipmentId": 5, "orderNumber": "SO1", "createDate": "2026-11-20T08:00:00",
                         "warehouseId": 200001})
    assert label["warehouse_id"] == "200001"
    assert v1_shipment({"shipmentId": 6, "createDate": "2026-11-20T08:00:00"})["warehouse_id"] is None
    fulfilled = v1_fulfillment({"fulfillmentId": 7, "orderId": 8}, {"orderId": 8, "advancedOptions":
                                                                     {"warehouseId": 200002}})
    assert fulfilled["warehouse_id"] == "200002"
    assert v1_fulfillment({"fulfillmentId": 7}, None)["warehouse_id"] is None
    shipment = {"shipment_id": "se-8", "warehouse_id": "se-200001", "items": []}
    assert v2_shipment(shipment, {"label_id": "se-9", "voided": False})["warehouse_id"] == "se-200001"
    assert v2_shipment({"shipment_id": "se-8", "warehouse_id": None}, {})["warehouse_id"] is None
    assert v2_fulfillment({"fulfillment_id": "se-7"}, shipment)["warehouse_id"] == "se-200001"
    assert v2_fulfillment({"fulfillment_id": "se-7"}, None)["warehouse_id"] is None
    for record in (label, fulfilled, v2_shipment(shipment, {}), v2_fulfillment({"fulfillment_id": "se-7"}, None)):
        jsonschema.validate(record, schema)


# ---- against the emulator ---------------------------------------------------------------------------------
@pytest.fixture
def emulator():
    with start_emulator(seed=11, items=12, locations=2, customers=5, orders=8) as running:
        yield running


def run_read(config: dict):
    """One run of the connector as the platform starts it: records (checked against the strict schema), the
    state messages, and the log lines."""
    source = SourceShipstation()
    stream = next(s for s in source.streams(config) if s.name == "shipments").as_airbyte_stream()
    catalog = ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=stream, sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])
    output = read(source, config, catalog)
    assert not output.errors, [e.trace.error.message for e in output.errors]
    records = [message.record.data for message in output.records]
    for record in records:
        jsonschema.validate(record, load_schema("shipments"))
    states = [json.dumps(AirbyteStateMessageSerializer.dump(m.state)["stream"]["stream_state"], sort_keys=True)
              for m in output.state_messages]
    logs = [m.log.message for m in output.logs if m.log]
    return records, states, logs


def ship(emulator) -> tuple[list[dict], dict]:
    numbers = order_numbers(emulator)
    labels = [control(emulator, "labels", {"order_number": number}) for number in numbers[:3]]
    shipped = control(emulator, "mark-shipped", {"order_number": numbers[3], "carrier_code": "ups",
                                                 "tracking_number": "1ZEXT"})
    return labels, shipped


def test_v1_only_the_named_shipments_are_emitted_and_the_state_moves_as_in_a_full_read(emulator):
    labels, shipped = ship(emulator)
    config = shipstation_config(emulator.base_url, "v1")
    everything, all_states, _ = run_read(config)
    wanted = [str(labels[1]["v1_shipment_ids"][0]), f"fulfillment-{shipped['fulfillment_id']}"]

    records, states, logs = run_read({**config, "shipment_ids": [*wanted, "999999"]})

    assert sorted(r["shipment_id"] for r in records) == sorted(wanted)
    assert [r for r in everything if r["shipment_id"] in wanted] == records
    # The window was read whole: every part's cursor ends where the unfiltered read's does.
    assert states[-1] == all_states[-1]
    assert any("Not among the shipments read" in line and "999999" in line for line in logs)


def test_v2_only_the_named_shipments_are_emitted_and_the_state_moves_as_in_a_full_read(emulator):
    labels, shipped = ship(emulator)
    config = shipstation_config(emulator.base_url, "v2")
    everything, all_states, _ = run_read(config)
    wanted = [labels[0]["v2_shipment_id"], labels[2]["v2_shipment_id"]]

    records, states, _ = run_read({**config, "shipment_ids": wanted})

    assert sorted(r["shipment_id"] for r in records) == sorted(wanted)
    assert [r for r in everything if r["shipment_id"] in wanted] == records
    assert states[-1] == all_states[-1]
    assert len(everything) == 4  # the other label and the label-less fulfillment were read, not emitted

    nothing, states, _ = run_read({**config, "shipment_ids": ["se-424242"]})
    assert nothing == [] and states[-1] == all_states[-1]


def test_v1_shipments_carry_the_warehouse_shipstation_states(emulator):
    labels, shipped = ship(emulator)
    records, _, _ = run_read(shipstation_config(emulator.base_url, "v1"))
    warehouses = {str(w["warehouseId"]): w["warehouseName"] for w in v1(emulator, "/warehouses").json()}
    raw = {str(s["shipmentId"]): s for s in v1(emulator, "/shipments").json()["shipments"]}
    order = v1(emulator, f"/orders/{shipped['order_id']}").json()

    for record in records:
        if record["kind"] == "label":
            assert record["warehouse_id"] == str(raw[record["shipment_id"]]["warehouseId"])
        else:  # shipped without a label: the order's warehouse
            assert record["warehouse_id"] == str(order["advancedOptions"]["warehouseId"])
        assert record["warehouse_id"] in warehouses
        # By name too (the NetSuite destination's default match): from ShipStation's warehouse list.
        assert record["warehouse_name"] == warehouses[record["warehouse_id"]] and record["warehouse_name"]
    assert len(records) == 4


def test_v2_shipments_carry_the_warehouse_shipstation_states(emulator):
    labels, shipped = ship(emulator)
    records, _, _ = run_read(shipstation_config(emulator.base_url, "v2"))
    warehouses = {w["warehouse_id"]: w["name"] for w in v2(emulator, "/v2/warehouses").json()["warehouses"]}

    assert len(records) == 4
    for record in records:
        own = record["shipment_id"] if record["kind"] == "label" else shipped["v2_shipment_id"]
        assert record["warehouse_id"] == v2(emulator, f"/v2/shipments/{own}").json()["warehouse_id"]
        assert record["warehouse_id"] in warehouses and record["warehouse_id"].startswith("se-")
        assert record["warehouse_name"] == warehouses[record["warehouse_id"]] and record["warehouse_name"]
