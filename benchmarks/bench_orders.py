"""Orders benchmark: NetSuite orders to ShipStation (orders_to_ship -> destination-shipstation-inventory), printing
`figure NAME VALUE UNIT` lines, per API version (suffixed _v1, _v2) and unsuffixed: the worst run of v1 for calls
per changed order and orders/s, the worst of both versions for the rest. v1 is the measure because it can update
an order in place, so any call above one per order is the connector's waste; v2 has no shipment update and no bulk
cancel, so a changed v2 order costs its own cancel plus a share of the sync's one listing and one create
(1 + 2/N for N changed orders in a sync), printed beside it.

For each ShipStation API version, both emulators run in this process, the source and destination in process too
(no PyAirbyte start-up in the figures), and three syncs share their state as a platform would keep it:
1. import: every open NetSuite order is new to ShipStation;
2. change: ~10% of the orders change in NetSuite (delivery instructions);
3. nothing changed: must cost ShipStation no call at all.
Calls are counted by the ShipStation emulator (every request that reached it, reads included) and divided by
the orders written (created or updated, per the audit trail). orders_per_s is the import sync's orders written
over its whole duration (source read included) at the given rate limit: the emulator's per-key limit and the
connector's configured limit are set to the same value, 200 a minute by default (v2's default; 5x v1's 40) so
that the v1 import of 300 orders outlasts one rate-limit window and is paced by it: a minute admits a burst of
200 calls, then the rest wait for the window. At v1's 40 a minute, one call per order means 0.67 orders/s.
v2 creates a batch's new shipments in one call, so its import is not bound by the limit.

Bounded: every sync has a deadline; the whole run takes a little over a minute at the default limit.
"""
from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import requests

DEADLINE_S = 150  # any one sync
CHANGE_SHARE = 0.10


def catalog():
    from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

    return ConfiguredAirbyteCatalogSerializer.load({"streams": [{
        "stream": {"name": "orders_to_ship", "json_schema": {}, "supported_sync_modes": ["incremental"],
                   "source_defined_cursor": True, "default_cursor_field": ["last_modified_at"]},
        "sync_mode": "incremental", "destination_sync_mode": "append"}]})


class Pipeline:
    """source-netsuite-inventory orders_to_ship -> destination-shipstation-inventory, state kept between runs."""

    def __init__(self, ns, ss, version: str, rate_limit: int, workdir: Path) -> None:
        from emulators.configs import netsuite_config, shipstation_config

        self.ns, self.ss, self.version = ns, ss, version
        self.audit = workdir / f"audit-{version}.jsonl"
        self.ns_config = netsuite_config(ns.base_url)
        self.ss_config = shipstation_config(ss.base_url, version, rate_limit_per_minute=rate_limit,
                                            audit_file=str(self.audit))
        self.state = None

    def sync(self) -> tuple[int, int, float]:
        """(orders written, ShipStation calls, seconds) of one sync."""
        from airbyte_cdk.models import Type
        from destination_shipstation_inventory import DestinationShipstationInventory
        from source_netsuite_inventory import SourceNetsuiteInventory

        before_calls, before_lines = self.calls(), len(self.outcomes())
        started = time.monotonic()
        messages = SourceNetsuiteInventory().read(logging.getLogger("bench"), self.ns_config, catalog(), self.state)
        piped = (m for m in messages if m.type in (Type.RECORD, Type.STATE))
        for confirmed in DestinationShipstationInventory().write(self.ss_config, catalog(), piped):
            self.state = [confirmed.state]
            if time.monotonic() - started > DEADLINE_S:
                raise SystemExit(f"a {self.version} sync took longer than {DEADLINE_S} s")
        took = time.monotonic() - started
        lines = self.outcomes()[before_lines:]
        failed = [line for line in lines if line["outcome"] == "failed"]
        if failed:
            raise SystemExit(f"{len(failed)} orders failed, e.g. {failed[0].get('reason')}")
        written = sum(1 for line in lines if line["outcome"] in ("created", "updated"))
        return written, self.calls() - before_calls, took

    def calls(self) -> int:
        return self.stats()["requests"][self.version]

    def stats(self) -> dict:
        return requests.get(f"{self.ss.base_url}/__emulator/stats", timeout=10).json()

    def outcomes(self) -> list[dict]:
        if not self.audit.exists():
            return []
        return [json.loads(x) for x in self.audit.read_text(encoding="utf-8").split("\n") if x.strip()]


