"""Where the table sits in a grid of cells: the header row, the footer rows, the cleaned header names.

Shared by every format: text exports give it the parsed rows of a bounded sample, workbooks and HTML tables
their whole grid. Cells are plain strings here ("" for an empty cell).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

Row = Sequence[str]

HEADER_SCAN_ROWS = 100  # title/filter rows above a table never run this long
_FOLLOW_ROWS = 50  # rows after a header candidate checked for being no wider than it
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "reading.yaml"


@dataclass(frozen=True, slots=True)
class ReadingRules:
    footer_prefixes: tuple[str, ...]
    totals: re.Pattern[str]
    text_encodings: tuple[str, ...]


@lru_cache(maxsize=1)
def reading_rules() -> ReadingRules:
    """The phrases and encodings from analytics/data/reading.yaml, read once."""
    raw = yaml.safe_load(_DATA_FILE.read_text(encoding="utf-8"))
    words = sorted((str(w).casefold() for w in raw["totals_words"]), key=len, reverse=True)
    followers = "|".join(re.escape(str(w).casefold()) for w in raw["totals_followers"])
    alternatives = "|".join(re.escape(w) for w in words)
    totals = re.compile(rf"^(?:{alternatives})(?:$|\s*[:(.,]|\s+(?:{followers})(?:$|\s))")
    return ReadingRules(
        footer_prefixes=tuple(str(p).casefold() for p in raw["footer_prefixes"]),
        totals=totals,
        text_encodings=tuple(str(e) for e in raw["text_encodings"]),
    )


def is_blank(row: Row) -> bool:
    return not any(cell.strip() for cell in row)


def effective_width(row: Row) -> int:
    """Position of the last non-empty cell + 1 (trailing empty cells and delimiters do not count)."""
    for i in range(len(row) - 1, -1, -1):
        if row[i].strip():
            return i + 1
    return 0


def is_text(cell: str) -> bool:
    """A header-like cell: it has a letter, or no digit at all ("№", "%")."""
    value = cell.strip()
    return bool(value) and (bool(_LETTER.search(value)) or not _DIGIT.search(value))


def find_header(rows: Sequence[Row], scan: int = HEADER_SCAN_ROWS) -> int | None:
    """Index of the header row, skipping title and filter rows above it; None when no row looks like one.

    The header is the first row that is mostly text, has at least two filled cells (one for a single-column
    table), and is not narrower than the rows that follow it (a "Период:;01.01.2024" filter row is).
    """
    widths = [effective_width(row) for row in rows]
    single_column = max(widths, default=0) <= 1
    for i, row in enumerate(rows[:scan]):
        filled = [cell for cell in row if cell.strip()]
        if len(filled) < (1 if single_column else 2):
            continue
        if sum(is_text(cell) for cell in filled) < max(1.0, 0.6 * len(filled)):
            continue
        following = [w for w in widths[i + 1 : i + 1 + _FOLLOW_ROWS] if w > 0]
        if sum(w > widths[i] for w in following) > 0.1 * len(following):
            continue
        return i
    return None


def is_footer(row: Row, rules: ReadingRules) -> bool:
    """A blank row, a totals row or a fixed footer phrase (only ever asked about rows at the table's end)."""
    first = next((cell for cell in row if cell.strip()), None)
    if first is None:
        return True
    value = " ".join(first.split()).strip("\"' ").casefold()
    if value.startswith(rules.footer_prefixes):
        return True
    return rules.totals.match(value) is not None


def footer_start(rows: Sequence[Row], rules: ReadingRules) -> int:
    """Index of the first of the trailing footer/blank rows (len(rows) when there are none)."""
    end = len(rows)
    while end > 0 and is_footer(rows[end - 1], rules):
        end -= 1
    return end


def clean_headers(cells: Sequence[str]) -> tuple[str, ...]:
    """Strip spaces and NBSP, collapse inner whitespace, name empty cells "column_<n>", number duplicates."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        base = " ".join(cell.replace("\ufeff", "").split()) or f"column_{position}"
        name, copy = base, 2
        while name in seen:
            name, copy = f"{base} ({copy})", copy + 1
        seen.add(name)
        names.append(name)
    return tuple(names)
