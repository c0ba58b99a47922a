"""ShipStation's dates, made UTC.

v1 writes the dates it sets as US Pacific wall time without an offset ("2026-11-02T07:15:42.1230000") and reads
its date filters in that zone too; v2 writes ISO 8601 with an offset. Everything we emit or keep in state is UTC
in one fixed-width shape, so that cursors compare correctly as text as well as as datetimes.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
# v1 sends seven fractional digits; Python reads at most six.
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def _parse(text: str) -> datetime:
    value = _FRACTION.sub(r"\1", text.strip().replace(" ", "T"))
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value)


def parse_v1(text: str | None) -> datetime | None:
    """A v1 date (Pacific, no offset) as an aware UTC datetime. An explicit offset, if ever present, wins.

    At the autumn change the repeated hour is ambiguous in Pacific wall time; it is read as the first (daylight)
    one (fold=0). The sync's lookback window covers the hour this can misplace a label by.
    """
    if not text:
        return None
    parsed = _parse(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PACIFIC)
    return parsed.astimezone(timezone.utc)


def parse_utc(text: str | None) -> datetime | None:
    """A v2 date, a state value or a config date; without an offset it is taken as UTC (v2 is a UTC API)."""
    if not text:
        return None
    parsed = _parse(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def utc_text(moment: datetime | None) -> str | None:
    """The one shape every emitted date and cursor has: 2026-11-02T15:15:42.123000Z."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def v1_to_utc_text(text: str | None) -> str | None:
    return utc_text(parse_v1(text))


def v2_to_utc_text(text: str | None) -> str | None:
    return utc_text(parse_utc(text))


def v1_filter(moment: datetime) -> str:
    """A UTC instant as a v1 date filter: Pacific wall time, whole seconds rounded down (filters are inclusive,
    so rounding down can only re-read, never skip)."""
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def v2_filter(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day_only(text: str | None) -> str | None:
    """A ship date as the calendar day ShipStation states (v1 "2026-11-02", v2 "2026-11-02T00:00:00Z")."""
    return text[:10] if text else None
