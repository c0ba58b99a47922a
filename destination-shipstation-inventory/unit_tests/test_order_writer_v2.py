"""The v2 order path against a scripted ShipStation: which shipment counts as the one held, when it is replaced
rather than left alone, and what each decision costs in calls. Cases the emulator cannot easily stage (a label
bought between the listing and the cancel) are here."""
from __future__ import annotations

import logging

import pytest
from connector_audit import AuditTrail
from destination_netsuite_fulfillment.order_lookup import internal_id_of
from destination_shipstation_inventory.order_mapping import (ShipMethodMap, parse_revision, revision_key,
                                                             v2_shipment)
from destination_shipstation_inventory.order_writer import OrderWriter
from shipstation_lib.credentials import V2, ShipStationApi
from shipstation_lib.errors import KeyRefused, KeyRejected, ShipStationError

LOGGER = logging.getLogger("test_order_writer_v2")


def order(internal_id: int = 5001, notes: str = "Back door", **extra) -> dict:
    return {"id": internal_id, "document_number": "SO1", "status": "Pending Fulfillment", "ended": False,
            "transaction_date": "2026-11-20", "created_at": "2026-11-20 08:00:00",
            "customer": {"name": "Ann", "email": "ann@example.com", "phone": "+1 512 555 0199"},
            "delivery_instructions": notes,
            "ship_to": {"name": "Ann", "street1": "1 Main St", "city": "Austin", "state": "TX",
                        "postal_code": "78701", "country": "US"},
            "lines": [{"line_id": 1, "sku": "SKU-1", "name": "Widget", "quantity": 2}], **extra}


def held(record: dict, revision: int, status: str = "pending", shipment_id: str = "se-1") -> dict:
    return {**v2_shipment(record, revision), "shipment_id": shipment_id, "shipment_status": status}


class ScriptedShipStation:
    """Answers the listing with given shipments, creates whatever it is sent, and records every call."""
    version = V2
    api = ShipStationApi.from_config({"credentials": {"api_version": V2, "api_key": "k"}})

    def __init__(self, shipments: list[dict], refuse_cancel: bool = False) -> None:
        self.shipments, self.refuse_cancel = shipments, refuse_cancel
        self.calls: list[tuple[str, str]] = []

    def get(self, path, params=None):
        self.calls.append(("GET", path))
        return {"shipments": self.shipments, "total": len(self.shipments), "page": 1, "pages": 1}

    def request(self, method, path, json=None):
        self.calls.append((method, path))
        if path.endswith("/cancel") and self.refuse_cancel:
            raise ShipStationError("Any label associated with the shipment needs to be voided first.", status=400)
        body = {"has_errors": False, "shipments": [{**s, "shipment_id": f"se-new-{n}", "errors": []}
                                                   for n, s in enumerate((json or {}).get("shipments") or [])]}
        self.calls[-1] = (method, path, body)
        return type("Answer", (), {"json": lambda self: body})()


def write(client: ScriptedShipStation, records: list[dict]) -> list[dict]:
    audit = AuditTrail(LOGGER, "destination-shipstation-inventory")
    seen: list[dict] = []
    audit.record = lambda stream, key, outcome, reason=None, **d: seen.append(
        {"key": key, "outcome": outcome.value, "reason": reason, **d})
    OrderWriter(client, audit, LOGGER, ShipMethodMap()).apply_batch(records)
    return seen


def created_ids(client: ScriptedShipStation) -> list[str]:
    return [s["external_shipment_id"] for c in client.calls if c[0] == "POST" for s in c[2]["shipments"]]


@pytest.mark.parametrize("revision", [1, 2, 17])
def test_every_key_the_writer_gives_a_shipment_names_its_netsuite_order_for_the_way_back(revision):
    key = revision_key("ns-5001", revision)
    assert parse_revision(key) == ("ns-5001", revision)
    assert internal_id_of(key) == 5001


def test_ids_written_by_others_are_not_taken_for_ours():
    assert [parse_revision(x) for x in ("web-5001", "ns-5001-x", "ns-0", "5001", None)] == [None] * 5


def test_new_orders_cost_one_listing_and_one_create_for_the_whole_batch():
    client = ScriptedShipStation([])
    outcomes = write(client, [order(5001), order(5002), order(5003)])
    assert [o["outcome"] for o in outcomes] == ["created"] * 3
    assert [c[:2] for c in client.calls] == [("GET", "/v2/shipments"), ("POST", "/v2/shipments")]
    assert created_ids(client) == ["ns-5001", "ns-5002", "ns-5003"]


