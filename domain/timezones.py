"""Time zones: the shortlist for buttons, parsing what people type, offset labels.

`parse_timezone` accepts an IANA name, a place name from an alias table the caller passes (the Russian names live
in content, not here), «МСК» / «МСК+2», and UTC offsets («+3», «UTC+5», «GMT+3», «+05:30»).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import InvalidTimezone

# The buttons, in this order: Russia's 12 zones west to east, then the CIS capitals. Callback data holds the index,
# so entries are only ever appended.
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
    # CIS capitals
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

# Moscow time and the zones east of it: МСК+N -> the zone N hours east of Moscow (the official Russian zone names).
MSK_ZONES: Mapping[int, str] = {
    -1: "Europe/Kaliningrad",
    0: "Europe/Moscow",
    1: "Europe/Samara",
    2: "Asia/Yekaterinburg",
    3: "Asia/Omsk",
    4: "Asia/Krasnoyarsk",
    5: "Asia/Irkutsk",
    6: "Asia/Yakutsk",
    7: "Asia/Vladivostok",
    8: "Asia/Magadan",
    9: "Asia/Kamchatka",
}

# A typed UTC offset -> a zone: a Russian city where one has that offset, a few well-known zones for the
# half- and quarter-hour offsets, Etc/GMT∓N for the other whole hours (Etc/GMT's sign is inverted: Etc/GMT-5 is UTC+5).
_MSK_UTC_HOURS = 3
_OFFSET_ZONES: Mapping[int, str] = {(hours + _MSK_UTC_HOURS) * 60: zone for hours, zone in MSK_ZONES.items()} | {
    -9 * 60 - 30: "Pacific/Marquesas",
    -3 * 60 - 30: "America/St_Johns",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
    10 * 60 + 30: "Australia/Lord_Howe",
    12 * 60 + 45: "Pacific/Chatham",
}

# Present in tzdata listings but meaningless to a person choosing a zone.
_EXCLUDED = frozenset({"localtime", "Factory", "posixrules"})

_MSK = re.compile(r"(?:мск|msk)(?:([+-])(\d{1,2}))?")
_OFFSET = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")


@lru_cache(maxsize=1)
def _names_by_lower() -> dict[str, str]:
    # Built on first use, not at import: listing tzdata touches the file system.
    return {name.lower(): name for name in available_timezones() if name not in _EXCLUDED}


def normalize_alias(text: str) -> str:
    """The form place names are compared in: lower case, ё as е, hyphens as spaces, single spaces."""
    return " ".join(text.lower().replace("ё", "е").replace("-", " ").split())


def parse_timezone(text: str, aliases: Mapping[str, str] | None = None) -> str:
    """Return the canonical IANA name for `text`; raise InvalidTimezone otherwise.

    `aliases` maps place names in `normalize_alias` form to IANA names («новосибирск» -> "Asia/Novosibirsk").
    """
    name = _iana(text) or _alias(text, aliases or {}) or _msk(text) or _offset(text)
    if name is None:
        raise InvalidTimezone(text)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTimezone(text) from exc
    return name


def _iana(text: str) -> str | None:
    cleaned = "_".join(text.split())  # "europe/moscow " -> ok; "America/New York" -> New_York
    cleaned = cleaned.replace("/_", "/").replace("_/", "/")
    return _names_by_lower().get(cleaned.lower())


def _alias(text: str, aliases: Mapping[str, str]) -> str | None:
    key = normalize_alias(text)
    return aliases.get(key) if key else None


def _compact(text: str) -> str:
    return "".join(text.lower().split()).replace("−", "-").replace("–", "-")


def _msk(text: str) -> str | None:
    match = _MSK.fullmatch(_compact(text))
    if match is None:
        return None
    sign, hours = match.groups()
    shift = 0 if hours is None else int(hours) * (-1 if sign == "-" else 1)
    return MSK_ZONES.get(shift)


def _offset(text: str) -> str | None:
    match = _OFFSET.fullmatch(_compact(text))
    if match is None:
        return None
    sign, hours_text, minutes_text = match.groups()
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if minutes >= 60:
        return None
    total = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    if total in _OFFSET_ZONES:
        return _OFFSET_ZONES[total]
    if minutes == 0 and -12 <= total // 60 <= 14:
        return "UTC" if total == 0 else f"Etc/GMT{'-' if total > 0 else '+'}{abs(total) // 60}"
    return None


def utc_offset_label(tz: str, now: datetime) -> str:
    """'UTC+3', 'UTC-3:30', 'UTC+0' for the zone's offset at the moment `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    offset = now.astimezone(ZoneInfo(tz)).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
