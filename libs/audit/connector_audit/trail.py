from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Callable, TextIO


class Outcome(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    ALREADY_PRESENT = "already_present"  # a replay: the change was made by an earlier sync
    UNCHANGED = "unchanged"  # nothing differed, nothing written
    REVERSED = "reversed"
    WOULD_CHANGE = "would_change"  # dry run
    SKIPPED = "skipped"  # not applicable now (no such order, unknown SKU...); a later sync tries again
    FAILED = "failed"  # the API refused or kept failing; a later sync tries again

    @property
    def needs_reason(self) -> bool:
        return self in (Outcome.SKIPPED, Outcome.FAILED)


class AuditTrail:
    def __init__(self, logger: logging.Logger, connector: str, audit_file: str | None = None,
                 scrub: Callable[[str], str] | None = None) -> None:
        """`scrub` rewrites each line before it is written anywhere: a reason can quote an API's answer, and an
        answer can echo what it was sent. The connectors pass the CDK's `filter_secrets`, which masks every
        secret of the config and every token registered during the sync; the log line is masked by the CDK's
        logger anyway, the audit file only by this."""
        self._logger = logger
        self._connector = connector
        self._scrub = scrub or (lambda text: text)
        self._path = Path(audit_file).expanduser() if audit_file else None
        self._lock = threading.Lock()
        # Opened at the first line and kept for the sync, not opened and closed for each line under the lock that
        # keeps the lines in order. Each line is flushed, so a killed process leaves every outcome it reported.
        self._file: TextIO | None = None
        # Only counts are kept in memory, never the entries: a sync of a whole catalogue must not grow with it.
        # Each entry lives on in the log line and the audit file.
        self.counts: Counter[str] = Counter()
        if self._path:
            self._path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, stream: str, key: str, outcome: Outcome, reason: str | None = None, **details: Any) -> dict:
        if outcome.needs_reason and not reason:
            raise ValueError(f"a {outcome.value} outcome needs a reason ({stream} {key})")
        entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "connector": self._connector,
                 "stream": stream, "key": key, "outcome": outcome.value}
        if reason:
            entry["reason"] = reason
        entry.update({k: v for k, v in details.items() if v is not None})
        line = self._scrub(json.dumps(entry, ensure_ascii=False, default=str))
        with self._lock:
            self.counts[outcome.value] += 1
            if self._path:
                if self._file is None:
                    self._file = self._path.open("a", encoding="utf-8")
                self._file.write(line + "\n")
                self._file.flush()
        level = logging.WARNING if outcome.needs_reason else logging.INFO
        self._logger.log(level, f"audit {line}")
        return entry

    def close(self) -> None:
        """Closes the file; a later line opens it again."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def summary(self) -> dict[str, int]:
        with self._lock:
            return {outcome.value: self.counts.get(outcome.value, 0) for outcome in Outcome
                    if self.counts.get(outcome.value)}

    def log_summary(self) -> str:
        counts = self.summary()
        total = sum(counts.values())
        text = f"{self._connector}: {total} records: " + (", ".join(f"{n} {k}" for k, n in counts.items()) or "none")
        self._logger.info(f"summary {json.dumps({'connector': self._connector, 'total': total, **counts})}")
        self._logger.info(text)
        return text
