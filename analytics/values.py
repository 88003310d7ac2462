"""Cell text -> amounts, dates and deal statuses, one decision per column and no Python loop per cell.

The decimal separator and the day/month order are properties of a column: they are decided from all its
values, never guessed cell by cell ("1,234" is a thousand in a column of "1,234" and "12,500", but 1.234 in a
column that also holds "0,5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.data.load import load_data
from analytics.schema import DealStatus
from analytics.values_codes import Shapes, as_text, digits_value, normalize_word, sample_values, shapes_of
from analytics.values_dates import DateParse, parse_dates

__all__ = [
    "AmountParse",
    "DateParse",
    "classify_flag",
    "classify_repeat",
    "classify_status",
    "parse_amounts",
    "parse_dates",
    "word_share",
]

STATUS_NAMES = [DealStatus.WON.value, DealStatus.LOST.value, DealStatus.OPEN.value]  # categorical codes 0, 1, 2
_ALLOWED = set("9.,-+() '")


@dataclass(frozen=True, slots=True, eq=False)
class AmountParse:
    values: pd.Series  # float64, NaN where a cell is empty or not a number
    currency: str | None  # "RUB", "USD", "EUR", ... when the cells say so
    share_parsed: float  # parsed / non-empty cells (1.0 for an empty column)
    decimal: str | None = None  # the decimal separator decided for the column


@dataclass(frozen=True, slots=True)
class _Amount:
    """One amount shape read: "-9 999,99 $" -> digits at 1,3,4,5,7,8; separators; sign."""

    text: str  # the shape with currency words and signs blanked
    digits: tuple[int, ...]
    negative: bool

    def seps(self, sep: str) -> list[int]:
        return [i for i, ch in enumerate(self.text) if ch == sep]

    def digits_after(self, position: int) -> int:
        return sum(1 for d in self.digits if d > position)

    def digits_before(self, position: int) -> int:
        return sum(1 for d in self.digits if d < position)


@lru_cache(maxsize=1)
def _currency_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(code, pattern) per currency of analytics/data/values.yaml."""
    found = []
    for code, markers in load_data("values.yaml")["currencies"].items():
        parts = [re.escape(s) for s in markers.get("symbols", [])]
        parts += [rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])" for w in markers.get("words", [])]
        found.append((str(code), re.compile("|".join(parts), re.IGNORECASE)))
    return tuple(found)


@lru_cache(maxsize=1)
def _any_currency() -> re.Pattern[str]:
    """Every currency pattern in one: most cells name none, and one search rules them out."""
    return re.compile("|".join(f"(?:{p.pattern})" for _, p in _currency_patterns()), re.IGNORECASE)


def detect_currency(values: list[str]) -> tuple[str | None, bool]:
    """(currency code, whether currency words with letters occur) from a sample of cells."""
    codes: set[str] = set()
    words = False
    screen = _any_currency()
    for value in values:
        if not screen.search(value):
            continue
        for code, pattern in _currency_patterns():
            hit = pattern.search(value)
            if hit:
                codes.add(code)
                words = words or any(ch.isalpha() for ch in hit.group(0))
    return (codes.pop() if len(codes) == 1 else None), words


def parse_amounts(s: pd.Series) -> AmountParse:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        values = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)
        return AmountParse(values, None, 1.0, ".")
    text = as_text(s)
    currency, letters_ok = detect_currency(sample_values(text))
    shapes = shapes_of(text, limit=256)
    read = [(_read_amount(shape, letters_ok), rows) for shape, rows in shapes.groups]
    known = [(amount, rows) for amount, rows in read if amount is not None]
    decimal = _decide_decimal(known, shapes)
    out = np.full(len(text), np.nan)
    parsed = 0
    for amount, rows in known:
        frac = _fraction_digits(amount, decimal)
        if frac is None:
            continue
        values = digits_value(shapes.rows_of(rows), amount.digits) / 10.0**frac
        out[slice(None) if rows is None else rows] = -values if amount.negative else values
        parsed += len(values)
    share = parsed / shapes.nonempty if shapes.nonempty else 1.0
    return AmountParse(pd.Series(out, index=s.index, dtype="float64"), currency, share, decimal)


def _read_amount(shape: str, letters_ok: bool) -> _Amount | None:
    letters = re.compile(r"[A-Za-z]+\.?")
    if letters.search(shape) and not letters_ok:
        return None
    text = letters.sub(lambda m: " " * len(m.group(0)), shape).replace("$", " ")
    if not set(text) <= _ALLOWED:
        return None
    digits = tuple(i for i, ch in enumerate(text) if ch == "9")
    if not 1 <= len(digits) <= 18:
        return None
    first, last = digits[0], digits[-1]
    head, body, tail = text[:first], text[first : last + 1], text[last + 1 :]
    if not set(head) <= set(" -+(") or not set(tail) <= set(" )") or not set(body) <= set("9., '"):
        return None
    if head.count("-") + head.count("+") > 1 or ("(" in head) != (")" in tail):
        return None
    return _Amount(text, digits, "-" in head or "(" in head)


