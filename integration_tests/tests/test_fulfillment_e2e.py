"""Helpers for the destination-netsuite-fulfillment end-to-end tests: shipment records in the source's schema,
the messages write() reads, and reads of the NetSuite emulator's state."""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import requests
from airbyte_cdk.models import (AirbyteMessage, AirbyteRecordMessage, AirbyteStateBlob, AirbyteStateMessage,
                                AirbyteStateType, AirbyteStream, AirbyteStreamState, ConfiguredAirbyteCatalog,
                                ConfiguredAirbyteStream, DestinationSyncMode, StreamDescriptor, SyncMode, Type)

SCHEMA_PATH = (Path(__file__).resolve().parents[2] / "source-shipstation" / "source_shipstation" / "schemas"
               / "shipments.json")
SHIPMENTS_SCHEMA = json.loads(SCHEMA_PATH.read_text())
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
    jsonschema.validate(record, SHIPMENTS_SCHEMA)
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
        db.conn.execute('INSERT INTO "transaction" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
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
    return [json.loads(line) for line in audit_path.read_text().splitlines() if line.strip()]


# --- the tests ----------------------------------------------------------------------------------------------
import logging  # noqa: E402

import pytest  # noqa: E402
from airbyte_cdk.utils.traced_exception import AirbyteTracedException  # noqa: E402
from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment  # noqa: E402
from emulators.configs import netsuite_config  # noqa: E402
from emulators.netsuite import start_emulator  # noqa: E402

AUTHS = ["token_based", "oauth2_client_credentials"]


@pytest.fixture(scope="module")
def netsuite():
    with start_emulator(items=20, locations=2, customers=5, orders=150, seed=7) as emulator:
        yield emulator


@pytest.fixture
def orders(netsuite):
    """Hands out generated sales orders that no other test has used."""
    used = set()

    def take() -> str:
        for tranid in unused_orders(netsuite):
            if tranid not in used and tranid not in _TAKEN:
                used.add(tranid)
                _TAKEN.add(tranid)
                return tranid
        raise AssertionError("the emulator ran out of unused sales orders")
    return take


_TAKEN: set[str] = set()


def run(netsuite, tmp_path, msgs, auth="token_based", **extra) -> tuple[list, list[dict]]:
    """One sync: write() over the messages; returns the state messages passed on and the audit lines."""
    audit = tmp_path / "audit.jsonl"
    before = len(outcomes(audit))
    config = netsuite_config(netsuite.base_url, auth, audit_file=str(audit), **extra)
    states = list(DestinationNetsuiteFulfillment().write(config, catalog(), msgs))
    return states, outcomes(audit)[before:]


def by_key(lines: list[dict]) -> dict[str, dict]:
    return {line["key"]: line for line in lines}


@pytest.mark.parametrize("auth", AUTHS)
def test_simple_shipment_becomes_one_shipped_fulfillment_with_its_lines_and_tracking(netsuite, tmp_path, orders, auth):
    tranid = orders()
    lines = order_lines(netsuite, tranid)
    record = shipment(tranid, [(ln["sku"], ln["ordered"]) for ln in lines], tracking=["1ZSIMPLE" + auth[:3]])
    states, audit = run(netsuite, tmp_path, messages([record]), auth)
    assert [s.state.stream.stream_state.cursor for s in states] == ["s1"]
    [made] = fulfillments(netsuite, tranid)
    assert made["externalid"] == f"ss-{record['shipment_id']}"
    assert made["shipstatus"] == "C"
    assert made["lines"] == [(ln["line"], ln["ordered"]) for ln in lines]
    assert made["packages"] == ["1ZSIMPLE" + auth[:3]]
    assert record["shipment_id"] in made["memo"] and tranid in made["memo"] and "ups/ups_ground" in made["memo"]
    assert order_status(netsuite, tranid) == "F"  # fully shipped: pending billing
    [line] = audit
    assert line["outcome"] == "created" and line["fulfillment_id"] == str(made["id"])
    assert line["notes"] == ["ship method left unset: ups/ups_ground is not in the ship method map"]


def test_partial_then_the_rest_two_shipments_for_one_order_in_one_batch(netsuite, tmp_path, orders):
    tranid = orders()
    lines = order_lines(netsuite, tranid)
    first = lines[0]
    part = shipment(tranid, [(first["sku"], 1)])
    rest = shipment(tranid, [(first["sku"], first["ordered"] - 1)] + [(ln["sku"], ln["ordered"]) for ln in lines[1:]])
    _, audit = run(netsuite, tmp_path, messages([part, rest]))
    assert [a["outcome"] for a in audit] == ["created", "created"]
    made = fulfillments(netsuite, tranid)
    assert [m["lines"] for m in made] == [[(first["line"], 1)],
                                          [(first["line"], first["ordered"] - 1)] + [(ln["line"], ln["ordered"])
                                                                                   for ln in lines[1:]]]
    assert [ln["shipped"] for ln in order_lines(netsuite, tranid)] == [ln["ordered"] for ln in lines]


def test_partial_shipment_leaves_the_order_partially_fulfilled(netsuite, tmp_path, orders):
    tranid = orders()
    first = order_lines(netsuite, tranid)[0]
    run(netsuite, tmp_path, messages([shipment(tranid, [(first["sku"], 1)])]))
    [made] = fulfillments(netsuite, tranid)
    assert made["lines"] == [(first["line"], 1)]
    assert order_status(netsuite, tranid) == "D"


def test_multi_package_shipment_carries_every_tracking_number(netsuite, tmp_path, orders):
    tranid = orders()
    first = order_lines(netsuite, tranid)[0]
    run(netsuite, tmp_path, messages([shipment(tranid, [(first["sku"], 2)], tracking=["1ZA", "1ZB", "1ZC"])]))
    [made] = fulfillments(netsuite, tranid)
    assert made["packages"] == ["1ZA", "1ZB", "1ZC"]
    assert made["tracking"] == "1ZA, 1ZB, 1ZC"


@pytest.mark.parametrize("auth", AUTHS)
def test_voided_label_reverses_its_fulfillment_and_a_void_never_recorded_is_skipped(netsuite, tmp_path, orders, auth):
    tranid = orders()
    first = order_lines(netsuite, tranid)[0]
    record = shipment(tranid, [(first["sku"], 1)])
    run(netsuite, tmp_path, messages([record]), auth)
    assert len(fulfillments(netsuite, tranid)) == 1
    never = voided(shipment(tranid, [(first["sku"], 1)]))
    _, audit = run(netsuite, tmp_path, messages([voided(record), never]), auth)
    assert fulfillments(netsuite, tranid) == []
    assert order_lines(netsuite, tranid)[0]["shipped"] == 0
    assert order_status(netsuite, tranid) == "B"
    outcome = by_key(audit)
    assert outcome[record["shipment_id"]]["outcome"] == "reversed"
    assert outcome[never["shipment_id"]]["outcome"] == "skipped"
    assert "voided" in outcome[never["shipment_id"]]["reason"]


def test_label_bought_and_voided_within_one_batch_ends_with_no_fulfillment(netsuite, tmp_path, orders):
    tranid = orders()
    first = order_lines(netsuite, tranid)[0]
    record = shipment(tranid, [(first["sku"], 1)])
    replacement = shipment(tranid, [(first["sku"], first["ordered"])])
    _, audit = run(netsuite, tmp_path, messages([record, voided(record), replacement]))
    assert [a["outcome"] for a in audit] == ["created", "reversed", "created"]
    [made] = fulfillments(netsuite, tranid)
    assert made["externalid"] == f"ss-{replacement['shipment_id']}"


def test_shipments_that_cannot_be_applied_are_skipped_with_reasons_and_the_rest_goes_on(netsuite, tmp_path, orders):
    good, closed, cancelled, fully = orders(), orders(), orders(), orders()
    set_order_status(netsuite, closed, "H")
    set_order_status(netsuite, cancelled, "C")
    sku = order_lines(netsuite, good)[0]["sku"]
    full_lines = order_lines(netsuite, fully)
    run(netsuite, tmp_path, messages([shipment(fully, [(ln["sku"], ln["ordered"]) for ln in full_lines])]))
    records = {
        "unknown order": shipment("SO-NOPE-1", [(sku, 1)]),
        "closed": shipment(closed, [(order_lines(netsuite, closed)[0]["sku"], 1)]),
        "cancelled": shipment(cancelled, [(order_lines(netsuite, cancelled)[0]["sku"], 1)]),
        "fully fulfilled": shipment(fully, [(full_lines[0]["sku"], 1)]),
        "unknown sku": shipment(good, [("NOT-A-SKU", 1)]),
        "too many": shipment(good, [(sku, 99)]),
        "good": shipment(good, [(sku, 1)]),
    }
    states, audit = run(netsuite, tmp_path, messages(records.values()))
    assert len(states) == 1  # skips never hold the sync back
    outcome = by_key(audit)
    reason = {name: outcome[r["shipment_id"]].get("reason") for name, r in records.items()}
    assert reason["unknown order"] == "no sales order with tranid SO-NOPE-1"
    assert reason["closed"] == f"sales order {closed} is closed"
    assert reason["cancelled"] == f"sales order {cancelled} is cancelled"
    assert "already fully fulfilled" in reason["fully fulfilled"]
    assert reason["unknown sku"] == f"SKU NOT-A-SKU is not on an open line of sales order {good}"
    assert reason["too many"].startswith(f"shipment has 99 of SKU {sku} but sales order {good} has only")
    assert outcome[records["good"]["shipment_id"]]["outcome"] == "created"
    assert {a["outcome"] for name, a in ((n, outcome[r["shipment_id"]]) for n, r in records.items())
            if name != "good"} == {"skipped"}
    assert len(fulfillments(netsuite, good)) == 1
    assert [len(fulfillments(netsuite, t)) for t in (closed, cancelled)] == [0, 0]


def test_order_that_reaches_netsuite_after_its_shipment_is_applied_by_a_later_sync(netsuite, tmp_path):
    item_sku = sql(netsuite, "SELECT itemid FROM item WHERE id = 3")[0]["itemid"]
    record = shipment("SO-LATE-1", [(item_sku, 2)])
    _, first = run(netsuite, tmp_path, messages([record]))
    assert first[0]["outcome"] == "skipped" and first[0]["reason"] == "no sales order with tranid SO-LATE-1"
    add_sales_order(netsuite, "SO-LATE-1", [(item_sku, 2)])
    _, second = run(netsuite, tmp_path, messages([record], state="s2"))
    assert second[0]["outcome"] == "created"
    [made] = fulfillments(netsuite, "SO-LATE-1")
    assert made["lines"] == [(1, 2)]


@pytest.mark.parametrize("auth", AUTHS)
def test_the_same_input_twice_creates_no_duplicate(netsuite, tmp_path, orders, auth):
    tranids = [orders(), orders(), orders()]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    records.append(records[0])  # a replay inside one sync too
    msgs = messages(records)
    _, first = run(netsuite, tmp_path, msgs, auth)
    _, second = run(netsuite, tmp_path, msgs, auth)
    # Parallel orders report in any order; within one order (records[0] twice) arrival order holds.
    assert sorted(a["outcome"] for a in first) == ["already_present", "created", "created", "created"]
    assert [a["outcome"] for a in first if a["key"] == records[0]["shipment_id"]] == ["created", "already_present"]
    assert [a["outcome"] for a in second] == ["already_present"] * 4
    assert [len(fulfillments(netsuite, t)) for t in tranids] == [1, 1, 1]
    assert [order_lines(netsuite, t)[0]["shipped"] for t in tranids] == [1, 1, 1]


def test_order_number_with_sql_in_it_finds_nothing(netsuite, tmp_path, orders):
    tranid = orders()
    sku = order_lines(netsuite, tranid)[0]["sku"]
    _, audit = run(netsuite, tmp_path, messages([shipment("SO1' OR '1'='1", [(sku, 1)]),
                                                 shipment(tranid + "\\' OR 1=1 --", [(sku, 1)])]))
    assert [a["outcome"] for a in audit] == ["skipped", "skipped"]
    assert audit[0]["reason"] == "no sales order with tranid SO1' OR '1'='1"
    assert fulfillments(netsuite, tranid) == []


def test_order_number_can_live_in_the_po_number_field(netsuite, tmp_path, orders):
    tranid = orders()
    po = sql(netsuite, f"""SELECT otherrefnum FROM "transaction" WHERE tranid = '{tranid}'""")[0]["otherrefnum"]
    sku = order_lines(netsuite, tranid)[0]["sku"]
    _, audit = run(netsuite, tmp_path, messages([shipment(po, [(sku, 1)])]), order_number_field="otherrefnum")
    assert audit[0]["outcome"] == "created"
    assert len(fulfillments(netsuite, tranid)) == 1


def test_state_is_passed_on_only_after_the_records_before_it_are_in_netsuite(netsuite, tmp_path, orders):
    tranids = [orders(), orders(), orders()]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    msgs = [record_message(records[0]), record_message(records[1]), state_message("a"),
            record_message(records[2]), state_message("b")]
    config = netsuite_config(netsuite.base_url, audit_file=str(tmp_path / "audit.jsonl"), batch_size=50)
    seen = []
    for state in DestinationNetsuiteFulfillment().write(config, catalog(), msgs):
        seen.append((state.state.stream.stream_state.cursor, [len(fulfillments(netsuite, t)) for t in tranids]))
    assert seen == [("a", [1, 1, 0]), ("b", [1, 1, 1])]


def test_expired_oauth2_token_mid_sync_is_renewed_and_the_sync_carries_on(netsuite, tmp_path, orders):
    tranids = [orders() for _ in range(4)]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]

    def stream():
        for n, record in enumerate(records):
            if n == 2:  # after the first batch: NetSuite says the hour is over
                control(netsuite, "revoke", {"what": "bearer_tokens"})
            yield record_message(record)
        yield state_message("done")

    states, audit = run(netsuite, tmp_path, stream(), "oauth2_client_credentials", batch_size=2)
    assert [a["outcome"] for a in audit] == ["created"] * 4
    assert len(states) == 1
    entries = requests.get(f"{netsuite.base_url}/__emulator/login-audit", timeout=10).json()["entries"]
    assert any(e["status"] == "Failure" and e["scheme"] == "Bearer" for e in entries)


