"""NetSuite orders to ShipStation as a merchant runs the connection: source-netsuite-inventory's `orders_to_ship`
stream into destination-shipstation-inventory, both through PyAirbyte, against the two emulators. One scenario per
ShipStation API version (paired with a NetSuite auth method as elsewhere), three syncs of the same connection:

1. a new order with every custom field set reaches ShipStation with every mapped field, and one whose ship method
   is not in the ship method map is imported with a note saying so (a connection whose status filter excludes
   them, run first, imports nothing);
2. nothing changed in NetSuite: nothing is written, ShipStation is not even called;
3. one order changed and another cancelled in NetSuite: the first is updated (v1 in place, v2 replaced), the
   second cancelled.

What ShipStation holds is read from its emulator, what the destination decided from its audit file."""
from __future__ import annotations

import os
import time

import pytest

# Before PyAirbyte is imported: otherwise it fetches Airbyte's connector registry, not needed for local executables.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators import fulfillment_testkit as kit  # noqa: E402
from emulators.configs import netsuite_config, shipstation_config  # noqa: E402
from emulators.netsuite import start_emulator as start_netsuite  # noqa: E402
from emulators.netsuite.database import SHIP_METHODS as NETSUITE_SHIP_METHODS  # noqa: E402
from emulators.orders_testkit import (add_order_to_ship, change_order, requests_made, run, v1_order,  # noqa: E402
                                      writes)
from emulators.shipstation import start_emulator as start_shipstation  # noqa: E402

MERCHANT = dict(seed=11, items=10, locations=2, customers=3, orders=3)
UPS_GROUND, FEDEX_2DAY = 1, 2  # NetSuite ship method ids; only UPS Ground is in the connection's map
SHIP_METHOD_MAP = [{"netsuite_ship_method": NETSUITE_SHIP_METHODS[UPS_GROUND], "carrier_code": "ups",
                    "service_code": "ups_ground"}]
ENTERED = "2026-11-22 10:00:00"  # when the test's orders were saved in NetSuite (add_sales_order's date)
EDITED = "2026-11-23 09:00:00"  # later than anything the source has read by then
CUSTOM = dict(custbody_delivery_instructions="Leave at the back door", custbody_authority_to_leave="T",
              custbody_signature_required="T", memo="Fragile: glass", otherrefnum="PO-7781")


def netsuite_lines(ns, order_id: int) -> list[dict]:
    """The order's lines as NetSuite holds them, with what ShipStation should show for each."""
    return kit.sql(ns, f"""SELECT l.id AS line, i.itemid AS sku, i.displayname AS name, -l.quantity AS qty,
        l.rate AS rate, loc.name AS location FROM transactionline l JOIN item i ON i.id = l.item
        LEFT JOIN location loc ON loc.id = l.location
        WHERE l."transaction" = {int(order_id)} AND l.mainline = 'F' ORDER BY l.id""")


def netsuite_order(ns, order_id: int) -> dict:
    [row] = kit.sql(ns, f"""SELECT t.tranid, t.trandate, c.companyname, c.entityid, c.email, c.phone, a.addressee,
        a.addr1, a.city, a.state, a.zip, a.country FROM "transaction" t JOIN customer c ON c.id = t.entity
        JOIN transactionshippingaddress a ON a.nkey = t.shippingaddress WHERE t.id = {int(order_id)}""")
    return row


def assert_v1_has_every_mapped_field(ss, ns, order_id: int) -> None:
    order, source = v1_order(ss, f"ns-{order_id}"), netsuite_order(ns, order_id)
    assert order["orderNumber"] == source["tranid"]
    assert order["orderDate"].startswith(source["trandate"][:10])
    assert order["orderStatus"] == "awaiting_shipment"
    assert order["customerEmail"] == order["customerUsername"] == source["email"]
    ship_to = (order["shipTo"]["name"], order["shipTo"]["street1"], order["shipTo"]["city"],
               order["shipTo"]["state"], order["shipTo"]["postalCode"], order["shipTo"]["country"])
    assert ship_to == (source["addressee"], source["addr1"], source["city"], source["state"], source["zip"],
                       source["country"])
    # The address has no phone of its own: the customer's is the one a carrier can call.
    assert order["shipTo"]["phone"] == source["phone"]
    # No bill-to address in NetSuite: ShipStation bills the ship-to, to the customer's company.
    assert order["billTo"]["street1"] == source["addr1"]
    assert order["billTo"]["company"] == (source["companyname"] or source["entityid"])
    assert [(i["lineItemKey"], i["sku"], i["name"], i["quantity"], i["unitPrice"], i["warehouseLocation"])
            for i in order["items"]] == [(str(r["line"]), r["sku"], r["name"], r["qty"], r["rate"], r["location"])
                                         for r in netsuite_lines(ns, order_id)]
    assert order["requestedShippingService"] == NETSUITE_SHIP_METHODS[UPS_GROUND]
    assert (order["carrierCode"], order["serviceCode"]) == ("ups", "ups_ground")
    # What the packer sees: the delivery instructions on the slip, the memo and authority to leave inside.
    assert order["customerNotes"] == CUSTOM["custbody_delivery_instructions"]
    assert CUSTOM["memo"] in order["internalNotes"] and "Authority to leave: yes" in order["internalNotes"]
    assert order["confirmation"] == "signature"
    assert order["advancedOptions"]["customField1"] == CUSTOM["otherrefnum"]
    assert order["advancedOptions"]["customField2"] == "Authority to leave"


