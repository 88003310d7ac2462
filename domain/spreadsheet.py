"""XLSX and CSV files we send back to users. Pure: bytes in memory, no I/O.

Every text cell goes through `safe_cell` (OWASP CSV injection): a spreadsheet must not run what a client
name or a CRM note says. Blocking work (openpyxl): call these from a worker thread or process.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | bool | date | datetime | time | None

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 forbids (openpyxl raises on them); tab, LF and CR are allowed.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit
# Dates read the Russian way unless a sheet says otherwise (openpyxl's default is ISO "yyyy-mm-dd").
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: Sequence[float] | None = None  # column widths in characters; None: guessed from content
    # Excel number formats ('#,##0 "₽"', "DD.MM.YYYY") of number and date cells: per column, and per row for
    # rows of mixed figures (a summary's value column); a row's format wins. None: General (dates: DATE_FORMAT).
    formats: Sequence[str | None] | None = None
    row_formats: Sequence[str | None] | None = None


def safe_cell(value: Cell) -> Cell:
    """Prefix text that a spreadsheet would read as a formula with "'"; numbers and dates pass as they are."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def build_xlsx(sheets: Sequence[Sheet]) -> bytes:
    if not sheets:
        raise ValueError("an XLSX needs at least one sheet")
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_name(sheet.name, used))
        widths = sheet.widths if sheet.widths is not None else _guess_widths(sheet)
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        header = [_xlsx_cell(worksheet, title) for title in sheet.header]
        for cell in header:
            cell.font = bold
        worksheet.append(header)
        for r, row in enumerate(sheet.rows):
            row_format = _at(sheet.row_formats, r)
            worksheet.append(
                [_xlsx_cell(worksheet, value, row_format or _at(sheet.formats, c)) for c, value in enumerate(row)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM and ';' so that Excel with Russian settings opens it right; decimal comma in numbers."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(value) for value in header])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value: Cell) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_value(value: Cell) -> Cell:
    value = safe_cell(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    if isinstance(value, datetime | time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: keep the wall-clock time
    return value


def _at(formats: Sequence[str | None] | None, index: int) -> str | None:
    return formats[index] if formats is not None and index < len(formats) else None


def _xlsx_cell(worksheet: Any, value: Cell, number_format: str | None = None) -> Any:
    cell = WriteOnlyCell(worksheet, value=_xlsx_value(value))
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even if a prefix rule is ever missed
    elif isinstance(value, int | float | Decimal | date | time) and not isinstance(value, bool):
        if number_format is not None:
            cell.number_format = number_format
        elif isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
    return cell


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'").strip() or "Sheet"
    base = base[:MAX_SHEET_NAME]
    candidate, number = base, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def _guess_widths(sheet: Sheet) -> list[float]:
    columns = max([len(sheet.header), *(len(row) for row in sheet.rows)], default=0)
    widths = []
    for index in range(columns):
        texts = [sheet.header[index]] if index < len(sheet.header) else []
        texts += [str(row[index]) for row in sheet.rows[:200] if index < len(row) and row[index] is not None]
        longest = max((len(text) for text in texts), default=0)
        widths.append(float(min(max(longest + 2, 8), 60)))
    return widths
