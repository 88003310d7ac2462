from datetime import UTC, datetime

import pytest

from domain.errors import InvalidTimezone
from domain.timezones import RUSSIAN_TIMEZONES, parse_timezone, utc_offset_label


def test_russian_shortlist_is_the_twelve_zones_in_east_order() -> None:
    assert RUSSIAN_TIMEZONES[0] == "Europe/Kaliningrad"
    assert RUSSIAN_TIMEZONES[-1] == "Asia/Kamchatka"
    assert len(RUSSIAN_TIMEZONES) == 12
    # every entry is a real zone and parses to itself
    assert all(parse_timezone(tz) == tz for tz in RUSSIAN_TIMEZONES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/moscow", "Europe/Moscow"),
        ("  ASIA/YEKATERINBURG \n", "Asia/Yekaterinburg"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_parse_accepts_any_iana_name_case_insensitively(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Mars/Olympus", "UTC+3", "МСК", "Moscow", "localtime", "Europe"])
def test_parse_rejects_unknown_names(text: str) -> None:
    with pytest.raises(InvalidTimezone):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        ("Europe/Moscow", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC+3"),
        ("Europe/Moscow", datetime(2024, 7, 15, 12, tzinfo=UTC), "UTC+3"),  # no DST since 2014
        ("Europe/Kaliningrad", datetime(2024, 7, 15, 12, tzinfo=UTC), "UTC+2"),
        ("Asia/Kamchatka", datetime(2024, 7, 15, 12, tzinfo=UTC), "UTC+12"),
        ("America/New_York", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC-5"),
        ("America/New_York", datetime(2024, 7, 15, 12, tzinfo=UTC), "UTC-4"),
        ("Asia/Kolkata", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC+5:30"),
        ("Asia/Kathmandu", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC+5:45"),
        ("America/St_Johns", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC-3:30"),
        ("UTC", datetime(2024, 1, 15, 12, tzinfo=UTC), "UTC+0"),
    ],
)
def test_offset_label(tz: str, now: datetime, expected: str) -> None:
    assert utc_offset_label(tz, now) == expected


def test_offset_label_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        utc_offset_label("Europe/Moscow", datetime(2024, 1, 15, 12))
