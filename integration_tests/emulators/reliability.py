"""The reliability harness: both syncs run against both emulators under faults, restarts and moving credentials,
and the outcomes a merchant would notice counted from the emulators' own state (never from the connectors).

Used by `tests/test_reliability_*.py` (the fast part, in `make test`) and `integration_tests/soak.py` (`make soak`).

- `World`: both emulators sharing one generated merchant, with labels bought in ShipStation for orders NetSuite has.
- `Sync1` / `Sync2`: one whole sync in process (source read piped into the destination's write); the state the
  destination confirmed is kept as JSON, as the platform keeps it. `converge` is the platform's whole-sync retry.
- `run_destination_killed`: the destination as its console command, SIGKILLed at a random point, then run again.
- Outcome counters: `lost_shipments`, `duplicate_fulfillments`, `stock_mismatches`, crashes (`Outcome.crash`),
  `NetworkGuard` (any connection attempt to a host that is not loopback), `leaked_secrets`.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import requests
from airbyte_cdk.models import (AirbyteMessage, AirbyteMessageSerializer, AirbyteStateMessageSerializer, AirbyteStream,
                                ConfiguredAirbyteCatalog, ConfiguredAirbyteCatalogSerializer, ConfiguredAirbyteStream,
                                DestinationSyncMode, SyncMode, Type)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from emulators import fulfillment_testkit as kit
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
ALL_FAULTS = ["429", "500", "502", "503", "slow", "drop"]
LOGGER = logging.getLogger("reliability")


# ---- the world: two emulators, one merchant ---------------------------------------------------------------------

@dataclass
class World:
    ns: Any
    ss: Any
    labels: list[dict] = field(default_factory=list)

    def control(self, which: str, route: str, body: dict) -> dict:
        return kit.control(self.ns if which == "ns" else self.ss, route, body)

    def faults(self, rate: float, seed: int, kinds_ns: Iterable[str] = ALL_FAULTS,
               kinds_ss: Iterable[str] = ALL_FAULTS, slow_seconds: float = 2.0) -> None:
        self.control("ns", "faults", {"rate": rate, "seed": seed, "kinds": list(kinds_ns), "slow_seconds": slow_seconds})
        self.control("ss", "faults", {"rate": rate, "seed": seed + 1, "kinds": list(kinds_ss),
                                      "slow_seconds": slow_seconds})

    def calm(self) -> None:
        for which in ("ns", "ss"):
            self.control(which, "faults", {"rate": 0.0})
            self.control(which, "latency", {"ms": 0})

    def injected(self) -> int:
        total = 0
        for emulator in (self.ns, self.ss):
            total += sum(kit.stats(emulator)["faults"]["injected"].values())
        return total

    def ss_state(self) -> dict:
        return requests.get(f"{self.ss.base_url}/__emulator/state", timeout=10).json()

    def buy_labels(self, count: int, rng: random.Random, void_share: float = 0.2, partial_share: float = 0.3) -> list[dict]:
        """Labels for `count` ShipStation orders whose sales order is open in NetSuite; some partial, some voided."""
        orders = [o for o in self.ss_state()["orders"] if o["items"]]
        rng.shuffle(orders)
        made = []
        for order in orders:
            if len(made) >= count:
                break
            number = order["order_number"]
            if not kit.order_lines(self.ns, number) or kit.order_status(self.ns, number) != "B":
                continue
            body: dict[str, Any] = {"order_number": number, "packages": rng.choice([1, 1, 2])}
            if rng.random() < partial_share and order["items"][0]["quantity"] >= 2:
                body["items"] = [{"sku": order["items"][0]["sku"], "quantity": 1}]
            label = kit.control(self.ss, "labels", body)
            if rng.random() < void_share:
                label = kit.control(self.ss, "void", {"shipment_id": label["shipment_id"]})
            made.append(label)
        self.labels.extend(made)
        return made


@contextlib.contextmanager
def world(seed: int = 7, items: int = 12, locations: int = 2, customers: int = 2, orders: int = 40,
          rate_limits: dict | None = None):
    merchant = dict(seed=seed, items=items, locations=locations, customers=customers, orders=orders)
    with start_netsuite(**merchant) as ns, start_shipstation(**merchant) as ss:
        w = World(ns, ss)
        if rate_limits:
            w.control("ss", "rate-limits", rate_limits)
        yield w


# ---- outcomes counted from the emulators ------------------------------------------------------------------------

def lost_shipments(w: World) -> list[str]:
    """Labels not voided whose order is in NetSuite but no fulfillment of it carries the label's tracking numbers."""
    lost = []
    for label in w.ss_state()["shipments"]:
        if label["voided"] or not kit.order_lines(w.ns, label["order_number"]):
            continue
        carried = {t for f in kit.fulfillments(w.ns, label["order_number"]) for t in f["packages"]}
        if not set(label["tracking_numbers"]) <= carried:
            lost.append(f"{label['order_number']}/{label['shipment_id']}")
    return lost


