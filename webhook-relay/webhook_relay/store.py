"""Durable queue of notifications in SQLite: a notification is committed before the relay answers, so a crash
or restart loses none.

States: received -> fetched -> triggered. Side exits: duplicate (the same resource again within the window, by
URL or by what the URL names, see resource_keys.py: never fetched), known (every shipment in it was seen before,
learnt by fetching it or from a URL naming one seen shipment: no sync needed), failed (the fetch kept failing;
the next scheduled sync still reads it).

For the fast path (fast_path.py), `seen` also keeps the label or shipment a fetch answered, as ShipStation wrote it,
until the notification's sync has run (then it is cleared: only the ids stay).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .resource_keys import resource_key

RECEIVED, DUPLICATE, FETCHED, KNOWN, TRIGGERED, FAILED = \
    "received", "duplicate", "fetched", "known", "triggered", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_url TEXT NOT NULL,
    received_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    detail TEXT,
    resource_key TEXT
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS notifications_url ON notifications (api, resource_url, received_at);
CREATE TABLE IF NOT EXISTS seen (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    order_id TEXT,
    order_number TEXT,
    tracking_number TEXT,
    notification_id INTEGER NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
);
"""


@dataclass(frozen=True)
class Notification:
    id: int
    api: str
    resource_type: str
    resource_url: str
    state: str
    attempts: int


@dataclass(frozen=True)
class SeenRecord:
    kind: str  # "v1.shipment", "v2.shipment", "v1.fulfillment", ... : the dedupe key with `id`
    id: str
    order_id: str | None = None
    order_number: str | None = None
    tracking_number: str | None = None
    # What the resource said about it, as ShipStation answered (v2: the label, or the shipment; v1: the shipment
    # row with its items): what the fast path builds the source's record from (fast_path.py). Not part of the
    # identity of what was seen.
    raw: dict | None = field(default=None, compare=False, repr=False)
    raw_kind: str | None = field(default=None, compare=False)  # "label" or "shipment"


@dataclass(frozen=True)
class SeenParts:
    """One new shipment awaiting its sync, with what the relay fetched about it."""
    notification_id: int
    api: str
    resource_url: str
    kind: str
    id: str
    label: dict | None
    shipment: dict | None


