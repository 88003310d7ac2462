"""Refusals that must happen before any parsing: size, and archives that would unpack to too much."""

from __future__ import annotations

import io
import zipfile

from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

from .base import Payload


def check_size(size: int, limits: ReadLimits) -> None:
    if size > limits.max_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE, f"{size} bytes > {limits.max_bytes}")


def zip_members(payload: Payload) -> list[zipfile.ZipInfo]:
    """The archive's directory (read from its end, nothing is decompressed); a broken one is CORRUPT."""
    try:
        source = io.BytesIO(payload.data) if payload.data is not None else payload.path
        assert source is not None
        with zipfile.ZipFile(source) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ExportReadError(ReadErrorCode.CORRUPT, f"zip: {exc}") from exc


def check_zip(members: list[zipfile.ZipInfo], archive_size: int, limits: ReadLimits) -> None:
    """Refuse a workbook whose declared unpacked size or total compression ratio is over the limits.

    The sizes are what the archive declares; a lying directory is left to the sandbox's memory cap.
    """
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise ExportReadError(ReadErrorCode.ZIP_BOMB, f"unpacks to {unpacked} bytes")
    if unpacked / max(archive_size, 1) > limits.max_unpack_ratio:
        raise ExportReadError(ReadErrorCode.ZIP_BOMB, f"ratio {unpacked / max(archive_size, 1):.0f}:1")