def change_some_orders(ns, share: float) -> int:
    """Give every n-th open sales order new delivery instructions, modified after everything else (so the
    incremental read picks them up); returns how many."""
    db = ns.backend.db
    with db.lock:
        ids = [r["id"] for r in db.select("""SELECT id FROM "transaction" WHERE type = 'SalesOrd'
                                             AND status IN ('B', 'D', 'E') ORDER BY id""")]
        step = max(int(round(1 / share)), 1)
        chosen = ids[::step]
        db.conn.executemany('UPDATE "transaction" SET custbody_delivery_instructions = ?, lastmodifieddate = ? '
                            "WHERE id = ?", [(f"Changed {i}", "2030-01-01 00:00:00", i) for i in chosen])
        db.version += 1
    return len(chosen)


def measure(version: str, orders: int, rate_limit: int) -> dict[str, float]:
    from emulators.netsuite import start_emulator as start_netsuite
    from emulators.shipstation import start_emulator as start_shipstation

    merchant = dict(seed=5, items=60, locations=3, customers=40, orders=orders)
    # ShipStation starts without these orders (a store new to the integration): the first sync imports them.
    limits = {"v1_rate_limit": rate_limit, "v2_rate_limit": rate_limit}
    with start_netsuite(**merchant) as ns, start_shipstation(**{**merchant, "orders": 1}, **limits) as ss:
        pipeline = Pipeline(ns, ss, version, rate_limit, Path(tempfile.mkdtemp()))
        imported, import_calls, import_s = pipeline.sync()
        print(f"# {version} import: {imported} orders written, {import_calls} calls, {import_s:.1f} s", flush=True)
        changed_in_netsuite = change_some_orders(ns, CHANGE_SHARE)
        changed, change_calls, change_s = pipeline.sync()
        print(f"# {version} change: {changed_in_netsuite} orders changed in NetSuite, {changed} written, "
              f"{change_calls} calls, {change_s:.1f} s", flush=True)
        same, idle_calls, idle_s = pipeline.sync()
        print(f"# {version} nothing changed: {same} written, {idle_calls} calls, {idle_s:.1f} s", flush=True)
        throttled = pipeline.stats()["rate_limited"][version]
    if not imported or changed != changed_in_netsuite:
        raise SystemExit(f"{version}: expected every order imported and {changed_in_netsuite} rewritten, "
                         f"got {imported} and {changed}")
    return {"import": import_calls / imported, "change": change_calls / changed, "idle": idle_calls,
            "orders_per_s": imported / import_s, "429s": throttled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300, help="NetSuite sales orders generated (at most 2000)")
    parser.add_argument("--rate-limit", type=int, default=200,
                        help="ShipStation calls a minute per key, emulator and connector alike (both APIs)")
    args = parser.parse_args()
    orders = min(max(args.orders, 10), 2000)
    # The audit trail goes to its file, not the screen. Imported first: the CDK sets its logger to INFO on import.
    import destination_shipstation_inventory  # noqa: F401
    logging.getLogger("airbyte").setLevel(logging.WARNING)
    print(f"# rate limit: {args.rate_limit} calls/min per key on v1 and v2 (ShipStation's defaults: v1 40, "
          f"v2 200); {orders} NetSuite sales orders generated", flush=True)

    started = time.monotonic()
    results = {version: measure(version, orders, args.rate_limit) for version in ("v1", "v2")}
    for version, r in results.items():
        suffix = f"_{version}"
        print(f"figure shipstation_calls_per_changed_order_import{suffix} {r['import']:.3f} calls")
        print(f"figure shipstation_calls_per_changed_order_change{suffix} {r['change']:.3f} calls")
        print(f"figure shipstation_calls_unchanged_sync{suffix} {r['idle']:.0f} calls")
        print(f"figure orders_per_s{suffix} {r['orders_per_s']:.1f} orders/s")
        print(f"figure shipstation_429s_orders{suffix} {r['429s']} count")
    # The required figures (see the docstring for why calls per changed order is v1's).
    v1 = results["v1"]
    print(f"figure shipstation_calls_per_changed_order {max(v1['import'], v1['change']):.3f} calls")
    print(f"figure shipstation_calls_unchanged_sync {max(r['idle'] for r in results.values()):.0f} calls")
    print(f"figure orders_per_s {v1['orders_per_s']:.1f} orders/s")
    print(f"figure shipstation_429s_orders {max(r['429s'] for r in results.values())} count")
    print(f"# took {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
