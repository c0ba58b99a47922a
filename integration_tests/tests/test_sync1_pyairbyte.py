"""Sync 1 end to end, as a user runs it locally: source-shipstation -> destination-netsuite-fulfillment through
PyAirbyte, with the installed console scripts, against both emulators sharing one generated merchant. State is
kept in DuckDB between runs, so the second run resumes (re-reading the source's lookback).

One scenario per ShipStation API version and NetSuite auth method (each value covered once, to keep the file
fast: every PyAirbyte run starts several connector processes). Each scenario groups the cases of the issue:
run 1 applies new labels; between the runs a label is voided, a late order reaches NetSuite and nothing else
changes; run 2 must reverse, apply the late one and duplicate nothing."""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
import requests

# Without it PyAirbyte fetches Airbyte's connector registry, which it does not need for local executables.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
ab = pytest.importorskip("airbyte")

from emulators.configs import netsuite_config, shipstation_config  # noqa: E402
from emulators.netsuite import start_emulator as start_netsuite  # noqa: E402
from emulators.shipstation import start_emulator as start_shipstation  # noqa: E402
from emulators import fulfillment_testkit  # noqa: E402


_h = fulfillment_testkit
BIN = Path(sys.executable).parent
MERCHANT = dict(seed=23, items=12, locations=2, customers=6, orders=16)


