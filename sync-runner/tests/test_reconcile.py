"""`sync-runner reconcile` against the NetSuite and ShipStation emulators: after both syncs ran through the runner,
the report names the shipped-but-not-fulfilled orders (with the audit's last word), the fulfillment whose label
was voided and the one stock level made to differ, stays within its period, and writes to neither system."""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, timedelta

import pytest
import requests

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators import fulfillment_testkit as kit  # noqa: E402
from emulators.configs import emulator_credentials  # noqa: E402

from sync_runner.cli import main  # noqa: E402
from sync_runner.config import ConfigError, load_config  # noqa: E402
from sync_runner.reconcile import Period, latest_report, run_reconcile  # noqa: E402
from sync_runner.runner import run_once  # noqa: E402


def emulator_today(ss) -> date:
    return date.fromisoformat(requests.get(f"{ss.base_url}/__emulator/state", timeout=10).json()["now"][:10])


def shipstation_calls(ss) -> dict[str, int]:
    return dict(kit.stats(ss).get("v2_calls", {}))


def calls_made(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {route: n - before.get(route, 0) for route, n in after.items() if n != before.get(route, 0)}


def netsuite_stock_row(ns) -> dict:
    [row] = ns.backend.db.select(
        "SELECT i.itemid AS sku, l.name AS location, s.quantityavailable AS available FROM inventoryitemlocations s "
        "JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location "
        "WHERE s.quantityavailable > 5 ORDER BY i.itemid, l.name LIMIT 1")
    return row


def quiet(text: str) -> None:
    pass


def test_reconcile_reports_what_differs_within_its_period_and_writes_nothing(world, capsys):
    ns, ss, config, secrets = world
    closed, applied, voided_later, never_synced, long_ago = kit.unused_orders(ns)[:5]
    kit.set_order_status(ns, closed, "H")  # closed in NetSuite by mistake: sync 1 skips its label
    closed_label = kit.control(ss, "labels", {"order_number": closed})
    kit.control(ss, "clock/advance", {"seconds": 60})
    kit.control(ss, "labels", {"order_number": applied})
    voided_label = kit.control(ss, "labels", {"order_number": voided_later})
    summary = run_once(load_config(config), "shipments_to_netsuite", progress=quiet)
    assert summary.outcomes == {"created": 2, "skipped": 1}

    # After the sync: a label voided (its fulfillment stays until a sync reads the void), a label no sync has
    # read yet, and one bought long before the period that no sync read either.
    kit.control(ss, "void", {"shipment_id": voided_label["v2_shipment_id"]})
    unsynced_label = kit.control(ss, "labels", {"order_number": never_synced})
    today = emulator_today(ss)
    kit.control(ss, "labels", {"order_number": long_ago,
                               "create_date": f"{today - timedelta(days=40)}T12:00:00Z"})
    [made] = kit.fulfillments(ns, voided_later)

    # Stock: sync 2 makes ShipStation equal to NetSuite, then one level changes in NetSuite.
    run_once(load_config(config), "stock_to_shipstation", progress=quiet)
    changed = netsuite_stock_row(ns)
    kit.set_available(ns, changed["sku"], changed["location"], changed["available"] - 5)

    shipstation_before, netsuite_version = shipstation_calls(ss), ns.backend.db.version
    netsuite_served = ns.backend.stats()["requests_served"]
    period = [str(today - timedelta(days=1)), str(today + timedelta(days=1))]
    assert main(["reconcile", "--config", str(config), "--from", period[0], "--to", period[1]]) == 0
    printed = capsys.readouterr()
    assert not any(secret in printed.out + printed.err for secret in secrets)

    # Read only: ShipStation saw GETs alone, NetSuite's data did not change (every write bumps its version)
    # though it answered the queries.
    made_calls = calls_made(shipstation_before, shipstation_calls(ss))
    assert made_calls and all(route.startswith("GET ") for route in made_calls), made_calls
    assert ns.backend.db.version == netsuite_version
    assert ns.backend.stats()["requests_served"] > netsuite_served

    report = latest_report(load_config(config).state_dir)
    assert report is not None and f"report: {report['files']['report.html']}" in printed.out
    assert report["errors"] == [] and report["period"]["from"] == period[0]
    sections = report["sections"]

    # (a) shipped, no fulfillment: the skipped one with the audit's reason, the unsynced one with no audit word;
    # the label of 40 days ago is outside the period.
    missing = {row["order_number"]: row for row in sections["shipped_not_fulfilled"]}
    assert set(missing) == {closed, never_synced}
    assert missing[closed]["shipment_id"] == closed_label["v2_shipment_id"]
    assert missing[closed]["audit_outcome"] == "skipped" and "closed" in missing[closed]["audit_reason"]
    assert missing[never_synced]["audit_outcome"] is None
    assert missing[never_synced]["tracking_numbers"] == " ".join(unsynced_label["tracking_numbers"])
    assert missing[never_synced]["external_id"] == f"ss-{unsynced_label['v2_shipment_id']}"

    # (b) the voided label's fulfillment, which the sync made and which is still in NetSuite.
    [voided] = sections["voided_with_fulfillment"]
    assert voided["shipment_id"] == voided_label["v2_shipment_id"] and voided["order_number"] == voided_later
    assert voided["fulfillment_id"] == str(made["id"]) and voided["sales_order"] == voided_later
    assert voided["audit_outcome"] == "created"

    # (c) the one level that differs, by how much.
    [difference] = sections["stock_differences"]
    assert (difference["sku"], difference["netsuite_location"]) == (changed["sku"], changed["location"])
    assert difference["netsuite_quantity"] == changed["available"] - 5
    assert difference["shipstation_on_hand"] == changed["available"] and difference["difference"] == 5

    totals = report["totals"]
    assert totals["shipments_in_period"] == 4 and totals["voided"] == 1
    assert totals["shipped"] == 3 and totals["recorded_in_netsuite"] == 1
    assert totals["shipped_not_fulfilled"] == 2 and totals["voided_with_fulfillment"] == 1
    assert totals["stock_differences"] == 1 and totals["stock_units_apart"] == 5

    # The three files say the same, and none holds a secret.
    folder_files = report["files"]
    texts = {name: open(path, encoding="utf-8").read() for name, path in folder_files.items()}
    assert not any(secret in text for text in texts.values() for secret in secrets)
    rows = list(csv.DictReader(io.StringIO(texts["report.csv"])))
    assert sorted(r["section"] for r in rows) == ["shipped_not_fulfilled"] * 2 + ["stock_differences"] + \
        ["voided_with_fulfillment"]
    html = texts["report.html"]
    assert "<script" not in html and closed in html and changed["sku"] in html
    assert html.index("Totals") < html.index("Shipped in ShipStation, no item fulfillment")
    assert json.loads(texts["report.json"])["totals"] == totals


def test_a_refused_login_is_named_in_the_report_without_a_secret(world, capsys):
    ns, ss, config, secrets = world
    kit.control(ss, "labels", {"order_number": kit.unused_orders(ns)[0]})  # a shipment to look for in NetSuite
    kit.control(ns, "revoke", {"what": "token"})  # the NetSuite admin revoked the runner's token
    today = emulator_today(ss)
    assert main(["reconcile", "--config", str(config), "--from", str(today - timedelta(days=1)),
                 "--to", str(today)]) == 1
    printed = capsys.readouterr()
    assert "reconcile could not read shipments" in printed.err
    assert not any(secret in printed.out + printed.err for secret in secrets)
    report = latest_report(load_config(config).state_dir)
    assert {e["section"] for e in report["errors"]} == {"shipments", "stock"}
    # A section that could not be read has no count: a 0 would read as "nothing to worry about".
    assert "shipped_not_fulfilled" not in report["totals"] and "stock_differences" not in report["totals"]
    html = open(report["files"]["report.html"], encoding="utf-8").read()
    assert "Not complete" in html and not any(secret in html for secret in secrets)


def test_reports_go_to_the_folder_asked_for_and_the_latest_is_the_newest(world, tmp_path):
    ns, ss, config, secrets = world
    out = tmp_path / "elsewhere" / "reconcile"
    first = run_reconcile(load_config(config), "2026-11-01", "2026-11-30", out_dir=out)
    second = run_reconcile(str(config), date(2026, 11, 1), date(2026, 11, 30), out_dir=out)
    assert first.parent == second.parent == out and first != second
    assert sorted(p.name for p in second.iterdir()) == ["report.csv", "report.html", "report.json"]
    (out / "99999999T999999Z.partial").mkdir()  # a report being written is never "the latest"
    assert latest_report(tmp_path / "elsewhere")["folder"] == str(second)
    assert latest_report(load_config(config).state_dir) is None  # nothing was written under the state directory


def test_the_period_is_whole_utc_days_both_included():
    november = Period.of("2026-11-01", "2026-11-30")
    assert (november.start.isoformat(), november.end.isoformat()) == \
        ("2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00")
    instant = Period.of("2026-11-01T08:00:00-08:00", "2026-11-02T00:00:00Z")
    assert instant.start.isoformat() == "2026-11-01T16:00:00+00:00"
    with pytest.raises(ConfigError, match="before it starts"):
        Period.of("2026-11-30", "2026-11-01")
    with pytest.raises(ConfigError, match="not a date"):
        Period.of("last month", "2026-11-01")


def test_a_config_without_the_stock_connection_reports_the_shipments_only(world, tmp_path):
    ns, ss, config, secrets = world
    only_shipments = tmp_path / "only-shipments.yaml"
    only_shipments.write_text(config.read_text().split("  stock_to_shipstation:")[0])
    folder = run_reconcile(only_shipments, "2026-11-01", "2026-11-30")
    report = json.loads((folder / "report.json").read_text())
    assert report["errors"] == [] and "stock_differences" in report["skipped_sections"]
    assert "stock_differences" not in report["totals"]
    assert report["connections"] == {"shipments": "shipments_to_netsuite"}


def test_v1_extra_package_labels_and_label_less_shipments(world, monkeypatch):
    """A v1 account: a multi-package label is one row per package, the items on the first only; the extra
    package joins its sibling's fulfillment, so it is missing only when that one is. An order marked shipped
    without a label (a v1 fulfillment) is a shipment too."""
    ns, ss, config, secrets = world
    credentials = emulator_credentials(ss.base_url)
    monkeypatch.setenv("SS_V1_KEY", credentials["v1_api_key"])
    monkeypatch.setenv("SS_V1_SECRET", credentials["v1_api_secret"])
    v2_source = 'credentials: {api_version: v2, api_key: "${SS_V2_KEY}"}\n    destination:\n      connector: ' \
                'destination-netsuite-fulfillment'
    text = config.read_text()
    assert text.count(v2_source) == 1
    config.write_text(text.replace(v2_source, v2_source.replace(
        'api_version: v2, api_key: "${SS_V2_KEY}"',
        'api_version: v1, api_key: "${SS_V1_KEY}", api_secret: "${SS_V1_SECRET}"')))
    synced, unsynced, marked = kit.unused_orders(ns)[:3]
    kit.control(ss, "labels", {"order_number": synced, "packages": 2})
    assert run_once(load_config(config), "shipments_to_netsuite", progress=quiet).outcomes == \
        {"created": 1, "updated": 1}
    late = kit.control(ss, "labels", {"order_number": unsynced, "packages": 2})
    kit.control(ss, "mark-shipped", {"order_number": marked, "carrier_code": "ups", "tracking_number": "1ZMARKED"})

    today = emulator_today(ss)
    folder = run_reconcile(load_config(config), today - timedelta(days=1), today + timedelta(days=1))
    report = json.loads((folder / "report.json").read_text())
    assert report["errors"] == []
    missing = {row["shipment_id"]: row for row in report["sections"]["shipped_not_fulfilled"]}
    items_label, extra_label = (str(i) for i in late["v1_shipment_ids"])
    assert set(missing) == {items_label, extra_label} | {k for k in missing if k.startswith("fulfillment-")}
    assert missing[items_label]["note"] is None and "extra package" in missing[extra_label]["note"]
    [label_less] = [row for row in missing.values() if row["kind"] == "fulfillment"]
    assert label_less["order_number"] == marked and label_less["tracking_numbers"] == "1ZMARKED"
    assert report["totals"]["shipments_in_period"] == 5 and report["totals"]["recorded_in_netsuite"] == 2


def test_without_the_connector_packages_it_says_what_to_install(tmp_path, monkeypatch, capsys):
    from sync_runner import reconcile

    monkeypatch.setattr(reconcile, "NEEDED_MODULES", (("no_such_connector_package",),))
    config = tmp_path / "runner.yaml"
    config.write_text("connections:\n  c:\n    streams: [shipments]\n    source: {connector: source-shipstation}\n"
                      "    destination: {connector: destination-netsuite-fulfillment}\n")
    assert main(["reconcile", "--config", str(config), "--from", "2026-11-01", "--to", "2026-11-30"]) == 2
    err = capsys.readouterr().err
    assert "no_such_connector_package is not installed" in err and "make dist" in err
    assert not (tmp_path / ".sync-runner" / "reconcile").exists()


def test_the_html_escapes_what_the_systems_hold():
    from sync_runner.reconcile_report import to_csv, to_html

    hostile = "<script>alert(1)</script>"
    report = {"period": {"from": "2026-11-01", "to": "2026-11-30", "start": "2026-11-01T00:00:00Z",
                         "end": "2026-12-01T00:00:00Z"}, "generated_at": "2026-12-01T08:00:00Z",
              "totals": {"shipped_not_fulfilled": 1}, "errors": [{"section": "stock", "message": hostile}],
              "sections": {"shipped_not_fulfilled": [{"shipment_id": "1", "order_number": hostile}],
                           "voided_with_fulfillment": [],
                           "stock_differences": [{"sku": "=HYPERLINK(\"x\")", "difference": -3}]}}
    html = to_html(report)
    assert "<script" not in html and "&lt;script&gt;" in html
    lines = to_csv(report).splitlines()
    assert lines[1].startswith("shipped_not_fulfilled,1,,<script>")
    # A value that a spreadsheet would run as a formula stays text; numbers stay numbers.
    assert lines[2].startswith("stock_differences,") and "'=HYPERLINK" in lines[2] and lines[2].endswith(",-3")