def voided_still_fulfilled(w: World) -> list[str]:
    """Voided labels whose fulfillment is still in NetSuite (a void that never reached it)."""
    out = []
    for label in w.ss_state()["shipments"]:
        if not label["voided"]:
            continue
        for f in kit.fulfillments(w.ns, label["order_number"]):
            if set(label["tracking_numbers"]) & set(f["packages"]):
                out.append(f"{label['order_number']}/{label['shipment_id']}")
    return out


def duplicate_fulfillments(w: World) -> list[str]:
    """Shipment ids (external ids, or tracking numbers) carried by more than one fulfillment."""
    rows = kit.sql(w.ns, """SELECT externalid, COUNT(*) AS n FROM "transaction" WHERE type = 'ItemShip'
        AND externalid IS NOT NULL GROUP BY externalid HAVING COUNT(*) > 1""")
    dupes = [r["externalid"] for r in rows]
    tracking = kit.sql(w.ns, """SELECT trackingnumber, COUNT(DISTINCT fulfillment) AS n FROM ns_package
        GROUP BY trackingnumber HAVING COUNT(DISTINCT fulfillment) > 1""")
    return dupes + [f"tracking {r['trackingnumber']}" for r in tracking]


def netsuite_stock(ns, column: str = "quantityavailable") -> dict[tuple[str, str], int]:
    rows = ns.backend.db.select(
        f"SELECT i.itemid AS sku, l.name AS loc, s.{column} AS quantity FROM inventoryitemlocations s "
        "JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location")
    return {(r["sku"], r["loc"]): r["quantity"] for r in rows}


def shipstation_stock(ss) -> dict[tuple[str, str], int]:
    b = ss.backend
    with b.lock:
        return {(sku, b.inv_warehouses[b.inv_locations[loc].warehouse_id].name): lv.on_hand
                for (sku, loc), lv in b.levels.items()}


def stock_differences(ns, ss, column: str = "quantityavailable", missing_levels: bool = False) -> dict:
    """(SKU, location) -> (NetSuite's chosen quantity, ShipStation's on hand) where the two differ. A pair
    ShipStation holds no level for counts only with `missing_levels`: the destination creates such a level when
    the SKU is a ShipStation product, and reports it otherwise (a merchant's world may keep some forever)."""
    theirs = shipstation_stock(ss)
    return {k: (v, theirs.get(k)) for k, v in netsuite_stock(ns, column).items()
            if theirs.get(k) != v and (missing_levels or k in theirs)}


def stock_mismatches(w: World, column: str = "quantityavailable") -> dict:
    """Mapped SKU and location (ShipStation has the SKU at a warehouse named like the NetSuite location) whose
    ShipStation on-hand differs from NetSuite's chosen quantity."""
    return stock_differences(w.ns, w.ss, column)