def assert_v2_has_every_mapped_field(ss, ns, order_id: int) -> None:
    shipment, source = ss.backend.order_by_external_shipment_id(f"ns-{order_id}"), netsuite_order(ns, order_id)
    assert shipment.status == "awaiting_shipment"
    ship_to = shipment.ship_to
    assert (ship_to["name"], ship_to["street1"], ship_to["city"], ship_to["state"], ship_to["postalCode"],
            ship_to["country"], ship_to["phone"]) == (source["addressee"], source["addr1"], source["city"],
                                                      source["state"], source["zip"], source["country"],
                                                      source["phone"])
    assert shipment.customer_email == source["email"]  # sent as ship_to.email
    assert [(i.line_item_key, i.sku, i.name, i.quantity) for i in shipment.items] == \
        [(str(r["line"]), r["sku"], r["name"], r["qty"]) for r in netsuite_lines(ns, order_id)]
    # v2's create takes no confirmation or internal notes: all the packer must know is in the buyer's notes.
    notes = shipment.v2_fields["notes_from_buyer"].split(" | ")
    assert notes == [CUSTOM["custbody_delivery_instructions"], f"Ship via: {NETSUITE_SHIP_METHODS[UPS_GROUND]} "
                     f"({SHIP_METHOD_MAP[0]['carrier_code']}/{SHIP_METHOD_MAP[0]['service_code']})",
                     "Authority to leave: yes", "SIGNATURE REQUIRED",
                     f"Note: {CUSTOM['memo']}"]


def shipstation_status(ss, api_version: str, key: str) -> str:
    if api_version == "v1":
        return v1_order(ss, key)["orderStatus"]
    return ss.backend.order_by_external_shipment_id(key).status


