"""Personal sales plans: typed lines from the bot or a two/three-column file, into {(manager, month): amount}.

A plan for the whole period of an export uses the month key WHOLE_PERIOD; the bot stores calendar months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analytics.data.load import load_data
from analytics.metrics_people import WHOLE_PERIOD
from analytics.schema import ReadLimits

Plans = dict[tuple[str, str], float]

_MONTH_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-\d{1,2})?(?:[ T].*)?$"),  # 2024-03, 2024-03-01
    re.compile(r"^(?:\d{1,2}\.)?(?P<m>\d{1,2})\.(?P<y>\d{4})(?: .*)?$"),  # 03.2024, 01.03.2024
)
# A date with a day other than the 1st ("2024-03-15", "15.03.2024"): a deal's date, not a plan's month.
_DAY_DATE = re.compile(r"^(?:\d{4}-\d{1,2}-(?!0?1\b)\d{1,2}|(?!0?1\.)\d{1,2}\.\d{1,2}\.\d{4})")
_NOT_NUMBER = re.compile(r"[^\d,.\-]")
# "Иванов Иван; 2026-12; 1 500 000", "Иванов Иван — 1 500 000", "Иванов Иван 1500000"
_SEPARATORS = re.compile(r"\s*(?:;|\t|\|| [—–-] )\s*")
# The amount may carry a short currency word or sign after it ("₽", "руб.", "USD").
_TRAILING_AMOUNT = re.compile(r"^(?P<name>.*?\D)\s+(?P<amount>\d[\d\s\u00a0.,]*(?:\s*[^\d\s]{1,4}\.?)?)$")


class PlansError(Exception):
    """The plans file has not the two or three columns it should, or a row is not a plan."""


@dataclass(frozen=True, slots=True)
class PlanText:
    plans: Plans
    bad_lines: tuple[int, ...]  # 1-based numbers of lines that are not "manager; [month;] amount"


def parse_month(text: str) -> str | None:
    for pattern in _MONTH_PATTERNS:
        found = pattern.match(text.strip())
        if found and 1 <= int(found["m"]) <= 12:
            return f"{int(found['y']):04d}-{int(found['m']):02d}"
    return None


def parse_amount(text: str) -> float | None:
    """ "1 000 000", "1 000 000,50", "1,000,000.50", "1000000 ₽" -> float; negative or empty -> None."""
    cleaned = _NOT_NUMBER.sub("", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")  # 1,000,000.50
    elif cleaned.count(",") == 1 and len(cleaned.rsplit(",", 1)[1]) != 3:
        cleaned = cleaned.replace(",", ".")  # 1000,50
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value >= 0 else None


def parse_plan_text(text: str, default_month: str) -> PlanText:
    plans: Plans = {}
    bad: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [part for part in _SEPARATORS.split(line) if part]
        if len(parts) == 1 and (found := _TRAILING_AMOUNT.match(line)):
            parts = [found["name"], found["amount"]]
        month = default_month if len(parts) == 2 else parse_month(parts[1]) if len(parts) == 3 else None
        amount = parse_amount(parts[-1]) if len(parts) in (2, 3) else None
        manager = " ".join(parts[0].split()) if parts else ""
        if not manager or month is None or amount is None:
            bad.append(number)
            continue
        plans[(manager, month)] = amount
    return PlanText(plans, tuple(bad))


def read_plans(
    source: bytes | Path, filename: str | None, limits: ReadLimits, whole_period: str = WHOLE_PERIOD
) -> Plans:
    """Two columns (manager, plan for `whole_period`) or three (manager, month, plan), with a header row."""
    plans = _read(source, filename, limits, whole_period, strict=True)
    assert plans is not None  # strict: a file of another shape raises
    return plans


def read_plans_if_plans(
    source: bytes | Path, filename: str | None, limits: ReadLimits, whole_period: str = WHOLE_PERIOD
) -> Plans | None:
    """The plans in a file that looks like a plans file; None for anything else (a CRM export sent while the bot
    waits for plans is analysed as an export). Raises PlansError for a file headed as plans («План», «Plan»)
    whose rows are not plans, ExportReadError for a file that is not a table at all.

    Without a plans header, a file is plans only when every row is one: a manager, a month (not a day's date)
    and an amount, each manager and month once."""
    return _read(source, filename, limits, whole_period, strict=False)


def _read(
    source: bytes | Path, filename: str | None, limits: ReadLimits, whole_period: str, strict: bool
) -> Plans | None:
    import pandas as pd

    from analytics.reading import open_table

    table = open_table(source, filename, limits)
    words = [str(w).lower() for w in load_data("columns.yaml")["plan_header_words"]]
    headed = any(w in str(header).lower() for header in table.headers for w in words)
    if len(table.headers) not in (2, 3):
        if strict or headed:
            raise PlansError(f"{len(table.headers)} columns")
        return None
    strict = strict or headed
    frame = table.read(list(table.headers))
    plans: Plans = {}
    for row in frame.itertuples(index=False):  # a plans file has one row per manager and month
        cells = ["" if pd.isna(v) else str(v).strip() for v in row]
        if not cells[0] and not cells[-1]:
            continue
        month = parse_month(cells[1]) if len(cells) == 3 else whole_period
        amount = parse_amount(cells[-1])
        key = (cells[0], month or "")
        fits = bool(cells[0]) and month is not None and amount is not None
        if not strict and (not fits or key in plans or (len(cells) == 3 and _DAY_DATE.match(cells[1]))):
            return None  # a row that is not a plan, a repeated manager and month, a day's date: an export
        if not fits or amount is None:
            raise PlansError(f"bad row {cells}")
        plans[key] = plans.get(key, 0.0) + amount
    if not plans:
        if strict:
            raise PlansError("no rows")
        return None
    return plans