def credential_values(*configs: dict) -> list[str]:
    """Every credential value in the configs (and, for a PEM key, each line of its body), at least 8 characters."""
    out: set[str] = set()
    for config in configs:
        for key, value in (config.get("credentials") or {}).items():
            if key in ("auth_type", "api_version", "algorithm") or not isinstance(value, str):
                continue
            if "-----BEGIN" in value:
                out.update(line for line in value.splitlines() if len(line) >= 16 and not line.startswith("-----"))
            elif len(value) >= 8:
                out.add(value)
    return sorted(out)


def leaked_secrets(secrets: Iterable[str], texts: Iterable[str]) -> list[str]:
    texts = list(texts)
    return [s[:4] + "…" for s in secrets if any(s in t for t in texts)]


# ---- crashes: what counts as a clear, expected error ------------------------------------------------------------

def root_error(error: BaseException) -> BaseException:
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = getattr(error, "_exception", None) or error.__cause__
        if inner is None or inner is error:
            break
        error = inner
    return error


def is_clear_error(error: BaseException) -> bool:
    """A failure the connector meant: a typed NetSuite/ShipStation error, or the CDK's traced error with a message
    of its own (not a Python repr of some other exception)."""
    from netsuite_lib.errors import NetSuiteError
    from shipstation_lib.errors import ShipStationError

    root = root_error(error)
    if isinstance(root, (NetSuiteError, ShipStationError)):
        return bool(str(root).strip())
    if isinstance(root, AirbyteTracedException):
        # The CDK wraps a stream's failure as "<stream>: AirbyteTracedException('<message>')": clear only when
        # the message is ours (it names the service) and no raw Python error text came through.
        message = root.message or ""
        return ("NetSuite" in message or "ShipStation" in message) and not any(f in message for f in RAW_ERRORS)
    return False


RAW_ERRORS = ("Expecting value", "Unterminated string", "object is not", "object has no attribute", "KeyError",
              "TypeError", "ValueError", "IndexError", "Traceback", "JSONDecodeError", "NoneType")


# ---- guards: no host but loopback; logs captured ----------------------------------------------------------------