def test_login_refused_mid_sync_fails_the_records_passes_no_state_and_a_rerun_applies_them(netsuite, tmp_path, orders):
    tranids = [orders(), orders()]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    control(netsuite, "revoke", {"what": "token"})
    try:
        with pytest.raises(AirbyteTracedException) as stopped:
            run(netsuite, tmp_path, messages(records))
    finally:
        control(netsuite, "restore", {})
    assert "refused the login" in stopped.value.message
    failed = outcomes(tmp_path / "audit.jsonl")
    assert [a["outcome"] for a in failed] == ["failed", "failed"]
    assert all(not fulfillments(netsuite, t) for t in tranids)
    states, audit = run(netsuite, tmp_path, messages(records))
    assert [a["outcome"] for a in audit] == ["created", "created"] and len(states) == 1


def test_parallel_requests_within_the_cap_and_one_lookup_per_batch(netsuite, tmp_path, orders):
    tranids = [orders() for _ in range(10)]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    control(netsuite, "latency", {"ms": 30})
    before = stats(netsuite)
    try:
        _, audit = run(netsuite, tmp_path, messages(records), concurrency=3)
    finally:
        control(netsuite, "latency", {"ms": 0})
    after = stats(netsuite)
    assert [a["outcome"] for a in audit] == ["created"] * 10
    assert after["requests_served"] - before["requests_served"] == 11  # 1 lookup + 10 transforms
    assert after["max_in_flight"] >= 2  # the orders really went in parallel