def _decide_decimal(known: list[tuple[_Amount, np.ndarray | None]], shapes: Shapes) -> str | None:
    """The column's decimal separator from every shape, weighted by its number of cells."""
    weight = {id(a): (shapes.codes.shape[1] if rows is None else len(rows)) for a, rows in known}
    both = [(a, weight[id(a)]) for a, _ in known if a.seps(".") and a.seps(",")]
    if both:  # "1,234.56" / "1.234,56": the separator written last is the decimal one
        dot_last = sum(w for a, w in both if a.seps(".")[-1] > a.seps(",")[-1])
        return "." if 2 * dot_last >= sum(w for _, w in both) else ","

    def grouping(sep: str) -> bool:
        """True when this separator only groups thousands, in the whole column."""
        users = [(a, rows) for a, rows in known if a.seps(sep)]
        if any(len(a.seps(sep)) >= 2 for a, _ in users):
            return True
        for a, rows in users:
            at = a.seps(sep)[0]
            lead = a.digits_before(at)
            if a.digits_after(at) != 3 or lead > 3:
                return False
            if lead == 1 and (shapes.rows_of(rows)[a.digits[0]] == ord("0")).any():
                return False  # "0,125" is a fraction
        return True

    used = {sep: sum(weight[id(a)] for a, _ in known if a.seps(sep)) for sep in ".,"}
    decimals = [sep for sep in ".," if used[sep] and not grouping(sep)]
    if not decimals:
        return None
    # both used as decimals in different cells: the commoner one wins, the other's cells fail
    return max(decimals, key=lambda sep: used[sep])


def _fraction_digits(amount: _Amount, decimal: str | None) -> int | None:
    """Digits after the decimal separator, or None when the shape breaks the column's number format."""
    text = amount.text[amount.digits[0] : amount.digits[-1] + 1]
    offset = amount.digits[0]
    marks = [i for i, ch in enumerate(text) if ch == decimal] if decimal else []
    if len(marks) > 1:
        return None
    cut = marks[0] if marks else len(text)
    whole, fraction = text[:cut], text[cut + 1 :]
    if fraction and not set(fraction) <= {"9"}:
        return None
    runs = re.split(r"[., ']", whole)
    if len(runs) > 1 and not (1 <= len(runs[0]) <= 3 and all(len(r) == 3 for r in runs[1:])):
        return None  # "12.03.2022", "+7 900 123 45 67": not thousands groups
    return amount.digits_after(offset + cut) if marks else 0


# ---- statuses and flags ------------------------------------------------------------------------------------


def _key(text: str) -> str:
    """A status word as looked up: normalised, or the bare symbol for "+", "-", "✓" (punctuation only)."""
    return normalize_word(text) or text.strip()


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, str]]:
    data = load_data("statuses.yaml")

    def table(**groups: list[str]) -> dict[str, str]:
        return {_key(str(w)): name for name, words in groups.items() for w in words}

    return {
        "status": table(won=data["won"] + data["true_words"], lost=data["lost"]),
        "repeat": table(true=data["repeat_words"] + data["true_words"], false=data["new_words"] + data["false_words"]),
        "flag": table(true=data["true_words"], false=data["false_words"]),
        "any_status": table(
            any=data["won"] + data["lost"] + data["open_words"] + data["true_words"] + data["false_words"]
        ),
    }


def _classify(values: pd.Series, table: dict[str, str], names: list[str], default: int) -> np.ndarray:
    """Codes into `names` per cell, by a lookup of each distinct normalised value (few distinct values)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object, na_value=None))
    return _lookup(list(uniques), table, names, default)[codes]  # code -1 (missing) takes the trailing default


def _lookup(uniques: list[object], table: dict[str, str], names: list[str], default: int) -> np.ndarray:
    found = [names.index(table[w]) if (w := _key(str(u))) in table else default for u in uniques]
    return np.array([*found, default], dtype=np.int64)


def status_codes(distinct: list[str]) -> np.ndarray:
    """0 won / 1 lost / 2 open per distinct value, plus a trailing 2 for "missing" (index -1)."""
    return _lookup(list(distinct), _words()["status"], STATUS_NAMES, default=2)


def classify_status(values: pd.Series) -> pd.Series:
    """won / lost / open per cell (a categorical of DealStatus values); unknown words and blanks are open."""
    codes = _classify(values, _words()["status"], STATUS_NAMES, default=2)
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUS_NAMES), index=values.index)


def _boolean(values: pd.Series, table: dict[str, str]) -> pd.Series:
    codes = _classify(values, table, ["false", "true"], default=-1)
    out = pd.array(codes == 1, dtype="boolean")
    out[codes == -1] = pd.NA
    return pd.Series(out, index=values.index)


def classify_repeat(values: pd.Series) -> pd.Series:
    """A repeat-deal flag ("Да"/"Нет", "Existing Business"/"New Business"): boolean, NA when unknown."""
    return _boolean(values, _words()["repeat"])


def classify_flag(values: pd.Series) -> pd.Series:
    """A yes/no column (qualified lead): boolean, NA when unknown."""
    return _boolean(values, _words()["flag"])


def word_share(values: list[str], vocabulary: str) -> float:
    """Share of sample cells that are words of a vocabulary: "status" (won, lost, open or yes/no words),
    "repeat" (new/repeat deal words) or "flag" (yes/no): whether a column holds such values at all."""
    table = _words()["any_status" if vocabulary == "status" else vocabulary]
    return sum(_key(v) in table for v in values) / len(values) if values else 0.0
