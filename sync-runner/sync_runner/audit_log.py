"""Reads back the destination's audit file (one JSON line per record outcome, written by libs/audit).

Why the file and not the `summary {...}` log line: PyAirbyte keeps a destination's log messages in its own log
files, not in anything `write()` returns, so the runner gives the destination an `audit_file` in the state
directory and reads the lines that one run appended."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def end_offset(path: Path) -> int:
    """Where the next run's lines will start."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def entries_since(path: Path, offset: int) -> list[dict]:
    try:
        with path.open("rb") as audit:
            audit.seek(offset)
            data = audit.read()
    except FileNotFoundError:
        return []
    entries = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a destination killed mid-write: the next run applies that record again
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def count_outcomes(entries: list[dict]) -> dict[str, int]:
    return dict(Counter(str(e.get("outcome", "unknown")) for e in entries))
