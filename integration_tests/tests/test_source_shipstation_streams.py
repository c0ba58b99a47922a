"""source-shipstation's `shipments` and `orders` streams against the ShipStation emulator, v1 and v2: what shipped
arrives once in the published schema with UTC dates, and incremental reads resume from the state a previous run
emitted, re-reading only the lookback (which is how a late void is seen)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
from airbyte_cdk.models import (AirbyteStateMessageSerializer, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream,
                                DestinationSyncMode, SyncMode)
from airbyte_cdk.test.entrypoint_wrapper import read

from emulators.configs import shipstation_config
from emulators.shipstation import start_emulator
from emulators.shipstation_testkit import control, order_numbers, stats
from source_shipstation import SourceShipstation
from source_shipstation.schemas_loader import load_schema


# ---- harness ----------------------------------------------------------------------------------------------
@pytest.fixture
def emulator():
    with start_emulator(seed=11, items=12, locations=2, customers=5, orders=8) as running:
        yield running


def requests_made(emulator, version: str) -> int:
    return stats(emulator)["requests"][version]


def hours_ago(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).isoformat()


def run_read(config: dict, stream: str, state: list | None = None):
    """One run of the connector, as the platform starts it: a fresh source, the state as JSON text."""
    source = SourceShipstation()
    airbyte_stream = next(s for s in source.streams(config) if s.name == stream).as_airbyte_stream()
    catalog = ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=airbyte_stream, sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])
    output = read(source, config, catalog, state=state)
    assert not output.errors, [e.trace.error.message for e in output.errors]
    records = [message.record.data for message in output.records]
    schema = load_schema(stream)
    for record in records:
        jsonschema.validate(record, schema)
    # The last state message, kept as text and read back, as the platform stores it between runs.
    saved = [AirbyteStateMessageSerializer.load(json.loads(json.dumps(AirbyteStateMessageSerializer.dump(m.state))))
             for m in output.state_messages[-1:]]
    return records, saved


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["shipment_id"]: record for record in records}


# ---- v1 ---------------------------------------------------------------------------------------------------
def test_v1_multi_package_label_is_one_record_per_package_with_utc_dates_and_its_items(emulator):
    number = order_numbers(emulator)[0]
    label = control(emulator, "labels", {"order_number": number, "packages": 2})

    records, _ = run_read(shipstation_config(emulator.base_url, "v1"), "shipments")

    assert [r["shipment_id"] for r in records] == [str(i) for i in label["v1_shipment_ids"]]
    assert [r["tracking_numbers"] for r in records] == [[t] for t in label["tracking_numbers"]]
    first = records[0]
    assert (first["kind"], first["api_version"], first["order_number"], first["voided"]) == \
        ("label", "v1", number, False)
    # v1 sends Pacific wall time: the record must carry the true instant, in UTC.
    assert abs(utc(first["created_at"]) - utc(label["create_date_utc"])) < timedelta(milliseconds=1)
    assert first["created_at"].endswith("Z")
    assert sorted((i["sku"], i["quantity"]) for i in first["items"]) == \
        sorted((i["sku"], i["quantity"]) for i in label["items"])
    assert first["shipping_cost"] is not None and first["ship_to"]["postal_code"]


def test_v1_order_marked_shipped_without_a_label_arrives_with_the_orders_items(emulator):
    numbers = order_numbers(emulator)
    shipped = control(emulator, "mark-shipped", {"order_number": numbers[1], "carrier_code": "ups",
                                                 "tracking_number": "1ZEXTERNAL1"})
    order = next(o for o in control(emulator, "state", method="GET")["orders"] if o["order_number"] == numbers[1])

    records, _ = run_read(shipstation_config(emulator.base_url, "v1"), "shipments")

    record = by_id(records)[f"fulfillment-{shipped['fulfillment_id']}"]
    assert (record["kind"], record["order_number"], record["tracking_numbers"], record["carrier_code"]) == \
        ("fulfillment", numbers[1], ["1ZEXTERNAL1"], "ups")
    assert sorted((i["sku"], i["quantity"]) for i in record["items"]) == \
        sorted((i["sku"], i["quantity"]) for i in order["items"])


def test_v1_fulfillments_get_their_orders_in_one_listing_per_page_not_one_call_each(emulator):
    for number in order_numbers(emulator)[:3]:
        control(emulator, "mark-shipped", {"order_number": number, "tracking_number": f"T-{number}"})
    before = requests_made(emulator, "v1")

    records, _ = run_read(shipstation_config(emulator.base_url, "v1"), "shipments")

    assert len([r for r in records if r["kind"] == "fulfillment" and r["items"]]) == 3
    # labels by creation, fulfillments, one orders listing, the warehouse list (for warehouse_name); fetching
    # each order would make it six.
    assert requests_made(emulator, "v1") - before == 4


def test_v1_second_run_reads_only_the_lookback_again_and_sees_a_label_voided_since(emulator):
    numbers = order_numbers(emulator)
    old = control(emulator, "labels", {"order_number": numbers[0], "create_date": hours_ago(3)})
    to_void = control(emulator, "labels", {"order_number": numbers[1], "create_date": hours_ago(2.5)})
    recent = control(emulator, "labels", {"order_number": numbers[2]})
    config = shipstation_config(emulator.base_url, "v1", lookback_minutes=60)

    first, state = run_read(config, "shipments")
    assert {r["shipment_id"] for r in first} == {str(s["shipment_id"]) for s in (old, to_void, recent)}

    control(emulator, "void", {"shipment_id": to_void["shipment_id"]})
    newer = control(emulator, "labels", {"order_number": numbers[3]})
    second, _ = run_read(config, "shipments", state)

    seen = {(r["shipment_id"], r["voided"]) for r in second}
    # `recent` is inside the 60-minute lookback, so it is read again; `old` is not.
    assert seen == {(str(to_void["shipment_id"]), True), (str(recent["shipment_id"]), False),
                    (str(newer["shipment_id"]), False)}
    voided = by_id(second)[str(to_void["shipment_id"])]
    assert voided["voided_at"] and voided["modified_at"] == voided["voided_at"]


def test_start_date_bounds_the_first_sync(emulator):
    numbers = order_numbers(emulator)
    control(emulator, "labels", {"order_number": numbers[0], "create_date": hours_ago(5)})
    recent = control(emulator, "labels", {"order_number": numbers[1]})
    config = shipstation_config(emulator.base_url, "v1", start_date=hours_ago(1).replace("+00:00", "Z"))

    records, _ = run_read(config, "shipments")

    assert [r["shipment_id"] for r in records] == [str(recent["shipment_id"])]


# ---- v2 ---------------------------------------------------------------------------------------------------
def test_v2_only_shipped_shipments_are_emitted_with_their_labels_tracking_numbers(emulator):
    numbers = order_numbers(emulator)
    label = control(emulator, "labels", {"order_number": numbers[0], "packages": 2})

    records, _ = run_read(shipstation_config(emulator.base_url, "v2"), "shipments")

    # The other orders are pending v2 shipments: nothing shipped, nothing emitted.
    assert [r["shipment_id"] for r in records] == [label["v2_shipment_id"]]
    record = records[0]
    assert (record["api_version"], record["kind"], record["order_number"], record["voided"]) == \
        ("v2", "label", numbers[0], False)
    assert record["tracking_numbers"] == label["tracking_numbers"]
    assert [p["tracking_number"] for p in record["packages"]] == label["tracking_numbers"]
    assert sorted((i["sku"], i["quantity"]) for i in record["items"]) == \
        sorted((i["sku"], i["quantity"]) for i in label["items"])
    assert abs(utc(record["created_at"]) - utc(label["create_date_utc"])) < timedelta(milliseconds=1)


def test_v2_labels_are_joined_from_one_listing_not_fetched_per_shipment(emulator):
    labels = [control(emulator, "labels", {"order_number": number}) for number in order_numbers(emulator)[:4]]
    before = requests_made(emulator, "v2")

    records, _ = run_read(shipstation_config(emulator.base_url, "v2"), "shipments")

    assert {r["shipment_id"]: r["tracking_numbers"] for r in records} == \
        {label["v2_shipment_id"]: label["tracking_numbers"] for label in labels}
    # labels in the window, shipments in the window, fulfillments, the warehouse list (for warehouse_name): four
    # calls, however many shipments.
    assert requests_made(emulator, "v2") - before == 4


def test_v2_order_marked_shipped_without_a_label_arrives_as_a_fulfillment(emulator):
    numbers = order_numbers(emulator)
    control(emulator, "labels", {"order_number": numbers[0]})
    shipped = control(emulator, "mark-shipped", {"order_number": numbers[1], "tracking_number": "EXT-2"})

    records, _ = run_read(shipstation_config(emulator.base_url, "v2"), "shipments")

    fulfillments = [r for r in records if r["kind"] == "fulfillment"]
    # The label's own fulfillment is not emitted a second time.
    assert [r["shipment_id"] for r in fulfillments] == [f"fulfillment-{shipped['v2_fulfillment_id']}"]
    assert fulfillments[0]["order_number"] == numbers[1] and fulfillments[0]["tracking_numbers"] == ["EXT-2"]
    assert fulfillments[0]["items"]


def test_v2_second_run_sees_an_old_label_voided_since_and_skips_what_did_not_change(emulator):
    numbers = order_numbers(emulator)
    old = control(emulator, "labels", {"order_number": numbers[0], "create_date": hours_ago(3)})
    to_void = control(emulator, "labels", {"order_number": numbers[1], "create_date": hours_ago(3)})
    recent = control(emulator, "labels", {"order_number": numbers[2]})
    config = shipstation_config(emulator.base_url, "v2", lookback_minutes=60)

    first, state = run_read(config, "shipments")
    assert {r["shipment_id"] for r in first} == {s["v2_shipment_id"] for s in (old, to_void, recent)}

    control(emulator, "void", {"shipment_id": to_void["v2_shipment_id"]})
    second, _ = run_read(config, "shipments", state)

    # `recent` is inside the lookback, so it is read again; `old` did not change and is not.
    assert {(r["shipment_id"], r["voided"]) for r in second} == \
        {(to_void["v2_shipment_id"], True), (recent["v2_shipment_id"], False)}
    voided = by_id(second)[to_void["v2_shipment_id"]]
    assert voided["voided_at"] and voided["tracking_numbers"] == to_void["tracking_numbers"]


# ---- orders -----------------------------------------------------------------------------------------------
def test_v1_orders_resume_from_state_with_utc_modification_dates(emulator):
    config = shipstation_config(emulator.base_url, "v1", lookback_minutes=60)
    first, state = run_read(config, "orders")
    assert len(first) == len(order_numbers(emulator))

    number = order_numbers(emulator)[4]
    control(emulator, "labels", {"order_number": number})
    second, _ = run_read(config, "orders", state)

    latest = max(utc(r["modified_at"]) for r in first)
    overlap = {r["order_number"] for r in first if utc(r["modified_at"]) >= latest - timedelta(minutes=60)}
    assert len(overlap) < len(first)  # else this test would not show that state is used
    assert {r["order_number"] for r in second} == overlap | {number}
    second = [r for r in second if r["order_number"] == number]
    truth = next(o for o in control(emulator, "state", method="GET")["orders"] if o["order_number"] == number)
    assert abs(utc(second[0]["modified_at"]) - utc(truth["modified_utc"])) < timedelta(milliseconds=1)
    assert second[0]["order_status"] == "shipped"
