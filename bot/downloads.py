"""Files users send (CRM exports, plan tables): refused by announced size, downloaded to a temporary folder."""

from __future__ import annotations

from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from analytics.schema import ExportReadError, ReadErrorCode
from bot.config import Settings
from content import Content


def read_error_text(content: Content, settings: Settings, code: ReadErrorCode) -> str:
    if code is ReadErrorCode.TOO_LARGE:  # the limit is configurable (a local Bot API server lifts it)
        return content.t("exports.too_large", limit=round(settings.max_upload_mb))
    return content.t(f"analytics.errors.{code.value}")


def check_size(file_size: int | None, settings: Settings) -> None:
    """Refuse by the size Telegram announces, before downloading anything."""
    if file_size is not None and file_size > settings.max_upload_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE)


async def download_file(bot: Bot, file_id: str, max_bytes: int, folder: Path) -> Path:
    """Into `folder` (a temporary one the caller deletes), streamed: never the whole file in our memory."""
    path = folder / "upload"
    try:
        await bot.download(file_id, destination=path, timeout=120)
    except TelegramBadRequest as error:
        if "too big" in error.message.lower():  # the official Bot API refuses files over 20 MB
            raise ExportReadError(ReadErrorCode.TOO_LARGE) from error
        raise
    if path.stat().st_size > max_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE)
    return path
