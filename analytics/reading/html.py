"""HTML tables (Bitrix24's "Excel" export is an HTML table saved as .xls), parsed with the stdlib parser."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .base import GridTable, Payload, grid_to_table
from .encoding import detect_encoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML whitespace; NBSP (&nbsp;) is data and stays
_MAX_SPAN = 1000  # a colspan beyond this is a broken or hostile file, not a table


class _TableCollector(HTMLParser):
    """Collects every <table> (nested ones separately) as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []  # open tables, innermost last
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._finish_cell()
            self._stack.append([])
        elif not self._stack:
            return
        elif tag == "tr":
            self._finish_cell()
            self._stack[-1].append([])
        elif tag in ("td", "th"):
            self._finish_cell()
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = min(int(span), _MAX_SPAN) if span.strip().isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self._finish_cell()
        elif tag == "table" and self._stack:
            self._finish_cell()
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(_SPACES.sub(" ", data))

    def _finish_cell(self) -> None:
        if self._cell is None or not self._stack:
            self._cell = None
            return
        text = "\n".join(part.strip(" ") for part in "".join(self._cell).split("\n")).strip()
        row = self._stack[-1][-1]
        row.append(text)
        row.extend([""] * (max(self._span, 1) - 1))  # keep columns aligned under a merged cell
        self._cell, self._span = None, 1

    def close(self) -> None:
        super().close()
        while self._stack:  # unclosed tables still count
            self._finish_cell()
            self.tables.append(self._stack.pop())


def read_html(payload: Payload, limits: ReadLimits) -> GridTable:
    raw = payload.whole()
    encoding = _html_encoding(raw)
    text = raw[encoding[1] :].decode(encoding[0], errors="replace")
    collector = _TableCollector()
    collector.feed(text)
    collector.close()
    tables = [t for t in collector.tables if t]
    if not tables:
        raise ExportReadError(ReadErrorCode.NOT_TABLE, "html without a table")
    largest = max(tables, key=lambda rows: len(rows) * max(len(r) for r in rows))
    return grid_to_table("html", largest, limits, encoding=encoding[0])


def _html_encoding(raw: bytes) -> tuple[str, int]:
    """(codec, BOM length): a BOM first, then a <meta charset>, then the text detection."""
    detected = detect_encoding(raw[: 256 * 1024], complete=len(raw) <= 256 * 1024)
    if detected.bom or detected.is_utf16:
        return detected.codec, detected.bom
    meta = _META_CHARSET.search(raw[:4096])
    if meta:
        # Trust the declared charset only when the bytes agree (exports sometimes declare utf-8 wrongly).
        try:
            codec = codecs.lookup(meta.group(1).decode("ascii")).name
            codecs.getincrementaldecoder(codec)().decode(raw[: 64 * 1024], final=False)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return codec, 0
    return detected.codec, 0
