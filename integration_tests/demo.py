"""The demo a newcomer runs (`make demo`): both directions of the pipeline, end to end, on this machine.

1. starts the NetSuite and ShipStation emulators with one generated merchant (free 127.0.0.1 ports), builds the
   four connectors' wheels as `make dist` does, and names them in the runner's config (`pip_url`), so PyAirbyte
   installs and runs each as it would for a user outside this repository;
2. checks the four connectors (`sync-runner check`);
3. runs sync 2 (NetSuite stock -> ShipStation) through the local runner (sync-runner, on PyAirbyte), then again;
4. starts the webhook relay through the runner's relay bridge, subscribed to ShipStation's v2 webhooks (signed),
   prints labels in the ShipStation emulator and waits for their item fulfillments to appear in NetSuite
   (webhook -> relay -> runner -> destination-netsuite-fulfillment);
5. voids one label and runs sync 1 again (ShipStation sends no webhook for voids): the fulfillment is reversed;
6. says what changed on each side, and stops everything.

No Airbyte platform, no containers. Everything it writes goes to .demo/ (gitignored), emptied at every start, so every run starts fresh.
Exits 1, naming the step, if a step fails. `run_demo()` is the whole flow (the test calls it with a smaller
merchant); `world()` and `runner_config()` are shared with benchmarks/bench_webhooks.py.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")  # the connectors are local commands: no registry lookups
os.environ.setdefault("DO_NOT_TRACK", "1")

import requests  # noqa: E402

from emulators import fulfillment_testkit as kit  # noqa: E402
from emulators.configs import runner_env, with_pip_urls  # noqa: E402
from emulators.netsuite import start_emulator as start_netsuite  # noqa: E402
from emulators.pipelines import build_wheels  # noqa: E402
from emulators.shipstation import start_emulator as start_shipstation  # noqa: E402

MERCHANT = dict(seed=7, items=40, locations=3, customers=12, orders=10)
FULFILLMENT_WAIT_S = 60  # label -> fulfillment, all labels together
STEP_TIMEOUT_S = 90  # any one sync

# Every credential is an ${ENV} reference, as a merchant's file would have it; `world()` sets the variables.
RUNNER_CONFIG = """\
state_dir: {state_dir}
connections:
  shipments_to_netsuite:
    schedule: manual
    streams: [shipments]
    source:
      connector: source-shipstation
      config:
        base_url: "${{DEMO_SS_URL}}"{source_extra}
        credentials: {{api_version: v2, api_key: "${{DEMO_SS_V2_KEY}}"}}
    destination:
      connector: destination-netsuite-fulfillment
      config: &netsuite
        base_url: "${{DEMO_NS_URL}}"
        account_id: "${{DEMO_NS_ACCOUNT}}"
        credentials:
          auth_type: token_based
          consumer_key: "${{DEMO_NS_CONSUMER_KEY}}"
          consumer_secret: "${{DEMO_NS_CONSUMER_SECRET}}"
          token_id: "${{DEMO_NS_TOKEN_ID}}"
          token_secret: "${{DEMO_NS_TOKEN_SECRET}}"
  stock_to_shipstation:
    schedule: manual
    streams: [stock]
    source: {{connector: source-netsuite-inventory, config: *netsuite}}
    destination:
      connector: destination-shipstation-inventory
      config:
        base_url: "${{DEMO_SS_URL}}"
        credentials: {{api_version: v2, api_key: "${{DEMO_SS_V2_KEY}}"}}
relay:
  listen: {{host: 127.0.0.1, port: {relay_port}}}
  public_url: http://127.0.0.1:{relay_port}
  shipstation: {{v2: {{api_key: "${{DEMO_SS_V2_KEY}}"}}, base_url: "${{DEMO_SS_URL}}"}}
  jwks_url: "${{DEMO_SS_URL}}/jwks"
  trigger: {{connection: shipments_to_netsuite}}
  coalesce_seconds: {coalesce}{relay_extra}
