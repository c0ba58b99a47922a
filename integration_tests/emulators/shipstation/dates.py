"""Date formats of the two APIs. State is kept in UTC; only the wire sees other zones.

v1 speaks US Pacific local time with no offset ("2026-11-02T07:15:42.1230000") in answers and reads its
date filters in that zone too; v2 speaks ISO 8601 with an offset (UTC here).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def utc_from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def v1_format(moment: datetime | None) -> str | None:
    """UTC instant -> Pacific wall time, seven fractional digits, no offset (the way v1 writes dates)."""
    if moment is None:
        return None
    local = moment.astimezone(PACIFIC)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond:06d}0"


def v1_date_only(moment: datetime | None) -> str | None:
    """v1 shipDate is a Pacific calendar date ("2026-11-02")."""
    return None if moment is None else moment.astimezone(PACIFIC).date().isoformat()


def parse_v1_filter(text: str) -> datetime:
    """A v1 filter value read as Pacific local time (an explicit offset, if a client sends one, wins).

    Raises ValueError on anything unparseable; callers turn that into the v1 400 body.
    """
    value = _FRACTION.sub(r"\1", text.strip().replace(" ", "T"))
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # fold=0: an ambiguous hour at the autumn change is read as the first (daylight) one.
        parsed = parsed.replace(tzinfo=PACIFIC)
    return parsed.astimezone(timezone.utc)


def v2_format(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def v2_date(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_v2(text: str) -> datetime:
    """ISO 8601; a value without an offset is taken as UTC (v2 is a UTC API)."""
    value = _FRACTION.sub(r"\1", text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def pacific_day(moment: datetime) -> date:
    return moment.astimezone(PACIFIC).date()
