"""A date typed by a person: «30.12», «30.12.2026», «30.12.26», «2026-12-30». Without a year: the next such day."""

from __future__ import annotations

import re
from datetime import date

_DMY = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class TypedDateError(ValueError):
    pass


def parse_typed_date(text: str, today: date) -> date:
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _valid(year, month, day)
    match = _DMY.match(text)
    if match is None:
        raise TypedDateError(text)
    day, month = int(match.group(1)), int(match.group(2))
    if match.group(3) is not None:
        year = int(match.group(3))
        return _valid(year + 2000 if year < 100 else year, month, day)
    candidate = _valid(today.year, month, day) if _exists(today.year, month, day) else None
    if candidate is not None and candidate >= today:
        return candidate
    return _valid(today.year + 1, month, day)


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _valid(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise TypedDateError(f"{day}.{month}.{year}") from error
