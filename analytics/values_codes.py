"""Cells as a matrix of character codes, grouped by shape: the vectorised base of amount and date parsing.

pandas' string methods run a Python call per cell (about 0.5 s per million cells for one `str.replace`) and
`to_datetime` with a non-ISO format is slower still. Here a column is converted once into a fixed-width numpy
unicode array, mapped to one byte per character and transposed, so that one character position is one
contiguous row. Cells are then grouped by their *shape* - digits shown as "9", other characters kept
("9 999,99", "99.99.9999 99:99") - and a real column has a handful of shapes. Each shape is interpreted once
in Python (where is the decimal comma, which part is the month); every cell of that shape is then converted by
integer arithmetic over whole arrays: a million cells cost tens of milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

CHUNK = 1 << 17  # rows converted at a time
MAX_WIDTH = 48  # longer cells are neither amounts nor dates
LETTER = ord("a")  # every non-ASCII letter (Cyrillic "руб", "не закрыта") reads as "a"
SYMBOL = ord("$")  # every currency sign reads as "$"
OTHER = 0x7F  # any other character outside ASCII

_CAMEL = re.compile(r"(?<=[a-zа-яё0-9])(?=[A-ZА-ЯЁ])")
_PUNCT = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True, eq=False)
class Shapes:
    codes: np.ndarray  # (width, rows) uint8 as described above, 0 after a cell's end
    present: np.ndarray  # bool per row: a non-empty cell of at most MAX_WIDTH characters
    groups: tuple[tuple[str, np.ndarray | None], ...]  # (shape, its rows; None = every row)
    nonempty: int  # non-empty cells, including those too long or in no group

    def rows_of(self, rows: np.ndarray | None) -> np.ndarray:
        return self.codes if rows is None else self.codes[:, rows]


def as_text(s: pd.Series) -> np.ndarray:
    """The column as an object array of str with "" for missing cells (no conversion work for str columns)."""
    if pd.api.types.is_string_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        values = s.to_numpy(dtype=object, na_value="")
        # an object column may hold numbers or dates (a frame built by hand): str() only then
        mixed = pd.api.types.is_object_dtype(s.dtype) and pd.api.types.infer_dtype(values, skipna=True) not in (
            "string",
            "empty",
        )
        if mixed:
            values = np.array(["" if _missing(v) else str(v) for v in values], dtype=object)
        return values
    return np.array(["" if _missing(v) else str(v) for v in s.to_numpy(dtype=object)], dtype=object)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


@lru_cache(maxsize=1)
def _byte_of() -> np.ndarray:
    """Code point -> one byte: ASCII kept, spaces unified, letters "a", currency signs "$", minus signs "-"."""
    lut = np.full(0x110000, OTHER, dtype=np.uint8)
    lut[:128] = np.arange(128, dtype=np.uint8)
    for code in range(128, 0x10000):
        if chr(code).isalpha():
            lut[code] = LETTER
    for ch in "\t\u00a0\u202f\u2009\u2007\u2008\u200a\u3000":
        lut[ord(ch)] = ord(" ")
    for ch in "\u2212\u2013\u2014":
        lut[ord(ch)] = ord("-")
    for ch in "₽€£₸₴¥":
        lut[ord(ch)] = SYMBOL
    lut[ord("’")] = ord("'")
    return lut


def shapes_of(values: np.ndarray, limit: int = 64) -> Shapes:
    """Group the cells of an object array of str by shape (at most `limit` shapes, the commonest kept)."""
    n = len(values)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    too_long = lengths > MAX_WIDTH
    if too_long.any():
        values = np.where(too_long, "", values)
    present = (lengths > 0) & ~too_long
    width = int(lengths[present].max()) if present.any() else 1
    codes = np.empty((width, n), dtype=np.uint8)
    pattern = np.empty((width, n), dtype=np.uint8)
    byte_of, nine = _byte_of(), _nine()
    # in chunks: the 4-bytes-per-character buffer stays small and is reused instead of faulted in afresh
    for start in range(0, n, CHUNK):
        wide = values[start : start + CHUNK].astype(f"U{width}").view(np.uint32).reshape(-1, width)
        chunk = _to_bytes(wide, byte_of)
        codes[:, start : start + CHUNK] = chunk.T
        pattern[:, start : start + CHUNK] = nine[chunk].T
    return Shapes(codes, present, _group(pattern, present, limit), int(present.sum() + too_long.sum()))


def _to_bytes(wide: np.ndarray, byte_of: np.ndarray) -> np.ndarray:
    """byte_of[wide], without a gather over a 1.1-million-entry table per character: ASCII maps to itself but
    for the tab, so only the few non-ASCII characters (a non-breaking space, a currency word) are looked up."""
    chunk = wide.astype(np.uint8)  # truncates non-ASCII code points; they are overwritten below
    chunk[chunk == 9] = byte_of[9]
    high = wide >= 128
    if high.any():
        chunk[high] = byte_of[wide[high]]
    return chunk


@lru_cache(maxsize=1)
def _nine() -> np.ndarray:
    """Byte -> its shape character: digits become "9"."""
    table = np.arange(256, dtype=np.uint8)
    table[ord("0") : ord("9") + 1] = ord("9")
    return table


def _group(pattern: np.ndarray, present: np.ndarray, limit: int) -> tuple[tuple[str, np.ndarray | None], ...]:
    if not present.any():
        return ()
    first = int(np.argmax(present))
    same = (pattern == pattern[:, first : first + 1]).all(axis=0)
    if same[present].all():
        return ((_text(pattern[:, first]), None if present.all() else np.flatnonzero(present)),)
    # several shapes: a 32-bit FNV-style hash of each row's shape (wrapping arithmetic is intended)
    key = np.full(pattern.shape[1], 2166136261, dtype=np.uint32)
    for j in range(pattern.shape[0]):
        key = (key ^ pattern[j]) * np.uint32(16777619)
    index = np.flatnonzero(present)
    codes, uniques = pd.factorize(key[index])
    counts = np.bincount(codes, minlength=len(uniques))
    groups = []
    for code in np.argsort(-counts, kind="stable")[:limit]:
        rows = index[codes == code]
        rep = pattern[:, rows[0] : rows[0] + 1]
        rows = rows[(pattern[:, rows] == rep).all(axis=0)]  # a hash collision must not mix shapes
        groups.append((_text(rep[:, 0]), rows))
    return tuple(groups)


def _text(column: np.ndarray) -> str:
    return column.tobytes().rstrip(b"\x00").decode("latin-1")


def is_digit(codes: np.ndarray) -> np.ndarray:
    # unsigned arithmetic wraps below "0", so one comparison tests both bounds
    return (codes - np.uint8(48)) < np.uint8(10)


def digits_value(codes: np.ndarray, positions: Sequence[int], dtype: type = np.int64) -> np.ndarray:
    """The integer written by the digits at these character positions of every row."""
    value: np.ndarray = np.zeros(codes.shape[1], dtype=dtype)
    for p in positions:
        value = value * 10 + codes[p]
        value -= 48
    return value


def sample_values(values: np.ndarray, n: int = 2000) -> list[str]:
    """Distinct non-empty cells among the first n: the place for per-value Python work."""
    return list(dict.fromkeys(v for v in values[:n] if v))


def normalize_word(text: str) -> str:
    """Casefolded, "ё" -> "е", punctuation and spaces collapsed: the form synonyms and status words match in."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(_PUNCT.sub(" ", text).split())


def normalize_header(header: str) -> str:
    """A header for synonym matching: camelCase split ("StageName" -> "stage name"), a reader's copy suffix
    " (2)" dropped, then normalize_word."""
    text = re.sub(r"\s*\(\d+\)$", "", str(header))
    return normalize_word(_CAMEL.sub(" ", text))
