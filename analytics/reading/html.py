"""HTML tables (Bitrix24's "Excel" export is an HTML table saved as .xls), cut out with regular expressions."""

from __future__ import annotations

import codecs
import html
import re

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .base import GridTable, Payload, grid_to_table
from .encoding import detect_encoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Every pattern stops at the next "<" or at the end of the text, so broken markup cannot make it quadratic.
_NOISE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_NON_TABLE_TAG = re.compile(r"<(?!/?(?:table|tr|td|th|br)\b)[^<>]*>", re.IGNORECASE)
_BR = re.compile(r"<[bB][rR]\b[^<>]*>")  # spelled out: a literal "<" lets the engine skip ahead fast
_CLOSERS = re.compile(r"</(?:tr|td|th)\s*>", re.IGNORECASE)  # the next opening tag ends a cell anyway
_TABLE_TAG = re.compile(r"<(/?)table\b[^<>]*>", re.IGNORECASE)
_ROW_TAG = re.compile(r"<tr\b[^<>]*>", re.IGNORECASE)
_CELL_TAG = re.compile(r"<t[dh]\b([^<>]*)>", re.IGNORECASE)
_COLSPAN = re.compile(r"""colspan\s*=\s*["']?(\d+)""", re.IGNORECASE)
_MAX_SPAN = 1000  # a colspan beyond this is a broken or hostile file, not a table


def _simplify(text: str) -> str:
    """Only table structure and text remain: comments, scripts and other tags go, whitespace collapses,
    <br> becomes a line break. Entities stay escaped until cells are cut, so "&lt;td&gt;" stays text."""
    text = _CLOSERS.sub("", _NON_TABLE_TAG.sub("", _NOISE.sub("", text)))
    # str.split() also splits at NBSP, which is data ("1 234"): park it as its entity, unescaped per cell.
    text = " ".join(text.replace("\u00a0", "&nbsp;").split())
    return _BR.sub("\n", text)


def _rows(table: str) -> list[list[str]]:
    """Rows of a table's inner text: split at <tr>, then at <td>/<th> (closing tags are already gone)."""
    rows: list[list[str]] = []
    for row in _ROW_TAG.split(table)[1:]:
        parts = _CELL_TAG.split(row)  # [before, attrs, text, attrs, text, ...]
        cells: list[str] = []
        for i in range(1, len(parts), 2):
            value = parts[i + 1].strip()
            if "&" in value:
                value = html.unescape(value).strip()
            if "\n" in value:  # from <br>: no spaces around the break
                value = "\n".join(line.strip() for line in value.split("\n"))
            cells.append(value)
            if parts[i] and (span := _COLSPAN.search(parts[i])):  # keep columns aligned under a merged cell
                cells.extend([""] * (min(int(span.group(1)), _MAX_SPAN) - 1))
        rows.append(cells)
    return rows


def extract_tables(text: str) -> list[list[list[str]]]:
    """Every <table> as rows of cell texts (innermost tables apart from the ones holding them).

    Regular expressions over the table tags rather than html.parser, which takes ~10 s on a 20 MB export.
    Nothing is evaluated; entities are only unescaped.
    """
    text = _simplify(text)
    tables: list[list[list[str]]] = []
    opened: list[int] = []  # start offsets of the open <table> tags
    for match in _TABLE_TAG.finditer(text):
        if not match.group(1):
            opened.append(match.end())
        elif opened:
            start = opened.pop()
            inner = text[start : match.start()]
            # An enclosing table keeps only its own rows: cut the nested tables out of it.
            tables.append(_rows(_TABLE_TAG.sub("", _strip_nested(inner))))
    tables.extend(_rows(text[start:]) for start in opened)  # unclosed tables still count
    return tables


def _strip_nested(inner: str) -> str:
    """The table's text without any nested <table>...</table> blocks."""
    depth, out, pos = 0, [], 0
    for match in _TABLE_TAG.finditer(inner):
        if depth == 0:
            out.append(inner[pos : match.start()])
        depth += -1 if match.group(1) else 1
        depth = max(depth, 0)
        pos = match.end()
    if depth == 0:
        out.append(inner[pos:])
    return "".join(out)


def read_html(payload: Payload, limits: ReadLimits) -> GridTable:
    raw = payload.whole()
    encoding = _html_encoding(raw)
    text = raw[encoding[1] :].decode(encoding[0], errors="replace")
    tables = [t for t in extract_tables(text) if any(t)]
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
