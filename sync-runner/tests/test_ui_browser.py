"""The operations page in a real browser (Chromium from Debian's packages, driven by Playwright), with JavaScript
off, against a runner that has run both syncs on the emulators: a person opens it, finds an order, fixes a
skipped shipment's cause in NetSuite, applies it again and sees it turn green. Screenshots of each view are kept
in build/ui-screenshots/."""
from __future__ import annotations

import os
import re
import shutil
from datetime import date, timedelta
import socket
import warnings
from pathlib import Path

import pytest
import requests

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HOW_TO_INSTALL = ("the browser tests need Chromium and Playwright: apt-get install -y chromium chromium-driver "
                  "(as root) and pip install -r requirements-dev.txt (Playwright is pointed at the system "
                  "Chromium; no `playwright install` needed)")


def skip_saying_how_to_install() -> None:
    # A warning as well as the skip: `make test` prints the warnings summary, not skip reasons (no -rs).
    warnings.warn(f"browser tests skipped: {HOW_TO_INSTALL}", UserWarning, stacklevel=2)
    pytest.skip(HOW_TO_INSTALL, allow_module_level=True)


try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    skip_saying_how_to_install()
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    skip_saying_how_to_install()

from emulators import fulfillment_testkit as kit  # noqa: E402

from sync_runner.config import load_config  # noqa: E402
from sync_runner.runner import Runner  # noqa: E402
from sync_runner.ui.app import Page  # noqa: E402
from sync_runner.ui.serve import UiServer  # noqa: E402

SHOTS = Path(__file__).resolve().parents[2] / "build" / "ui-screenshots"
APPLY_TIMEOUT_MS = 180_000  # a targeted replay starts two connector processes through PyAirbyte


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def synced(world):
    """Both syncs run by the runner: stock first, then two labels, one on an order closed in NetSuite (skipped)."""
    ns, ss, config, secrets = world
    closed, shipped = kit.unused_orders(ns)[:2]
    kit.set_order_status(ns, closed, "H")  # closed by mistake when its label is printed
    skipped_label = kit.control(ss, "labels", {"order_number": closed})
    label = kit.control(ss, "labels", {"order_number": shipped})
    runner = Runner(load_config(config), progress=lambda text: None)
    runner.run("stock_to_shipstation")
    summary = runner.run("shipments_to_netsuite")
    assert summary.outcomes == {"created": 1, "skipped": 1}
    server = UiServer(Page(load_config(config)), port=free_port()).start()
    try:
        yield {"ns": ns, "ss": ss, "url": server.url, "closed": closed, "shipped": shipped, "label": label,
               "skipped_label": skipped_label, "secrets": secrets}
    finally:
        server.stop()


@pytest.fixture()
def browser_page():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=["--no-sandbox"])
        try:
            # JavaScript off: everything a person does here works without it.
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


def no_secret(page, secrets) -> None:
    html = page.content()
    assert not any(secret in html for secret in secrets)