def test_more_parallel_requests_than_netsuite_allows_are_retried_without_duplicates(netsuite, tmp_path, orders):
    tranids = [orders() for _ in range(8)]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    control(netsuite, "concurrency", {"limit": 2})
    control(netsuite, "latency", {"ms": 40})
    before = stats(netsuite)
    try:
        _, audit = run(netsuite, tmp_path, messages(records), concurrency=6)
    finally:
        control(netsuite, "concurrency", {"limit": 5})
        control(netsuite, "latency", {"ms": 0})
    assert stats(netsuite)["responses_429"] > before["responses_429"]
    assert [a["outcome"] for a in audit] == ["created"] * 8
    assert [len(fulfillments(netsuite, t)) for t in tranids] == [1] * 8


def test_destination_killed_mid_sync_and_run_again_loses_nothing_and_duplicates_nothing(netsuite, tmp_path, orders):
    import subprocess
    import sys

    from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer

    tranids = [orders() for _ in range(12)]
    records = [shipment(t, [(order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]
    msgs = []
    for n, record in enumerate(records, start=1):
        msgs.append(record_message(record))
        if n % 3 == 0:
            msgs.append(state_message(f"after-{n}"))
    stdin = "".join(json.dumps(AirbyteMessageSerializer.dump(m)) + "\n" for m in msgs)
    config_path, catalog_path = tmp_path / "config.json", tmp_path / "catalog.json"
    config_path.write_text(json.dumps(netsuite_config(netsuite.base_url, audit_file=str(tmp_path / "audit.jsonl"),
                                                      batch_size=3, concurrency=1)))
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog())))
    command = [str(Path(sys.executable).with_name("destination-netsuite-fulfillment")), "write",
               "--config", str(config_path), "--catalog", str(catalog_path)]

    control(netsuite, "latency", {"ms": 60})  # slow enough to be killed between two batches
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        process.stdin.write(stdin)
        process.stdin.close()
        for line in process.stdout:
            if '"type":"STATE"' in line.replace(" ", ""):
                process.kill()  # after the first confirmed batch, mid-way through the next
                break
        process.wait(timeout=30)
    finally:
        control(netsuite, "latency", {"ms": 0})
    made_before = sum(len(fulfillments(netsuite, t)) for t in tranids)
    assert 3 <= made_before < 12

    rerun = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    states = [line for line in rerun.stdout.splitlines() if '"type":"STATE"' in line.replace(" ", "")]
    assert len(states) == 4
    assert [len(fulfillments(netsuite, t)) for t in tranids] == [1] * 12
    second = outcomes(tmp_path / "audit.jsonl")[-12:]
    assert sorted({a["outcome"] for a in second}) == ["already_present", "created"]
    assert sum(a["outcome"] == "already_present" for a in second) == made_before
