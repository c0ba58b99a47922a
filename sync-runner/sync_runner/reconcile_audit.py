"""The audit's last word on a shipment: the newest outcome the fulfillment destination recorded for it, so a
controller reads why a shipment has no fulfillment (skipped: no such sales order...) beside the shipment.

The runner's audit store answers when the state directory has one (sync_runner/audit_store.py: an indexed
lookup per shipment); shipments it does not know (runs from before it, a merchant whose syncs run elsewhere with
an audit file) are looked up in the connection's audit file (JSON lines in time order), read once.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

STREAM = "shipments"
FIELDS = ("outcome", "reason", "at")


def last_words(audit_file: Path | None, state_dir: Path, connection: str | None,
               keys: Iterable[str]) -> dict[str, dict]:
    """shipment id -> {"outcome", "reason", "at"} of its newest audit entry, for the ids that have one."""
    wanted = set(keys)
    if not wanted or connection is None:
        return {}
    found = _from_audit_store(state_dir, connection, wanted)
    # Runs from before the store existed (or runs whose outcomes it could not keep) are only in the file.
    rest = wanted - set(found)
    if rest and audit_file is not None:
        found.update(_from_file(audit_file, rest))
    return found


def _from_audit_store(state_dir: Path, connection: str, wanted: set[str]) -> dict[str, dict]:
    """What the runner's audit store says, when there is one: one indexed lookup per shipment."""
    try:
        from .audit_store import AuditStore, store_path
    except ImportError:
        return {}
    if not store_path(state_dir).exists():
        return {}  # opening it would create an empty store in a state directory that has none
    store = AuditStore.for_state_dir(state_dir)
    found: dict[str, dict] = {}
    for key in sorted(wanted):
        outcomes, _ = store.search(key)  # newest first; the key may also be another record's order number
        newest = next((o for o in outcomes if o.connection == connection and o.stream == STREAM and o.key == key),
                      None)
        if newest is not None:
            found[key] = {"outcome": newest.outcome, "reason": newest.reason, "at": newest.at}
    return found


def _from_file(path: Path, wanted: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline="\n") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a destination killed mid-write
                if isinstance(entry, dict) and entry.get("stream") == STREAM and entry.get("key") in wanted:
                    found[entry["key"]] = {f: entry.get(f) for f in FIELDS}  # later lines win
    except FileNotFoundError:
        return {}
    return found
