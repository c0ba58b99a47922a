"""Peer benchmark: our source-netsuite-inventory against Airbyte's own NetSuite source (`airbyte-source-netsuite`,
pinned below), reading the same items and customers from ONE NetSuite emulator process, in one run, at 0 ms and
100 ms emulated latency. Prints `figure NAME VALUE UNIT` lines:

- calls_per_1000_rows_ours, peer_calls_per_1000_rows_airbyte_source_netsuite: requests the emulator served during
  the read (its `/__emulator/stats` requests_served, before and after; the control plane is not counted) per
  1,000 rows read (RECORD messages of both streams).
- peer_wall_ratio_airbyte_source_netsuite: the peer's wall time / ours, each the whole `read` command from start
  to exit (Python start-up included: what a sync waits for).
Each with the suffix `_0ms` and `_100ms`; the unsuffixed figures are the 100 ms ones. `#` lines give the rows,
calls and seconds of every run, first-to-last-record times, and the machine's load average.

What runs:
- Ours: `.venv/bin/source-netsuite-inventory read`, streams `items` and `customers`, full refresh, default
  settings (SuiteQL, parallel requests 4), pointed at the emulator with its Base URL override setting.
- The peer: `airbyte-source-netsuite` in its own venv, `.venv-peers/airbyte-source-netsuite` (it needs Python below
  3.12), built here with `python3.11 -m venv` and pip from the package index, once, and reused while its stamp
  names the pinned version and the package imports at that version; our `.venv` is never touched. It reads its
  streams `inventoryitem` and `customer` (record API: a list call per page and window, then one GET per record
  with expandSubResources), full refresh, TBA (the emulator's consumer key/secret and token id/secret, realm =
  account id), start_datetime the day before the oldest record, window_in_days 30 (its default).
- THE PEER IS POINTED AT THE EMULATOR WITHOUT EDITING ITS CODE: it builds its base URL from the account id
  (`SourceNetsuite.base_url(config)` -> `https://<account>.suitetalk.api.netsuite.com`). A small launcher
  (PEER_LAUNCHER below, run with the peer venv's python as `python -c`) imports `source_netsuite`, replaces that
  one method on the class from outside to return the emulator's URL, then calls the peer's own entrypoint,
  `launch(SourceNetsuite(), argv)`. Nothing else is changed: its OAuth 1.0 signing (requests-oauthlib signs the
  URL it actually calls, so the emulator's host) and its paging and per-record GETs run as published.
- The emulator's date format preference is set to M/D/YYYY (a US account), the peer's first date format; on the
  emulator's default D/M/YYYY the peer would read its windows' dates as day/month.

Correct as it goes, or it fails: each read must exit 0 and give as many items and customers, each id once, as
the emulator holds (read-only `SELECT COUNT(*)` through `/__emulator/sql` on its `item` and `customer` tables,
all items inventory items, which is what the peer's `inventoryitem` covers), and the same ids for ours and the
peer. If the peer cannot run (venv build, start, a refusal, a short read), this prints why and exits non-zero;
no figure is left out silently.

Bounded: pip and every read have a deadline; the emulator and every command started are killed on exit. The
default size (1,000 items, 500 customers) keeps the whole run near three minutes on a 2-core machine: at
100 ms the peer makes one sequential GET per record, so its read alone takes rows x 0.1 s.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sync2 import start_netsuite_process  # noqa: E402  (the benchmarks' one NetSuite emulator launcher)

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PEER = "airbyte_source_netsuite"  # the figures' suffix
PEER_PACKAGE = "airbyte-source-netsuite"
PEER_VERSION = "0.1.29"  # the newest on the package index when this was written
PEER_VENV = REPO / ".venv-peers" / PEER_PACKAGE
PEER_STAMP = PEER_VENV / f".installed-{PEER_PACKAGE}-{PEER_VERSION}"
PIP_DEADLINE_S = 600
LATENCIES_MS = (0, 100)

# Run with the peer venv's python as `python -c PEER_LAUNCHER <emulator url> read --config ... --catalog ...`.
# It replaces SourceNetsuite.base_url (the one place the peer builds https://<account>.suitetalk.api.netsuite.com)
# from outside, then runs the peer's own entrypoint; the peer's code is not edited.
PEER_LAUNCHER = r"""
import sys
from airbyte_cdk.entrypoint import launch
from source_netsuite.source import SourceNetsuite

