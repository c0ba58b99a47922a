"""Runs one connection once: its source straight into its destination through PyAirbyte (each connector from its
`pip_url` or its installed command), state kept in a DuckDB file per connection so the next run resumes where
this one ended; or checks that both its connectors can log in."""
from __future__ import annotations

import atexit
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


@dataclass(frozen=True)
class RunPlace:
    """What every way of running a connection (a sync, a replay, the relay's records) sets up and ends the same
    way: progress scrubbed of the connection's secrets, its folder, and the destination config with the audit file
    the runner learns each record's outcome from (see audit_log.py; one the user chose wins)."""
    name: str
    redact: Redactor
    say: Progress
    home: Path
    destination_config: dict = field(repr=False)
    audit_file: Path

    @property
    def prefix(self) -> str:
        return f"[{self.name}]"

    def summary(self, records_read: int, offset: int, started: float, kind: type = RunSummary,
                **more) -> RunSummary:
        """The outcomes of this run: the audit entries appended since `offset`."""
        entries = audit_log.entries_since(self.audit_file, offset)
        return kind(self.name, records_read, audit_log.count_outcomes(entries), self.audit_file,
                    time.monotonic() - started, entries, **more)

    def ended(self, summary: RunSummary, error: str | None, doing: str = "") -> RunSummary:
        """Says how the run ended; raises RunFailed after a failure."""
        if error is not None:
            self.say(f"{self.prefix} {doing + ' ' if doing else ''}failed after {summary.seconds:.1f} s")
            # PyAirbyte's messages can quote a connector's log; only the scrubbed text goes on, without the chain.
            raise RunFailed(self.redact(f"{self.name} failed: {error}"), summary) from None
        self.say(f"{self.prefix} done: {summary.text()}")
        return summary


def run_place(connection: Connection, state_dir: Path, progress: Progress,
              extra_secrets: frozenset[str] | set[str] = frozenset()) -> RunPlace:
    redact = Redactor(set(extra_secrets) | secret_values(connection.source.config)
                      | secret_values(connection.destination.config))
    home = connection_dir(state_dir, connection.name)
    home.mkdir(parents=True, exist_ok=True)
    prepare_pyairbyte_environment(state_dir)
    destination_config = dict(connection.destination.config)
    audit_file = Path(destination_config.setdefault("audit_file", str(home / "audit.jsonl"))).expanduser()
    return RunPlace(connection.name, redact, lambda text: progress(redact(text)), home, destination_config,
                    audit_file)


def prepare_pyairbyte_environment(state_dir: Path) -> None:
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
        source, destination = source_and_destination(connection, source_config, destination_config, install_dir)
        cache = ab.caches.DuckDBCache(db_path=state_home / "state.duckdb", cache_dir=state_home / "cache")
        _built[connection.name] = (fingerprint, (source, destination, cache))
        return source, destination, cache


