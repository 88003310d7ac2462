"""Date cells -> datetime64[ns], with the day/month order decided once per column.

Cells are grouped by their shape ("99.99.9999 99:99:99": digits as 9, other characters kept); a real column
has a handful of shapes. Each shape is interpreted once in Python, then every cell of that shape is converted
by integer arithmetic on the code-point matrix (see analytics.values_codes). Month names are first rewritten
to "m<number>" so that "15 Apr, 2021" and "Apr 15, 2021" take the same path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.data.load import load_data
from analytics.values_codes import Shapes, as_text, digits_value, sample_values, shapes_of

SERIAL_RANGE = (20000, 80000)  # Excel day numbers of 1954..2119: a plausible deals period, not an id column
_YEAR_RANGE = (1900, 2200)
_PIVOT = 70  # two-digit years fall in 1970..2069: "69" is 2069, "70" is 1970 (CRM data is never older)
_DATE_SEPS = {".", "-", "/", " ", ", ", ",", ""}
NAT = np.iinfo(np.int64).min
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


@dataclass(frozen=True, slots=True, eq=False)
class DateParse:
    values: pd.Series  # datetime64[ns], NaT where a cell is empty or not a date
    order: str | None  # "DMY" | "MDY" | "YMD" of the commonest parsed shape
    share_parsed: float  # parsed / non-empty cells (1.0 for an empty column)


@dataclass(frozen=True, slots=True)
class _Shape:
    spans: tuple[tuple[int, int], ...]  # (start, length) of each digit group
    order: str  # "YMD", "DMY", "MDY", or "?" (D/M undecided: the column decides)
    separator: str  # the date separator, for the undecided default
    meridiem: str | None  # "AM" / "PM" (12-hour clock) or None


@lru_cache(maxsize=1)
def _month_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    prefixes = {str(p).casefold(): int(m) for m, names in load_data("values.yaml")["months"].items() for p in names}
    alternatives = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    # a month word, optionally abbreviated with a dot; or the Russian year mark "г." after a year
    pattern = re.compile(rf"(?<![^\W\d_])(?:(?P<m>{alternatives})[^\W\d_]*\.?|(?P<g>г)\.?)(?![^\W\d_])", re.IGNORECASE)
    return pattern, prefixes


def _months_to_numbers(text: str) -> str:
    pattern, prefixes = _month_pattern()

    def swap(hit: re.Match[str]) -> str:
        if hit.group("g"):
            return ""
        return f"m{prefixes[hit.group('m').casefold()]:02d}"

    return pattern.sub(swap, text)


def parse_dates(s: pd.Series) -> DateParse:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return DateParse(values.astype("datetime64[ns]"), "YMD", 1.0)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        numbers = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)
        return _serials(numbers, int(numbers.notna().sum()))
    text = as_text(s)
    sample = sample_values(text)
    if sample and all(_SERIAL.match(v.strip()) for v in sample):
        numbers = pd.to_numeric(pd.Series(text, index=s.index), errors="coerce")
        return _serials(numbers, int((text != "").sum()))
    pattern, _ = _month_pattern()
    if any(pattern.search(v) for v in sample):
        # rare in big files (Zoho, HubSpot, hand-made sheets): a per-cell regex is affordable here
        text = np.array([_months_to_numbers(v) if v else v for v in text], dtype=object)
    return _parse_shapes(text, s.index)


def _serials(numbers: pd.Series, nonempty: int) -> DateParse:
    finite = numbers.dropna()
    low, high = SERIAL_RANGE
    if finite.empty or not ((finite >= low) & (finite <= high)).all():
        return DateParse(pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[ns]"), None, 0.0)
    seconds = (numbers * 86400).round()
    values = pd.Timestamp("1899-12-30") + pd.to_timedelta(seconds, unit="s")
    return DateParse(values.astype("datetime64[ns]"), "YMD", len(finite) / nonempty if nonempty else 1.0)


def _parse_shapes(text: np.ndarray, index: pd.Index) -> DateParse:
    shapes = shapes_of(text)
    read = [(_interpret(shape), rows) for shape, rows in shapes.groups]
    known = [(shape, rows) for shape, rows in read if shape is not None]
    order = _column_order(known, shapes)
    out = np.full(len(text), NAT, dtype=np.int64)
    counts: dict[str, int] = {}
    for shape, rows in known:
        used = order if shape.order == "?" else shape.order
        ns = _compose(shapes.rows_of(rows), shape, used)
        out[slice(None) if rows is None else rows] = ns
        counts[used] = counts.get(used, 0) + int((ns != NAT).sum())
    parsed = sum(counts.values())
    best = max(counts, key=lambda k: counts[k]) if parsed else None
    values = pd.Series(out.view("datetime64[ns]"), index=index)
    return DateParse(values, best, parsed / shapes.nonempty if shapes.nonempty else 1.0)


def _interpret(shape: str) -> _Shape | None:
    """Read a shape like "99.99.9999 99:99" into digit spans and a day/month/year order."""
    meridiem = None
    body = shape.strip()
    offset = shape.index(body) if body else 0
    upper = body.upper()
    for mark in ("AM", "PM"):
        if upper.endswith(mark):
            meridiem, body = mark, body[:-2].rstrip()
    body = body.rstrip("Z")
    spans: list[tuple[int, int]] = []
    seps: list[str] = []
    for hit in re.finditer(r"9+", body):
        if spans:
            seps.append(body[spans[-1][0] - offset + spans[-1][1] : hit.start()])
        spans.append((hit.start() + offset, hit.end() - hit.start()))
    prefix = body[: spans[0][0] - offset] if spans else ""
    if len(spans) < 3 or prefix not in ("", "m"):
        return None
    marked = [i for i in range(3) if (prefix if i == 0 else seps[i - 1]).endswith("m")]
    date_seps = [sep.removesuffix("m").strip() if sep.strip() != "," else "," for sep in seps[:2]]
    if any(sep.removesuffix("m") not in _DATE_SEPS for sep in seps[:2]):
        return None
    lengths = [length for _, length in spans[:3]]
    order = _date_order(lengths, marked, date_seps)
    if order is None or not _time_ok(seps[2:], lengths=[length for _, length in spans[3:]]):
        return None
    return _Shape(tuple(spans), order, date_seps[0], meridiem)


def _date_order(lengths: list[int], marked: list[int], seps: list[str]) -> str | None:
    if marked:  # a month written as a word
        month = marked[0]
        rest = [i for i in range(3) if i != month]
        year = next((i for i in rest if lengths[i] == 4), rest[-1])
        day = next(i for i in rest if i != year)
        letters = {month: "M", year: "Y", day: "D"}
        return "".join(letters[i] for i in range(3))
    if seps[0] != seps[1]:
        return None
    if lengths[0] == 4 and lengths[1] <= 2 and lengths[2] <= 2:
        return "YMD"
    if lengths[0] <= 2 and lengths[1] <= 2 and lengths[2] in (2, 4):
        return "?"
    return None


def _time_ok(seps: list[str], lengths: list[int]) -> bool:
    """After the date: nothing, or " HH:MM[:SS]" / "THH:MM:SS", then fractions or a time zone (ignored)."""
    if not seps:
        return True
    if seps[0].strip(" ,") not in ("", "T") or len(lengths) < 2 or seps[1] != ":":
        return False
    if any(length > 2 for length in lengths[:2]):
        return False
    return all(set(sep) <= set(" .,:+-Z") for sep in seps[2:])


def _column_order(known: list[tuple[_Shape, np.ndarray | None]], shapes: Shapes) -> str:
    """DMY or MDY for the shapes that do not say: a first part above 12 anywhere means DMY, a second part
    above 12 means MDY. Undecidable: DMY for "." and "-" (Russian and European habit), MDY for "/" (US CRMs)."""
    day_first = month_first = 0
    separators: dict[str, int] = {}
    for shape, rows in known:
        if shape.order != "?":
            continue
        sub = shapes.rows_of(rows)
        first, second = (_span_value(sub, span) for span in shape.spans[:2])
        day_first += int(((first > 12) & (second <= 12)).sum())
        month_first += int(((second > 12) & (first <= 12)).sum())
        separators[shape.separator] = separators.get(shape.separator, 0) + sub.shape[1]
    if day_first or month_first:
        return "DMY" if day_first >= month_first else "MDY"
    common = max(separators, key=lambda k: separators[k]) if separators else "."
    return "MDY" if common == "/" else "DMY"


def _compose(codes: np.ndarray, shape: _Shape, order: str) -> np.ndarray:
    """int64 nanoseconds since the epoch per row; int64 min (NaT) where a part is out of range."""
    parts = {letter: _span_value(codes, shape.spans[i]) for i, letter in enumerate(order)}
    year, month, day = parts["Y"], parts["M"], parts["D"]
    if shape.spans[order.index("Y")][1] == 2:
        year = np.where(year < _PIVOT, 2000 + year, 1900 + year)
    clock = [_span_value(codes, span) for span in shape.spans[3:6]]
    hour, minute, second = (clock + [np.zeros_like(year)] * 3)[:3]
    # one lookup per cell: (year, month) -> days from the epoch to the 1st, and the month's length
    first_day, length = _month_table()
    low, high = _YEAR_RANGE
    ok = (year >= low) & (year <= high) & (month >= 1) & (month <= 12) & (day >= 1)
    slot = np.where(ok, (year - low) * 12 + month - 1, 0)
    ok &= day <= length[slot]
    if shape.meridiem is not None:
        ok &= (hour >= 1) & (hour <= 12)
        hour = hour % 12 + (12 if shape.meridiem == "PM" else 0)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    seconds = (first_day[slot] + (day - 1)).astype(np.int64) * 86400 + (hour * 3600 + minute * 60 + second)
    return np.where(ok, seconds * 1_000_000_000, NAT)


def _span_value(codes: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    start, length = span
    return digits_value(codes, range(start, start + length), dtype=np.int32)


@lru_cache(maxsize=1)
def _month_table() -> tuple[np.ndarray, np.ndarray]:
    """Per (year - first year) * 12 + month - 1: days from 1970-01-01 to the month's first day, its length."""
    low, high = _YEAR_RANGE
    starts = np.arange(f"{low}-01", f"{high + 1}-02", dtype="datetime64[M]")
    days = starts.astype("datetime64[D]").astype(np.int64)
    return days[:-1], np.diff(days)