emulator_url = sys.argv[1]
if not callable(getattr(SourceNetsuite, "base_url", None)):
    sys.exit("bench_peers: SourceNetsuite.base_url is gone; the launcher cannot point this version at the emulator")
SourceNetsuite.base_url = lambda self, config: emulator_url
launch(SourceNetsuite(), sys.argv[2:])
"""

_started: list[subprocess.Popen] = []


def _kill_started() -> None:
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def _on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


class PeerCannotRun(Exception):
    """The peer could not be built, started or read correctly: the benchmark fails with this reason."""


# --- the peer's venv ----------------------------------------------------------------------------------------
def peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def peer_installed() -> bool:
    if not (PEER_STAMP.exists() and peer_python().exists()):
        return False
    probe = ("import importlib.metadata as m, source_netsuite.source, airbyte_cdk.entrypoint; "
             f"print(m.version({PEER_PACKAGE!r}))")
    try:
        out = subprocess.run([str(peer_python()), "-c", probe], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == PEER_VERSION


def base_python() -> str:
    """A Python below 3.12 (the peer's Requires-Python is >=3.9,<3.12) to make the venv with."""
    candidates = [os.environ.get("PEER_PYTHON"), "python3.11", "python3.10"]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if not path:
            continue
        try:
            out = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] < (3, 12))"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            return path
    raise PeerCannotRun("no Python below 3.12 found (tried $PEER_PYTHON, python3.11, python3.10); "
                        f"{PEER_PACKAGE} needs one")


def ensure_peer_venv() -> float:
    """Build .venv-peers/airbyte-source-netsuite unless it holds the pinned version; returns seconds spent."""
    if peer_installed():
        return 0.0
    started = time.monotonic()
    python = base_python()
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    PEER_VENV.parent.mkdir(parents=True, exist_ok=True)
    print(f"# building {PEER_VENV.relative_to(REPO)} ({PEER_PACKAGE}=={PEER_VERSION}, {python})", flush=True)
    steps = [([python, "-m", "venv", str(PEER_VENV)], 120),
             ([str(peer_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               f"{PEER_PACKAGE}=={PEER_VERSION}"], PIP_DEADLINE_S)]
    for command, deadline in steps:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=deadline)
        except subprocess.TimeoutExpired:
            raise PeerCannotRun(f"`{' '.join(command[:4])} ...` took more than {deadline} s") from None
        if out.returncode != 0:
            errors = [line for line in out.stderr.splitlines() if "ignored: it is neither" not in line]
            raise PeerCannotRun(f"`{' '.join(command[:4])} ...` failed ({out.returncode}): "
                                + " | ".join(errors[-5:]))
    if not (PEER_VENV / "bin" / "python").exists():
        raise PeerCannotRun("the peer venv has no python after the build")
    PEER_STAMP.touch()
    if not peer_installed():
        raise PeerCannotRun(f"{PEER_PACKAGE}=={PEER_VERSION} installed but does not import")
    return time.monotonic() - started


# --- the emulator -------------------------------------------------------------------------------------------
def start_emulator(items: int, customers: int, work: Path) -> str:
    proc, base = start_netsuite_process(items, locations=3, customers=customers)
    _started.append(proc)
    return base