def source_and_destination(connection: Connection, source_config: dict, destination_config: dict,
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
    prepare_pyairbyte_environment(state_dir)
    # Not the sync's kept connectors: a check touches no state (a first sync still says it reads from the start).
    source, destination = source_and_destination(connection, dict(connection.source.config),
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


def replay_source_config(connection: Connection, since: str) -> dict:
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
    place = run_place(connection, state_dir, progress, extra_secrets)
    say, prefix, home, audit_file = place.say, place.prefix, place.home, place.audit_file
    source_config = dict(connection.source.config) if since is None else replay_source_config(connection, since)
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
            source, destination, cache = _connectors(connection, source_config, place.destination_config,
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
        summary = place.summary(records_read, offset, started)
    return place.ended(summary, None if error is None else f"{type(error).__name__}: {error}")


# ---------------------------------------------------------------------------------------------- the fast path
# The webhook relay has already fetched the shipments a webhook names and built their records (the same builder
# the source uses, shipstation_lib.shipment_records). Applying them needs no source process: the connection's own
# destination is run alone, as Airbyte runs a destination: `write --config --catalog`, the records on stdin as
# Airbyte RECORD messages, each batch closed by a STATE message that the destination passes back once every record
# before it is applied or reported (the protocol's checkpoint), from the same command or pip_url install a sync
# uses. That STATE is only a marker: the runner saves no state from it, so no state is moved; the next regular sync
# reads everything within its lookback as before and applies what this could not (the destination finds what is
# already applied by its external id: nothing is applied twice).
#
# One such `write` process is kept open per connection while webhooks keep coming (as one Airbyte sync keeps its
# destination open for all of its records), each batch fed to it under the connection's run lock, so a batch
# costs the destination's NetSuite calls and not a process start (about a second of CPU importing the CDK, more
# on a busy machine) and exit; it is closed after SESSION_IDLE_SECONDS without webhooks, after SESSION_MAX_SECONDS,
# when the config changes, on any failure, and when the runner stops.
APPLY_TIMEOUT_SECONDS = 10 * 60
SESSION_IDLE_SECONDS = 10 * 60
SESSION_MAX_SECONDS = 60 * 60
# Every record has its audit line before the destination passes the batch's STATE back; a STATE still missing this
# long after all the lines are there was withheld (a record failed in a way a retry could cure).
CONFIRM_GRACE_SECONDS = 3.0


class _Session:
    """One destination `write` process open for the relay's batches (see above)."""

    def __init__(self, fingerprint: str, command: list[str], config: dict, catalog_json: str, home: Path) -> None:
        import queue
        import subprocess

        self.fingerprint, self.started = fingerprint, time.monotonic()
        self.last_used = self.started
        self.batches = 0
        self.lock = threading.Lock()
        self.workdir = Path(tempfile.mkdtemp(prefix="apply-", dir=home))
        config_path, catalog_path = self.workdir / "config.json", self.workdir / "catalog.json"
        # The config holds the connection's secrets: readable by this user only, removed when the process ends.
        descriptor = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(config, handle)
        catalog_path.write_text(catalog_json)
        self.stderr = (self.workdir / "stderr.log").open("w+")
        # Unbuffered: the STATE it passes back must reach us when written, not when a buffer fills.
        self.process = subprocess.Popen([*command, "write", "--config", str(config_path), "--catalog",
                                         str(catalog_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.stderr, text=True, encoding="utf-8",
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.messages: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True, name="fast-path-destination")
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                self.messages.put(message)
        self.messages.put(None)  # the process ended

    def alive(self) -> bool:
        return self.process.poll() is None

    def apply(self, records: list[dict], stream: str, audit_file: Path, offset: int, timeout: float) -> str | None:
        """Feeds one batch and waits until the destination passes its STATE back; None if it did, else why not."""
        import queue

        self.batches += 1
        marker = {"relay_batch": self.batches, "not_a_source_state": True}
        state = {"type": "STATE", "state": {"type": "STREAM", "stream": {
            "stream_descriptor": {"name": stream}, "stream_state": marker}}}
        emitted_at = int(time.time() * 1000)
        lines = [json.dumps({"type": "RECORD", "record": {"stream": stream, "data": record, "emitted_at": emitted_at}})
                 for record in records]
        try:
            self.process.stdin.write("\n".join([*lines, json.dumps(state)]) + "\n")
            self.process.stdin.flush()
        except OSError as exc:
            return self._ended(f"it stopped reading ({type(exc).__name__})")
        deadline = time.monotonic() + timeout
        all_reported_at = None
        errors: list[str] = []
        while True:
            try:
                message = self.messages.get(timeout=0.2)
            except queue.Empty:
                now = time.monotonic()
                if now >= deadline:
                    return f"no answer within {timeout:.0f} s"
                if all_reported_at is None:
                    if len(audit_log.entries_since(audit_file, offset)) >= len(records):
                        all_reported_at = now
                elif now - all_reported_at > CONFIRM_GRACE_SECONDS:
                    return self._ended("it did not confirm the batch (some records must be delivered again)", errors)
                continue
            if message is None:
                return self._ended("it ended", errors)
            if message.get("type") == "STATE" and \
                    ((message.get("state") or {}).get("stream") or {}).get("stream_state") == marker:
                self.last_used = time.monotonic()
                return None
            if message.get("type") == "TRACE" and (message.get("trace") or {}).get("type") == "ERROR":
                errors.append(str((message["trace"].get("error") or {}).get("message") or "an error"))

    def _ended(self, what: str, errors: list[str] | None = None) -> str:
        """Closes the session after a failure; the reason, with the destination's own error messages."""
        self.close()
        code = self.process.returncode
        return (f"{what}; exited with {code}" + (f": {'; '.join(errors)}" if errors else "")
                + ("" if errors else f" ({self.stderr_tail()})" if self.stderr_tail() else ""))

    def stderr_tail(self, limit: int = 1000) -> str:
        try:
            self.stderr.flush()
            self.stderr.seek(0)
            return self.stderr.read()[-limit:].strip()
        except (OSError, ValueError):
            return ""

    def close(self, wait: float = 30.0) -> int | None:
        """Ends the process: its input closed (nothing is pending: every batch was confirmed or reported), then,
        if it does not end, terminated. Removes the config copy."""
        import subprocess

        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._reader.join(5)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return self.process.returncode


_sessions: dict[str, _Session] = {}
_sessions_lock = threading.Lock()
_cleaned_homes: set[Path] = set()
_reaper: threading.Thread | None = None


def close_fast_path_sessions() -> None:
    """Ends every destination process kept open for the relay's batches (the runner is stopping; also at exit)."""
    with _sessions_lock:
        held = list(_sessions.values())
        _sessions.clear()
    for session in held:
        with session.lock:
            session.close()


atexit.register(close_fast_path_sessions)


def _reap_idle_sessions() -> None:
    while True:
        time.sleep(5)
        now = time.monotonic()
        with _sessions_lock:
            idle = [(name, s) for name, s in _sessions.items()
                    if now - s.last_used > SESSION_IDLE_SECONDS or now - s.started > SESSION_MAX_SECONDS]
        for name, session in idle:
            if session.lock.acquire(blocking=False):  # never one in use
                try:
                    with _sessions_lock:
                        if _sessions.get(name) is session:
                            del _sessions[name]
                    session.close()
                finally:
                    session.lock.release()


def _remove_stale_workdirs(home: Path) -> None:
    """Config copies left by a runner that was killed with a session open (first use per process)."""
    with _sessions_lock:
        if home in _cleaned_homes:
            return
        _cleaned_homes.add(home)
    for stale in home.glob("apply-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _destination_command(connection: Connection, destination) -> list[str]:
    """The destination's command, as the connection's syncs get it: its pip_url install (PyAirbyte's virtual
    environment for it, where its console script sits beside the interpreter) or the installed command."""
    if connection.destination.pip_url:
        return [str(Path(destination.executor.interpreter_path).parent / connection.destination.connector)]
    return [str(find_executable(connection.destination.connector))]


def _session_for(connection: Connection, destination_config: dict, home: Path, state_dir: Path) -> _Session:
    """The connection's open session if it is still good for this config, else a new one."""
    global _reaper
    source, destination, _cache = _connectors(connection, dict(connection.source.config), destination_config,
                                              home, state_dir / "connectors")
    # The catalog a sync of this connection gives its destination (the source's discover, kept by PyAirbyte).
    catalog_json = source.get_configured_catalog(streams=connection.streams).model_dump_json(exclude_none=True)
    command = _destination_command(connection, destination)
    fingerprint = json.dumps([command, destination_config, catalog_json], sort_keys=True, default=repr)
    with _sessions_lock:
        held = _sessions.get(connection.name)
        if held is not None and held.fingerprint == fingerprint and held.alive():
            return held
        _sessions.pop(connection.name, None)
        if _reaper is None:
            _reaper = threading.Thread(target=_reap_idle_sessions, daemon=True, name="fast-path-reaper")
            _reaper.start()
    if held is not None:
        with held.lock:
            held.close()
    _remove_stale_workdirs(home)
    session = _Session(fingerprint, command, destination_config, catalog_json, home)
    with _sessions_lock:
        _sessions[connection.name] = session
    return session


def apply_records(connection: Connection, records: list[dict], state_dir: Path, progress: Progress = print,
                  extra_secrets: frozenset[str] = frozenset(),
                  lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS, stream: str = "shipments",
                  timeout: float = APPLY_TIMEOUT_SECONDS) -> RunSummary:
    """Applies `records` (of `stream`, as the connection's source emits them) with the connection's destination
    alone, under the connection's run lock; returns the RunSummary with the audit of these records. Raises
    RunFailed (scrubbed) if the destination failed or did not confirm them. No state is read, saved or moved."""
    if connection.source.connector != "source-shipstation" or stream not in connection.streams:
        raise ConfigError(f"{connection.name}: records from the webhook relay are source-shipstation's {stream!r}; "
                          f"this connection syncs {connection.source.connector} {', '.join(connection.streams)}")
    place = run_place(connection, state_dir, progress, extra_secrets)
    say, prefix, home, audit_file = place.say, place.prefix, place.home, place.audit_file

    with run_lock(home / "run.lock", connection.name, lock_wait_seconds):
        started = time.monotonic()
        say(f"{prefix} applying {len(records)} {stream} records from the webhook relay with "
            f"{connection.destination.connector} alone (no source run, state left as it is)")
        offset = audit_log.end_offset(audit_file)
        error: str | None = None
        try:
            session = _session_for(connection, place.destination_config, home, state_dir)
            with session.lock:
                error = session.apply(records, stream, audit_file, offset, timeout)
            if error is not None:
                with _sessions_lock:
                    if _sessions.get(connection.name) is session:
                        del _sessions[connection.name]
                error = f"{connection.destination.connector}: {error}"
        except Exception as exc:  # noqa: BLE001  (PyAirbyte or the process could not be started)
            error = f"{type(exc).__name__}: {exc}"
        summary = place.summary(len(records), offset, started)
    return place.ended(summary, error)
