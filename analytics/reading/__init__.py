"""Reading an export: bytes or a path in, a TableSource out (format, encoding, delimiter, cleaned headers).

Every refusal is an ExportReadError with a ReadErrorCode. The format comes from the content, never the name.
"""

from __future__ import annotations

from pathlib import Path

from analytics.schema import ReadLimits

from .base import GridTable, Payload, TableSource
from .detect import detect
from .encoding import DETECT_SAMPLE
from .html import read_html
from .safety import check_size, check_zip
from .text import HEAD_BYTES, TextTable, open_text
from .workbook import read_workbook

__all__ = ["DEFAULT_LIMITS", "GridTable", "TableSource", "TextTable", "open_table"]

DEFAULT_LIMITS = ReadLimits()  # frozen: safe as a shared default


def open_table(source: bytes | Path, filename: str | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> TableSource:
    """Open an export for reading. `filename` is informational only: the content decides the format."""
    del filename  # kept for the callers' logs and the contract; trusting it is how ".xls" HTML slips through
    payload = Payload.of(source)
    check_size(payload.size, limits)
    head = payload.head(max(HEAD_BYTES, DETECT_SAMPLE))
    found = detect(payload, head)
    if found.format in ("xlsx", "ods"):
        check_zip(list(found.members), payload.size, limits)
    if found.format in ("xlsx", "xls", "ods"):
        return read_workbook(payload, found.format, limits)
    if found.format == "html":
        return read_html(payload, limits)
    assert found.encoding is not None
    return open_text(payload, found.encoding, limits)
