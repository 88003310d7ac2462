"""Files users send (CRM exports, plan tables): refused by announced size, downloaded to a private folder.

Each file gets its own folder under `<database folder>/uploads/<database file name>/` (0700), recorded in the
database while it exists (`store.uploads`). The bot killed half-way leaves the row: at the next start
`clean_up_interrupted_uploads` deletes the folder and tells the person to send the file again; whatever else is in
that uploads folder then is deleted too.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError, TelegramServerError

from analytics.schema import ExportReadError, ReadErrorCode
from bot.config import Settings
from content import Content
from storage import Store
from storage.uploads import UploadInProgress

logger = logging.getLogger(__name__)

UPLOADS_FOLDER = "uploads"
_PRIVATE_DIR_MODE = 0o700


def read_error_text(content: Content, settings: Settings, code: ReadErrorCode) -> str:
    if code is ReadErrorCode.TOO_LARGE:  # the limit is configurable (a local Bot API server lifts it)
        return content.t("exports.too_large", limit=round(settings.max_upload_mb))
    return content.t(f"analytics.errors.{code.value}")


def check_size(file_size: int | None, settings: Settings) -> None:
    """Refuse by the size Telegram announces, before downloading anything."""
    if file_size is not None and file_size > settings.max_upload_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE)


async def download_file(bot: Bot, file_id: str, max_bytes: int, folder: Path) -> Path:
    """Into `folder` (from `upload_folder`, deleted by it), streamed: never the whole file in our memory."""
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


def uploads_root(settings: Settings) -> Path:
    """Where files wait for processing: next to the database, in folders the bot owns (not the shared /tmp).
    One folder per database file: bots on two databases in one folder (coach.db, demo.db) never touch each
    other's files when they clean up at start."""
    return settings.database_path.parent / UPLOADS_FOLDER / settings.database_path.name


def _new_folder(root: Path) -> Path:
    root.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    for folder in (root.parent, root):
        folder.chmod(_PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask
    return Path(tempfile.mkdtemp(prefix="upload-", dir=root))  # 0700


async def remove_folder(folder: Path) -> None:
    await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)


@asynccontextmanager
async def upload_folder(
    store: Store, settings: Settings, *, user_id: int, chat_id: int, message_id: int | None, now: datetime
) -> AsyncIterator[Path]:
    """A private folder for one file, recorded as an upload in progress while the block runs; `message_id` is the
    progress message the next start edits if the bot dies meanwhile (None: it sends a new one). The folder may be
    removed early (`remove_folder`) once the file is read; the record goes at the end of the block."""
    folder = await asyncio.to_thread(_new_folder, uploads_root(settings))
    try:
        upload_id = await store.uploads.begin(user_id, chat_id, message_id, folder.name, now)
    except BaseException:
        await remove_folder(folder)
        raise
    try:
        yield folder
    except asyncio.CancelledError:
        # The bot is stopping: the file goes now; the record stays, so the next start tells the person.
        await asyncio.shield(remove_folder(folder))
        raise
    except BaseException:
        await _finish(store, upload_id, folder)
        raise
    await _finish(store, upload_id, folder)


async def _finish(store: Store, upload_id: int, folder: Path) -> None:
    await remove_folder(folder)
    await store.uploads.finish(upload_id)


async def clean_up_interrupted_uploads(bot: Bot, store: Store, content: Content, settings: Settings) -> int:
    """At start, before polling: what uploads a killed bot left. Each recorded one: its folder deleted, its
    progress message (or a new message) says the processing was interrupted, its record deleted. Then the rest of
    uploads/ goes too: nothing runs yet, so anything there is a leftover. Returns how many records were closed."""
    root = uploads_root(settings)
    text = content.t("exports.interrupted")
    closed = 0
    for upload in await store.uploads.left_over():
        await asyncio.to_thread(_remove_named, root, upload.folder)
        if await _tell_interrupted(bot, upload, text):
            await store.uploads.finish(upload.id)
            closed += 1
    await asyncio.to_thread(_remove_everything_in, root)
    return closed


async def _tell_interrupted(bot: Bot, upload: UploadInProgress, text: str) -> bool:
    """False when Telegram could not be reached: the record stays and the next start tries again."""
    try:
        if upload.message_id is not None:
            try:
                await bot.edit_message_text(text, chat_id=upload.chat_id, message_id=upload.message_id)
                return True
            except TelegramBadRequest as error:
                if "not modified" in error.message:  # told already by a start that could not delete the record
                    return True
                # the progress message is gone or cannot be edited: a new message instead
        await bot.send_message(upload.chat_id, text)
    except (TelegramNetworkError, TelegramServerError) as error:
        logger.warning("could not tell chat %s about an interrupted upload: %s", upload.chat_id, error)
        return False
    except TelegramAPIError as error:  # blocked the bot, chat gone: nobody to tell
        logger.info("interrupted upload in chat %s not reported: %s", upload.chat_id, error)
    return True


def _remove_named(root: Path, name: str) -> None:
    if name and name not in {".", ".."} and Path(name).name == name:  # a bare name: never anything outside root
        shutil.rmtree(root / name, ignore_errors=True)


def _remove_everything_in(root: Path) -> None:
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
