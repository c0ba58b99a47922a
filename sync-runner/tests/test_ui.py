"""The operations page as a browser sees it (Starlette's test client; the real browser is test_ui_browser.py):
what each view shows, that secrets never appear, and who may see it or change anything."""
from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from sync_runner.audit_store import AuditStore
from sync_runner.config import parse_config
from sync_runner.connection import RunSummary
from sync_runner.ui.app import Page, build_app
from sync_runner.ui.data import load_for_page
from sync_runner.ui.security import Guard

SECRET = "sEcReT-v2-key-123456"
CONFIG = {"connections": {
    "shipments_to_netsuite": {"streams": ["shipments"], "schedule": "15m",
                              "source": {"connector": "source-shipstation",
                                         "config": {"credentials": {"api_version": "v2", "api_key": SECRET}}},
                              "destination": {"connector": "destination-netsuite-fulfillment",
                                              "config": {"account_id": "123",
                                                         "credentials": {"token_secret": "tok-secret-9"}}}},
    "stock_to_shipstation": {"streams": ["stock"], "source": {"connector": "source-netsuite-inventory"},
                             "destination": {"connector": "destination-shipstation-inventory"}}},
    "state_dir": "state"}
LOCAL = "http://127.0.0.1:8765"


class FakeRunner:
    def __init__(self, store: AuditStore) -> None:
        self.store, self.calls = store, []

    def replay_shipments(self, name, keys, since=None):
        self.calls.append(("replay", name, list(keys)))
        audit = [{"at": "2026-12-01T09:00:00+00:00", "stream": "shipments", "key": k, "outcome": "created",
                  "order_number": "SO101", "fulfillment_id": "99"} for k in keys]
        self.store.ingest(name, audit, 2.0, len(keys), {"created": len(keys)}, kind="targeted replay")
        return RunSummary(name, len(keys), {"created": len(keys)}, None, 2.0, audit)

    def run(self, name, since=None):
        self.calls.append(("run", name))
        return RunSummary(name, 0, {}, None, 1.0, [])


