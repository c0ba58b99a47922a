"""v1 dates are US Pacific wall time without an offset; what we emit and filter with must be the true instant."""
from datetime import datetime, timezone

from shipstation_lib.dates import parse_v1, utc_text, v1_filter, v1_to_utc_text, v2_to_utc_text


def test_v1_summer_time_is_seven_hours_behind_utc():
    assert v1_to_utc_text("2026-07-01T10:00:00.1234567") == "2026-07-01T17:00:00.123456Z"


def test_v1_winter_time_is_eight_hours_behind_utc():
    assert v1_to_utc_text("2026-12-01T10:00:00.0000000") == "2026-12-01T18:00:00.000000Z"


def test_v1_date_across_midnight_lands_on_the_next_utc_day():
    assert v1_to_utc_text("2026-11-23T20:30:00") == "2026-11-24T04:30:00.000000Z"


def test_v1_filter_is_pacific_wall_time_rounded_down_so_nothing_is_skipped():
    moment = datetime(2026, 11, 24, 4, 30, 59, 900000, tzinfo=timezone.utc)
    assert v1_filter(moment) == "2026-11-23 20:30:59"
    assert parse_v1(v1_filter(moment)) <= moment


def test_v2_offsets_are_normalised_to_the_same_utc_shape():
    assert v2_to_utc_text("2026-11-23T09:19:39.423Z") == "2026-11-23T09:19:39.423000Z"
    assert v2_to_utc_text("2026-11-23T10:19:39+01:00") == "2026-11-23T09:19:39.000000Z"


def test_absent_dates_stay_absent():
    assert v1_to_utc_text(None) is None and v1_to_utc_text("") is None and utc_text(None) is None
