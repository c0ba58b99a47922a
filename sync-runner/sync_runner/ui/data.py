"""What the connections view shows, gathered from the config, the state directory, the audit store, the relay's
SQLite queue and the reconciliation reports; and the config as the page may show it (secrets masked)."""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from ..audit_store import AuditStore, Run
from ..config import RunnerConfig
from ..redact import MASK, _SECRET_KEY

RUNS_SHOWN = 5
QUEUE_SHOWN = 10
REPORT_SUFFIXES = (".html", ".csv", ".json")


class _Placeholders(dict):
    """The environment, where a variable that is not set reads as empty and is remembered: the page can still show
    a config's runs after the variables are gone (the demo's), it only cannot run anything."""

    def __init__(self) -> None:
        super().__init__(os.environ)
        self.missing: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> str:
        if not dict.__contains__(self, name):
            self.missing.add(name)
            return ""
        return dict.__getitem__(self, name)


def load_for_page(path: str | Path) -> tuple[RunnerConfig, set[str]]:
    """The config, and the environment variables it names that are not set (then "apply again" is off)."""
    from ..config import load_config

    environ = _Placeholders()  # the same errors as every command, for anything but a missing variable
    return load_config(path, environ), set(environ.missing)


def masked(value: Any, secrets: set[str]) -> Any:
    """A config with every value under a secret-looking key, and every secret from the environment, masked."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(v, str) and _SECRET_KEY.search(str(k)) else masked(v, secrets))
                for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, secrets) for v in value]
    if isinstance(value, str) and value in secrets:
        return MASK
    return value


@dataclass
class ConnectionView:
    name: str
    source: str
    destination: str
    streams: list[str]
    schedule: str
    runs: list[Run]
    next_run: str
    state: str
    running: bool
    config_text: str
    can_apply: bool = True


@dataclass
class Queue:
    database: str
    counts: dict[str, int] = field(default_factory=dict)
    latest: list[dict] = field(default_factory=list)
    problem: str | None = None


def _schedule_text(seconds: int | None) -> str:
    if not seconds:
        return "manual (command line or relay)"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"every {n} {unit}{'s' if n > 1 else ''}"
    return f"every {seconds} s"


def _next_run(interval: int | None, runs: list[Run]) -> str:
    if not interval:
        return "when asked (no schedule)"
    if not runs:
        return "as soon as sync-runner serve starts"
    ended = datetime.fromisoformat(runs[0].ended_at)
    due = ended + timedelta(seconds=interval)
    when = "now" if due <= datetime.now(timezone.utc) else due.strftime("%Y-%m-%d %H:%M UTC")
    return f"{when} (while sync-runner serve is up)"


def _is_running(lock: Path) -> bool:
    """A run holds run.lock (run_lock.py); probing it without waiting tells whether one is under way."""
    if not lock.exists():
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _state_text(home: Path) -> str:
    db = home / "state.duckdb"
    if not db.exists():
        return "no saved state yet: the first run reads from the start"
    changed = datetime.fromtimestamp(db.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"saved state {db.stat().st_size // 1024} KiB, last written {changed}: the next run resumes from it"


def connections(config: RunnerConfig, store: AuditStore, secrets: set[str]) -> list[ConnectionView]:
    views = []
    for c in config.connections.values():
        runs = store.runs(c.name, limit=RUNS_SHOWN)
        home = config.state_dir / c.name
        shown = {"source": {"connector": c.source.connector, "config": masked(c.source.config, secrets)},
                 "destination": {"connector": c.destination.connector,
                                 "config": masked(c.destination.config, secrets)},
                 "streams": c.streams}
        views.append(ConnectionView(c.name, c.source.connector, c.destination.connector, c.streams,
                                    _schedule_text(c.interval_seconds), runs, _next_run(c.interval_seconds, runs),
                                    _state_text(home), _is_running(home / "run.lock"),
                                    yaml.safe_dump(shown, sort_keys=False)))
    return views


def relay_queue(config: RunnerConfig) -> Queue | None:
    """The relay's notifications by state, read-only from its SQLite file (relay_bridge.py puts it in the state
    directory unless the relay section names another)."""
    if config.relay is None:
        return None
    database = Path(config.relay.get("database") or "webhook-relay.sqlite3")
    database = database if database.is_absolute() else config.state_dir / database
    queue = Queue(str(database))
    if not database.exists():
        queue.problem = "no notification received yet (the relay starts with sync-runner serve)"
        return queue
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        try:
            queue.counts = dict(db.execute("SELECT state, COUNT(*) FROM notifications GROUP BY state").fetchall())
            rows = db.execute("SELECT id, api, resource_type, state, attempts, received_at, detail FROM notifications"
                              " ORDER BY id DESC LIMIT ?", (QUEUE_SHOWN,)).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        queue.problem = f"cannot read the relay's queue: {exc}"
        return queue
    queue.latest = [{"id": r[0], "api": r[1], "resource_type": r[2], "state": r[3], "attempts": r[4],
                     "received_at": datetime.fromtimestamp(r[5], timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                     "detail": r[6] or ""} for r in rows]
    return queue


def reconcile_dir(config: RunnerConfig) -> Path:
    return config.state_dir / "reconcile"


def latest_reconciliation(config: RunnerConfig) -> dict | None:
    """The newest report `sync-runner reconcile` left in <state_dir>/reconcile/ (its HTML, CSV and JSON files,
    found by name whatever their layout): {"name", "when", "files": [relative paths]}."""
    root = reconcile_dir(config)
    if not root.is_dir():
        return None
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in REPORT_SUFFIXES]
    if not files:
        return None
    newest = max(files, key=lambda p: p.stat().st_mtime)
    siblings = sorted(p for p in newest.parent.iterdir() if p.is_file() and p.suffix in REPORT_SUFFIXES
                      and (p.stem == newest.stem or newest.parent != root))
    summary = None
    for p in siblings:
        if p.suffix == ".json":
            try:
                summary = _report_summary(json.loads(p.read_text()))
            except (OSError, ValueError):
                pass
    return {"name": newest.stem if newest.parent == root else newest.parent.name,
            "when": datetime.fromtimestamp(newest.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "files": [str(p.relative_to(root)) for p in siblings], "summary": summary}


def _report_summary(data: Any) -> dict | None:
    """A report's headline figures: its top-level values and those of its flat mappings (the period, the
    totals), and how many entries each list holds (the errors)."""
    if not isinstance(data, dict):
        return None
    rows: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, (str, int, float)):
            rows[key] = value
        elif isinstance(value, dict) and value and all(isinstance(v, (str, int, float)) for v in value.values()):
            rows.update({f"{key}: {k}": v for k, v in value.items()})
        elif isinstance(value, list):
            rows[key] = len(value)
    return rows


def page_secrets(config: RunnerConfig) -> set[str]:
    from ..redact import secret_values

    found = set(config.secrets) | secret_values(config.relay or {})
    for c in config.connections.values():
        found |= secret_values(c.source.config) | secret_values(c.destination.config)
    return found


__all__ = ["ConnectionView", "Queue", "connections", "latest_reconciliation", "load_for_page", "masked",
           "page_secrets", "relay_queue", "reconcile_dir"]
