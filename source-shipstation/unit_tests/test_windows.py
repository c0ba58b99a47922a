"""Where an incremental read starts: the saved cursor less the lookback, never before the start date."""
from datetime import datetime, timezone

from source_shipstation.windows import Window, advance

CURSOR = "2026-11-23T10:00:00.000000Z"


def test_without_a_lookback_setting_a_sync_re_reads_the_last_24_hours():
    assert Window.from_config({}).start(CURSOR) == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_the_lookback_is_configurable_and_zero_means_none():
    assert Window.from_config({"lookback_minutes": 90}).start(CURSOR) == \
        datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    assert Window.from_config({"lookback_minutes": 0}).start(CURSOR) == datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def test_the_first_sync_starts_at_the_start_date_and_no_sync_reads_before_it():
    window = Window.from_config({"start_date": "2026-11-23T09:30:00Z"})
    assert window.start(None) == datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    assert window.start(CURSOR) == datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    assert Window.from_config({}).start(None) is None  # no start date: everything ShipStation holds


def test_a_cursor_never_moves_back():
    state = {"created_at": CURSOR}
    advance(state, "created_at", "2026-11-23T09:00:00.000000Z")
    advance(state, "created_at", None)
    assert state == {"created_at": CURSOR}
    advance(state, "created_at", "2026-11-23T11:00:00.000000Z")
    assert state == {"created_at": "2026-11-23T11:00:00.000000Z"}