"""


class DemoFailed(Exception):
    pass


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------- world
@dataclass
class World:
    ns: object
    ss: object
    workdir: Path
    config_path: Path
    secrets: list[str]


@contextlib.contextmanager
def world(workdir: Path, merchant: dict | None = None, latency_ms: float = 0,
          coalesce_seconds: float = 0.3, lookback_minutes: int | None = None,
          relay_v2_rate_limit: int | None = None, wheels: dict[str, Path] | None = None) -> Iterator[World]:
    """Both emulators with one generated merchant, and a runner config (with a relay section) pointing at them;
    with `wheels` (connector -> wheel), the runner gets each connector from its wheel, else the installed command."""
    merchant = {**MERCHANT, **(merchant or {})}
    with start_netsuite(**merchant) as ns, start_shipstation(**merchant) as ss:
        env = runner_env(ns.base_url, ss.base_url, prefix="DEMO_")
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            config_path = workdir / "runner.yaml"
            config_text = RUNNER_CONFIG.format(state_dir=workdir / "state", relay_port=free_port(),
                                               coalesce=coalesce_seconds, source_extra="" if lookback_minutes
                                               is None else f"\n        lookback_minutes: {lookback_minutes}",
                                               relay_extra="" if relay_v2_rate_limit is None else
                                               f"\n  rate_limit_per_minute: {{v2: {relay_v2_rate_limit}}}")
            config_path.write_text(with_pip_urls(config_text, wheels or {}))
            if latency_ms:
                for emulator in (ns, ss):
                    kit.control(emulator, "latency", {"ms": latency_ms})
            yield World(ns, ss, workdir, config_path,
                        [env["DEMO_SS_V2_KEY"], env["DEMO_NS_CONSUMER_SECRET"], env["DEMO_NS_TOKEN_SECRET"]])
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@contextlib.contextmanager
def runner_with_relay(w: World, progress: Callable[[str], None],
                      wrap_run: Callable[[Callable[[str], object]], Callable[[str], object]] | None = None,
                      wrap_apply: Callable[[Callable[[str, list], object]], Callable[[str, list], object]] | None = None,
                      fast_path: bool = True):
    """The runner's scheduler and the relay, as `sync-runner serve` starts them (no schedules: the relay and
    this demo ask for every sync), subscribed to the ShipStation emulator's v2 webhooks. Yields (scheduler,
    relay database path, events subscribed). With `fast_path` (serve's default), the relay's records are applied
    by the destination alone (Runner.apply); without, every webhook gets a regular sync."""
    from sync_runner.config import load_config
    from sync_runner.connection import close_fast_path_sessions
    from sync_runner.relay_bridge import relay_config, start_relay
    from sync_runner.runner import Runner
    from sync_runner.scheduler import Scheduler
    from webhook_relay.subscriptions import SubscriptionManager

    config = load_config(w.config_path)
    runner = Runner(config, progress=progress, lock_wait_seconds=STEP_TIMEOUT_S)
    run = wrap_run(runner.run) if wrap_run else runner.run  # the benchmark times each run
    apply = (wrap_apply(runner.apply) if wrap_apply else runner.apply) if fast_path else None
    scheduler = Scheduler(run, {name: None for name in config.connections}, apply_once=apply).start()
    stop_relay = None
    try:
        stop_relay = start_relay(config.relay, scheduler, set(config.connections), config.state_dir, progress,
                                 shipments_connection=config.connection("shipments_to_netsuite"))
        settings = relay_config(config.relay, set(config.connections), config.state_dir)
        made = SubscriptionManager(settings).subscribe()
        yield scheduler, settings.database, sorted(s.event for s in made)
    finally:
        if stop_relay:
            stop_relay()
        stopped = scheduler.stop(STEP_TIMEOUT_S)
        close_fast_path_sessions()  # the destination process kept open for the relay's batches
        if not stopped and sys.exc_info()[0] is None:
            raise DemoFailed("a sync was still running after the demo asked the runner to stop")


# ---------------------------------------------------------------------------------------------------- reading state
def netsuite_stock(ns) -> dict[tuple[str, str], int]:
    rows = kit.sql(ns, "SELECT i.itemid AS sku, l.name AS loc, s.quantityavailable AS quantity "
                       "FROM inventoryitemlocations s JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location")
    return {(r["sku"], r["loc"]): int(round(float(r["quantity"] or 0))) for r in rows}


def shipstation_state(ss) -> dict:
    response = requests.get(f"{ss.base_url}/__emulator/state", timeout=10)
    response.raise_for_status()
    return response.json()


def shipstation_stock(ss) -> dict[tuple[str, str], int]:
    return {(lv["sku"], lv["warehouse_name"]): lv["on_hand"] for lv in shipstation_state(ss)["inventory"]}


def inventory_posts(ss) -> int:
    return kit.stats(ss).get("v2_calls", {}).get("POST /v2/inventory", 0)


def fulfillment_by_external_id(ns, external_id: str) -> dict | None:
    rows = kit.sql(ns, f"""SELECT f.id, f.externalid, f.shipstatus, s.tranid AS order_number
        FROM "transaction" f JOIN "transaction" s ON s.id = f.createdfrom
        WHERE f.type = 'ItemShip' AND f.externalid = '{external_id}'""")
    if not rows:
        return None
    made = next(f for f in kit.fulfillments(ns, rows[0]["order_number"]) if f["id"] == rows[0]["id"])
    return {**made, "order_number": rows[0]["order_number"]}


def order_status_name(letter: str) -> str:
    return {"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled", "D": "Partially Fulfilled",
            "E": "Pending Billing/Partially Fulfilled", "F": "Pending Billing", "G": "Billed",
            "H": "Closed"}.get(letter, letter)


SHIP_STATUS = {"A": "Picked", "B": "Packed", "C": "Shipped"}


# ------------------------------------------------------------------------------------------------------- the steps
@dataclass
class DemoResult:
    stock_differed: int = 0
    stock_corrected: int = 0
    second_run_writes: int = -1
    fulfillments: list[dict] = field(default_factory=list)
    reversed_order: str | None = None
    seconds: float = 0.0


def reconcile_last_month(config, progress: Callable[[str], None]) -> dict:
    """The month-end report over the last 30 days, as `sync-runner reconcile` makes it; the page shows it."""
    import json
    from datetime import datetime, timedelta, timezone

    from sync_runner.reconcile import run_reconcile

    today = datetime.now(timezone.utc).date()
    folder = run_reconcile(config, today - timedelta(days=30), today, progress=progress)
    return {**json.loads((folder / "report.json").read_text(encoding="utf-8")), "folder": str(folder)}


def run_demo(workdir: Path, merchant: dict | None = None, out: Callable[[str], None] = print) -> DemoResult:
    """The whole demo; raises DemoFailed with a message a person can act on."""
    from sync_runner.config import load_config
    from sync_runner.runner import Runner

    started = time.monotonic()
    result = DemoResult()
    log: list[str] = []  # the runner's progress lines: shown only if a step fails

    def progress(line: str) -> None:
        log.append(f"{time.strftime('%H:%M:%S')} {line}")

    def fail(message: str) -> DemoFailed:
        tail = "\n".join("      " + line for line in log[-12:])
        return DemoFailed(message + (f"\n    the runner's last lines:\n{tail}" if tail else ""))

    merchant = {**MERCHANT, **(merchant or {})}
    out("NetSuite <-> ShipStation demo: two local emulators, the four connectors, the local runner and the "
        "webhook relay.\n")
    try:
        wheels = build_wheels(workdir / "dist")
    except Exception as exc:
        raise fail(f"building the connectors' wheels failed: {exc}") from None
    with world(workdir, merchant, wheels=wheels) as w:
        ns, ss = w.ns, w.ss
        out(f"1. Emulators, sharing one generated merchant ({merchant['items']} items, {merchant['locations']} "
            f"locations, {merchant['customers']} customers, {merchant['orders']} sales orders)")
        out(f"   NetSuite     {ns.base_url}")
        out(f"   ShipStation  {ss.base_url}   (API v1 and v2)")
        out(f"   connectors   {len(wheels)} wheels, as make dist builds them, in {workdir / 'dist'}\n")

        out("2. Check: can each connector log in? (sync-runner check; PyAirbyte installs each from its wheel)")
        config = load_config(w.config_path)
        runner = Runner(config, progress=progress, lock_wait_seconds=STEP_TIMEOUT_S)
        what = {"source-netsuite-inventory": "reads NetSuite stock (sync 2)",
                "destination-shipstation-inventory": "writes ShipStation stock (sync 2)",
                "source-shipstation": "reads ShipStation labels (sync 1)",
                "destination-netsuite-fulfillment": "writes NetSuite fulfillments (sync 1)"}
        with ThreadPoolExecutor(2) as pool:
            answers = {k: v for checked in pool.map(runner.check, ["stock_to_shipstation", "shipments_to_netsuite"])
                       for k, v in checked.items()}
        for connector, answer in answers.items():
            out(f"   {connector:34} {what[connector]:38} {answer}")
        if len(answers) != 4 or any(answer != "SUCCEEDED" for answer in answers.values()):
            raise fail("a connector's check did not succeed (its message is above)")

        # ------------------------------------------------------------------------------------------- sync 2
        out("\n3. Sync 2, stock: NetSuite's available quantity per SKU and location -> ShipStation's on-hand")
        before_ns, before_ss = netsuite_stock(ns), shipstation_stock(ss)
        differed = {k for k, v in before_ns.items() if before_ss.get(k) != v}
        result.stock_differed = len(differed)
        out(f"   before: {len(before_ns)} SKU x location levels in NetSuite, {len(differed)} differ in ShipStation")
        try:
            first = runner.run("stock_to_shipstation")
        except Exception as exc:
            raise fail(f"sync 2 failed: {exc}") from None
        updated = [e for e in first.audit if e.get("outcome") == "updated"]
        result.stock_corrected = len(updated)
        out(f"   run 1 (local runner, PyAirbyte, {first.seconds:.1f} s): {first.records_read} levels read, "
            f"{len(updated)} corrected in ShipStation, {first.outcomes.get('unchanged', 0)} already right")
        for entry in updated[:5]:
            sku, _, location = entry["key"].partition(" @ ")
            previous = "none" if entry.get("previous") is None else entry["previous"]
            out(f"     {sku} at {location}: ShipStation {previous} -> {entry['quantity']} (NetSuite available)")
        after_ss = shipstation_stock(ss)
        still_off = {k for k, v in netsuite_stock(ns).items() if after_ss.get(k) != v}
        if still_off or len(updated) != len(differed):
            raise fail(f"sync 2 left {len(still_off)} levels different (corrected {len(updated)} of "
                       f"{len(differed)})")
        posts = inventory_posts(ss)
        try:
            second = runner.run("stock_to_shipstation")
        except Exception as exc:
            raise fail(f"sync 2's second run failed: {exc}") from None
        result.second_run_writes = inventory_posts(ss) - posts
        out(f"   run 2 ({second.seconds:.1f} s): {second.records_read} levels read, "
            f"{second.outcomes.get('unchanged', 0)} unchanged, {result.second_run_writes} writes to ShipStation "
            "(nothing differs, nothing is written)")
        if result.second_run_writes or set(second.outcomes) != {"unchanged"}:
            raise fail(f"sync 2's second run wrote {result.second_run_writes} levels: {second.outcomes}")

        # ------------------------------------------------------------------------------------------- sync 1
        out("\n4. Sync 1, shipments: labels printed in ShipStation -> item fulfillments in NetSuite, by webhook")
        with runner_with_relay(w, progress) as (scheduler, _database, events):
            out(f"   relay started on {config.relay['public_url']}, subscribed to ShipStation API v2 webhooks "
                f"(RSA-signed): {', '.join(events)}")
            labels = print_labels(ns, ss)
            wait_started = time.monotonic()
            out(f"   printed {len(labels)} labels in ShipStation; waiting for NetSuite "
                f"(webhook -> relay -> runner -> NetSuite, at most {FULFILLMENT_WAIT_S} s)")
            missing = wait_for_fulfillments(ns, labels, FULFILLMENT_WAIT_S)
            if missing:
                raise fail(f"no item fulfillment in NetSuite after {time.monotonic() - wait_started:.0f} s for "
                           + ", ".join(f"order {lb['order_number']} (label {lb['v2_shipment_id']})"
                                       for lb in missing))
            for label in labels:
                made = label["fulfillment"]
                skus = {r["line"]: r["sku"] for r in kit.order_lines(ns, label["order_number"])}
                lines = ", ".join(f"{skus.get(line, line)} x {qty:g}" for line, qty in made["lines"])
                status = SHIP_STATUS.get(made["shipstatus"], made["shipstatus"])
                out(f"   order {label['order_number']} ({label['what']}): item fulfillment {made['id']}, "
                    f"{status}, {label['seconds']:.1f} s after the label")
                out(f"       lines: {lines}")
                out(f"       tracking: {', '.join(made['packages'])}")
                if made["packages"] != label["tracking_numbers"] or made["shipstatus"] != "C":
                    raise fail(f"order {label['order_number']}'s fulfillment does not match its label")
            result.fulfillments = [{k: v for k, v in lb.items() if k != "fulfillment"} | {
                "fulfillment_id": lb["fulfillment"]["id"]} for lb in labels]

            # ----------------------------------------------------------------------------------------- void
            voided = labels[0]
            out(f"\n5. Void: the label of order {voided['order_number']} is voided in ShipStation "
                "(ShipStation sends no webhook for voids, so sync 1 runs on its schedule; here, now)")
            kit.control(ss, "void", {"shipment_id": voided["shipment_id"]})
            try:
                summary = scheduler.request_sync("shipments_to_netsuite", wait=True, timeout=STEP_TIMEOUT_S)
            except Exception as exc:
                raise fail(f"sync 1 after the void failed: {exc}") from None
            if fulfillment_by_external_id(ns, voided["external_id"]) is not None:
                raise fail(f"item fulfillment {voided['fulfillment']['id']} is still in NetSuite after the void")
            status = order_status_name(kit.order_status(ns, voided["order_number"]))
            result.reversed_order = voided["order_number"]
            out(f"   sync 1 ({summary.seconds:.1f} s, {summary.records_read} labels read: "
                + ", ".join(f"{n} {k}" for k, n in sorted(summary.outcomes.items()))
                + f"): item fulfillment {voided['fulfillment']['id']} reversed, order "
                f"{voided['order_number']} is back to {status}")

        # -------------------------------------------------------------------------------------- reconcile
        out("\n6. Month-end reconciliation (sync-runner reconcile): both systems read with the connections' "
            "configs, nothing written")
        report = reconcile_last_month(config, progress)
        if report["errors"]:
            raise fail("the reconciliation could not read " + ", ".join(e["section"] for e in report["errors"]))
        totals = report["totals"]
        out(f"   {totals.get('shipped', 0)} shipments in the last 30 days, {totals.get('recorded_in_netsuite', 0)} "
            f"with their item fulfillment in NetSuite, {totals.get('shipped_not_fulfilled', 0)} without, "
            f"{totals.get('voided_with_fulfillment', 0)} fulfillments left whose label was voided; "
            f"{totals.get('stock_compared', 0)} stock levels compared, {totals.get('stock_differences', 0)} differ "
            "now (sync 1's fulfillments took stock out of NetSuite since sync 2 ran: the next stock sync "
            "corrects them)")
        out(f"   report: {report['folder']}/report.html (and .csv, .json)")

    result.seconds = time.monotonic() - started
    shipped = result.fulfillments[1:]
    out("\nWhat changed")
    out(f"  ShipStation: {result.stock_corrected} stock levels (SKU x location) now match NetSuite's available "
        f"quantity; a second sync found nothing left to change.")
    out(f"  NetSuite:    {len(shipped)} item fulfillments (status Shipped, tracking numbers attached) for orders "
        + ", ".join(f["order_number"] for f in shipped)
        + f", each within {max(f['seconds'] for f in result.fulfillments):.1f} s of its label being printed; "
          f"order {result.reversed_order}'s fulfillment was reversed when its label was voided.")
    out(f"  Nobody typed anything into either system. Demo done in {result.seconds:.0f} s.")
    out("\nEvery run, outcome and the reconciliation above are on the operations page: `make ui` (it serves the "
        "page until Ctrl-C), then open http://127.0.0.1:8765/ to search an order or see what needs attention.")
    return result


def print_labels(ns, ss) -> list[dict]:
    """Labels for: a whole order, part of an order (one unit of its first line), and a whole order in two
    packages. Returns each label with what it is and when it was printed."""
    orders = {o["order_number"]: o for o in shipstation_state(ss)["orders"]}
    candidates = [n for n in kit.unused_orders(ns)
                  if n in orders and all(i["shipped"] == 0 for i in orders[n]["items"])]
    if len(candidates) < 3:
        raise DemoFailed(f"the generated merchant has {len(candidates)} open orders to ship; 3 are needed")
    full, partial, multi = candidates[:3]
    first_line = orders[partial]["items"][0]
    plans = [(full, "whole order, 1 package", {}),
             (partial, f"partial: 1 of {first_line['quantity']} {first_line['sku']}",
              {"items": [{"sku": first_line["sku"], "quantity": 1}]}),
             (multi, "whole order, 2 packages", {"packages": 2, "carrier_code": "fedex"})]
    labels = []
    for number, what, extra in plans:
        at = time.monotonic()
        label = kit.control(ss, "labels", {"order_number": number, **extra})
        labels.append({**label, "what": what, "printed_at": at, "external_id": f"ss-{label['v2_shipment_id']}"})
    return labels


def wait_for_fulfillments(ns, labels: list[dict], timeout: float) -> list[dict]:
    """Polls NetSuite every 0.2 s for each label's fulfillment (by its external id); returns the labels still
    without one at the deadline."""
    deadline = time.monotonic() + timeout
    pending = list(labels)
    while pending and time.monotonic() < deadline:
        for label in list(pending):
            made = fulfillment_by_external_id(ns, label["external_id"])
            if made is not None:
                label["seconds"] = time.monotonic() - label["printed_at"]
                label["fulfillment"] = made
                pending.remove(label)
        if pending:
            time.sleep(0.2)
    return pending


DEMO_DIR = Path(__file__).resolve().parent.parent / ".demo"  # gitignored; emptied at every start


def main(argv: list[str] | None = None) -> int:
    """Runs the demo in .demo/ (wiped first, so every run starts fresh). What PyAirbyte and the connectors print
    goes to .demo/demo.log; the terminal shows the demo's own lines."""
    import shutil
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)  # Python-version notices from PyAirbyte's imports
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir(parents=True)
    log_path = DEMO_DIR / "demo.log"
    terminal = sys.stdout
    threads_before = set(threading.enumerate())

    def out(line: str) -> None:
        print(line, file=terminal, flush=True)

    code = 0
    with open(log_path, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        try:
            run_demo(DEMO_DIR, out=out)
        except DemoFailed as exc:
            out(f"\ndemo FAILED: {exc}\n(what PyAirbyte and the connectors said: {log_path}; "
                f"the runner's state and logs: {DEMO_DIR / 'state'})")
            code = 1
        except KeyboardInterrupt:
            out("\ndemo interrupted")
            code = 130
        except Exception as exc:  # an emulator or a library going wrong: say which, and exit non-zero
            out(f"\ndemo FAILED unexpectedly: {type(exc).__name__}: {exc}\n(details: {log_path})")
            code = 1
    stray = [t.name for t in threading.enumerate() if t not in threads_before and t.is_alive() and not t.daemon]
    if stray:
        out(f"demo: threads still running at exit: {', '.join(stray)}")
        code = code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())
