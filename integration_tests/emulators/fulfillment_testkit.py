"""For sync 1's end-to-end tests: shipment records in the source's schema,
the messages write() reads, and reads of the NetSuite emulator's state."""
from __future__ import annotations

import itertools
import json
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jsonschema
from emulators.netsuite.database import INSERT_TRANSACTION
import requests
from airbyte_cdk.models import (AirbyteMessage, AirbyteRecordMessage, AirbyteStateBlob, AirbyteStateMessage,
                                AirbyteStateType, AirbyteStream, AirbyteStreamState, ConfiguredAirbyteCatalog,
                                ConfiguredAirbyteStream, DestinationSyncMode, StreamDescriptor, SyncMode, Type)

SHIPMENTS_SCHEMA = json.loads(resources.files("source_shipstation").joinpath("schemas", "shipments.json").read_text())
# One validator, its schema checked once: jsonschema.validate() re-checks the schema on every call, which made
# building a benchmark's 10,000 records cost more CPU than the run it measures.
_SHIPMENT_VALIDATOR = jsonschema.validators.validator_for(SHIPMENTS_SCHEMA)(SHIPMENTS_SCHEMA)
_ids = itertools.count(900_001)


def shipment(order_number: str | None, items: list[tuple[str, float]], *, tracking: list[str] | None = None,
             voided: bool = False, shipment_id: str | None = None, carrier: str = "ups",
             service: str = "ups_ground") -> dict[str, Any]:
    """A `shipments` record as source-shipstation emits it (validated against its schema)."""
    sid = shipment_id or str(next(_ids))
    tracking = [f"1Z{sid}"] if tracking is None else tracking
    record = {
        "shipment_id": sid, "kind": "label", "api_version": "v1", "order_id": f"7{sid}",
        "order_number": order_number, "order_key": f"key-{sid}", "created_at": "2026-11-20T17:00:00Z",
        "ship_date": "2026-11-20", "modified_at": "2026-11-20T17:00:00Z", "voided": voided,
        "voided_at": "2026-11-21T09:00:00Z" if voided else None, "carrier_code": carrier, "service_code": service,
        "tracking_numbers": tracking,
        "packages": [{"tracking_number": t, "package_code": "package", "weight": 16.0, "weight_units": "ounces",
                      "length": None, "width": None, "height": None, "dimension_units": None} for t in tracking],
        "items": [{"sku": sku, "name": None, "quantity": qty, "unit_price": None} for sku, qty in items],
        "ship_to": None, "shipping_cost": 7.5, "currency": "USD",
    }
    _SHIPMENT_VALIDATOR.validate(record)
    return record


def voided(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "voided": True, "voided_at": "2026-11-21T09:00:00Z", "modified_at": "2026-11-21T09:00:00Z"}


def record_message(data: dict[str, Any], stream: str = "shipments") -> AirbyteMessage:
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=data, emitted_at=0))


def state_message(cursor: str) -> AirbyteMessage:
    return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
        type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
            stream_descriptor=StreamDescriptor(name="shipments"), stream_state=AirbyteStateBlob(cursor=cursor))))


def messages(records: Iterable[dict[str, Any]], state: str | None = "s1") -> list[AirbyteMessage]:
    out = [record_message(r) for r in records]
    return out + ([state_message(state)] if state else [])


def catalog() -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=AirbyteStream(name="shipments", json_schema=SHIPMENTS_SCHEMA, supported_sync_modes=[SyncMode.incremental]),
        sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])


def sql(emulator, query: str) -> list[dict]:
    response = requests.post(f"{emulator.base_url}/__emulator/sql", json={"q": query}, timeout=10)
    response.raise_for_status()
    return response.json()["rows"]


