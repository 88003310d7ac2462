"""XLSX/XLSB/XLS/ODS via python-calamine: pick the sheet holding the deals table, deliver every cell as text."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .base import GridTable, Payload, grid_to_table
from .layout import HEADER_SCAN_ROWS, find_header, is_blank, is_text

_PROBE_ROWS = HEADER_SCAN_ROWS + 51  # enough rows to find a header and check the rows under it
Cell = int | float | str | bool | time | date | datetime | timedelta | None


def _float_text(value: float) -> str:
    if value.is_integer() and -1e15 < value < 1e15:
        return str(int(value))
    return format(value, ".15g") if math.isfinite(value) else ""  # Excel's 15 digits: no 0.30000000000000004


def _datetime_text(value: datetime) -> str:
    return value.date().isoformat() if value.time() == _MIDNIGHT else value.isoformat(" ", "seconds")


_MIDNIGHT = time()
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    float: _float_text,
    int: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    datetime: _datetime_text,
    date: date.isoformat,
    time: lambda value: value.isoformat("seconds"),
}


def cell_text(value: Cell) -> str:
    """One text form per value so that parsing has a single path: whole floats without ".0", ISO dates."""
    if type(value) is str:
        return value
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    return "" if value is None else str(value)


def _strings(rows: Sequence[Sequence[Cell]]) -> list[list[str]]:
    # Dispatch on the exact type, text first: this loop is most of the time spent on a large sheet.
    return [[v if type(v) is str else cell_text(v) for v in row] for row in rows]


def _open(payload: Payload) -> CalamineWorkbook:
    try:
        if payload.path is not None:
            return CalamineWorkbook.from_path(str(payload.path))
        return CalamineWorkbook.from_filelike(io.BytesIO(payload.data or b""))
    except PasswordError as exc:
        raise ExportReadError(ReadErrorCode.ENCRYPTED, str(exc)) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise ExportReadError(_failure_code(exc), str(exc)) from exc


def _failure_code(exc: Exception) -> ReadErrorCode:
    text = str(exc).casefold()
    return ReadErrorCode.ENCRYPTED if "password" in text or "encrypt" in text else ReadErrorCode.CORRUPT


def read_workbook(payload: Payload, fmt: str, limits: ReadLimits) -> GridTable:
    """The sheet with the most non-empty data rows under a header of at least two text cells.

    Visible sheets come before hidden ones (lookup lists); a single-column sheet is taken only when no sheet
    has a header of two text cells.
    """
    book = _open(payload)
    try:
        candidates: list[tuple[tuple[bool, bool], str, int]] = []  # ((visible, 2+ text cells), name, header)
        seen_content = False
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            probe = _strings(book.get_sheet_by_name(meta.name).to_python(nrows=_PROBE_ROWS))
            seen_content = seen_content or not all(is_blank(row) for row in probe)
            header_at = find_header(probe)
            if header_at is not None:
                wide = sum(is_text(cell) for cell in probe[header_at]) >= 2
                candidates.append(((meta.visible == SheetVisibleEnum.Visible, wide), meta.name, header_at))
        if not candidates:
            raise ExportReadError(ReadErrorCode.NO_HEADER if seen_content else ReadErrorCode.EMPTY)
        top = max(rank for rank, _, _ in candidates)
        finalists = [(name, header_at) for rank, name, header_at in candidates if rank == top]
        best: Sequence[Sequence[Cell]] = []
        most = -1
        for name, header_at in finalists:
            raw = book.get_sheet_by_name(name).to_python()
            filled = _filled_rows(raw[header_at + 1 :]) if len(finalists) > 1 else 0
            if filled > most:
                best, most = raw, filled
    except CalamineError as exc:
        raise ExportReadError(_failure_code(exc), str(exc)) from exc
    finally:
        book.close()
    return grid_to_table(fmt, _strings(best), limits)


def _filled_rows(rows: Sequence[Sequence[Cell]]) -> int:
    return sum(1 for row in rows if any(v != "" and v is not None for v in row))