@pytest.mark.parametrize("api_version,auth", [("v1", "token_based"), ("v2", "oauth2_client_credentials")])
def test_orders_reach_shipstation_through_pyairbyte(tmp_path, api_version, auth):
    started = time.monotonic()
    with start_netsuite(**MERCHANT) as ns, start_shipstation(**MERCHANT) as ss:
        skus = [r["itemid"] for r in kit.sql(ns, "SELECT itemid FROM item WHERE isinactive = 'F' ORDER BY id")]
        custom = add_order_to_ship(ns, "SO-CUSTOM", [(skus[0], 2), (skus[1], 1)])
        change_order(ns, custom, modified=ENTERED, shipmethod=UPS_GROUND, **CUSTOM)
        unmapped = add_order_to_ship(ns, "SO-FEDEX", [(skus[2], 1)])
        change_order(ns, unmapped, modified=ENTERED, shipmethod=FEDEX_2DAY)
        generated = [r["id"] for r in kit.sql(ns, """SELECT id FROM "transaction" WHERE type = 'SalesOrd'
            AND status = 'B' AND id NOT IN ({}, {}) ORDER BY id""".format(custom, unmapped))]
        audit = tmp_path / "audit.jsonl"
        ss_config = shipstation_config(ss.base_url, api_version, ship_method_map=SHIP_METHOD_MAP,
                                       audit_file=str(audit))

        def sync(ns_config: dict, state_file: str) -> list[dict]:
            before = len(kit.outcomes(audit))
            run("source-netsuite-inventory", ns_config, "orders_to_ship", "destination-shipstation-inventory",
                ss_config, tmp_path / state_file)
            return kit.outcomes(audit)[before:]

        # 0. A connection importing only partially fulfilled orders: every order here is pending fulfillment.
        filtered = netsuite_config(ns.base_url, auth, orders_statuses=["Partially Fulfilled"])
        assert sync(filtered, "filtered.duckdb") == []
        assert requests_made(ss) == 0

        # 1. The first sync of the real connection.
        ns_config = netsuite_config(ns.base_url, auth)
        first = {o["key"]: o for o in sync(ns_config, "orders.duckdb")}
        # The emulated v1 account already holds the generated orders under their keys (imported before this
        # connector): they are updated, never doubled. v2 shipments are new.
        assert {k: o["outcome"] for k, o in first.items()} == {
            f"ns-{custom}": "created", f"ns-{unmapped}": "created",
            **{f"ns-{i}": "updated" if api_version == "v1" else "created" for i in generated}}
        assert sum(1 for o in ss.backend.orders.values() if o.order_key == f"ns-{custom}") == 1
        if api_version == "v1":
            assert_v1_has_every_mapped_field(ss, ns, custom)
            fedex = v1_order(ss, f"ns-{unmapped}")
            # Imported without carrier and service; the packer still sees what the customer chose.
            assert fedex["requestedShippingService"] == NETSUITE_SHIP_METHODS[FEDEX_2DAY]
            assert (fedex["carrierCode"], fedex["serviceCode"]) == (None, None)
        else:
            assert_v2_has_every_mapped_field(ss, ns, custom)
            # No service field in v2's create: the packer reads the customer's choice in the notes, unmapped.
            fedex = ss.backend.order_by_external_shipment_id(f"ns-{unmapped}")
            assert f"Ship via: {NETSUITE_SHIP_METHODS[FEDEX_2DAY]} |" in fedex.v2_fields["notes_from_buyer"] + " |"
        assert shipstation_status(ss, api_version, f"ns-{unmapped}") == "awaiting_shipment"
        assert NETSUITE_SHIP_METHODS[FEDEX_2DAY] in first[f"ns-{unmapped}"]["note"]
        assert "not in the ship method map" in first[f"ns-{unmapped}"]["note"]
        assert first[f"ns-{custom}"].get("note") is None

        # 2. Nothing changed in NetSuite: no outcome, and not one call to ShipStation, reads included.
        called = requests_made(ss)
        assert sync(ns_config, "orders.duckdb") == []
        assert requests_made(ss) == called

        # 3. The customer changes the delivery instructions of one order; another is cancelled.
        cancelled = generated[0]
        v1_id = v1_order(ss, f"ns-{custom}")["orderId"] if api_version == "v1" else None
        change_order(ns, custom, modified=EDITED, custbody_delivery_instructions="Ring twice")
        change_order(ns, cancelled, modified=EDITED, status="C")
        written = writes(ss)
        third = {o["key"]: o for o in sync(ns_config, "orders.duckdb")}
        assert {k: o["outcome"] for k, o in third.items()} == {f"ns-{custom}": "updated",
                                                              f"ns-{cancelled}": "updated"}
        assert third[f"ns-{cancelled}"]["action"] == "cancelled"
        assert shipstation_status(ss, api_version, f"ns-{cancelled}") == "cancelled"
        new_writes = {route: n - written.get(route, 0) for route, n in writes(ss).items()
                      if n != written.get(route, 0)}
        if api_version == "v1":
            # Upserted in place: the same ShipStation order, now with the new instructions.
            order = v1_order(ss, f"ns-{custom}")
            assert (order["orderId"], order["customerNotes"]) == (v1_id, "Ring twice")
            assert order["orderStatus"] == "awaiting_shipment"
            assert new_writes == {"POST /orders/createorder": 2}
        else:
            # v2 cannot update a shipment: the unlabelled one is cancelled and replaced under the next key.
            replacement = ss.backend.order_by_external_shipment_id(f"ns-{custom}-r2")
            assert shipstation_status(ss, api_version, f"ns-{custom}") == "cancelled"
            assert replacement.status == "awaiting_shipment"
            assert replacement.v2_fields["notes_from_buyer"].startswith("Ring twice | ")
            assert (third[f"ns-{custom}"]["action"], third[f"ns-{custom}"]["external_shipment_id"]) == \
                ("replaced", f"ns-{custom}-r2")
            # Two cancels and one create for the batch.
            assert sorted(new_writes.values()) == [1, 1, 1] and new_writes.get("POST /v2/shipments") == 1
        # The orders nobody touched stayed as they were.
        for key in [f"ns-{unmapped}", *(f"ns-{i}" for i in generated[1:])]:
            assert shipstation_status(ss, api_version, key) == "awaiting_shipment"
    assert time.monotonic() - started < 45