def control(emulator, route: str, body: dict) -> dict:
    response = requests.post(f"{emulator.base_url}/__emulator/{route}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def stats(emulator) -> dict:
    return requests.get(f"{emulator.base_url}/__emulator/stats", timeout=10).json()


def order_lines(emulator, tranid: str) -> list[dict]:
    """The order's lines with SKU, ordered and shipped quantities (positive)."""
    return sql(emulator, f"""SELECT l.id AS line, i.itemid AS sku, -l.quantity AS ordered, l.quantityshiprecv AS shipped,
        l.location AS location FROM "transaction" t JOIN transactionline l ON l."transaction" = t.id
        JOIN item i ON i.id = l.item WHERE t.tranid = '{tranid}' AND l.mainline = 'F' ORDER BY l.id""")


def fulfillments(emulator, tranid: str) -> list[dict]:
    """Item fulfillments made from the order, with their lines and tracking numbers."""
    rows = sql(emulator, f"""SELECT f.id, f.externalid, f.shipstatus, f.memo, f.linkedtrackingnumberlist AS tracking
        FROM "transaction" f JOIN "transaction" s ON s.id = f.createdfrom
        WHERE s.tranid = '{tranid}' AND f.type = 'ItemShip' ORDER BY f.id""")
    for row in rows:
        row["lines"] = [(r["orderline"], r["qty"]) for r in sql(emulator, f"""SELECT orderline, -quantity AS qty
            FROM transactionline WHERE "transaction" = {row['id']} AND mainline = 'F' ORDER BY orderline""")]
        row["packages"] = [r["trackingnumber"] for r in sql(
            emulator, f"SELECT trackingnumber FROM ns_package WHERE fulfillment = {row['id']} ORDER BY seq")]
    return rows


def order_status(emulator, tranid: str) -> str:
    return sql(emulator, f"""SELECT status FROM "transaction" WHERE tranid = '{tranid}'""")[0]["status"]


def unused_orders(emulator) -> list[str]:
    """Generated sales orders nobody has fulfilled yet, with their first line's quantity at least 2."""
    rows = sql(emulator, """SELECT t.tranid FROM "transaction" t JOIN transactionline l ON l."transaction" = t.id
        AND l.id = 1 WHERE t.type = 'SalesOrd' AND t.status = 'B' AND -l.quantity >= 2 ORDER BY t.id""")
    return [r["tranid"] for r in rows]


def add_sales_order(emulator, tranid: str, skus_and_quantities: list[tuple[str, int]]) -> int:
    """A sales order created in NetSuite now (the emulator's generator makes orders only at start)."""
    db = emulator.backend.db
    with db.lock:
        new_id = (db.select('SELECT MAX(id) AS m FROM "transaction"')[0]["m"] or 0) + 1
        now = "2026-11-22 10:00:00"
        db.conn.execute("BEGIN")
        db.conn.execute(INSERT_TRANSACTION,
                        (new_id, tranid, None, None, "SalesOrd", "B", 1001, now[:10] + " 00:00:00", now, now,
                         None, None, None, None))
        db.conn.execute("INSERT INTO transactionline VALUES (?,0,0,'T',NULL,NULL,NULL,'F',1,NULL,NULL,NULL,?)",
                        (new_id, now))
        for n, (sku, qty) in enumerate(skus_and_quantities, start=1):
            item = db.select("SELECT id, baseprice FROM item WHERE itemid = ?", (sku,))[0]
            db.conn.execute("INSERT INTO transactionline VALUES (?,?,?,'F',?,?,0,'F',1,?,NULL,NULL,?)",
                            (new_id, n, n, item["id"], -qty, item["baseprice"], now))
        db.conn.execute("COMMIT")
        db.version += 1  # the emulator caches SuiteQL counts per data version
    return new_id


def set_order_status(emulator, tranid: str, letter: str) -> None:
    db = emulator.backend.db
    with db.lock:
        db.conn.execute('UPDATE "transaction" SET status = ? WHERE tranid = ?', (letter, tranid))
        db.version += 1


def outcomes(audit_path: Path) -> list[dict]:
    if not audit_path.exists():
        return []
    # JSON Lines end at "\n" only: str.splitlines would also cut at U+2028, U+0085 and friends, which JSON keeps raw.
    return [json.loads(line) for line in audit_path.read_text(encoding="utf-8").split("\n") if line.strip()]


def set_available(emulator, sku: str, location: str, quantity: int) -> None:
    """NetSuite's available stock of one SKU at one location (by name), changed as a receipt or a count would."""
    db = emulator.backend.db
    with db.lock:
        db.conn.execute("UPDATE inventoryitemlocations SET quantityavailable = ? WHERE item = "
                        "(SELECT id FROM item WHERE itemid = ?) AND location = (SELECT id FROM location "
                        "WHERE name = ?)", (quantity, sku, location))
        db.version += 1


# --- NetSuite account features (issue 15; emulators/netsuite/README.md "Account features") ---------------------
def set_features(emulator, **features: bool) -> dict[str, bool]:
    """Switch account features, by NetSuite id or alias: set_features(emu, lots=True, bins=True, MULTILOCINVT=True).
    Answers every feature's state."""
    return control(emulator, "features", features)["features"]


def seed(emulator, **data) -> dict:
    """POST /__emulator/seed: subsidiaries, locations, bins, unitstypes, items, stock, customers, sales_orders (see
    the README for each key). Answers what was created (ids; sales orders with their lines)."""
    response = requests.post(f"{emulator.base_url}/__emulator/seed", json=data, timeout=30)
    if response.status_code != 200:
        raise AssertionError(f"seed refused: {response.status_code} {response.text}")
    return response.json()["created"]


def _order_filter(order: int | str) -> str:
    """A sales order by internal id (int) or document number (str; ambiguous on OneWorld accounts)."""
    if isinstance(order, int):
        return f"s.id = {order}"
    return "s.tranid = '" + str(order).replace("'", "''") + "' AND s.type = 'SalesOrd'"


def inventory_balances(emulator, item: int | str | None = None) -> list[dict]:
    """On hand per item, location, bin and lot/serial number (base units), as `inventorybalance` holds them for
    lot, serial and bin items: [{"sku", "item", "location", "bin", "number", "expiration", "onhand"}]."""
    where = ""
    if isinstance(item, int):
        where = f"WHERE d.item = {item}"
    elif item is not None:
        where = "WHERE i.itemid = '" + item.replace("'", "''") + "'"
    return sql(emulator, f"""SELECT i.itemid AS sku, d.item, d.location, b.binnumber AS bin, n.inventorynumber AS number,
        substr(n.expirationdate, 1, 10) AS expiration, d.quantityonhand AS onhand FROM ns_detail_balance d
        JOIN item i ON i.id = d.item LEFT JOIN bin b ON b.id = d.binnumber
        LEFT JOIN inventorynumber n ON n.id = d.inventorynumber {where}
        ORDER BY d.item, d.location, b.binnumber, n.inventorynumber""")


def fulfillment_assignments(emulator, order: int | str) -> list[dict]:
    """The inventory detail of every fulfillment made from the order: [{"fulfillment", "orderline", "sku",
    "location", "bin", "number", "quantity"}] (quantity in base units), in fulfillment and line order."""
    return sql(emulator, f"""SELECT f.id AS fulfillment, l.orderline, i.itemid AS sku, l.location, b.binnumber AS bin,
        n.inventorynumber AS number, a.quantity FROM "transaction" s JOIN "transaction" f ON f.createdfrom = s.id
        JOIN inventoryassignment a ON a."transaction" = f.id
        JOIN transactionline l ON l."transaction" = a."transaction" AND l.id = a.transactionline
        JOIN item i ON i.id = l.item LEFT JOIN bin b ON b.id = a.binnumber
        LEFT JOIN inventorynumber n ON n.id = a.inventorynumber
        WHERE {_order_filter(order)} AND f.type = 'ItemShip' ORDER BY f.id, l.id, a.rowid""")


def fulfillment_lines(emulator, order: int | str) -> list[dict]:
    """Every line of every fulfillment made from the order: [{"fulfillment", "line", "orderline", "sku", "location",
    "quantity" (base units, positive), "units", "kitmemberof"}]."""
    return sql(emulator, f"""SELECT f.id AS fulfillment, l.id AS line, l.orderline, i.itemid AS sku, l.location,
        -l.quantity AS quantity, x.units, x.kitmemberof FROM "transaction" s JOIN "transaction" f ON f.createdfrom = s.id
        JOIN transactionline l ON l."transaction" = f.id AND l.mainline = 'F' JOIN item i ON i.id = l.item
        LEFT JOIN ns_line_feature x ON x."transaction" = l."transaction" AND x.id = l.id
        WHERE {_order_filter(order)} AND f.type = 'ItemShip' ORDER BY f.id, l.id""")


def stock_at(emulator, item: int | str, location: int) -> int:
    """inventoryitemlocations.quantityonhand of an item (id or SKU) at a location; 0 when there is no row."""
    item_sql = str(item) if isinstance(item, int) else \
        "(SELECT id FROM item WHERE itemid = '" + str(item).replace("'", "''") + "')"
    rows = sql(emulator, f"SELECT quantityonhand FROM inventoryitemlocations WHERE item = {item_sql} "
                         f"AND location = {int(location)}")
    return rows[0]["quantityonhand"] if rows else 0
