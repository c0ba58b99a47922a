"""Targeted replay: `sync-runner replay CONNECTION --shipment ID...` (or `--failed`) applies exactly those
shipments again, e.g. once the sales order a skipped shipment needed exists in NetSuite.

How: a replay from a date (as `run --since`: ShipStation's shipments read again from that moment, with no saved
state used or moved) of a source configured to emit only the targeted shipments (source-shipstation's
`shipment_ids` setting, "Only these shipments"): the source reads its window as usual and hands on only those
records, and PyAirbyte's ordinary `destination.write(source, cache=False, state_cache=False)` runs it. The window
starts a day before the first time the audit store saw any of them (a shipment is read by the sync after it is
created or changed, so its first outcome comes after its cursor; the day covers clock differences between
ShipStation and this machine), or at `since` when given. The guarantee is the destination's own, as for every
sync: it finds the item fulfillment it made by its external id and answers `already_present`, never twice.

What came through is told by the destination: the records it was sent (PyAirbyte's WriteResult) and the audit
entries this run appended; a targeted shipment with no outcome in them was not among ShipStation's shipments in the
window, and is named in the summary."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from . import audit_log
from .audit_store import AuditStore
from .config import ConfigError, RunnerConfig
from .connection import RunSummary, replay_source_config, run_place, source_and_destination
from .run_lock import run_lock

WINDOW_MARGIN = timedelta(days=1)
SHIPMENTS_STREAM = "shipments"
SOURCE = "source-shipstation"
SHIPMENT_IDS_SETTING = "shipment_ids"  # source-shipstation's "Only these shipments"


@dataclass
class ReplaySummary(RunSummary):
    targeted: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # not among ShipStation's shipments since the window start
    since: str = ""

    def text(self) -> str:
        missing = f"; not found in ShipStation since {self.since}: {', '.join(self.not_found)}" if self.not_found \
            else ""
        return super().text() + missing


def failed_shipments(state_dir: Path, connection: str) -> list[str]:
    """The shipments whose latest outcome is failed or skipped: what `--failed` applies again."""
    return [o.key for o in AuditStore.for_state_dir(state_dir).needs_attention(connection, SHIPMENTS_STREAM)]


def window_start(state_dir: Path, connection: str, shipment_ids: list[str]) -> str:
    seen = AuditStore.for_state_dir(state_dir).first_seen(connection, shipment_ids)
    unknown = [s for s in shipment_ids if s not in seen]
    if unknown:
        raise ConfigError(f"{connection}: the audit store has no outcome for shipment(s) {', '.join(unknown)}; "
                          "give --since DATE to say from when ShipStation's shipments are to be read")
    earliest = min(datetime.fromisoformat(at.replace("Z", "+00:00")) for at in seen.values())
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=timezone.utc)
    return (earliest - WINDOW_MARGIN).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def applied_shipments(entries: list[dict]) -> set[str]:
    """The shipments this run's audit entries give an outcome for."""
    return {str(e.get("key")) for e in entries if e.get("stream") == SHIPMENTS_STREAM and e.get("key")}


def _only_these(source, name: str, wanted: list[str]) -> None:
    """ConfigError unless the installed source can be limited to given shipments: an older source-shipstation
    ignores the setting and would hand on every shipment of the window (each still applied once, but not what a
    targeted replay promises)."""
    if SHIPMENT_IDS_SETTING not in (source.config_spec.get("properties") or {}):
        raise ConfigError(f"{name}: the installed {SOURCE} has no '{SHIPMENT_IDS_SETTING}' setting, so it cannot "
                          f"read only shipment(s) {', '.join(wanted)}; upgrade it to a version that has it")


def replay_shipments(config: RunnerConfig, name: str, shipment_ids: list[str], since: str | None = None,
                     progress: Callable[[str], None] = print, lock_wait_seconds: float = 15 * 60) -> ReplaySummary:
    """Applies exactly `shipment_ids` again; raises RunFailed (scrubbed) if the sync fails, ConfigError when the
    connection is not a ShipStation one or a shipment's window cannot be known."""
    connection = config.connection(name)
    wanted = sorted({str(s).strip() for s in shipment_ids if str(s).strip()})
    if not wanted:
        raise ConfigError(f"{name}: no shipment to apply again")
    since = since or window_start(config.state_dir, name, wanted)
    source_config = replay_source_config(connection, since)  # ConfigError for a connection that is not sync 1
    source_config[SHIPMENT_IDS_SETTING] = list(wanted)
    place = run_place(connection, config.state_dir, progress, config.secrets)

    with run_lock(place.home / "run.lock", name, lock_wait_seconds):
        started = time.monotonic()
        place.say(f"{place.prefix} applying again {len(wanted)} shipment(s): {', '.join(wanted)}; reading "
                  f"ShipStation's shipments from {since} (the saved state is left as it is)")
        offset = audit_log.end_offset(place.audit_file)
        records_read = 0
        error: Exception | None = None
        try:
            # Objects of its own, not the connection's kept ones: this source config is the replay's alone.
            source, destination = source_and_destination(connection, source_config, place.destination_config,
                                                          config.state_dir / "connectors")
            _only_these(source, name, wanted)
            result = destination.write(source, cache=False, state_cache=False)  # no state read or written
            records_read = result.processed_records
        except ConfigError:
            raise
        except Exception as exc:  # PyAirbyte and connector errors of every kind end the run the same way
            error = exc
        summary = place.summary(records_read, offset, started, ReplaySummary, targeted=wanted, since=since)
        # After a failure, a shipment without an outcome may simply not have been reached: none is named missing.
        if error is None:
            applied = applied_shipments(summary.audit)
            summary.not_found = [s for s in wanted if s not in applied]
    return place.ended(summary, None if error is None else f"{type(error).__name__}: {error}", "applying again")