class NetworkGuard:
    """In process: refuses, and counts, any connection or name lookup for a host that is not loopback."""

    def __init__(self) -> None:
        self.foreign: list[str] = []
        self._lock = threading.Lock()

    def _check(self, host) -> None:
        host = str(host)
        if host in LOOPBACK or host.startswith("127."):
            return
        with self._lock:
            self.foreign.append(host)
        raise OSError(f"reliability guard: connection to {host} refused (loopback only)")

    @contextlib.contextmanager
    def active(self):
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        guard = self

        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                guard._check(address[0])
            return real_connect(sock, address)

        def connect_ex(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                guard._check(address[0])
            return real_connect_ex(sock, address)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None:
                guard._check(host.decode() if isinstance(host, bytes) else host)
            return real_getaddrinfo(host, *args, **kwargs)

        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
        try:
            yield self
        finally:
            socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
            socket.getaddrinfo = real_getaddrinfo


# For subprocesses: a sitecustomize that installs the same guard and appends refused hosts to a file.
_SITECUSTOMIZE = '''
import os, socket
_log = os.environ.get("RELIABILITY_FOREIGN_LOG")
if _log:
    def _check(host):
        host = str(host)
        if host in ("127.0.0.1", "::1", "localhost") or host.startswith("127."):
            return
        with open(_log, "a") as f:
            f.write(host + "\\n")
        raise OSError("reliability guard: connection to %s refused (loopback only)" % host)
    _connect, _connect_ex, _gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            _check(address[0])
        return _connect(sock, address)
    def connect_ex(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            _check(address[0])
        return _connect_ex(sock, address)
    def getaddrinfo(host, *a, **k):
        if host is not None:
            _check(host.decode() if isinstance(host, bytes) else host)
        return _gai(host, *a, **k)
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


class LogCapture(logging.Handler):
    """Every log line (INFO and up, as a production sync logs) written while active, formatted with tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as error:  # a log call that cannot even be formatted is a finding too
            self.lines.append(f"unformattable log record: {error!r}")

    @contextlib.contextmanager
    def active(self):
        root = logging.getLogger()
        old = root.level
        root.addHandler(self)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        try:
            yield self
        finally:
            root.removeHandler(self)
            root.setLevel(old)


@contextlib.contextmanager
def short_timeouts(seconds: float):
    """The connectors' HTTP timeout (60 s, not in their configs) shortened in process, so that a `slow` fault
    (slow_seconds past it) is a timeout the clients must retry, within a test's time."""
    from netsuite_lib.client import NetSuiteClient
    from shipstation_lib.client import ShipStationClient

    originals = {cls: cls.__init__ for cls in (NetSuiteClient, ShipStationClient)}

    def wrap(init):
        def patched(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self._timeout = min(self._timeout, seconds)
        return patched

    for cls, init in originals.items():
        cls.__init__ = wrap(init)
    try:
        yield
    finally:
        for cls, init in originals.items():
            cls.__init__ = init


@contextlib.contextmanager
def short_retries(seconds: int):
    """The CDK's total retry time (10 minutes in the connectors) shortened in process: a request that keeps failing
    is still retried with backoff, then given up within a test's time."""
    from airbyte_cdk.sources.streams.http.error_handlers import HttpStatusErrorHandler

    original = HttpStatusErrorHandler.max_time
    HttpStatusErrorHandler.max_time = property(lambda self: min(self._max_time, seconds))
    try:
        yield
    finally:
        HttpStatusErrorHandler.max_time = original


@contextlib.contextmanager
def short_rate_window(w: World, seconds: float):
    """ShipStation's 60 s rate window shortened to `seconds` on the emulator and, in process, in the connectors'
    pacing (never a config field: the real window is always 60 s), so a limit's whole cycle fits a test."""
    from shipstation_lib import pacing

    original = pacing.WINDOW_SECONDS
    w.control("ss", "rate-limits", {"window_seconds": seconds, "reset_windows": True})
    pacing.WINDOW_SECONDS = seconds
    try:
        yield
    finally:
        pacing.WINDOW_SECONDS = original


# ---- the syncs ------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    error: BaseException | None = None
    states: int = 0
    records: int = 0
    seconds: float = 0.0

    @property
    def crash(self) -> bool:
        return self.error is not None and not is_clear_error(self.error)

    def describe(self) -> str:
        if self.error is None:
            return "ok"
        root = root_error(self.error)
        return f"{type(root).__name__}: {root}"


class _Sync:
    """One connection: the platform's view (configs, the last confirmed state as JSON, what it printed)."""

    name = "sync"

    def __init__(self, w: World, audit_dir: Path) -> None:
        self.w = w
        self.audit_file = Path(audit_dir) / f"{self.name}-audit.jsonl"
        self.state_json: str | None = None
        self.outputs: list[str] = []  # error messages and state JSON of every run, scanned for secrets
        self.outcomes: list[Outcome] = []

    # subclasses: source(), source_config, destination(), destination_config, catalogs
    def _state(self):
        return ([AirbyteStateMessageSerializer.load(s) for s in json.loads(self.state_json)]
                if self.state_json else None)

    def _keep(self, confirmed: list[AirbyteMessage]) -> None:
        if not confirmed:
            return
        by_stream = {}
        if self.state_json:
            for s in json.loads(self.state_json):
                by_stream[json.dumps(s.get("stream", {}).get("stream_descriptor"), sort_keys=True)] = s
        for message in confirmed:
            dumped = AirbyteStateMessageSerializer.dump(message.state)
            by_stream[json.dumps(dumped.get("stream", {}).get("stream_descriptor"), sort_keys=True)] = dumped
        self.state_json = json.dumps(list(by_stream.values()))
        self.outputs.append(self.state_json)

    def source_messages(self) -> Iterable[AirbyteMessage]:
        for message in self.source().read(LOGGER, self.source_config, self.source_catalog(), self._state()):
            if message.type in (Type.RECORD, Type.STATE):
                yield message

    def run(self) -> Outcome:
        """One whole sync in process; any exception is caught and kept (clear error or crash)."""
        started = time.monotonic()
        outcome = Outcome()
        confirmed: list[AirbyteMessage] = []

        def piped():
            for message in self.source_messages():
                if message.type == Type.RECORD:
                    outcome.records += 1
                yield message
        try:
            for message in self.destination().write(self.destination_config, self.destination_catalog(), piped()):
                if message.type == Type.STATE:
                    confirmed.append(message)
        except BaseException as error:  # noqa: BLE001 - everything is kept and classified
            if isinstance(error, KeyboardInterrupt):
                raise
            outcome.error = error
            self.outputs.append(f"{type(error).__name__}: {error}")
            root = root_error(error)
            if root is not error:
                self.outputs.append(f"{type(root).__name__}: {root}")
        self._keep(confirmed)
        outcome.states = len(confirmed)
        outcome.seconds = time.monotonic() - started
        self.outcomes.append(outcome)
        return outcome

    def audit_lines(self) -> list[dict]:
        return kit.outcomes(self.audit_file)

    def secrets(self) -> list[str]:
        return credential_values(self.source_config, self.destination_config)

    def texts(self) -> list[str]:
        """Every output a user sees of this connection: errors, state, audit file."""
        audit = self.audit_file.read_text() if self.audit_file.exists() else ""
        return self.outputs + [audit]


class Sync1(_Sync):
    """source-shipstation `shipments` -> destination-netsuite-fulfillment."""

    name = "sync1"

    def __init__(self, w: World, audit_dir: Path, api_version: str = "v2", auth: str = "token_based",
                 batch_size: int = 5, **destination_extra) -> None:
        super().__init__(w, audit_dir)
        from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
        from source_shipstation import SourceShipstation

        self.source = SourceShipstation
        self.destination = DestinationNetsuiteFulfillment
        self.source_config = shipstation_config(w.ss.base_url, api_version)
        self.destination_config = netsuite_config(w.ns.base_url, auth, audit_file=str(self.audit_file),
                                                  batch_size=batch_size, **destination_extra)

    def source_catalog(self) -> ConfiguredAirbyteCatalog:
        stream = AirbyteStream(name="shipments", json_schema=kit.SHIPMENTS_SCHEMA,
                               supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
                               source_defined_cursor=True, default_cursor_field=["modified_at"],
                               source_defined_primary_key=[["shipment_id"]])
        return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
            stream=stream, sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])

    def destination_catalog(self) -> ConfiguredAirbyteCatalog:
        return kit.catalog()

    def problems(self) -> dict[str, list]:
        return {"lost_shipments": lost_shipments(self.w), "duplicate_fulfillments": duplicate_fulfillments(self.w),
                "voided_still_fulfilled": voided_still_fulfilled(self.w)}

    def converged(self) -> bool:
        return not any(self.problems().values())


class Sync2(_Sync):
    """source-netsuite-inventory `stock` -> destination-shipstation-inventory."""

    name = "sync2"

    def __init__(self, w: World, audit_dir: Path, auth: str = "token_based", **destination_extra) -> None:
        super().__init__(w, audit_dir)
        from destination_shipstation_inventory import DestinationShipstationInventory
        from source_netsuite_inventory import SourceNetsuiteInventory

        self.source = SourceNetsuiteInventory
        self.destination = DestinationShipstationInventory
        self.source_config = netsuite_config(w.ns.base_url, auth)
        self.destination_config = shipstation_config(w.ss.base_url, audit_file=str(self.audit_file),
                                                     **destination_extra)

    def source_catalog(self) -> ConfiguredAirbyteCatalog:
        stream = AirbyteStream(name="stock", json_schema={}, supported_sync_modes=[SyncMode.full_refresh],
                               source_defined_primary_key=[["item_id"], ["location_id"]])
        return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
            stream=stream, sync_mode=SyncMode.full_refresh, destination_sync_mode=DestinationSyncMode.append)])

    destination_catalog = source_catalog

    def problems(self) -> dict[str, Any]:
        return {"stock_mismatches": stock_mismatches(self.w)}

    def converged(self) -> bool:
        return not stock_mismatches(self.w)


def converge(sync: _Sync, attempts: int = 4, seconds: float = 90.0) -> list[Outcome]:
    """The platform's whole-sync retry: run until the emulators agree, at most `attempts` runs and `seconds`."""
    deadline = time.monotonic() + seconds
    runs = []
    for _ in range(attempts):
        runs.append(sync.run())
        if sync.converged() or time.monotonic() > deadline:
            break
    return runs


# ---- the destination as a process, killed ---------------------------------------------------------------------

def _command(console: str, args: list[str]) -> list[str]:
    return [str(Path(sys.executable).with_name(console)), *args]


def guarded_env(foreign_log: Path) -> dict:
    """The environment for a connector process: the loopback guard installed through sitecustomize."""
    site = foreign_log.parent / "reliability-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    env = {**os.environ, "RELIABILITY_FOREIGN_LOG": str(foreign_log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(proxy, None)
    return env


@dataclass
class KillRun:
    killed_after_lines: int
    killed: bool
    rerun_returncode: int
    outputs: list[str]
    foreign: list[str]


def run_destination_killed(sync: _Sync, rng: random.Random, workdir: Path, console: str,
                           kill_window: tuple[float, float] = (0.05, 1.5), timeout: float = 90) -> KillRun:
    """Reads the source in process (from the confirmed state), pipes it into the destination's console command,
    SIGKILLs that process after a random delay, keeps the states it printed before dying, then runs the same
    connection again (source re-read from the confirmed state) to the end."""
    workdir.mkdir(parents=True, exist_ok=True)
    foreign_log = workdir / "foreign-hosts.log"
    env = guarded_env(foreign_log)
    config_path, catalog_path = workdir / "config.json", workdir / "catalog.json"
    config_path.write_text(json.dumps(sync.destination_config))
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(sync.destination_catalog())))
    command = _command(console, ["write", "--config", str(config_path), "--catalog", str(catalog_path)])
    outputs: list[str] = []

    def one(kill_after: float | None) -> tuple[bool, int, int]:
        stdin = "".join(json.dumps(AirbyteMessageSerializer.dump(m)) + "\n" for m in sync.source_messages())
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env, start_new_session=True)
        lines: list[str] = []
        err: list[str] = []
        readers = [threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True),
                   threading.Thread(target=lambda: err.extend(process.stderr), daemon=True)]
        for r in readers:
            r.start()
        try:
            process.stdin.write(stdin)
            process.stdin.close()
        except BrokenPipeError:
            pass
        killed = False
        if kill_after is not None:
            try:
                process.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                killed = True
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for r in readers:
            r.join(timeout=10)
        states = []
        for line in lines:
            try:
                message = AirbyteMessageSerializer.load(json.loads(line))
            except Exception:  # a line cut by the kill
                continue
            if message.type == Type.STATE:
                states.append(message)
        sync._keep(states)
        outputs.extend(lines + err)
        return killed, len(lines), process.returncode

    killed, count, _ = one(rng.uniform(*kill_window))
    _, _, returncode = one(None)
    sync.outputs.extend(outputs)
    foreign = foreign_log.read_text().split() if foreign_log.exists() else []
    return KillRun(count, killed, returncode, outputs, foreign)
