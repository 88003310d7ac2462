"""Text encoding of an export: byte-order marks, strict UTF-8, then charset-normalizer among a few candidates."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .layout import reading_rules

DETECT_SAMPLE = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
_LOWER_CYRILLIC = re.compile(r"[а-яё]")
_UPPER_CYRILLIC = re.compile(r"[А-ЯЁ]")
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


@dataclass(frozen=True, slots=True)
class TextEncoding:
    name: str  # what the file is in, as reported: "utf-8", "utf-8-sig", "utf-16", "cp1251", ...
    codec: str  # codec for the bytes after the byte-order mark
    bom: int  # length of the byte-order mark

    @property
    def is_utf16(self) -> bool:
        return self.codec.startswith("utf-16")


def detect_encoding(head: bytes, complete: bool) -> TextEncoding:
    """Encoding of a text file from its first bytes; `complete` says the head is the whole file."""
    for bom, name, codec in _BOMS:
        if head.startswith(bom):
            return TextEncoding(name, codec, len(bom))
    utf16 = _bomless_utf16(head)
    if utf16:
        return TextEncoding("utf-16", utf16, 0)
    sample = head[:DETECT_SAMPLE]
    if _is_utf8(sample, final=complete and len(sample) == len(head)):
        return TextEncoding("utf-8", "utf-8", 0)
    codec = _guess_single_byte(sample)
    return TextEncoding(codec, codec, 0)


def _is_utf8(sample: bytes, final: bool) -> bool:
    # The incremental decoder keeps an incomplete character at the sample's end instead of failing on it.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: the high byte of each character is NUL (ASCII) or one of a few values (0x04 for
    Cyrillic), the low byte almost never NUL, and the whole decodes."""
    probe = head[: 4096 if len(head) > 4096 else len(head) - len(head) % 2]
    if len(probe) < 16:
        return None
    for codec, high, low in (("utf-16-le", probe[1::2], probe[0::2]), ("utf-16-be", probe[0::2], probe[1::2])):
        if low.count(0) > 0.02 * len(low) or high.count(0) < 0.1 * len(high):
            continue
        if sum(n for _, n in Counter(high).most_common(2)) < 0.9 * len(high):
            continue
        try:
            codecs.getincrementaldecoder(codec)().decode(probe, final=False)
        except UnicodeDecodeError:
            continue
        return codec
    return None


def _guess_single_byte(sample: bytes) -> str:
    """cp1251 or KOI8-R for Russian text (by the shape of its words), else charset-normalizer's best guess.

    charset-normalizer alone mistakes a short cp1251 sample for mac-cyrillic or cp1252.
    """
    if _looks_cyrillic(sample.decode("cp1251", errors="replace")):
        return _cyrillic_by_case(sample)
    candidates = reading_rules().text_encodings
    best = from_bytes(sample, cp_isolation=list(candidates)).best()
    return codecs.lookup(best.encoding if best is not None else candidates[0]).name


def _looks_cyrillic(text: str) -> bool:
    """Words with a non-ASCII letter are whole Cyrillic words, not Latin words with one odd letter
    ("Cafй" is cp1252 "Café" read as cp1251)."""
    cyrillic = mixed = 0
    for word in _WORD.findall(text):
        if _CYRILLIC.search(word):
            if _LATIN.search(word):
                mixed += 1
            else:
                cyrillic += 1
    return cyrillic > 0 and mixed <= 0.1 * cyrillic


def _cyrillic_by_case(sample: bytes) -> str:
    """cp1251 and KOI8-R swap the case of Russian letters; real text is mostly lower case."""

    def lower_share(codec: str) -> float:
        text = sample.decode(codec, errors="replace")
        lower, upper = len(_LOWER_CYRILLIC.findall(text)), len(_UPPER_CYRILLIC.findall(text))
        return lower / (lower + upper) if lower + upper else 0.0

    return "koi8-r" if lower_share("koi8-r") > lower_share("cp1251") else "cp1251"