def test_find_an_order_apply_a_fixed_shipment_again_and_see_it_turn_green(synced, browser_page):
    page, secrets = browser_page, synced["secrets"]

    page.goto(synced["url"])
    expect(page.locator("#connection-shipments_to_netsuite")).to_contain_text("1 created")
    expect(page.locator("#connection-stock_to_shipstation")).to_contain_text("records")
    page.get_by_text("Config (secrets masked)").first.click()
    no_secret(page, secrets)
    page.screenshot(path=SHOTS / "connections.png", full_page=True)

    page.locator("#connection-shipments_to_netsuite a[href^='/runs/']").first.click()
    expect(page.locator("h1")).to_contain_text("shipments_to_netsuite")
    expect(page.locator("main")).to_contain_text("records read")
    page.screenshot(path=SHOTS / "run.png", full_page=True)

    page.get_by_placeholder("Order, shipment, SKU or fulfillment").fill(synced["shipped"])
    page.get_by_role("button", name="Search").first.click()
    history = page.locator("section.history").first
    expect(history).to_contain_text("created")
    expect(history).to_contain_text(synced["label"]["tracking_numbers"][0])
    page.screenshot(path=SHOTS / "search.png", full_page=True)

    page.get_by_role("link", name="Needs attention", exact=True).click()
    row = page.locator("tr.record", has_text=synced["closed"])
    expect(row).to_contain_text("skipped")
    page.screenshot(path=SHOTS / "attention.png", full_page=True)

    kit.set_order_status(synced["ns"], synced["closed"], "B")  # the order is reopened in NetSuite
    row.get_by_role("button", name="Apply again").click(timeout=APPLY_TIMEOUT_MS)
    page.wait_for_selector("h1:has-text('Applied again')", timeout=APPLY_TIMEOUT_MS)
    applied = page.locator("section.applied tr.record", has_text=synced["closed"])
    expect(applied.locator(".outcome")).to_have_text("created")
    expect(applied.locator(".outcome")).to_have_class("outcome ok")  # green
    expect(page.locator("section.applied")).to_contain_text("Nothing of these needs attention any more")
    page.screenshot(path=SHOTS / "applied.png", full_page=True)
    assert len(kit.fulfillments(synced["ns"], synced["closed"])) == 1

    page.get_by_role("link", name="Needs attention", exact=True).click()
    expect(page.locator("tr.record", has_text=synced["closed"])).to_have_count(0)
    page.get_by_placeholder("Order, shipment, SKU or fulfillment").fill(synced["closed"])
    page.get_by_role("button", name="Search").first.click()
    latest = page.locator("section.history h2").first
    expect(latest.locator(".outcome")).to_have_text("created")
    expect(latest.locator(".outcome")).to_have_class("outcome ok")
    no_secret(page, secrets)

    page.get_by_role("link", name="Charts", exact=True).click()
    expect(page.locator("#per-day svg")).to_have_count(1)
    expect(page.locator("#drift svg")).to_have_count(1)
    page.screenshot(path=SHOTS / "charts.png", full_page=True)


def test_run_a_reconciliation_and_open_it(synced, browser_page):
    """A controller's month end: the skipped shipment is shipped but not in NetSuite, and one stock level that
    changed in NetSuite after the stock sync differs by 5."""
    page, ns = browser_page, synced["ns"]
    [level] = ns.backend.db.select(
        "SELECT i.itemid AS sku, l.name AS location, s.quantityavailable AS available FROM inventoryitemlocations s "
        "JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location "
        "WHERE s.quantityavailable > 5 ORDER BY i.itemid, l.name LIMIT 1")
    kit.set_available(ns, level["sku"], level["location"], level["available"] - 5)
    today = date.fromisoformat(requests.get(f"{synced['ss'].base_url}/__emulator/state", timeout=10).json()["now"][:10])

    page.goto(synced["url"])
    section = page.locator("#reconciliation")
    expect(section).to_contain_text("No report yet")
    section.locator("input[name=from]").fill(str(today - timedelta(days=1)))
    section.locator("input[name=to]").fill(str(today + timedelta(days=1)))
    section.get_by_role("button", name="Run a new reconciliation").click(timeout=APPLY_TIMEOUT_MS)
    expect(section).to_contain_text("totals: shipped_not_fulfilled", timeout=APPLY_TIMEOUT_MS)
    page.screenshot(path=SHOTS / "reconciliation-latest.png", full_page=True)

    section.get_by_role("link", name=re.compile(r"report\.html$")).click()
    report = page.locator("body")
    expect(report).to_contain_text(synced["closed"])  # shipped, skipped by sync 1: no item fulfillment
    expect(report).to_contain_text(level["sku"])  # NetSuite 5 below ShipStation now
    no_secret(page, synced["secrets"])
    page.screenshot(path=SHOTS / "reconciliation-report.png", full_page=True)
