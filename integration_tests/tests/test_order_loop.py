"""The whole loop, as a merchant lives it: a NetSuite sales order reaches ShipStation (source-netsuite-inventory
`orders_to_ship` -> destination-shipstation-inventory, through PyAirbyte), a label is printed in ShipStation, its
webhook reaches the relay, which starts sync 1 (source-shipstation -> destination-netsuite-fulfillment, through
PyAirbyte), and NetSuite gets the item fulfillment on the right sales order.

"The right one": two sales orders share one document number, as NetSuite allows across subsidiaries with
per-subsidiary numbering (the NetSuite emulator has no subsidiary column, so the twins are simply two orders with
the same tranid). Matching by number cannot tell them apart; only the `ns-<internal id>` key carried from the
import, through ShipStation and back, can.

One scenario per ShipStation API version, paired with a NetSuite auth method as elsewhere."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

# Without it PyAirbyte fetches Airbyte's connector registry, which it does not need for local executables.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators import fulfillment_testkit as kit  # noqa: E402
from emulators.configs import netsuite_config, shipstation_config  # noqa: E402
from emulators.netsuite import start_emulator as start_netsuite  # noqa: E402
from emulators.orders_testkit import add_order_to_ship, change_order, run  # noqa: E402
from emulators.shipstation import start_emulator as start_shipstation  # noqa: E402
from webhook_relay.config import RelayConfig  # noqa: E402
from webhook_relay.relay import Relay  # noqa: E402
from webhook_relay.server import RelayServer, free_port  # noqa: E402
from webhook_relay.subscriptions import SubscriptionManager  # noqa: E402
from webhook_relay.trigger import CallableTrigger  # noqa: E402

MERCHANT = dict(seed=29, items=8, locations=2, customers=3, orders=2)
TWIN_NUMBER = "SO-TWIN"
FULFILLMENT_WAIT_S = 40


def add_twin(ns, skus_and_quantities: list[tuple[str, int]]) -> int:
    """A new sales order numbered TWIN_NUMBER, ready to ship."""
    return add_order_to_ship(ns, TWIN_NUMBER, skus_and_quantities)


def fulfillments_of(ns, sales_order_id: int) -> list[dict]:
    """Item fulfillments made from one sales order, found by its internal id (its number is shared)."""
    rows = kit.sql(ns, f"""SELECT id, shipstatus FROM "transaction"
        WHERE type = 'ItemShip' AND createdfrom = {int(sales_order_id)} ORDER BY id""")
    for row in rows:
        row["lines"] = sorted((r["orderline"], r["qty"]) for r in kit.sql(ns, f"""SELECT orderline, -quantity AS qty
            FROM transactionline WHERE "transaction" = {row['id']} AND mainline = 'F'"""))
        row["packages"] = [r["trackingnumber"] for r in kit.sql(
            ns, f"SELECT trackingnumber FROM ns_package WHERE fulfillment = {row['id']} ORDER BY seq")]
    return rows


def ordered_lines(ns, sales_order_id: int) -> list[tuple[int, float]]:
    return sorted((r["line"], r["qty"]) for r in kit.sql(ns, f"""SELECT id AS line, -quantity AS qty
        FROM transactionline WHERE "transaction" = {int(sales_order_id)} AND mainline = 'F'"""))


def start_relay(ss, api_version: str, database: Path, sync) -> RelayServer:
    """The relay in front of the ShipStation emulator with only this API's key, as a merchant would run it."""
    creds = ss.credentials
    keys = {"v1": {"api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]},
            "v2": {"api_key": creds["v2_api_key"]}}
    port = free_port()
    config = RelayConfig.from_dict({
        "database": str(database), "public_url": f"http://127.0.0.1:{port}",
        "v1_secret": os.urandom(24).hex(), "jwks_url": f"{ss.base_url}/jwks",
        "shipstation": {api_version: keys[api_version], "base_url": ss.base_url},
        "trigger": {"connection": "sync1"}, "coalesce_seconds": 0.3,
    }, environ={})
    server = RelayServer(Relay(config, CallableTrigger(sync)), port=port).start()
    SubscriptionManager(config).subscribe()
    return server


def shipstation_order(ss, key: str) -> dict:
    orders = requests.get(f"{ss.base_url}/__emulator/state", timeout=10).json()["orders"]
    return next(o for o in orders if o["order_key"] == key)


@pytest.mark.parametrize("api_version,auth", [("v1", "token_based"), ("v2", "oauth2_client_credentials")])
def test_a_netsuite_order_shipped_in_shipstation_is_fulfilled_on_its_own_sales_order(tmp_path, api_version, auth):
    started = time.monotonic()
    with start_netsuite(**MERCHANT) as ns, start_shipstation(**MERCHANT) as ss:
        skus = [r["itemid"] for r in kit.sql(ns, "SELECT itemid FROM item ORDER BY id")]
        first_twin = add_twin(ns, [(skus[0], 1), (skus[1], 2)])
        second_twin = add_twin(ns, [(skus[2], 3)])
        ns_config = netsuite_config(ns.base_url, auth)
        import_audit, fulfil_audit = tmp_path / "import.jsonl", tmp_path / "fulfil.jsonl"

        # 1. NetSuite orders to ShipStation.
        run("source-netsuite-inventory", ns_config, "orders_to_ship", "destination-shipstation-inventory",
            shipstation_config(ss.base_url, api_version, audit_file=str(import_audit)), tmp_path / "import.duckdb")
        imported = {line["key"]: line["outcome"] for line in kit.outcomes(import_audit)}
        assert imported[f"ns-{first_twin}"] == imported[f"ns-{second_twin}"] == "created"
        # Changed in NetSuite after the import: v1 updates the order, v2 replaces the unlabelled shipment.
        change_order(ns, second_twin, modified="2026-11-22 11:00:00",
                     custbody_delivery_instructions="Leave with the neighbour")
        before = len(kit.outcomes(import_audit))
        run("source-netsuite-inventory", ns_config, "orders_to_ship", "destination-shipstation-inventory",
            shipstation_config(ss.base_url, api_version, audit_file=str(import_audit)), tmp_path / "import.duckdb")
        [changed] = kit.outcomes(import_audit)[before:]
        assert (changed["key"], changed["outcome"]) == (f"ns-{second_twin}", "updated")
        target = shipstation_order(ss, f"ns-{second_twin}" if api_version == "v1" else f"ns-{second_twin}-r2")
        assert target["status"] == "awaiting_shipment"
        if api_version == "v2":  # the first shipment, never labelled, was cancelled for its replacement
            assert shipstation_order(ss, f"ns-{second_twin}")["status"] == "cancelled"
        if api_version == "v1":  # v1 orders show NetSuite's number, here shared; v2 shipments show their key
            assert shipstation_order(ss, f"ns-{first_twin}")["order_number"] == target["order_number"] == TWIN_NUMBER

        # 2. The webhook relay, whose trigger runs sync 1; then a label is printed in ShipStation.
        syncs, finished = [], []

        def sync1(connection: str) -> None:
            syncs.append(connection)
            run("source-shipstation", shipstation_config(ss.base_url, api_version), "shipments",
                "destination-netsuite-fulfillment",
                netsuite_config(ns.base_url, auth, audit_file=str(fulfil_audit)), tmp_path / "sync1.duckdb")
            finished.append(connection)

        relay = start_relay(ss, api_version, tmp_path / "relay.sqlite3", sync1)
        try:
            label = kit.control(ss, "labels", {"order_number": target["order_number"]})
            # The emulator labels the latest order with that number: make sure it is the one meant.
            assert label["order_id"] == target["order_id"]
            deadline = time.monotonic() + FULFILLMENT_WAIT_S
            # Until the fulfillment exists and the sync that made it is over (not cut off by the teardown).
            while not (fulfillments_of(ns, second_twin) and len(finished) == len(syncs)) \
                    and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            relay.stop()
            relay.relay.stop()

        # 3. The fulfillment is on the second twin, whole, shipped, with the label's tracking number.
        [made] = fulfillments_of(ns, second_twin)
        assert made["shipstatus"] == "C"
        assert made["packages"] == label["tracking_numbers"]
        assert made["lines"] == ordered_lines(ns, second_twin)
        assert fulfillments_of(ns, first_twin) == []
        applied = [line for line in kit.outcomes(fulfil_audit) if line["outcome"] == "created"]
        assert len(applied) == 1 and applied[0]["order_number"] == target["order_number"]
        assert syncs and set(syncs) == {"sync1"}  # the relay started sync 1; the test never did
    assert time.monotonic() - started < 60
