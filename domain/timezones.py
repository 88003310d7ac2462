"""Time zones: the Russian shortlist for buttons, parsing typed IANA names, offset labels."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import InvalidTimezone

RUSSIAN_TIMEZONES: tuple[str, ...] = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)

# Present in tzdata listings but meaningless to a person choosing a zone.
_EXCLUDED = frozenset({"localtime", "Factory", "posixrules"})


@lru_cache(maxsize=1)
def _names_by_lower() -> dict[str, str]:
    # Built on first use, not at import: listing tzdata touches the file system.
    return {name.lower(): name for name in available_timezones() if name not in _EXCLUDED}


def parse_timezone(text: str) -> str:
    """Return the canonical IANA name for `text` (case-insensitive); raise InvalidTimezone otherwise."""
    cleaned = "_".join(text.split())  # "europe/moscow " -> ok; "America/New York" -> New_York
    cleaned = cleaned.replace("/_", "/").replace("_/", "/")
    name = _names_by_lower().get(cleaned.lower())
    if name is None:
        raise InvalidTimezone(text)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTimezone(text) from exc
    return name


def utc_offset_label(tz: str, now: datetime) -> str:
    """'UTC+3', 'UTC-3:30', 'UTC+0' for the zone's offset at the moment `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    offset = now.astimezone(ZoneInfo(tz)).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
