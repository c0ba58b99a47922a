"""Every outcome every run writes, kept queryable: `<state_dir>/audit.sqlite3`, shared by all connections.

Why SQLite and not the DuckDB state files: each connection's DuckDB is PyAirbyte's, held open by its runs, and a
question like "order 10042" spans both connections; SQLite (stdlib, WAL) lets the page read while a run writes,
from another process, and its B-tree indexes answer a lookup in milliseconds whatever the table's size. The
JSON-lines audit files stay as the plain export; this store is filled from the RunSummary each run returns
(Runner.audited), so it holds exactly what the runs reported.

Each outcome is indexed by the values a person searches for: the record's key (a shipment id for sync 1, "SKU @
location" for stock, ns-<id> for orders), its order number, its ShipStation shipment id, its NetSuite fulfillment
id, and every SKU on its lines. `latest` keeps each record's newest outcome, so "what needs attention" is read
without scanning the history."""
from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

STORE_NAME = "audit.sqlite3"
NEEDS_ATTENTION = ("failed", "skipped")
_IDENTIFIER = re.compile(r"[^\s,;:()]*\d[^\s,;:()]*")
SEARCH_LIMIT = 500  # a SKU read by every stock sync has thousands of outcomes: the newest are shown, all counted

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    seconds REAL NOT NULL,
    records_read INTEGER NOT NULL,
    outcomes TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_connection ON runs (connection, id);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    connection TEXT NOT NULL,
    at TEXT NOT NULL,
    stream TEXT NOT NULL,
    key TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    order_number TEXT,
    shipment_id TEXT,
    fulfillment_id TEXT,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_by_key ON outcomes (key COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outcomes_by_order ON outcomes (order_number COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outcomes_by_shipment ON outcomes (shipment_id COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outcomes_by_fulfillment ON outcomes (fulfillment_id COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outcomes_by_run ON outcomes (run_id, stream, outcome);
CREATE INDEX IF NOT EXISTS outcomes_by_outcome ON outcomes (outcome, at);
CREATE INDEX IF NOT EXISTS outcomes_by_date ON outcomes (at, outcome);  -- covers the outcomes-per-day chart
CREATE TABLE IF NOT EXISTS outcome_skus (
    outcome_id INTEGER NOT NULL,
    sku TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcome_skus_by_sku ON outcome_skus (sku COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS latest (
    connection TEXT NOT NULL,
    stream TEXT NOT NULL,
    key TEXT NOT NULL,
    outcome_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    reason_kind TEXT NOT NULL,
    PRIMARY KEY (connection, stream, key)
);
CREATE INDEX IF NOT EXISTS latest_by_kind ON latest (outcome, connection, reason_kind);
"""


@dataclass(frozen=True)
class Run:
    id: int
    connection: str
    kind: str  # "sync", "replay" (from a date) or "targeted replay"
    started_at: str
    ended_at: str
    seconds: float
    records_read: int
    outcomes: dict
    error: str | None


@dataclass(frozen=True)
class Outcome:
    id: int
    run_id: int
    connection: str
    at: str
    stream: str
    key: str
    outcome: str
    reason: str | None
    order_number: str | None
    shipment_id: str | None
    fulfillment_id: str | None
    entry: dict

    @property
    def lines(self) -> list[dict]:
        return [line for line in self.entry.get("lines") or [] if isinstance(line, dict)]

    @property
    def tracking_numbers(self) -> list[str]:
        return [str(t) for t in self.entry.get("tracking_numbers") or []]

    def details(self) -> dict:
        """What the destination added beyond the columns (lots, bins, quantities, notes...), for display."""
        shown = {"at", "connector", "stream", "key", "outcome", "reason", "lines", "tracking_numbers"}
        return {k: v for k, v in self.entry.items() if k not in shown and v not in (None, "", [])}


def reason_kind(reason: str | None, outcome: str) -> str:
    """A reason without what names one record ("no sales order with tranid SO101" -> "no sales order with tranid
    …"): the destinations name the order in each reason, and "needs attention" groups records by their cause."""
    return _IDENTIFIER.sub("…", reason) if reason else outcome


def store_path(state_dir: Path) -> Path:
    return Path(state_dir) / STORE_NAME


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def indexed_values(connection: str, entry: dict) -> tuple[str | None, str | None, str | None, set[str]]:
    """(order number, ShipStation shipment id, NetSuite fulfillment id, SKUs) of one audit entry, from what each
    destination records: sync 1 keys by shipment id and lists lines; stock keys by "SKU @ location"; orders keep
    the ShipStation shipment id they made."""
    stream, key = entry.get("stream"), str(entry.get("key", ""))
    shipment = entry.get("shipment_id") or (key if stream == "shipments" and not key.startswith("(") else None)
    skus = {str(line["sku"]) for line in entry.get("lines") or [] if isinstance(line, dict) and line.get("sku")}
    if stream == "stock" and " @ " in key:
        skus.add(key.split(" @ ", 1)[0])
    if entry.get("sku"):
        skus.add(str(entry["sku"]))
    return _text(entry.get("order_number")), _text(shipment), _text(entry.get("fulfillment_id")), skus


class AuditStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def for_state_dir(cls, state_dir: Path) -> "AuditStore":
        return cls(store_path(state_dir))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: the runner writes from its sync threads, the page reads from its own process.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps the store consistent; a power cut loses a run
            yield db
        finally:
            db.close()

    # ------------------------------------------------------------------------------------------------ writing
    def ingest(self, connection: str, entries: list[dict], seconds: float, records_read: int,
               outcomes: dict[str, int], kind: str = "sync", error: str | None = None,
               ended: datetime | None = None) -> int:
        """Adds one run and its outcomes in one transaction; returns the run's id."""
        ended = ended or datetime.now(timezone.utc)
        started = ended - timedelta(seconds=max(0.0, seconds))
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                run_id = db.execute(
                    "INSERT INTO runs (connection, kind, started_at, ended_at, seconds, records_read, outcomes, error)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (connection, kind, _iso(started), _iso(ended), float(seconds), int(records_read),
                     json.dumps(outcomes, sort_keys=True), error)).lastrowid
                self._add_outcomes(db, run_id, connection, entries, fallback_at=_iso(ended))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return run_id

    @staticmethod
    def _add_outcomes(db: sqlite3.Connection, run_id: int, connection: str, entries: Iterable[dict],
                      fallback_at: str) -> None:
        first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM outcomes").fetchone()[0]
        rows, skus, latest = [], [], {}
        for n, entry in enumerate(entries):
            outcome_id = first + n
            order, shipment, fulfillment, entry_skus = indexed_values(connection, entry)
            stream, key = str(entry.get("stream", "")), str(entry.get("key", ""))
            outcome, reason = str(entry.get("outcome", "unknown")), _text(entry.get("reason"))
            rows.append((outcome_id, run_id, connection, str(entry.get("at") or fallback_at), stream, key, outcome,
                         reason, order, shipment, fulfillment, json.dumps(entry, ensure_ascii=False, default=str)))
            skus.extend((outcome_id, sku) for sku in entry_skus)
            latest[(stream, key)] = (connection, stream, key, outcome_id, outcome, reason, reason_kind(reason, outcome))
        db.executemany("INSERT INTO outcomes (id, run_id, connection, at, stream, key, outcome, reason, order_number,"
                       " shipment_id, fulfillment_id, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO outcome_skus (outcome_id, sku) VALUES (?, ?)", skus)
        db.executemany("INSERT OR REPLACE INTO latest (connection, stream, key, outcome_id, outcome, reason,"
                       " reason_kind) VALUES (?, ?, ?, ?, ?, ?, ?)", latest.values())

    # ------------------------------------------------------------------------------------------------ reading
    def _outcomes(self, sql: str, params: tuple = ()) -> list[Outcome]:
        with self._connect() as db:
            rows = db.execute(sql, params).fetchall()
        return [Outcome(*row[:11], json.loads(row[11])) for row in rows]

    _COLUMNS = ("o.id, o.run_id, o.connection, o.at, o.stream, o.key, o.outcome, o.reason, o.order_number, "
                "o.shipment_id, o.fulfillment_id, o.entry")

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> tuple[list[Outcome], int]:
        """Every outcome whose order number, shipment id, fulfillment id, SKU or key is `text` (any case), newest
        first, at most `limit`; and how many there are in all. Each branch is one index lookup."""
        value = text.strip()
        if not value:
            return [], 0
        matching = ("SELECT id FROM outcomes WHERE key = :v COLLATE NOCASE"
                    " UNION SELECT id FROM outcomes WHERE order_number = :v COLLATE NOCASE"
                    " UNION SELECT id FROM outcomes WHERE shipment_id = :v COLLATE NOCASE"
                    " UNION SELECT id FROM outcomes WHERE fulfillment_id = :v COLLATE NOCASE"
                    " UNION SELECT outcome_id FROM outcome_skus WHERE sku = :v COLLATE NOCASE")
        with self._connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM ({matching})", {"v": value}).fetchone()[0]
            rows = db.execute(f"SELECT {self._COLUMNS} FROM outcomes o WHERE o.id IN ({matching})"
                              " ORDER BY o.id DESC LIMIT :limit", {"v": value, "limit": limit}).fetchall()
        return [Outcome(*row[:11], json.loads(row[11])) for row in rows], total

    def query(self, *, connection: str | None = None, outcome: str | None = None, run_id: int | None = None,
              since: str | None = None, until: str | None = None, limit: int = 100, offset: int = 0) -> list[Outcome]:
        """Outcomes by connection, outcome, run and date (ISO text, `until` exclusive), newest first."""
        where, params = [], []
        for column, value in (("connection", connection), ("outcome", outcome), ("run_id", run_id)):
            if value is not None:
                where.append(f"o.{column} = ?")
                params.append(value)
        if since:
            where.append("o.at >= ?")
            params.append(since)
        if until:
            where.append("o.at < ?")
            params.append(until)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "o.id" if run_id is not None else "o.id DESC"  # a run's records in the order it applied them
        return self._outcomes(f"SELECT {self._COLUMNS} FROM outcomes o {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                              (*params, limit, offset))

    def count(self, run_id: int) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM outcomes WHERE run_id = ?", (run_id,)).fetchone()[0]

    def runs(self, connection: str | None = None, limit: int = 20) -> list[Run]:
        clause, params = ("WHERE connection = ?", (connection,)) if connection else ("", ())
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM runs {clause} ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_run(row) for row in rows]

    def run(self, run_id: int) -> Run | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    def needs_attention(self, connection: str | None = None, stream: str | None = None, kind: str | None = None,
                        limit: int | None = None, key: str | None = None) -> list[Outcome]:
        """Each record whose newest outcome is failed or skipped (of one reason kind, when given), oldest first."""
        where, params = ["l.outcome IN (?, ?)"], list(NEEDS_ATTENTION)
        for column, value in (("connection", connection), ("stream", stream), ("reason_kind", kind), ("key", key)):
            if value is not None:
                where.append(f"l.{column} = ?")
                params.append(value)
        bound = f" LIMIT {int(limit)}" if limit is not None else ""
        return self._outcomes(f"SELECT {self._COLUMNS} FROM latest l JOIN outcomes o ON o.id = l.outcome_id"
                              f" WHERE {' AND '.join(where)} ORDER BY o.id{bound}", tuple(params))

    def attention_groups(self, per_group: int = 50) -> list[dict]:
        """What needs attention by connection and reason kind: {"connection", "reason", "count", "outcomes" (the
        first `per_group`)}; the biggest groups first."""
        with self._connect() as db:
            groups = db.execute("SELECT connection, reason_kind, COUNT(*) AS n FROM latest WHERE outcome IN (?, ?)"
                                " GROUP BY connection, reason_kind ORDER BY n DESC, reason_kind",
                                NEEDS_ATTENTION).fetchall()
        return [{"connection": c, "reason": kind, "count": n,
                 "outcomes": self.needs_attention(c, kind=kind, limit=per_group)} for c, kind, n in groups]

    def first_seen(self, connection: str, keys: Iterable[str]) -> dict[str, str]:
        """key -> the time of its first outcome: where a targeted replay's window has to start."""
        keys = list(keys)
        if not keys:
            return {}
        seen = {}
        with self._connect() as db:
            for key in keys:  # each through outcomes_by_key (a NOCASE index: compared NOCASE, then exactly)
                [at] = db.execute("SELECT MIN(at) FROM outcomes WHERE key = ? COLLATE NOCASE AND key = ? AND"
                                  " connection = ?", (key, key, connection)).fetchone()
                if at is not None:
                    seen[key] = at
        return seen

    def outcomes_per_day(self, days: int = 30) -> dict[str, dict[str, int]]:
        """day -> outcome -> count, over the last `days` days (read through the date index)."""
        with self._connect() as db:
            rows = db.execute("SELECT substr(at, 1, 10) AS day, outcome, COUNT(*) FROM outcomes WHERE at >= ?"
                              " GROUP BY day, outcome ORDER BY day",
                              (_iso(datetime.now(timezone.utc) - timedelta(days=days))[:10],)).fetchall()
        per_day: dict[str, dict[str, int]] = {}
        for day, outcome, count in rows:
            per_day.setdefault(day, {})[outcome] = count
        return per_day

    def stock_corrections(self, runs: int = 20) -> list[tuple[Run, list[Outcome]]]:
        """The last stock runs, each with the levels it corrected (outcome updated on the stock stream)."""
        with self._connect() as db:
            # Newest runs first, each probed through outcomes_by_run: no scan of the outcomes.
            rows = db.execute("SELECT * FROM runs r WHERE EXISTS (SELECT 1 FROM outcomes o WHERE o.run_id = r.id AND"
                              " o.stream = 'stock') ORDER BY r.id DESC LIMIT ?", (runs,)).fetchall()
        picked = [_run(row) for row in reversed(rows)]
        return [(run, self._outcomes(f"SELECT {self._COLUMNS} FROM outcomes o WHERE o.run_id = ? AND"
                                     " o.stream = 'stock' AND o.outcome = 'updated'", (run.id,))) for run in picked]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _run(row: tuple) -> Run:
    return Run(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]), row[8])


def keep_summary(state_dir: Path, summary, kind: str, error: str | None, warn) -> None:
    """Adds a RunSummary to the state directory's store. Never fails the run it records: the outcomes are
    applied already and stay in the audit file; the warning says where."""
    try:
        AuditStore.for_state_dir(state_dir).ingest(summary.connection, summary.audit, summary.seconds,
                                                   summary.records_read, summary.outcomes, kind=kind, error=error)
    except Exception as exc:  # a full disk, a locked file: the sync itself is done
        warn(f"[{summary.connection}] the audit store could not keep this run's outcomes "
             f"({type(exc).__name__}: {exc}); they are in {summary.audit_file}")
