"""Both connections run by `sync-runner run` through PyAirbyte and the installed connector commands, against the
NetSuite and ShipStation emulators sharing one generated merchant; what changed is read from the emulators."""
from __future__ import annotations

import os

import pytest
import requests

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators import fulfillment_testkit as kit  # noqa: E402

from sync_runner.cli import main  # noqa: E402
from sync_runner.config import load_config  # noqa: E402
from sync_runner.runner import run_once  # noqa: E402

def run_cli(capsys, config, connection: str, secrets: list[str]) -> str:
    assert main(["run", connection, "--config", str(config)]) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert not any(secret in printed for secret in secrets)
    return captured.out


def netsuite_stock(ns) -> dict[tuple[str, str], int]:
    rows = ns.backend.db.select(
        "SELECT i.itemid AS sku, l.name AS loc, s.quantityavailable AS quantity FROM inventoryitemlocations s "
        "JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location")
    return {(r["sku"], r["loc"]): r["quantity"] for r in rows}


def shipstation_stock(ss) -> dict[tuple[str, str], int]:
    state = requests.get(f"{ss.base_url}/__emulator/state", timeout=10).json()
    return {(lv["sku"], lv["warehouse_name"]): lv["on_hand"] for lv in state["inventory"]}


def inventory_posts(ss) -> int:
    return kit.stats(ss).get("v2_calls", {}).get("POST /v2/inventory", 0)


def summary_line(out: str) -> dict[str, int]:
    """The outcome counts of the `summary:` line the command prints last."""
    [line] = [ln for ln in out.splitlines() if ln.startswith("summary: ")]
    counts = line.split("records read, ", 1)[1].split(" in ", 1)[0]
    return {} if counts == "no records applied" else \
        {kind: int(n) for n, kind in (part.split(" ", 1) for part in counts.split(", "))}


def test_stock_reaches_shipstation_and_a_second_run_writes_nothing(world, capsys):
    ns, ss, config, secrets = world
    drifted = {k for k, v in netsuite_stock(ns).items() if shipstation_stock(ss).get(k) != v}
    assert drifted  # the generated merchant's ShipStation stock has drifted from NetSuite's

    out = run_cli(capsys, config, "stock_to_shipstation", secrets)
    assert {k: shipstation_stock(ss).get(k) for k in netsuite_stock(ns)} == netsuite_stock(ns)
    assert summary_line(out)["updated"] == len(drifted) == inventory_posts(ss)
    assert "reading and writing" in out and "audit of this run" in out  # progress, then audit and summary

    posts = inventory_posts(ss)
    out = run_cli(capsys, config, "stock_to_shipstation", secrets)
    assert inventory_posts(ss) == posts  # nothing differs, nothing is written
    assert set(summary_line(out)) == {"unchanged"}


def test_a_label_becomes_a_fulfillment_and_the_next_run_resumes_from_the_saved_state(world, capsys):
    ns, ss, config, secrets = world
    first, second = kit.unused_orders(ns)[:2]
    kit.control(ss, "labels", {"order_number": first})
    kit.control(ss, "clock/advance", {"seconds": 3600})
    label = kit.control(ss, "labels", {"order_number": second})

    out = run_cli(capsys, config, "shipments_to_netsuite", secrets)
    assert summary_line(out) == {"created": 2}
    [made] = kit.fulfillments(ns, second)
    assert made["packages"] == label["tracking_numbers"] and made["shipstatus"] == "C"
    assert len(kit.fulfillments(ns, first)) == 1

    summary = run_once(load_config(config), "shipments_to_netsuite", progress=lambda text: None)
    # The state kept in DuckDB makes the source start at the last label read (inclusive, no lookback here):
    # the older label is not read again, and the one re-read is recognised, not created twice.
    assert summary.records_read == 1
    assert summary.outcomes == {"already_present": 1}
    assert [len(kit.fulfillments(ns, n)) for n in (first, second)] == [1, 1]


def test_a_failed_run_says_so_without_showing_a_secret(world, capsys):
    ns, ss, config, secrets = world
    kit.control(ns, "revoke", {"what": "token"})  # the NetSuite admin revoked the runner's token
    assert main(["run", "stock_to_shipstation", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "stock_to_shipstation failed" in captured.err
    assert not any(secret in captured.out + captured.err for secret in secrets)


def test_a_replay_applies_what_an_earlier_run_skipped_and_never_duplicates(world, capsys):
    ns, ss, config, secrets = world
    closed, other = kit.unused_orders(ns)[:2]
    kit.set_order_status(ns, closed, "H")  # closed in NetSuite by mistake when the label is printed
    kit.control(ss, "labels", {"order_number": closed})
    kit.control(ss, "clock/advance", {"seconds": 3600})
    kit.control(ss, "labels", {"order_number": other})
    out = run_cli(capsys, config, "shipments_to_netsuite", secrets)
    assert summary_line(out) == {"created": 1, "skipped": 1}

    kit.set_order_status(ns, closed, "B")  # reopened; the label is now behind the saved state
    out = run_cli(capsys, config, "shipments_to_netsuite", secrets)
    assert kit.fulfillments(ns, closed) == []  # a normal run does not go back for it

    saved_state = load_config(config).state_dir / "shipments_to_netsuite" / "state.duckdb"
    before = saved_state.read_bytes()
    assert main(["run", "shipments_to_netsuite", "--config", str(config), "--since", "2000-01-01"]) == 0
    out = capsys.readouterr().out
    assert saved_state.read_bytes() == before  # the replay kept its state apart
    assert "replay from 2000-01-01T00:00:00Z" in out
    assert summary_line(out) == {"created": 1, "already_present": 1}
    assert len(kit.fulfillments(ns, closed)) == 1 and len(kit.fulfillments(ns, other)) == 1

    # The saved state was left alone: the next normal run reads what it would have, and nothing is made twice.
    summary = run_once(load_config(config), "shipments_to_netsuite", progress=lambda text: None)
    assert summary.outcomes.get("created", 0) == 0
    assert [len(kit.fulfillments(ns, n)) for n in (closed, other)] == [1, 1]
