"""destination-netsuite-fulfillment end to end against the NetSuite emulator."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
from emulators.configs import netsuite_config
from emulators.netsuite import start_emulator
from emulators.fulfillment_testkit import (shipment, voided, record_message, state_message, messages, catalog, sql,
                                           control, stats, order_lines, fulfillments, order_status, unused_orders,
                                           add_sales_order, set_order_status, outcomes)

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