def post(emulator, route: str, body: dict) -> dict:
    response = requests.post(f"{emulator.base_url}/__emulator/{route}", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def shipstation_orders(shipstation) -> list[dict]:
    return requests.get(f"{shipstation.base_url}/__emulator/state", timeout=10).json()["orders"]


def rename_sales_order(netsuite, old: str, new: str) -> None:
    """Hide a sales order from (or give it back to) the order-number lookup: for NetSuite it is an order that
    does not exist, or one that has just been entered."""
    db = netsuite.backend.db
    with db.lock:
        db.conn.execute('UPDATE "transaction" SET tranid = ? WHERE tranid = ? AND type = ?', (new, old, "SalesOrd"))
        db.version += 1  # the emulator caches SuiteQL answers per data version


def take_order_from_another_channel(shipstation, order_number: str) -> None:
    """Give a ShipStation order a key of its own, as an order from a web store (not imported from NetSuite)
    has: only its order number can then point at a NetSuite sales order."""
    backend = shipstation.backend
    with backend.lock:
        order = backend.orders_by_number_first(order_number)
        backend.orders_by_key.pop(order.order_key, None)
        order.order_key = f"web-{order.order_id}"
        backend.orders_by_key[order.order_key] = order.order_id


def sync(shipstation, netsuite, api_version: str, auth: str, tmp_path: Path, while_running=None) -> list[dict]:
    """One PyAirbyte run; returns the audit lines the destination wrote during it."""
    audit = tmp_path / "audit.jsonl"
    before = len(_h.outcomes(audit))
    source = ab.get_source("source-shipstation", local_executable=BIN / "source-shipstation",
                           config=shipstation_config(shipstation.base_url, api_version), streams=["shipments"])
    destination = ab.get_destination(
        "destination-netsuite-fulfillment", local_executable=BIN / "destination-netsuite-fulfillment",
        config=netsuite_config(netsuite.base_url, auth, audit_file=str(audit), batch_size=3))
    watcher = threading.Thread(target=while_running, daemon=True) if while_running else None
    if watcher:
        watcher.start()
    destination.write(source, cache=False, state_cache=ab.caches.DuckDBCache(db_path=tmp_path / "state.duckdb"))
    if watcher:
        watcher.join(timeout=30)
    return _h.outcomes(audit)[before:]


def by_order(audit: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in audit:
        out.setdefault(line.get("order_number"), []).append(line["outcome"])
    return out


@pytest.mark.parametrize("api_version,auth", [("v1", "token_based"), ("v2", "oauth2_client_credentials")])
def test_shipstation_labels_become_netsuite_fulfillments_once_through_pyairbyte(tmp_path, api_version, auth):
    with start_netsuite(**MERCHANT) as netsuite, start_shipstation(**MERCHANT) as shipstation:
        orders = [o for o in shipstation_orders(shipstation)
                  if _h.order_lines(netsuite, o["order_number"]) and _h.order_status(netsuite, o["order_number"]) == "B"]
        several = [o for o in orders if sum(i["quantity"] for i in o["items"]) >= 2]
        simple, multi, voided, closed, unknown, late = (o["order_number"] for o in orders[:6])
        for other_channel in (unknown, late):
            take_order_from_another_channel(shipstation, other_channel)
        partial, split = [o for o in several if o["order_number"] not in (simple, multi, voided, closed, unknown, late)][:2]
        first_item = lambda o: {"sku": o["items"][0]["sku"], "quantity": 1}  # noqa: E731

        labels = {
            "simple": post(shipstation, "labels", {"order_number": simple}),
            "partial": post(shipstation, "labels", {"order_number": partial["order_number"], "items": [first_item(partial)]}),
            "split 1": post(shipstation, "labels", {"order_number": split["order_number"], "items": [first_item(split)]}),
            "split 2": post(shipstation, "labels", {"order_number": split["order_number"]}),
            "multi": post(shipstation, "labels", {"order_number": multi, "packages": 2}),
            "voided": post(shipstation, "labels", {"order_number": voided}),
            "closed": post(shipstation, "labels", {"order_number": closed}),
            "unknown": post(shipstation, "labels", {"order_number": unknown}),
            "late": post(shipstation, "labels", {"order_number": late}),
        }
        _h.set_order_status(netsuite, closed, "H")
        rename_sales_order(netsuite, unknown, "NOT-" + unknown)
        rename_sales_order(netsuite, late, "NOT-YET-" + late)

        first_audit = sync(shipstation, netsuite, api_version, auth, tmp_path)
        first = by_order(first_audit)
        reasons = {line.get("order_number"): line.get("reason") for line in first_audit}

        # simple: one Shipped fulfillment with every line in full and the label's tracking number
        [made] = _h.fulfillments(netsuite, simple)
        assert made["shipstatus"] == "C" and made["packages"] == labels["simple"]["tracking_numbers"]
        assert made["lines"] == [(ln["line"], ln["ordered"]) for ln in _h.order_lines(netsuite, simple)]
        # partial: one unit of the first line only; the order stays partially fulfilled
        [made] = _h.fulfillments(netsuite, partial["order_number"])
        assert made["lines"] == [(_h.order_lines(netsuite, partial["order_number"])[0]["line"], 1)]
        assert _h.order_status(netsuite, partial["order_number"]) == "D"
        # two shipments for one order: two fulfillments, together the whole order
        made = _h.fulfillments(netsuite, split["order_number"])
        assert len(made) == 2 and sum(q for m in made for _, q in m["lines"]) == \
            sum(ln["ordered"] for ln in _h.order_lines(netsuite, split["order_number"]))
        assert [m["packages"] for m in made] == [labels["split 1"]["tracking_numbers"],
                                                 labels["split 2"]["tracking_numbers"]]
        # multi-package: one fulfillment carrying both tracking numbers (v1: two label rows; v2: one shipment)
        [made] = _h.fulfillments(netsuite, multi)
        assert made["packages"] == labels["multi"]["tracking_numbers"] and len(made["packages"]) == 2
        assert len(_h.fulfillments(netsuite, voided)) == 1
        # closed and unknown orders: skipped with the reason, nothing written
        assert first[closed] == ["skipped"] and _h.fulfillments(netsuite, closed) == []
        assert first[unknown] == ["skipped"] and first[late] == ["skipped"]
        assert reasons[closed] == f"sales order {closed} is closed"
        assert reasons[unknown] == f"no sales order with tranid {unknown}"

        # Between the runs: a label is voided, the late order reaches NetSuite, and (oauth2) NetSuite lets the
        # bearer token expire while run 2 is under way.
        post(shipstation, "void", {"shipment_id": labels["voided"]["shipment_id"]})
        rename_sales_order(netsuite, "NOT-YET-" + late, late)
        expired = threading.Event()

        def expire_token_mid_sync():
            # Once run 2 has applied its first record, every bearer token issued so far expires: the batches
            # after it meet a 401 and must renew the token. NetSuite is slowed so that there are batches after it.
            audit = tmp_path / "audit.jsonl"
            done_in_run_1 = len(_h.outcomes(audit))
            for _ in range(3000):
                if len(_h.outcomes(audit)) > done_in_run_1:
                    post(netsuite, "revoke", {"what": "bearer_tokens"})
                    expired.set()
                    return
                threading.Event().wait(0.01)

        post(netsuite, "latency", {"ms": 40})
        try:
            second_audit = sync(shipstation, netsuite, api_version, auth, tmp_path,
                                while_running=expire_token_mid_sync if auth == "oauth2_client_credentials" else None)
        finally:
            post(netsuite, "latency", {"ms": 0})
        second = by_order(second_audit)

        assert _h.fulfillments(netsuite, voided) == [] and "reversed" in second[voided]
        assert _h.order_status(netsuite, voided) == "B"
        [made] = _h.fulfillments(netsuite, late)
        assert "created" in second[late] and made["packages"] == labels["late"]["tracking_numbers"]
        # the same labels again (the lookback re-reads them): nothing new, nothing twice
        assert [len(_h.fulfillments(netsuite, n)) for n in (simple, partial["order_number"], split["order_number"],
                                                            multi)] == [1, 1, 2, 1]
        assert {o for n in (simple, split["order_number"], multi) for o in second[n]} == {"already_present"}
        assert not any(line["outcome"] == "failed" for line in second_audit)
        if auth == "oauth2_client_credentials":
            assert expired.is_set()
            entries = requests.get(f"{netsuite.base_url}/__emulator/login-audit", timeout=10).json()["entries"]
            assert any(e["status"] == "Failure" and e["scheme"] == "Bearer" for e in entries)
