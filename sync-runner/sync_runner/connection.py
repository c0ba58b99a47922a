"""Runs one connection once: its source straight into its destination through PyAirbyte (each connector from its
`pip_url` or its installed command), state kept in a DuckDB file per connection so the next run resumes where
this one ended; or checks that both its connectors can log in."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import audit_log
from .config import ConfigError, Connection, Endpoint
from .executables import find_executable
from .redact import Redactor, secret_values
from .run_lock import run_lock

Progress = Callable[[str], None]
DEFAULT_LOCK_WAIT_SECONDS = 15 * 60
PROGRESS_EVERY_SECONDS = 2.0


class RunFailed(RuntimeError):
    """The sync did not complete; `summary` holds what the destination applied before it stopped (those records
    are done, and the state it confirmed is kept, so the next run does not redo them)."""

    def __init__(self, message: str, summary: "RunSummary") -> None:
        super().__init__(message)
        self.summary = summary


@dataclass
class RunSummary:
    connection: str
    records_read: int
    outcomes: dict[str, int]
    audit_file: Path
    seconds: float
    audit: list[dict] = field(default_factory=list, repr=False)

    def text(self) -> str:
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items())) or "no records applied"
        return (f"{self.connection}: {self.records_read} records read, {outcomes} "
                f"in {self.seconds:.1f} s (audit: {self.audit_file})")

    def as_dict(self) -> dict:
        return {"connection": self.connection, "records_read": self.records_read, "outcomes": self.outcomes,
                "seconds": round(self.seconds, 2), "audit_file": str(self.audit_file)}


def connection_dir(state_dir: Path, name: str) -> Path:
    return state_dir / name


def _prepare_pyairbyte_environment(state_dir: Path) -> None:
    # Offline: otherwise PyAirbyte fetches Airbyte's connector registry, which local executables do not need.
    os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # no telemetry calls from a merchant's machine
    # A live (rich) progress view would fight with the runner's own lines; PyAirbyte then prints plain text.
    os.environ.setdefault("NO_LIVE_PROGRESS", "1")
    # Read once, when airbyte is first imported: the first state directory used in a process wins.
    os.environ.setdefault("AIRBYTE_LOGGING_ROOT", str(state_dir / "logs"))


class _AuditTicker:
    """Prints how many records the destination has applied so far, every few seconds while a run lasts."""

    def __init__(self, path: Path, offset: int, progress: Progress, prefix: str) -> None:
        self._path, self._offset, self._progress, self._prefix = path, offset, progress, prefix
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"progress-{prefix}")

    def __enter__(self) -> "_AuditTicker":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        shown = 0
        while not self._stop.wait(PROGRESS_EVERY_SECONDS):  # ends with the run
            count = len(audit_log.entries_since(self._path, self._offset))
            if count != shown:
                shown = count
                self._progress(f"{self._prefix} applied {count} records so far")


_built: dict[str, tuple[str, tuple]] = {}
_built_lock = threading.Lock()


def _connectors(connection: Connection, source_config: dict, destination_config: dict, state_home: Path,
                install_dir: Path) -> tuple:
    """The PyAirbyte source, destination and state cache of a connection, kept while its configs do not change.
    A fresh PyAirbyte connector object runs `spec` (and the source `discover`) before every sync, each a new
    connector process: kept, a sync costs the two processes that read and write, which is what makes a webhook's
    sync take seconds rather than twice that. A connector upgraded under a running `serve` is picked up when the
    runner restarts."""
    import airbyte as ab  # about 5 s: paid once per process, at the first run

    fingerprint = json.dumps([connection.source, source_config, connection.streams, connection.destination,
                              destination_config, str(state_home)], sort_keys=True, default=repr)
    with _built_lock:
        held = _built.get(connection.name)
        if held is not None and held[0] == fingerprint:
            return held[1]
        source, destination = _source_and_destination(connection, source_config, destination_config, install_dir)
        cache = ab.caches.DuckDBCache(db_path=state_home / "state.duckdb", cache_dir=state_home / "cache")
        _built[connection.name] = (fingerprint, (source, destination, cache))
        return source, destination, cache


def _source_and_destination(connection: Connection, source_config: dict, destination_config: dict,
                            install_dir: Path) -> tuple:
    import airbyte as ab

    source = ab.get_source(connection.source.connector, config=source_config, streams=connection.streams,
                           **_how_to_get(connection.source, install_dir))
    destination = ab.get_destination(connection.destination.connector, config=destination_config,
                                     **_how_to_get(connection.destination, install_dir))
    return source, destination


def _how_to_get(endpoint: Endpoint, install_dir: Path) -> dict:
    """PyAirbyte's arguments for getting a connector as the config says."""
    if endpoint.pip_url:
        # A virtual environment per connector and pip_url: a new wheel (a new version, so a new file name) gets
        # a new one, never an upgrade in place under a connection that may be running. PyAirbyte installs with
        # uv, which it calls by name; uv is a dependency of PyAirbyte, so it is installed beside this Python.
        beside = str(Path(sys.executable).parent)
        if shutil.which("uv") is None and shutil.which("uv", path=beside):
            os.environ["PATH"] = os.pathsep.join([beside, os.environ.get("PATH", "")])
        digest = hashlib.sha256(endpoint.pip_url.encode()).hexdigest()[:12]
        return {"pip_url": endpoint.pip_url, "install_root": install_dir / f"{endpoint.connector}-{digest}"}
    return {"local_executable": find_executable(endpoint.connector)}