def control(base: str, method: str, path: str, body: dict | None = None) -> dict:
    response = requests.request(method, f"{base}/__emulator/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def sql_count(base: str, query: str) -> int:
    rows = control(base, "POST", "sql", {"q": query})["rows"]
    return int(next(iter(rows[0].values())))


def served(base: str) -> int:
    return int(control(base, "GET", "stats")["requests_served"])


# --- one read -----------------------------------------------------------------------------------------------
@dataclass
class Run:
    who: str
    latency_ms: int
    rows: dict[str, int] = field(default_factory=dict)  # our stream name -> RECORD messages
    ids: dict[str, set[str]] = field(default_factory=dict)
    calls: int = 0
    wall_s: float = 0.0
    first_to_last_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def calls_per_1000(self) -> float:
        return 1000.0 * self.calls / max(self.total_rows, 1)


def read(who: str, command: list[str], streams: dict[str, str], base: str, latency_ms: int, deadline_s: float,
         work: Path) -> Run:
    """Run one `read` command to its end; count RECORDs per stream (`streams`: its name -> ours) and calls."""
    run = Run(who, latency_ms, rows={ours: 0 for ours in streams.values()},
              ids={ours: set() for ours in streams.values()})
    stderr_path = work / f"{who}-{latency_ms}ms.stderr"
    before = served(base)
    started = time.monotonic()
    times: list[float] = []
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, cwd=work, bufsize=1 << 20)
        _started.append(proc)

        def consume() -> None:
            for line in proc.stdout:
                if not line.startswith(b"{"):
                    continue
                if b"RECORD" not in line and b"TRACE" not in line and b"ERROR" not in line and b"FATAL" not in line:
                    continue
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                kind = message.get("type")
                if kind == "RECORD":
                    record = message["record"]
                    ours = streams.get(record["stream"])
                    if ours is None:
                        run.errors.append(f"a record of an unexpected stream {record['stream']!r}")
                        continue
                    run.rows[ours] += 1
                    run.ids[ours].add(str(record["data"].get("id")))
                    times.append(time.monotonic())
                elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
                    error = message["trace"].get("error", {})
                    run.errors.append(str(error.get("message") or error.get("internal_message"))[:500])
                elif kind == "LOG" and message["log"].get("level") in ("ERROR", "FATAL"):
                    run.errors.append(str(message["log"].get("message"))[:500])

        reader = threading.Thread(target=consume, daemon=True)
        reader.start()
        try:
            status = proc.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
            raise RuntimeError(f"{who} at {latency_ms} ms: the read took more than {deadline_s:.0f} s "
                               f"({run.total_rows} rows so far)") from None
        reader.join(timeout=60)
    run.wall_s = time.monotonic() - started
    run.calls = served(base) - before
    run.first_to_last_s = (times[-1] - times[0]) if len(times) > 1 else 0.0
    if status != 0:
        tail = stderr_path.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{who} at {latency_ms} ms exited with status {status}: "
                           + " | ".join(run.errors[-3:] + tail))
    return run


def check_rows(run: Run, expected: dict[str, int]) -> None:
    for stream, want in expected.items():
        got, distinct = run.rows.get(stream, 0), len(run.ids.get(stream, ()))
        if got != want or distinct != want:
            detail = f"; its errors: {' | '.join(run.errors[-3:])}" if run.errors else ""
            raise RuntimeError(f"{run.who} at {run.latency_ms} ms read {got} {stream} ({distinct} distinct ids), "
                               f"the emulator holds {want}{detail}")


