"""The corpus of files the reader refuses, each with the code that picks its message."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from analytics.reading import open_table
from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def png() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def ole_with_stream(name: str) -> bytes:
    """Enough of an OLE2 compound file for detection: the signature, a 512-byte header, a directory entry.

    Office saves a password-protected .xlsx as an OLE file whose directory lists "EncryptionInfo" and
    "EncryptedPackage" (names stored in UTF-16LE, 64 bytes each); the reader refuses it by that name alone.
    """
    header = OLE_SIGNATURE + bytes(512 - len(OLE_SIGNATURE))
    entry = name.encode("utf-16-le").ljust(64, b"\x00") + struct.pack("<H", 2 * (len(name) + 1))
    return header + entry.ljust(128, b"\x00") + bytes(384)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """An "xlsx" of ~330 KB whose sheet unpacks to 320 MB of zeros, written in chunks (fast, small)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(320):
                member.write(zeros)
    return out.getvalue()


def code_of(data: bytes | Path, limits: ReadLimits | None = None) -> ReadErrorCode:
    with pytest.raises(ExportReadError) as caught:
        table = open_table(data, limits=limits or ReadLimits())
        table.read(table.headers)
    return caught.value.code


CORPUS: list[tuple[str, bytes, ReadErrorCode]] = [
    ("empty", b"", ReadErrorCode.EMPTY),
    ("whitespace", b"  \r\n\t\n\n   ", ReadErrorCode.EMPTY),
    ("all-blank-rows", b';;;\n;;;\n"";"";""\n', ReadErrorCode.EMPTY),
    ("only-a-header", "Сделка;Сумма;Этап\n".encode(), ReadErrorCode.EMPTY),
    ("header-and-footer-only", b'"Name","Amount"\n"Grand Totals (0 records)"\n', ReadErrorCode.EMPTY),
    ("binary-junk", random.Random(7).randbytes(4096), ReadErrorCode.NOT_TABLE),
    ("png-image", png(), ReadErrorCode.NOT_TABLE),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", ReadErrorCode.NOT_TABLE),
    ("html-without-table", b"<html><body><p>Hello</p></body></html>", ReadErrorCode.NOT_TABLE),
    ("zip-not-a-workbook", zip_of({"word/document.xml": b"<w:document/>"}), ReadErrorCode.NOT_TABLE),
    ("password-protected", ole_with_stream("EncryptedPackage"), ReadErrorCode.ENCRYPTED),
    ("ole-word-document", ole_with_stream("WordDocument"), ReadErrorCode.NOT_TABLE),
    ("corrupt-xls", ole_with_stream("Workbook"), ReadErrorCode.CORRUPT),
    ("corrupt-zip", b"PK\x03\x04" + b"\x00garbage" * 50, ReadErrorCode.CORRUPT),
    ("truncated-xlsx", xlsx_bytes([["a", "b"], [1, 2]])[:-300], ReadErrorCode.CORRUPT),
    ("broken-sheet-xml", zip_of({"[Content_Types].xml": b"<", "xl/workbook.xml": b"<<<"}), ReadErrorCode.CORRUPT),
    ("no-header", b"1;2;3\n4;5;6\n7;8;9\n", ReadErrorCode.NO_HEADER),
    ("no-header-dates", b"01.01.2024;100,50\n02.01.2024;200\n", ReadErrorCode.NO_HEADER),
    ("blank-workbook", xlsx_bytes([]), ReadErrorCode.EMPTY),
    ("numbers-only-workbook", xlsx_bytes([[1, 2], [3, 4]]), ReadErrorCode.NO_HEADER),
]


@pytest.mark.parametrize(("data", "code"), [(d, c) for _, d, c in CORPUS], ids=[n for n, _, _ in CORPUS])
def test_broken_file_gives_its_code(data: bytes, code: ReadErrorCode) -> None:
    assert code_of(data) is code


def test_zip_bomb_is_refused_before_parsing(zip_bomb: bytes, tmp_path: Path) -> None:
    assert len(zip_bomb) < 2 * 1024 * 1024
    path = tmp_path / "deals.xlsx"
    path.write_bytes(zip_bomb)
    assert code_of(zip_bomb) is ReadErrorCode.ZIP_BOMB
    assert code_of(path) is ReadErrorCode.ZIP_BOMB


def test_unpacking_ratio_alone_trips_the_check() -> None:
    small = xlsx_bytes([["Amount"], [1]])
    assert code_of(small, ReadLimits(max_unpack_ratio=1.5)) is ReadErrorCode.ZIP_BOMB
    assert code_of(small, ReadLimits(max_unpacked_bytes=1000)) is ReadErrorCode.ZIP_BOMB


def test_size_is_checked_before_anything_else(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png() + bytes(10_000))
    assert code_of(path, ReadLimits(max_bytes=1000)) is ReadErrorCode.TOO_LARGE


def test_one_column_file_is_not_an_error() -> None:
    table = open_table("Клиент\nООО Ромашка\nИП Петров\n".encode("cp1251"))
    assert table.headers == ("Клиент",)
    assert len(table.read(["Клиент"])) == 2