def test_a_changed_order_replaces_its_latest_revision_even_when_older_ones_were_cancelled():
    old = order(notes="Front door")
    client = ScriptedShipStation([held(old, 1, "cancelled", "se-1"), held(old, 2, "pending", "se-2")])
    [outcome] = write(client, [order(notes="Ring twice")])
    assert outcome["outcome"] == "updated" and outcome["replaced_shipment_id"] == "se-2"
    assert [c[:2] for c in client.calls][1:] == [("PUT", "/v2/shipments/se-2/cancel"), ("POST", "/v2/shipments")]
    assert created_ids(client) == ["ns-5001-r3"]


def test_an_unchanged_order_costs_only_the_listing_whatever_its_revision():
    client = ScriptedShipStation([held(order(), 1, "cancelled"), held(order(), 2, "pending", "se-2")])
    assert [o["outcome"] for o in write(client, [order()])] == ["unchanged"]
    assert len(client.calls) == 1


def test_a_shipment_cancelled_in_shipstation_is_not_recreated_while_netsuite_is_unchanged():
    client = ScriptedShipStation([held(order(), 1, "cancelled")])
    [outcome] = write(client, [order()])
    assert outcome["outcome"] == "unchanged" and "not recreated" in outcome["note"]


def test_one_label_of_a_revision_means_it_shipped_and_is_never_replaced():
    pending, bought = held(order(notes="old"), 1, "pending", "se-1"), held(order(notes="old"), 1, "label_purchased")
    client = ScriptedShipStation([bought, pending])
    [outcome] = write(client, [order(notes="new")])
    assert outcome["outcome"] == "unchanged" and "shipped" in outcome["note"] and len(client.calls) == 1


def test_a_label_bought_between_listing_and_cancel_leaves_the_order_alone_and_creates_nothing():
    client = ScriptedShipStation([held(order(notes="old"), 1)], refuse_cancel=True)
    [outcome] = write(client, [order(notes="new")])
    assert outcome["outcome"] == "skipped" and "labelled meanwhile" in outcome["reason"]
    assert created_ids(client) == []


def test_no_records_no_call():
    client = ScriptedShipStation([])
    assert write(client, []) == [] and client.calls == []


def test_an_order_read_twice_in_a_batch_is_created_once_as_netsuite_last_had_it():
    client = ScriptedShipStation([])
    assert [o["outcome"] for o in write(client, [order(notes="first"), order(notes="second")])] == ["created"]
    [sent] = [s for c in client.calls if c[0] == "POST" for s in c[2]["shipments"]]
    assert sent["notes_from_buyer"] == "second"


class RefusingShipStation(ScriptedShipStation):
    """ShipStation that has revoked the key once the listing is read: every write answers 401."""

    def request(self, method, path, json=None):
        self.calls.append((method, path))
        raise KeyRejected("ShipStation refused the v2 API key: it is wrong, was revoked, or was replaced.", 401)


def test_a_key_refused_mid_batch_stops_at_once_and_every_unwritten_order_is_reported():
    first, second, third = order(5001, "Changed"), order(5002, "Changed"), order(5003)
    client = RefusingShipStation([held(order(5001), 1, shipment_id="se-1"), held(order(5002), 1, shipment_id="se-2")])
    audit = AuditTrail(LOGGER, "destination-shipstation-inventory")
    seen: list[dict] = []
    audit.record = lambda stream, key, outcome, reason=None, **d: seen.append({"key": key, "outcome": outcome.value})
    writer = OrderWriter(client, audit, LOGGER, ShipMethodMap())
    with pytest.raises(KeyRefused) as stopped:
        writer.apply_batch([first, second, third])
    # the first cancel was refused: no second cancel, no create was tried with the refused key
    assert [c[:2] for c in client.calls] == [("GET", "/v2/shipments"), ("PUT", "/v2/shipments/se-1/cancel")]
    assert sorted((s["key"], s["outcome"]) for s in seen) == [("ns-5001", "failed"), ("ns-5002", "failed"),
                                                              ("ns-5003", "failed")]
    assert "v2 API key of this connection (401)" in stopped.value.message