class NotificationStore:
    def __init__(self, path: str | Path, duplicate_window_seconds: float = 24 * 3600) -> None:
        self.path = str(path)
        self.duplicate_window = duplicate_window_seconds
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        # WAL with synchronous=FULL: every commit is on disk before the 2xx goes out, and readers do not block it.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(notifications)")}
        if "resource_key" not in columns:  # a store written by a relay before resource keys
            self._db.execute("ALTER TABLE notifications ADD COLUMN resource_key TEXT")
        self._db.execute("CREATE INDEX IF NOT EXISTS notifications_key ON notifications (api, resource_key, received_at)")
        seen_columns = {row[1] for row in self._db.execute("PRAGMA table_info(seen)")}
        for column in ("label_json", "shipment_json"):  # a store written by a relay before the fast path
            if column not in seen_columns:
                self._db.execute(f"ALTER TABLE seen ADD COLUMN {column} TEXT")
        self._db.execute("CREATE INDEX IF NOT EXISTS seen_notification ON seen (notification_id)")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql_steps) -> object:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = sql_steps(self._db)
                self._db.execute("COMMIT")
                return result
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def add(self, api: str, resource_type: str, resource_url: str, now: float | None = None) -> tuple[int, str]:
        """Store one accepted notification; the same resource again within the window (the same URL, as ShipStation
        redelivers, or the same batch, as v1's SHIP_NOTIFY and ITEM_SHIP_NOTIFY and v2's label and shipment events
        are) is kept as a duplicate and never fetched twice."""
        now = time.time() if now is None else now
        key = resource_key(resource_url).key

        def steps(db):
            earlier = db.execute("SELECT id FROM notifications WHERE api = ? AND (resource_url = ? OR resource_key = ?)"
                                 " AND received_at >= ? AND state != ? ORDER BY id LIMIT 1",
                                 (api, resource_url, key, now - self.duplicate_window, FAILED)).fetchone()
            state = DUPLICATE if earlier else RECEIVED
            cursor = db.execute("INSERT INTO notifications (api, resource_type, resource_url, received_at, state,"
                                " updated_at, detail, resource_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (api, resource_type, resource_url, now, state, now,
                                 f"same resource as notification {earlier[0]}" if earlier else None, key))
            return cursor.lastrowid, state

        return self._write(steps)

    def due(self, limit: int = 50, now: float | None = None) -> list[Notification]:
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute("SELECT id, api, resource_type, resource_url, state, attempts FROM notifications"
                                    " WHERE state = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                                    (RECEIVED, now, limit)).fetchall()
        return [Notification(*row) for row in rows]

    def next_due_at(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT MIN(next_attempt_at) FROM notifications WHERE state = ?",
                                   (RECEIVED,)).fetchone()
        return row[0]

    def record_fetch(self, notification_id: int, records: Iterable[SeenRecord]) -> int:
        """Record what the resource held; returns how many shipments were new. Only new ones need a sync."""
        now = time.time()
        records = list(records)

        def steps(db):
            new = 0
            for r in records:
                label = json.dumps(r.raw) if r.raw is not None and r.raw_kind == "label" else None
                shipment = json.dumps(r.raw) if r.raw is not None and r.raw_kind == "shipment" else None
                cursor = db.execute("INSERT OR IGNORE INTO seen (kind, id, order_id, order_number, tracking_number,"
                                    " notification_id, seen_at, label_json, shipment_json)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    (r.kind, r.id, r.order_id, r.order_number, r.tracking_number,
                                     notification_id, now, label, shipment))
                if cursor.rowcount:
                    new += 1
                else:
                    # Seen before: keep what is known, fill in what this resource adds (v2 labels carry no order
                    # number, the shipment behind them does).
                    db.execute("UPDATE seen SET order_id = COALESCE(order_id, ?), order_number = COALESCE("
                               "order_number, ?), tracking_number = COALESCE(tracking_number, ?)"
                               " WHERE kind = ? AND id = ?",
                               (r.order_id, r.order_number, r.tracking_number, r.kind, r.id))
            state = FETCHED if new else KNOWN
            db.execute("UPDATE notifications SET state = ?, attempts = attempts + 1, updated_at = ?, detail = ?"
                       " WHERE id = ?", (state, now, f"{len(records)} records, {new} new", notification_id))
            return new

        return self._write(steps)

    def mark_known(self, notification_id: int, detail: str) -> None:
        """Settled without a fetch: what it points at was seen before."""
        now = time.time()
        self._write(lambda db: db.execute("UPDATE notifications SET state = ?, updated_at = ?, detail = ? WHERE id = ?",
                                          (KNOWN, now, detail, notification_id)))

    def was_seen(self, kind: str, record_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM seen WHERE kind = ? AND id = ?", (kind, record_id)).fetchone() \
                is not None

    def retry_later(self, notification_id: int, delay_seconds: float, detail: str) -> None:
        now = time.time()
        self._write(lambda db: db.execute(
            "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ?, detail = ?"
            " WHERE id = ?", (now + delay_seconds, now, detail, notification_id)))

    def fail(self, notification_id: int, detail: str) -> None:
        now = time.time()
        self._write(lambda db: db.execute(
            "UPDATE notifications SET state = ?, attempts = attempts + 1, updated_at = ?, detail = ? WHERE id = ?",
            (FAILED, now, detail, notification_id)))

    def awaiting_sync(self) -> list[int]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM notifications WHERE state = ? ORDER BY id",
                                                       (FETCHED,))]

    def mark_triggered(self, ids: list[int]) -> None:
        if not ids:
            return
        now = time.time()

        def steps(db):
            db.executemany("UPDATE notifications SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                           [(TRIGGERED, now, i, FETCHED) for i in ids])
            # What was fetched for the fast path (addresses among it) is kept only until its sync.
            db.executemany("UPDATE seen SET label_json = NULL, shipment_json = NULL WHERE notification_id = ?",
                           [(i,) for i in ids])

        self._write(steps)

    def parts_awaiting(self, notification_ids: list[int]) -> list[SeenParts]:
        """The shipments first seen by these notifications, with the label or shipment fetched for each."""
        if not notification_ids:
            return []
        marks = ",".join("?" * len(notification_ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT s.notification_id, n.api, n.resource_url, s.kind, s.id, s.label_json, s.shipment_json"
                " FROM seen s JOIN notifications n ON n.id = s.notification_id"
                f" WHERE s.notification_id IN ({marks}) ORDER BY s.notification_id, s.seen_at",
                list(notification_ids)).fetchall()
        return [SeenParts(n, api, url, kind, sid, json.loads(label) if label else None,
                          json.loads(shipment) if shipment else None)
                for n, api, url, kind, sid, label, shipment in rows]

    def note(self, notification_ids: list[int], detail: str) -> None:
        """Adds what became of these notifications' sync to their detail (e.g. applied by the fast path)."""
        if not notification_ids:
            return
        now = time.time()
        self._write(lambda db: db.executemany(
            "UPDATE notifications SET detail = COALESCE(detail || '; ', '') || ?, updated_at = ? WHERE id = ?",
            [(detail, now, i) for i in notification_ids]))

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT state, COUNT(*) FROM notifications GROUP BY state").fetchall())

    def notifications(self) -> list[Notification]:
        with self._lock:
            rows = self._db.execute("SELECT id, api, resource_type, resource_url, state, attempts FROM notifications"
                                    " ORDER BY id").fetchall()
        return [Notification(*row) for row in rows]

    def seen(self) -> list[SeenRecord]:
        with self._lock:
            rows = self._db.execute("SELECT kind, id, order_id, order_number, tracking_number FROM seen"
                                    " ORDER BY seen_at, kind, id").fetchall()
        return [SeenRecord(*row) for row in rows]
