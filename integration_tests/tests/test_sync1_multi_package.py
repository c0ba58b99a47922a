"""A multi-package v1 label, read by the real source-shipstation and written by the destination: every package's
tracking number reaches the one NetSuite fulfillment, a replay changes nothing, and a void of the extra label
takes out only its package."""
from __future__ import annotations


import pytest
import requests
from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import read

from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation
from emulators.fulfillment_testkit import catalog, control, fulfillments, messages, order_lines, outcomes
from source_shipstation import SourceShipstation



MERCHANT = dict(seed=41, items=10, locations=2, customers=4, orders=6)


@pytest.fixture
def emulators():
    with start_netsuite(**MERCHANT) as netsuite, start_shipstation(**MERCHANT) as shipstation:
        yield netsuite, shipstation


def read_shipments(shipstation) -> list[dict]:
    source = SourceShipstation()
    config = shipstation_config(shipstation.base_url, "v1")
    stream = next(s for s in source.streams(config) if s.name == "shipments").as_airbyte_stream()
    output = read(source, config, ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=stream, sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)]))
    assert not output.errors, [e.trace.error.message for e in output.errors]
    return [m.record.data for m in output.records]


def write(netsuite, tmp_path, records: list[dict]) -> list[dict]:
    audit = tmp_path / "audit.jsonl"
    before = len(outcomes(audit))
    config = netsuite_config(netsuite.base_url, audit_file=str(audit))
    list(DestinationNetsuiteFulfillment().write(config, catalog(), messages(records)))
    return outcomes(audit)[before:]


def test_two_package_v1_label_puts_both_tracking_numbers_on_one_fulfillment_and_a_void_takes_one_out(
        emulators, tmp_path):
    netsuite, shipstation = emulators
    state = requests.get(f"{shipstation.base_url}/__emulator/state", timeout=10).json()
    order = next(o for o in state["orders"] if order_lines(netsuite, o["order_number"]))
    number = order["order_number"]
    label = control(shipstation, "labels", {"order_number": number, "packages": 2})
    first, extra = label["tracking_numbers"]

    records = read_shipments(shipstation)
    assert [r["items"] == [] for r in records] == [False, True]  # the emulator lists items on the first label only
    audit = write(netsuite, tmp_path, records)

    [made] = fulfillments(netsuite, number)
    assert made["packages"] == [first, extra]
    assert sorted(made["lines"]) == sorted((ln["line"], ln["ordered"]) for ln in order_lines(netsuite, number))
    assert [(a["key"], a["outcome"]) for a in audit] == [(str(label["v1_shipment_ids"][0]), "created"),
                                                         (str(label["v1_shipment_ids"][1]), "updated")]

    again = write(netsuite, tmp_path, read_shipments(shipstation))
    assert [a["outcome"] for a in again] == ["already_present", "already_present"]
    assert fulfillments(netsuite, number)[0]["packages"] == [first, extra]

    # ShipStation voids a whole purchase; one label voided alone is what a record of the extra label says then.
    voided = [{**r, "voided": True} if r["shipment_id"] == str(label["v1_shipment_ids"][1]) else r
              for r in read_shipments(shipstation)]
    after_void = write(netsuite, tmp_path, voided)
    assert [a["outcome"] for a in after_void] == ["already_present", "reversed"]
    [kept] = fulfillments(netsuite, number)
    assert kept["packages"] == [first] and kept["lines"] == made["lines"]


def test_extra_label_before_its_items_label_waits_across_batches_and_is_reordered_within_one(emulators, tmp_path):
    netsuite, shipstation = emulators
    state = requests.get(f"{shipstation.base_url}/__emulator/state", timeout=10).json()
    first_order, second_order = [o["order_number"] for o in state["orders"]
                                 if order_lines(netsuite, o["order_number"])][:2]
    control(shipstation, "labels", {"order_number": first_order, "packages": 2})
    control(shipstation, "labels", {"order_number": second_order, "packages": 2})
    records = read_shipments(shipstation)
    items_1, extra_1, items_2, extra_2 = records

    # Across batches: the extra label alone first is skipped with the reason, so the lookback brings it again.
    [waiting] = write(netsuite, tmp_path, [extra_1])
    assert waiting["outcome"] == "skipped" and "no item fulfillment of an earlier label" in waiting["reason"]
    assert [a["outcome"] for a in write(netsuite, tmp_path, [items_1, extra_1])] == ["created", "updated"]
    assert fulfillments(netsuite, first_order)[0]["packages"] == items_1["tracking_numbers"] + extra_1["tracking_numbers"]

    # Within one batch, the items label is applied first whatever the arrival order.
    assert [a["outcome"] for a in write(netsuite, tmp_path, [extra_2, items_2])] == ["created", "updated"]
    assert fulfillments(netsuite, second_order)[0]["packages"] == items_2["tracking_numbers"] + extra_2["tracking_numbers"]
