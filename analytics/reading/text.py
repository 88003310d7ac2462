"""CSV/TSV/TXT exports: delimiter and header row from a bounded head sample, footers from the tail bytes,
then pandas' C engine over exactly the table's byte range (header row to footer) with usecols."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd
from pandas.errors import EmptyDataError, ParserError

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .base import Payload
from .encoding import TextEncoding
from .layout import clean_headers, find_header, is_blank, is_footer, reading_rules

HEAD_BYTES = 256 * 1024
TAIL_BYTES = 64 * 1024
SAMPLE_ROWS = 300  # parsed rows of the head used to find the header
DELIMITERS = (";", "\t", ",", "|")  # preference order on a tie
_DELIMITER_ROWS = 50
_EOL = re.compile(rb"\r\n|\n|\r")
_BLANK_CHARS = ' \t\r\n"\u00a0' + "".join(DELIMITERS)


@dataclass(frozen=True, slots=True)
class _Row:
    first_line: int  # index of its first physical line
    end_line: int  # index of the line after it
    cells: list[str]


def split_lines(buf: bytes, base: int, complete: bool) -> list[tuple[int, bytes]]:
    """Physical lines with their file offsets, terminators kept; a cut-off last line is dropped."""
    lines: list[tuple[int, bytes]] = []
    pos = 0
    for match in _EOL.finditer(buf):
        lines.append((base + pos, buf[pos : match.end()]))
        pos = match.end()
    if complete and pos < len(buf):
        lines.append((base + pos, buf[pos:]))
    return lines


def parse_rows(texts: Sequence[str], delimiter: str, limit: int) -> list[_Row]:
    """Non-blank records as the csv module reads them (quoted fields may span lines), with their line span."""
    reader = csv.reader(iter(texts), delimiter=delimiter)
    rows: list[_Row] = []
    while len(rows) < limit:
        before = reader.line_num
        try:
            cells = next(reader)
        except (StopIteration, csv.Error):  # end of sample, or a record cut at the sample's end
            break
        if cells and not is_blank(cells):
            rows.append(_Row(before, reader.line_num, cells))
    return rows


def rank_delimiters(texts: Sequence[str]) -> list[str]:
    """Delimiters ordered by how many records they split into the same number (> 1) of fields, then by that
    number; the last one never occurs in the sample, for a one-column file. csv.Sniffer fails on one-column
    files and on title rows."""
    scores: dict[str, tuple[int, int]] = {}
    for delimiter in DELIMITERS:
        widths = Counter(len(row.cells) for row in parse_rows(texts, delimiter, _DELIMITER_ROWS))
        scored = [(freq, width) for width, freq in widths.items() if width > 1]
        if scored:
            scores[delimiter] = max(scored)
    ranked = sorted(scores, key=lambda d: scores[d], reverse=True)  # stable: DELIMITERS order on a tie
    joined = "".join(texts)
    return [*ranked, min(DELIMITERS, key=joined.count)]


class TextTable:
    """A delimited text export; rows are read by pandas on demand."""

    format = "csv"

    def __init__(
        self,
        payload: Payload,
        encoding: str,
        codec: str,
        delimiter: str,
        headers: tuple[str, ...],
        span: tuple[int, int],
        limits: ReadLimits,
    ) -> None:
        self.encoding: str | None = encoding
        self.delimiter: str | None = delimiter
        self.headers = headers
        self._payload = payload
        self._codec = codec
        self._span = span  # bytes from the header row's start to the footer's start
        self._limits = limits
        self._rows: int | None = None
        self._samples: dict[int, pd.DataFrame] = {}

    @property
    def row_count(self) -> int | None:
        return self._rows

    def sample(self, n: int = 2000) -> pd.DataFrame:
        if n not in self._samples:
            self._samples[n] = self._frame(range(len(self.headers)), nrows=n)
        return self._samples[n]

    def read(self, columns: Sequence[str], integers: Collection[str] = ()) -> pd.DataFrame:
        """The columns as text; those in `integers` (a caller's guess from the sample, such as numeric deal ids)
        as nullable Int64 when every cell of the column is an integer or blank, else as text like the rest.
        The C parser reads integers without building a Python string per cell."""
        index = {name: i for i, name in enumerate(self.headers)}
        missing = [c for c in columns if c not in index]
        if missing:
            raise KeyError(f"no such columns: {missing}")
        wanted = list(dict.fromkeys(columns))
        positions = [index[c] for c in wanted]
        as_int = {index[c] for c in integers if c in index} & set(positions)
        try:
            frame = self._frame(positions, nrows=self._limits.max_rows + 1, integers=as_int)
        except ExportReadError:
            if not as_int:
                raise
            # a cell further down is not an integer: the whole table as text, as without the guess
            frame = self._frame(positions, nrows=self._limits.max_rows + 1)
        if len(frame) > self._limits.max_rows:
            raise ExportReadError(ReadErrorCode.TOO_MANY_ROWS, f"more than {self._limits.max_rows} rows")
        self._rows = len(frame)
        return frame[wanted]

    def _frame(self, positions: Sequence[int], nrows: int, integers: Collection[int] = ()) -> pd.DataFrame:
        order = sorted(set(positions))
        dtype: type[str] | dict[int, str | type[str]] = str
        if integers:
            dtype = {i: "Int64" if i in integers else str for i in order}
        try:
            with self._payload.open_window(*self._span) as stream:
                frame = pd.read_csv(
                    stream,
                    sep=self.delimiter,
                    header=0,
                    index_col=False,  # a trailing delimiter must not turn the first column into an index
                    usecols=order,
                    dtype=dtype,
                    encoding=self._codec,
                    encoding_errors="replace",
                    keep_default_na=False,
                    na_values=[""],
                    nrows=nrows,
                    engine="c",
                )
        except (ParserError, EmptyDataError, ValueError) as exc:
            raise ExportReadError(ReadErrorCode.CORRUPT, f"csv: {exc}") from exc
        frame.columns = [self.headers[i] for i in order]
        return _drop_blank_rows(frame)


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows blank in every requested column carry nothing (delimiter-only separator lines).

    Narrowed column by column: usually the first column has no gap and the check ends there.
    """
    blank: pd.Series | None = None
    for column in frame.columns:
        blank = frame[column].isna() if blank is None else blank & frame[column].isna()
        if not blank.any():
            return frame
    return frame if blank is None else frame[~blank].reset_index(drop=True)


def open_text(payload: Payload, encoding: TextEncoding, limits: ReadLimits) -> TextTable:
    codec, start = encoding.codec, encoding.bom
    if encoding.is_utf16:
        # Excel's "Unicode text" is small; re-encode it once so every later step sees ASCII-compatible bytes.
        data = payload.whole()[encoding.bom :].decode(encoding.codec, errors="replace").encode("utf-8")
        payload, codec, start = Payload(data=data, path=None, size=len(data)), "utf-8", 0
    head = payload.head(HEAD_BYTES)
    complete = len(head) >= payload.size
    lines = split_lines(head[start:], start, complete)
    texts = [raw.decode(codec, errors="replace") for _, raw in lines]
    if not any(text.strip(_BLANK_CHARS) for text in texts):  # nothing but spaces, delimiters and quotes
        raise ExportReadError(ReadErrorCode.EMPTY)
    for delimiter in rank_delimiters(texts):  # the best-scored delimiter under which a header shows up
        rows = parse_rows(texts, delimiter, SAMPLE_ROWS)
        header_at = find_header([row.cells for row in rows])
        if header_at is not None:
            break
    else:
        raise ExportReadError(ReadErrorCode.NO_HEADER)
    header = rows[header_at]
    header_offset = lines[header.first_line][0]
    last_offset, last_line = lines[-1]
    data_offset = lines[header.end_line][0] if header.end_line < len(lines) else last_offset + len(last_line)
    body_end = _footer_offset(payload, data_offset, codec, delimiter)
    body = [row.cells for row in rows[header_at + 1 :] if lines[row.first_line][0] < body_end]
    if not body and (complete or body_end <= data_offset):
        raise ExportReadError(ReadErrorCode.EMPTY, "only a header")
    names = clean_headers(_drop_trailing_empty(header.cells, body))
    return TextTable(payload, encoding.name, codec, delimiter, names, (header_offset, body_end), limits)


def _drop_trailing_empty(header: list[str], body: list[list[str]]) -> list[str]:
    """A delimiter ending every line (Bitrix24) leaves an unnamed column that is empty everywhere: drop it."""
    keep = len(header)
    while keep > 1 and not header[keep - 1].strip():
        if any(len(row) >= keep and row[keep - 1].strip() for row in body):
            break
        keep -= 1
    return header[:keep]


def _footer_offset(payload: Payload, data_offset: int, codec: str, delimiter: str) -> int:
    """Offset where trailing footer rows (totals, "Grand Totals", copyright, blank lines) begin.

    Scans physical lines backwards from the file's end and stops at the first line that is not a whole
    footer record: a line with an odd number of quotes ends a multi-line field, so a note's text is never cut.
    """
    tail_start, tail = payload.tail(TAIL_BYTES)
    at_line_start = tail_start <= data_offset
    if at_line_start:
        tail, tail_start = tail[data_offset - tail_start :], data_offset
    lines = split_lines(tail, tail_start, complete=True)
    if not at_line_start:
        lines = lines[1:]  # the first line of the tail is probably cut
    rules = reading_rules()
    end = payload.size
    for offset, raw in reversed(lines):
        text = raw.decode(codec, errors="replace")
        if text.count('"') % 2:
            break
        cells = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
        if not is_footer(cells, rules):
            break
        end = offset
    return end
