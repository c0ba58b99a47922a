"""Where an incremental read starts: the cursor kept in state, moved back by the lookback, never before the
configured start date. The lookback is what lets a late change (a label voided hours after it was read, a clock
that differs from ShipStation's, a row committed out of order) be read again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, MutableMapping

from shipstation_lib.dates import parse_utc

DEFAULT_LOOKBACK_MINUTES = 24 * 60


@dataclass(frozen=True)
class Window:
    start_date: datetime | None
    lookback: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Window":
        minutes = config.get("lookback_minutes")
        return cls(parse_utc(config.get("start_date")),
                   timedelta(minutes=DEFAULT_LOOKBACK_MINUTES if minutes is None else int(minutes)))

    def start(self, cursor: str | None) -> datetime | None:
        """None means from the beginning of the account (no start date and no state yet)."""
        moved = parse_utc(cursor) - self.lookback if cursor else None
        if moved is None:
            return self.start_date
        return max(moved, self.start_date) if self.start_date else moved


def advance(state: MutableMapping[str, Any], name: str, value: str | None) -> None:
    """Move one cursor forward to `value`, never back (cursors are fixed-width UTC text: text order is time order)."""
    if value and (state.get(name) is None or value > state[name]):
        state[name] = value