def check_connection(connection: Connection, state_dir: Path,
                     extra_secrets: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each connector's `check`, got as a sync gets it (installed from its pip_url on first use): connector ->
    "SUCCEEDED", or "FAILED: " and the connector's reason, scrubbed of secrets."""
    redact = Redactor(set(extra_secrets) | secret_values(connection.source.config)
                      | secret_values(connection.destination.config))
    _prepare_pyairbyte_environment(state_dir)
    # Not the sync's kept connectors: a check touches no state (a first sync still says it reads from the start).
    source, destination = _source_and_destination(connection, dict(connection.source.config),
                                                  dict(connection.destination.config), state_dir / "connectors")
    answers = {}
    for endpoint, connector in ((connection.source, source), (connection.destination, destination)):
        try:
            connector.check()
            answers[endpoint.connector] = "SUCCEEDED"
        except Exception as exc:  # PyAirbyte raises one error class per way a check can fail
            reason = (getattr(exc, "context", None) or {}).get("failure_reason") or f"{type(exc).__name__}: {exc}"
            answers[endpoint.connector] = redact(f"FAILED: {reason}")
    return answers


def _replay_source_config(connection: Connection, since: str) -> dict:
    """The source config of a replay: reading from `since`, with a lookback of zero (the start is the point)."""
    config = dict(connection.source.config)
    if connection.source.connector != "source-shipstation":
        raise ConfigError(f"{connection.name}: a replay re-reads ShipStation's shipments from a date; this "
                         f"connection reads {connection.source.connector}, whose syncs read whole or from their "
                         "own overlap window")
    config["start_date"] = since
    config["lookback_minutes"] = 0
    return config


def run_connection(connection: Connection, state_dir: Path, progress: Progress = print,
                   extra_secrets: frozenset[str] = frozenset(),
                   lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS, since: str | None = None) -> RunSummary:
    """Runs `connection` once and returns its summary; raises RunFailed (message scrubbed of secrets) if the sync
    fails, ConnectionBusy if another run of it does not end within `lock_wait_seconds`.

    With `since` (an ISO date-time), a replay: the source reads from that moment with state of its own, thrown
    away after, so the saved state is neither used nor moved. It applies what earlier syncs reported skipped and
    what no longer falls in the source's lookback (a shipment whose sales order reached NetSuite days late); the
    destination finds what is already applied and leaves it (`already_present`), so a replay never duplicates."""
    redact = Redactor(set(extra_secrets) | secret_values(connection.source.config)
                      | secret_values(connection.destination.config))
    say = lambda text: progress(redact(text))  # noqa: E731
    prefix = f"[{connection.name}]"
    home = connection_dir(state_dir, connection.name)
    home.mkdir(parents=True, exist_ok=True)
    _prepare_pyairbyte_environment(state_dir)

    destination_config = dict(connection.destination.config)
    # The audit file is how the runner learns each record's outcome (see audit_log.py); one the user chose wins.
    audit_file = Path(destination_config.setdefault("audit_file", str(home / "audit.jsonl"))).expanduser()
    source_config = dict(connection.source.config) if since is None else _replay_source_config(connection, since)
    replay_home = Path(tempfile.mkdtemp(prefix=f"replay-{connection.name}-", dir=home)) if since else None
    state_db = (replay_home or home) / "state.duckdb"

    with run_lock(home / "run.lock", connection.name, lock_wait_seconds):
        started = time.monotonic()
        say(f"{prefix} starting: {connection.source.connector} -> {connection.destination.connector}, "
            f"streams {', '.join(connection.streams)}")
        if since:
            say(f"{prefix} replay from {since}: the saved state is left as it is")
        else:
            say(f"{prefix} state: {state_db} " +
                ("(resuming from the last run)" if state_db.exists() else "(first run: reading from the start)"))
        offset = audit_log.end_offset(audit_file)
        error: Exception | None = None
        records_read = 0
        try:
            source, destination, cache = _connectors(connection, source_config, destination_config,
                                                     replay_home or home, state_dir / "connectors")
            say(f"{prefix} reading and writing")
            with _AuditTicker(audit_file, offset, say, prefix):
                result = destination.write(source, cache=False, state_cache=cache)
            records_read = result.processed_records
        except Exception as exc:  # PyAirbyte and connector errors of every kind end the run the same way
            error = exc
        if replay_home:
            with _built_lock:
                _built.pop(connection.name, None)  # the next run is a normal one again
            shutil.rmtree(replay_home, ignore_errors=True)
        entries = audit_log.entries_since(audit_file, offset)
        summary = RunSummary(connection.name, records_read, audit_log.count_outcomes(entries), audit_file,
                             time.monotonic() - started, entries)
    if error is not None:
        # PyAirbyte's messages can quote a connector's log; only the scrubbed text goes on, without the chain.
        message = redact(f"{connection.name} failed: {type(error).__name__}: {error}")
        say(f"{prefix} failed after {summary.seconds:.1f} s")
        raise RunFailed(message, summary) from None
    say(f"{prefix} done: {summary.text()}")
    return summary
