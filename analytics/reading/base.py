"""The TableSource protocol, the input (bytes in memory or a file read lazily) and the grid-backed table."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import pandas as pd

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .layout import clean_headers, effective_width, find_header, footer_start, is_blank, reading_rules


class TableSource(Protocol):
    """A readable table: headers known at once, rows on demand. Every value is a string, missing = NA."""

    format: str
    encoding: str | None
    delimiter: str | None
    headers: tuple[str, ...]

    def sample(self, n: int = 2000) -> pd.DataFrame: ...

    def read(self, columns: Sequence[str]) -> pd.DataFrame: ...

    @property
    def row_count(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Payload:
    """The file being read: bytes already in memory, or a path read piece by piece (never loaded twice)."""

    data: bytes | None
    path: Path | None
    size: int

    @classmethod
    def of(cls, source: bytes | Path) -> Payload:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            return cls(data=data, path=None, size=len(data))
        path = Path(source)
        return cls(data=None, path=path, size=path.stat().st_size)

    def head(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with self.path.open("rb") as fh:
            return fh.read(n)

    def tail(self, n: int) -> tuple[int, bytes]:
        """The last n bytes and the offset where they start."""
        start = max(0, self.size - n)
        if self.data is not None:
            return start, self.data[start:]
        assert self.path is not None
        with self.path.open("rb") as fh:
            fh.seek(start)
            return start, fh.read()

    def whole(self) -> bytes:
        return self.data if self.data is not None else self.head(self.size)

    def open_window(self, start: int, end: int) -> BinaryIO:
        """A binary stream over bytes [start, end): the table body handed to pandas without copying the file."""
        if self.data is not None:
            if end >= self.size:
                stream = io.BytesIO(self.data)
                stream.seek(start)
                return stream
            return io.BytesIO(self.data[start:end])
        assert self.path is not None
        fh = self.path.open("rb")
        fh.seek(start)
        if end >= self.size:
            return fh
        return io.BufferedReader(_Window(fh, end - start), buffer_size=1 << 20)


class _Window(io.RawIOBase):
    """Reads at most `left` bytes from an open file, then reports end of file; closes the file with itself."""

    def __init__(self, fh: io.BufferedIOBase, left: int) -> None:
        super().__init__()
        self._fh = fh
        self._left = left

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        got = self._fh.readinto(memoryview(buffer)[:n])
        self._left -= got
        return got

    def close(self) -> None:
        self._fh.close()
        super().close()


class GridTable:
    """A table already held in memory (workbook sheet, HTML table): a frame of strings with cleaned headers."""

    def __init__(self, fmt: str, frame: pd.DataFrame, encoding: str | None = None) -> None:
        self.format = fmt
        self.encoding = encoding
        self.delimiter: str | None = None
        self.headers: tuple[str, ...] = tuple(str(c) for c in frame.columns)
        self._frame = frame

    def sample(self, n: int = 2000) -> pd.DataFrame:
        return self._frame.head(n)

    def read(self, columns: Sequence[str]) -> pd.DataFrame:
        missing = [c for c in columns if c not in self.headers]
        if missing:
            raise KeyError(f"no such columns: {missing}")
        return self._frame[list(dict.fromkeys(columns))]

    @property
    def row_count(self) -> int | None:
        return len(self._frame)


def grid_to_table(
    fmt: str, rows: Sequence[Sequence[str]], limits: ReadLimits, encoding: str | None = None
) -> GridTable:
    """Header row, footers, blank rows and trailing unnamed empty columns resolved on a grid of string cells."""
    header_at = find_header(rows)
    if header_at is None:
        raise ExportReadError(ReadErrorCode.EMPTY if all(is_blank(r) for r in rows) else ReadErrorCode.NO_HEADER)
    body = rows[header_at + 1 :]
    body = body[: footer_start(body, reading_rules())]
    if len(body) > limits.max_rows:
        raise ExportReadError(ReadErrorCode.TOO_MANY_ROWS, f"{len(body)} rows")
    widest = max((len(row) for row in body), default=0)
    if any(len(row) != widest for row in body):  # HTML rows may be ragged; calamine's never are
        body = [[*row, *[""] * (widest - len(row))] for row in body]
    frame = pd.DataFrame(list(body), dtype=object)
    frame = frame.mask(frame.isna() | frame.eq("")).dropna(how="all")
    if frame.empty:
        raise ExportReadError(ReadErrorCode.EMPTY, "only a header")
    header = list(rows[header_at])
    width = max(effective_width(header), int(frame.notna().any().to_numpy().nonzero()[0].max()) + 1)
    header = [*header[:width], *[""] * (width - len(header))]
    frame = frame.reindex(columns=range(width)).astype("str").reset_index(drop=True)
    frame.columns = list(clean_headers(header))
    return GridTable(fmt, frame, encoding)
