"""For the tests of NetSuite orders reaching ShipStation: run a connection as a merchant would (through PyAirbyte,
the connectors as their installed commands), change orders in the NetSuite emulator, and read back what the
ShipStation emulator holds and how often it was called."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import requests
from emulators import fulfillment_testkit
from emulators.shipstation.v1_routes import render_order

# Without it PyAirbyte fetches Airbyte's connector registry, which it does not need for local executables. It
# counts only if set before airbyte is first imported: a test that imports airbyte itself must set it first.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")

# The venv's console scripts: PyAirbyte runs each connector as its own process, as a deployment would.
BIN = Path(sys.executable).parent


def run(source_name: str, source_config: dict, stream: str, destination_name: str, destination_config: dict,
        state_file: Path) -> None:
    """One sync of one stream; the state kept in `state_file` makes the next run with it incremental."""
    import airbyte as ab  # imported here so callers can skip cleanly when PyAirbyte is missing

    source = ab.get_source(source_name, local_executable=BIN / source_name, config=source_config, streams=[stream])
    destination = ab.get_destination(destination_name, local_executable=BIN / destination_name,
                                     config=destination_config)
    destination.write(source, cache=False, state_cache=ab.caches.DuckDBCache(db_path=state_file))


def add_order_to_ship(ns, tranid: str, skus_and_quantities: list[tuple[str, int]]) -> int:
    """A new sales order with a ship-to address (ShipStation needs one), as if entered in NetSuite now."""
    order_id = fulfillment_testkit.add_sales_order(ns, tranid, skus_and_quantities)
    db = ns.backend.db
    with db.lock:
        db.conn.execute("INSERT INTO transactionshippingaddress VALUES (?,?,NULL,?,NULL,?,?,?,?,NULL)",
                        (order_id, f"Ship-to {order_id}", f"{order_id} Elm St", "Austin", "TX", "78701", "US"))
        db.conn.execute('UPDATE "transaction" SET shippingaddress = ? WHERE id = ?', (order_id, order_id))
        db.version += 1
    return order_id


def change_order(ns, order_id: int, modified: str = "2026-11-22 12:00:00", **columns) -> None:
    """Edit a NetSuite order's header as a user saving it would: the last-modified date moves too, which is
    what the source's incremental read keys on."""
    db = ns.backend.db
    sets = ", ".join(f"{c} = ?" for c in columns)
    with db.lock:
        db.conn.execute(f'UPDATE "transaction" SET {sets}{", " if sets else ""}lastmodifieddate = ? WHERE id = ?',
                        (*columns.values(), modified, order_id))
        db.version += 1  # the emulator caches SuiteQL counts per data version


def v1_order(ss, key: str) -> dict | None:
    """The order keyed `key` as ShipStation's v1 API shows it, or None."""
    for order in ss.backend.orders.values():
        if order.order_key == key:
            return render_order(ss.backend, order)
    return None


def stats(ss) -> dict:
    return requests.get(f"{ss.base_url}/__emulator/stats", timeout=10).json()


def calls(ss, route: str) -> int:
    """How often one route (e.g. "POST /orders/createorder") was called, on either API."""
    counted = stats(ss)
    return counted.get("v1_calls", {}).get(route, 0) + counted.get("v2_calls", {}).get(route, 0)


def writes(ss) -> dict[str, int]:
    """Every call that could change ShipStation (anything but GET), per method and path."""
    counted = stats(ss)
    every = {**counted.get("v1_calls", {}), **counted.get("v2_calls", {})}
    return {route: n for route, n in every.items() if not route.startswith("GET ")}


def requests_made(ss) -> int:
    """Every call to ShipStation's APIs, reads included."""
    return sum(stats(ss)["requests"].values())
