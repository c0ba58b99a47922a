"""The incremental cursor of a stream on NetSuite's last-modified date, with an overlap window.

NetSuite reads a date literal in a time zone nobody has confirmed (probably the user's preference), so each read
starts `overlap` before the last cursor. Rows read again in that overlap with the same modification date were
already delivered: their keys and dates are kept in the state and they are not emitted twice. That list is an
optimisation (the destinations are idempotent), so it is bounded and dropped rather than allowed to grow.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, MutableMapping

from airbyte_cdk.sources.streams import IncrementalMixin

CURSOR_FIELD = "last_modified_at"
RECENT_KEYS_CAP = 10_000
NETSUITE_FORMAT = "%Y-%m-%d %H:%M:%S"
RECORD_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_record_date(value: str) -> datetime:
    return datetime.strptime(value, RECORD_FORMAT).replace(tzinfo=timezone.utc)


class ModifiedCursor:
    def __init__(self, state: Mapping[str, Any] | None, overlap: timedelta) -> None:
        state = state or {}
        self.overlap = overlap
        self.committed: str | None = state.get(CURSOR_FIELD)
        self._previous_recent: dict[str, str] = dict(state.get("recent") or {})
        self._max_seen: str | None = self.committed
        self._recent: dict[str, str] = {}

    def since(self) -> str | None:
        """The NetSuite-format moment to read from (the cursor minus the overlap), or None for everything."""
        if not self.committed:
            return None
        return (parse_record_date(self.committed) - self.overlap).strftime(NETSUITE_FORMAT)

    def is_repeat(self, key: str, modified: str | None) -> bool:
        return modified is not None and self._previous_recent.get(key) == modified

    def observe(self, key: str, modified: str | None) -> None:
        if modified is None:
            return
        if self._max_seen is None or modified > self._max_seen:
            self._max_seen = modified
        self._recent[key] = modified
        if len(self._recent) > 2 * RECENT_KEYS_CAP:
            self._prune()

    def commit(self) -> None:
        """Called once every row of the read has been handed on: only then may the cursor move."""
        self._prune()
        recent = {**{k: v for k, v in self._previous_recent.items() if self._in_overlap(v)}, **self._recent}
        self._previous_recent = recent if len(recent) <= RECENT_KEYS_CAP else {}
        self.committed = self._max_seen
        self._recent = {}

    def state(self) -> dict:
        state: dict[str, Any] = {}
        if self.committed:
            state[CURSOR_FIELD] = self.committed
            state["recent"] = self._previous_recent
        return state

    def _in_overlap(self, modified: str) -> bool:
        if self._max_seen is None:
            return False
        return parse_record_date(modified) >= parse_record_date(self._max_seen) - self.overlap

    def _prune(self) -> None:
        self._recent = {k: v for k, v in self._recent.items() if self._in_overlap(v)}


class ModifiedCursorState(IncrementalMixin):
    """A stream whose Airbyte state is its ModifiedCursor's; the stream sets `overlap` and starts `_cursor`."""

    overlap: timedelta
    _cursor: ModifiedCursor

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._cursor.state()

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._cursor = ModifiedCursor(value, self.overlap)