def catalog(names: list[str]) -> dict:
    return {"streams": [{"stream": {"name": name, "json_schema": {},
                                    "supported_sync_modes": ["full_refresh", "incremental"]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"} for name in names]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=500)
    args = parser.parse_args()
    atexit.register(_kill_started)
    signal.signal(signal.SIGTERM, _on_signal)
    began = time.monotonic()
    print("# load average at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)

    try:
        built = ensure_peer_venv()
    except PeerCannotRun as err:
        print(f"# peer {PEER} cannot run: {err}", flush=True)
        raise SystemExit(f"bench_peers: the peer {PEER_PACKAGE} cannot run: {err}")
    print(f"# peer venv {PEER_VENV.relative_to(REPO)}: {PEER_PACKAGE}=={PEER_VERSION}"
          + (f", built in {built:.0f} s" if built else ", reused"), flush=True)

    from emulators.configs import emulator_credentials, netsuite_config

    work = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    base = start_emulator(args.items, args.customers, work)
    control(base, "POST", "preferences", {"date_format": "M/D/YYYY"})
    items = sql_count(base, "SELECT COUNT(*) AS n FROM item")
    inventory_items = sql_count(base, "SELECT COUNT(*) AS n FROM item WHERE itemtype = 'InvtPart'")
    customers = sql_count(base, "SELECT COUNT(*) AS n FROM customer")
    if inventory_items != items:
        raise SystemExit(f"the emulator holds {items - inventory_items} items that are not inventory items: the "
                         "peer's inventoryitem stream would not cover them, so the reads would not compare")
    expected = {"items": items, "customers": customers}
    oldest = control(base, "POST", "sql", {"q": "SELECT MIN(d) AS d FROM (SELECT MIN(lastmodifieddate) AS d FROM "
                                                "item UNION ALL SELECT MIN(lastmodifieddate) FROM customer)"})
    start_day = (date.fromisoformat(str(oldest["rows"][0]["d"])[:10]) - timedelta(days=1)).isoformat()
    print(f"# emulator {base}: {items} items, {customers} customers (oldest change {oldest['rows'][0]['d']}), "
          f"date format M/D/YYYY", flush=True)

    (work / "ours.json").write_text(json.dumps(netsuite_config(base)))
    (work / "ours_catalog.json").write_text(json.dumps(catalog(["items", "customers"])))
    creds = emulator_credentials(base)
    (work / "peer.json").write_text(json.dumps({
        "realm": creds["account_id"], "consumer_key": creds["consumer_key"],
        "consumer_secret": creds["consumer_secret"], "token_key": creds["token_id"],
        "token_secret": creds["token_secret"], "object_types": ["inventoryitem", "customer"],
        "start_datetime": f"{start_day}T00:00:00Z", "window_in_days": 30}))
    (work / "peer_catalog.json").write_text(json.dumps(catalog(["inventoryitem", "customer"])))
    ours_command = [str(VENV_BIN / "source-netsuite-inventory"), "read", "--config", str(work / "ours.json"),
                    "--catalog", str(work / "ours_catalog.json")]
    peer_command = [str(peer_python()), "-c", PEER_LAUNCHER, base, "read", "--config", str(work / "peer.json"),
                    "--catalog", str(work / "peer_catalog.json")]
    total = items + customers

    results: dict[int, tuple[Run, Run]] = {}
    for latency in LATENCIES_MS:
        control(base, "POST", "latency", {"ms": latency})
        # A deadline per read: twice what one sequential call per row would take, plus start-up.
        deadline = 90 + 2 * total * (latency / 1000 + 0.02)
        ours = read("ours", ours_command, {"items": "items", "customers": "customers"}, base, latency, deadline,
                    work)
        check_rows(ours, expected)
        try:
            peer = read(PEER, peer_command, {"inventoryitem": "items", "customer": "customers"}, base, latency,
                        deadline, work)
            check_rows(peer, expected)
        except RuntimeError as err:
            refused = control(base, "GET", "query-errors")["entries"][-3:]
            audit = [e for e in control(base, "GET", "login-audit")["entries"] if e.get("status") != "Success"][-3:]
            print(f"# peer {PEER} cannot run: {err} (its stderr and the emulator's log are in {work})", flush=True)
            if refused:
                print(f"# emulator refused queries: {refused}", flush=True)
            if audit:
                print(f"# emulator login failures: {audit}", flush=True)
            raise SystemExit(f"bench_peers: the peer {PEER_PACKAGE} cannot run: {err}")
        for stream in expected:
            if ours.ids[stream] != peer.ids[stream]:
                raise SystemExit(f"ours and the peer read different {stream} ids at {latency} ms")
        for run in (ours, peer):
            print(f"# {run.who} at {latency} ms: {run.total_rows} rows ({run.rows['items']} items, "
                  f"{run.rows['customers']} customers), {run.calls} calls, {run.wall_s:.2f} s wall, "
                  f"{run.first_to_last_s:.2f} s first to last record", flush=True)
        results[latency] = (ours, peer)

    refused = control(base, "GET", "query-errors")["entries"]
    stats = control(base, "GET", "stats")
    print(f"# emulator: {len(refused)} refused q/SuiteQL, {stats['responses_429']} 429s, "
          f"max {stats['max_in_flight']} requests in flight", flush=True)
    print("# load average at end: %.2f %.2f %.2f" % os.getloadavg()
          + f"; whole benchmark {time.monotonic() - began:.0f} s", flush=True)
    for latency, (ours, peer) in results.items():
        suffix = f"_{latency}ms"
        print(f"figure calls_per_1000_rows_ours{suffix} {ours.calls_per_1000:.2f} calls")
        print(f"figure peer_calls_per_1000_rows_{PEER}{suffix} {peer.calls_per_1000:.2f} calls")
        print(f"figure peer_wall_ratio_{PEER}{suffix} {peer.wall_s / ours.wall_s:.2f} ratio")
    ours, peer = results[100]
    print(f"figure calls_per_1000_rows_ours {ours.calls_per_1000:.2f} calls")
    print(f"figure peer_calls_per_1000_rows_{PEER} {peer.calls_per_1000:.2f} calls")
    print(f"figure peer_wall_ratio_{PEER} {peer.wall_s / ours.wall_s:.2f} ratio", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
