from datetime import UTC, datetime

import pytest

from bot.views.onboarding import timezone_aliases, timezone_label
from content import load_content
from domain.errors import InvalidTimezone
from domain.timezones import RUSSIAN_TIMEZONES, parse_timezone, utc_offset_label

CONTENT = load_content("ru")
ALIASES = timezone_aliases(CONTENT)
CIS = (
    "Europe/Minsk",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Bishkek",
    "Asia/Yerevan",
    "Asia/Baku",
    "Asia/Tbilisi",
    "Europe/Chisinau",
    "Asia/Dushanbe",
)


def test_shortlist_is_the_twelve_russian_zones_in_east_order_then_the_cis_capitals() -> None:
    assert RUSSIAN_TIMEZONES[0] == "Europe/Kaliningrad"
    assert RUSSIAN_TIMEZONES[11] == "Asia/Kamchatka"
    assert RUSSIAN_TIMEZONES[12:] == CIS
    # every entry is a real zone, parses to itself and has a button label and a Russian name
    assert all(parse_timezone(tz) == tz for tz in RUSSIAN_TIMEZONES)
    for tz in RUSSIAN_TIMEZONES:
        assert CONTENT.has(f"timezones.{tz.replace('/', '_')}")
        assert CONTENT.has(f"timezone_names.{tz.replace('/', '_')}")


def test_every_alias_points_at_a_real_zone() -> None:
    assert len(ALIASES) > 100
    assert all(parse_timezone(zone) == zone for zone in set(ALIASES.values()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Москва", "Europe/Moscow"),
        ("москва", "Europe/Moscow"),
        ("  МОСКВА ", "Europe/Moscow"),
        ("Санкт-Петербург", "Europe/Moscow"),
        ("санкт петербург", "Europe/Moscow"),
        ("Казань", "Europe/Moscow"),
        ("Нижний Новгород", "Europe/Moscow"),
        ("Орел", "Europe/Moscow"),  # ё = е
        ("Калининград", "Europe/Kaliningrad"),
        ("Самара", "Europe/Samara"),
        ("Пермь", "Asia/Yekaterinburg"),
        ("Челябинск", "Asia/Yekaterinburg"),
        ("Уфа", "Asia/Yekaterinburg"),
        ("Екатеринбург", "Asia/Yekaterinburg"),
        ("Омск", "Asia/Omsk"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("Красноярск", "Asia/Krasnoyarsk"),
        ("Иркутск", "Asia/Irkutsk"),
        ("Якутск", "Asia/Yakutsk"),
        ("Владивосток", "Asia/Vladivostok"),
        ("Хабаровск", "Asia/Vladivostok"),
        ("Магадан", "Asia/Magadan"),
        ("Петропавловск-Камчатский", "Asia/Kamchatka"),
        ("Минск", "Europe/Minsk"),
        ("Алматы", "Asia/Almaty"),
        ("Астана", "Asia/Almaty"),
        ("Ташкент", "Asia/Tashkent"),
        ("Бишкек", "Asia/Bishkek"),
        ("Ереван", "Asia/Yerevan"),
        ("Баку", "Asia/Baku"),
        ("Тбилиси", "Asia/Tbilisi"),
        ("Кишинёв", "Europe/Chisinau"),
        ("Кишинев", "Europe/Chisinau"),
        ("Душанбе", "Asia/Dushanbe"),
        ("Moscow", "Europe/Moscow"),
    ],
)
def test_parse_accepts_russian_and_cis_cities(text: str, expected: str) -> None:
    assert parse_timezone(text, ALIASES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("МСК", "Europe/Moscow"),
        ("мск", "Europe/Moscow"),
        ("MSK", "Europe/Moscow"),
        ("МСК+2", "Asia/Yekaterinburg"),
        ("мск + 4", "Asia/Krasnoyarsk"),
        ("MSK+9", "Asia/Kamchatka"),
        ("МСК-1", "Europe/Kaliningrad"),
    ],
)
def test_parse_accepts_moscow_time_abbreviations(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3", "Europe/Moscow"),
        ("UTC+3", "Europe/Moscow"),
        ("GMT+3", "Europe/Moscow"),
        ("utc +5", "Asia/Yekaterinburg"),
        ("UTC+05:00", "Asia/Yekaterinburg"),
        ("+7", "Asia/Krasnoyarsk"),
        ("+12", "Asia/Kamchatka"),
        ("+05:30", "Asia/Kolkata"),
        ("UTC+5:45", "Asia/Kathmandu"),
        ("-3:30", "America/St_Johns"),
        ("+1", "Etc/GMT-1"),  # no Russian/CIS city: Etc/GMT with its inverted sign
        ("UTC-5", "Etc/GMT+5"),
        ("GMT-12", "Etc/GMT+12"),
        ("+14", "Etc/GMT-14"),
        ("+0", "UTC"),
        ("UTC+0", "UTC"),
    ],
)
def test_parse_accepts_utc_offsets(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Novosibirsk", "Новосибирск (UTC+7)"),
        ("Europe/Chisinau", "Кишинёв (UTC+2)"),
        ("Etc/GMT-5", "UTC+5"),
        ("America/New_York", "America/New_York (UTC-5)"),
    ],
)
def test_zone_label_is_russian(tz: str, expected: str) -> None:
    assert timezone_label(CONTENT, tz, datetime(2024, 1, 15, 12, tzinfo=UTC)) == expected


def test_zone_label_without_a_moment_is_the_name() -> None:
    assert timezone_label(CONTENT, "Asia/Novosibirsk", None) == "Новосибирск"


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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Mars/Olympus",
        "localtime",
        "Europe",
        "Нарния",
        "МСК+10",
        "МСК+",
        "+15",
        "-13",
        "+5:75",
        "+5:20",
        "UTC+",
        "++3",
        "3",
        "Москва!",
    ],
)
def test_parse_rejects_unknown_names(text: str) -> None:
    with pytest.raises(InvalidTimezone):
        parse_timezone(text, ALIASES)


def test_city_names_need_the_alias_table() -> None:
    with pytest.raises(InvalidTimezone):
        parse_timezone("Москва")


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
