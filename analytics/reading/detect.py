"""The format of an export, decided from its content whatever its name says."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from analytics.schema import ExportReadError, ReadErrorCode

from .base import Payload
from .encoding import DETECT_SAMPLE, TextEncoding, detect_encoding
from .safety import zip_members

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_TABLES = (  # signatures of files people send by mistake
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF",
    b"RIFF",  # WebP, WAV, AVI
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"PK\x05\x06",  # empty zip
)
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


@dataclass(frozen=True, slots=True)
class Detected:
    format: str  # "csv" | "html" | "xlsx" | "xls" | "ods"
    encoding: TextEncoding | None = None  # text formats
    members: tuple[zipfile.ZipInfo, ...] = ()  # zip directory of a workbook, for the bomb check


def detect(payload: Payload, head: bytes) -> Detected:
    if payload.size == 0:
        raise ExportReadError(ReadErrorCode.EMPTY)
    if head.startswith(ZIP):
        return _zip_kind(payload)
    if head.startswith(OLE):
        return _ole_kind(payload.whole())
    if head.startswith(_NOT_TABLES):
        raise ExportReadError(ReadErrorCode.NOT_TABLE, "binary file")
    complete = len(head) >= payload.size
    encoding = detect_encoding(head, complete)
    if b"\x00" in head[:DETECT_SAMPLE] and not encoding.is_utf16:
        raise ExportReadError(ReadErrorCode.NOT_TABLE, "binary file")
    text = head[encoding.bom : encoding.bom + DETECT_SAMPLE].decode(encoding.codec, errors="replace")
    if complete and not text.strip():
        raise ExportReadError(ReadErrorCode.EMPTY)
    if _control_share(text) > 0.01:
        raise ExportReadError(ReadErrorCode.NOT_TABLE, "binary file")
    if _is_html(text):
        return Detected("html", encoding)
    return Detected("csv", encoding)


def _zip_kind(payload: Payload) -> Detected:
    members = tuple(zip_members(payload))
    names = {m.filename for m in members}
    if {"xl/workbook.xml", "xl/workbook.bin"} & names:
        return Detected("xlsx", members=members)
    if "mimetype" in names:
        mime = next(m for m in members if m.filename == "mimetype")
        if mime.file_size <= 100 and _read_member(payload, "mimetype").strip() == _ODS_MIME:
            return Detected("ods", members=members)
    raise ExportReadError(ReadErrorCode.NOT_TABLE, "zip archive that is not a workbook")


def _read_member(payload: Payload, name: str) -> bytes:
    source = io.BytesIO(payload.data) if payload.data is not None else payload.path
    assert source is not None
    try:
        with zipfile.ZipFile(source) as archive:
            return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ExportReadError(ReadErrorCode.CORRUPT, f"zip: {exc}") from exc


def _ole_kind(data: bytes) -> Detected:
    """An OLE2 container: a legacy workbook, or an OOXML workbook encrypted with a password.

    Office saves a password-protected .xlsx as OLE streams "EncryptionInfo" + "EncryptedPackage"; the
    directory stores stream names in UTF-16, so finding the name is enough to tell.
    """
    if _utf16("EncryptedPackage") in data:
        raise ExportReadError(ReadErrorCode.ENCRYPTED)
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return Detected("xls")
    raise ExportReadError(ReadErrorCode.NOT_TABLE, "office document that is not a workbook")


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ch < " " and ch not in "\t\r\n\f\v") or ch == "\ufffd")
    return bad / len(text)


def _is_html(text: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n").casefold()
    if not start.startswith("<"):
        return False
    return start.startswith(("<html", "<!doctype html")) or "<table" in start[:8192]