@pytest.fixture()
def setup(tmp_path):
    config = parse_config(CONFIG, tmp_path)
    store = AuditStore.for_state_dir(config.state_dir)
    store.ingest("shipments_to_netsuite", [
        {"at": "2026-11-30T10:00:00+00:00", "stream": "shipments", "key": f"se-{n}", "outcome": "created",
         "order_number": f"SO{n}", "tracking_numbers": [f"1Z{n}"], "lines": [{"sku": "MUG-1", "quantity": 1}]}
        for n in range(120)] + [
        {"at": "2026-11-30T10:00:00+00:00", "stream": "shipments", "key": "se-500", "outcome": "skipped",
         "order_number": "SO101", "reason": f"no sales order with tranid SO101 (asked with {SECRET})"},
        {"at": "2026-11-30T10:00:00+00:00", "stream": "shipments", "key": "se-501", "outcome": "skipped",
         "order_number": "SO102", "reason": "the order is closed"},
        {"at": "2026-11-30T10:00:00+00:00", "stream": "shipments", "key": "se-502", "outcome": "skipped",
         "order_number": "SO103", "reason": f"no sales order with tranid SO103 (asked with {SECRET})"}],
        seconds=5.0, records_read=123, outcomes={"created": 120, "skipped": 3})
    store.ingest("stock_to_shipstation", [
        {"at": "2026-11-30T11:00:00+00:00", "stream": "stock", "key": "MUG-1 @ Main", "outcome": "updated",
         "quantity": 40, "previous": 4}], seconds=2.0, records_read=1, outcomes={"updated": 1})
    runner = FakeRunner(store)
    page = Page(config, runner=runner)
    return TestClient(build_app(page), base_url=LOCAL), page, runner, config


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_every_view_answers_and_no_secret_appears(setup):
    client, *_ = setup
    for url in ("/", "/runs/1", "/runs/1?page=3", "/search?q=SO101", "/search?q=MUG-1", "/attention", "/charts"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.text and "tok-secret-9" not in response.text, url
    assert "****" in client.get("/").text  # the config is shown masked


def test_connections_show_last_runs_schedule_and_the_latest_reconciliation(setup):
    client, page, _, config = setup
    reports = config.state_dir / "reconcile" / "2026-11"
    reports.mkdir(parents=True)
    (reports / "report.html").write_text("<h1>November</h1>")
    (reports / "report.csv").write_text("a,b\n")
    html = client.get("/").text
    assert "every 15 minutes" in html and "120 created" in html and "manual" in html
    assert "/reconcile/2026-11/report.html" in html
    assert client.get("/reconcile/2026-11/report.html").text == "<h1>November</h1>"
    assert client.get("/reconcile/../audit.sqlite3").status_code == 404


def test_a_run_is_paginated_and_a_search_shows_the_whole_history(setup):
    client, *_ = setup
    html = client.get("/runs/1?page=3").text
    assert "page 3 of 3" in html and "previous" in html
    assert "se-99<" not in html and "se-100<" in html and "se-502" in html
    html = client.get("/search?q=so101").text
    assert "no sales order with tranid SO101" in html and "latest:" in html


def test_apply_again_is_a_post_with_a_csrf_token_and_shows_the_outcomes(setup):
    client, page, runner, _ = setup
    html = client.get("/attention").text
    # Grouped by cause: the two missing orders together, each with its own reason.
    assert re.search(r"no sales order with tranid … \(asked with …\) <span[^>]*>shipments_to_netsuite · 2 records",
                     html)
    assert "the order is closed" in html and "no sales order with tranid SO103" in html
    form = {"scope": "one", "connection": "shipments_to_netsuite", "key": "se-500"}
    assert client.post("/attention/apply", data=form).status_code == 403  # no token
    assert client.post("/attention/apply", data={**form, "csrf": csrf_of(html)},
                       headers={"origin": "https://evil.example"}).status_code == 403
    response = client.post("/attention/apply", data={**form, "csrf": csrf_of(html)})
    assert response.status_code == 200 and 'class="outcome ok">created' in response.text
    assert runner.calls == [("replay", "shipments_to_netsuite", ["se-500"])]
    assert "se-500" not in client.get("/attention").text and "se-501" in client.get("/attention").text

    client.post("/attention/apply", data={"scope": "group", "connection": "shipments_to_netsuite",
                                          "reason": "the order is closed", "csrf": csrf_of(html)})
    assert runner.calls[-1] == ("replay", "shipments_to_netsuite", ["se-501"])
    client.post("/attention/apply", data={"scope": "all", "csrf": csrf_of(html)})
    assert runner.calls[-1] == ("replay", "shipments_to_netsuite", ["se-502"])
    assert "Nothing needs attention" in client.get("/attention").text


def test_only_loopback_names_without_a_token(setup):
    client, page, *_ = setup
    assert client.get("/", headers={"host": "rebound.example:8765"}).status_code == 421
    with pytest.raises(ValueError):
        Guard(None, token=None, loopback_only=False)  # never beyond this machine without a token
    remote = TestClient(build_app(page, token="t0k", loopback_only=False), base_url="http://10.0.0.5:8765")
    assert remote.get("/").status_code == 401
    first = remote.get("/search?q=SO1&token=t0k", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    assert remote.get(first.headers["location"]).status_code == 200  # the cookie carries it on


def test_a_config_whose_variables_are_unset_still_shows_the_runs_but_applies_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("UNSET_KEY", raising=False)
    path = tmp_path / "runner.yaml"
    path.write_text("state_dir: state\nconnections:\n  c:\n    streams: [shipments]\n    source: {connector: "
                    "source-shipstation, config: {api_key: '${UNSET_KEY}'}}\n    destination: {connector: d}\n")
    config, missing = load_for_page(path)
    assert missing == {"UNSET_KEY"}
    AuditStore.for_state_dir(config.state_dir).ingest("c", [
        {"stream": "shipments", "key": "se-1", "outcome": "failed", "reason": "NetSuite answered 500"}],
        1.0, 1, {"failed": 1})
    client = TestClient(build_app(Page(config, missing)), base_url=LOCAL)
    html = client.get("/attention").text
    assert "UNSET_KEY" in html and "disabled" in html
    response = client.post("/attention/apply", data={"scope": "all", "csrf": csrf_of(html)})
    assert response.status_code == 409


def test_served_beyond_loopback_the_page_needs_the_printed_token(setup):
    import socket

    import requests

    from sync_runner.ui.serve import UiServer

    _, page, *_ = setup
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = UiServer(page, host="0.0.0.0", port=port).start()
    try:
        assert server.token and server.address.endswith(f"?token={server.token}")
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 401
        with requests.Session() as browser:
            answer = browser.get(f"http://127.0.0.1:{port}/?token={server.token}", timeout=10)
            assert answer.status_code == 200 and "Connections" in answer.text
            assert "token=" not in answer.url  # taken out of the address bar at once
    finally:
        server.stop()
    assert UiServer(page, host="127.0.0.1", port=port).token is None


def test_a_new_reconciliation_runs_from_the_page_and_becomes_the_latest(setup, monkeypatch):
    import json

    client, page, _, config = setup
    asked = []

    def fake_run_reconcile(cfg, start, end, out_dir=None, progress=None):
        asked.append((start, end))
        folder = cfg.state_dir / "reconcile" / "20261201T090000Z"
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("<h1>report</h1>")
        (folder / "report.json").write_text(json.dumps({"generated_at": "2026-12-01T09:00:00Z", "errors": [],
                                                        "totals": {"shipped_not_fulfilled": 1}}))
        return folder

    monkeypatch.setattr("sync_runner.reconcile.run_reconcile", fake_run_reconcile)
    html = client.get("/").text
    assert "No report yet" in html
    form = {"from": "2026-11-01", "to": "2026-11-30", "csrf": csrf_of(html)}
    assert client.post("/reconcile/run", data={**form, "csrf": "stale"}).status_code == 403
    answer = client.post("/reconcile/run", data=form)
    assert answer.status_code == 200 and asked == [("2026-11-01", "2026-11-30")]
    assert "20261201T090000Z" in answer.text and "totals: shipped_not_fulfilled" in answer.text
    assert "/reconcile/20261201T090000Z/report.html" in answer.text
