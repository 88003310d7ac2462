"""Files in progress live in a private folder recorded in the database; a start after a crash cleans up and tells."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.config import Settings
from bot.downloads import clean_up_interrupted_uploads, upload_folder, uploads_root
from content import Content
from storage import Store
from tests.handlers.recording import RecordingSession

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GONE_MESSAGE = 55  # deleted by the person: cannot be edited
UNREACHABLE_CHAT = 777  # Telegram cannot be reached for this one


class FlakySession(RecordingSession):
    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, EditMessageText) and method.message_id == GONE_MESSAGE:
            self.requests.append(method)
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        if isinstance(method, EditMessageText) and method.chat_id == UNREACHABLE_CHAT:
            self.requests.append(method)
            raise TelegramNetworkError(method, "ClientConnectorError")
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]


async def _left_behind(store: Store, settings: Settings, name: str, chat_id: int, message_id: int | None) -> Path:
    """What a bot killed mid-way leaves: a folder with the raw file and its record."""
    folder = uploads_root(settings) / name
    folder.mkdir(parents=True)
    (folder / "upload").write_text("ID;Компания\n1;ООО Ромашка\n", encoding="utf-8")
    await store.uploads.begin(chat_id, chat_id, message_id, name, NOW)
    return folder


async def test_start_deletes_leftovers_and_tells_each_person(
    store: Store, content: Content, settings: Settings
) -> None:
    edited = await _left_behind(store, settings, "upload-a", 101, 11)
    no_progress = await _left_behind(store, settings, "upload-b", 102, None)  # a plans file: no progress message
    gone = await _left_behind(store, settings, "upload-c", 103, GONE_MESSAGE)
    stray = uploads_root(settings) / "upload-stray"  # killed between creating the folder and recording it
    stray.mkdir()
    (stray / "upload").write_bytes(b"rows")
    session = FlakySession()

    closed = await clean_up_interrupted_uploads(Bot("42:TEST", session=session), store, content, settings)

    assert closed == 3
    assert not any(p.exists() for p in (edited, no_progress, gone, stray))
    assert list(uploads_root(settings).iterdir()) == []
    assert await store.uploads.left_over() == []
    text = content.t("exports.interrupted")
    sent = [
        (type(m).__name__, m.chat_id, getattr(m, "message_id", None), m.text)
        for m in session.requests
        if isinstance(m, EditMessageText | SendMessage)
    ]
    assert sent == [
        ("EditMessageText", 101, 11, text),
        ("SendMessage", 102, None, text),
        ("EditMessageText", 103, GONE_MESSAGE, text),
        ("SendMessage", 103, None, text),
    ]


async def test_a_person_telegram_could_not_reach_is_told_at_the_next_start(
    store: Store, content: Content, settings: Settings
) -> None:
    folder = await _left_behind(store, settings, "upload-a", UNREACHABLE_CHAT, 11)
    await clean_up_interrupted_uploads(Bot("42:TEST", session=FlakySession()), store, content, settings)
    assert not folder.exists()  # the file goes at once in any case
    assert [u.chat_id for u in await store.uploads.left_over()] == [UNREACHABLE_CHAT]


async def test_upload_folder_is_private_and_recorded_only_while_in_use(store: Store, settings: Settings) -> None:
    async with upload_folder(store, settings, user_id=1, chat_id=1, message_id=5, now=NOW) as folder:
        (folder / "upload").write_bytes(b"data")
        assert folder.parent == uploads_root(settings)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.parent.parent.stat().st_mode) == 0o700
        [record] = await store.uploads.left_over()
        assert (record.chat_id, record.message_id, record.folder) == (1, 5, folder.name)
    assert not folder.exists()
    assert await store.uploads.left_over() == []

    with pytest.raises(ZeroDivisionError):
        async with upload_folder(store, settings, user_id=1, chat_id=1, message_id=5, now=NOW) as folder:
            _ = 1 / 0
    assert not folder.exists()
    assert await store.uploads.left_over() == []


async def test_a_stop_mid_way_keeps_the_record_for_the_next_start(store: Store, settings: Settings) -> None:
    entered = asyncio.Event()
    seen: list[Path] = []

    async def analyse() -> None:
        async with upload_folder(store, settings, user_id=1, chat_id=1, message_id=5, now=NOW) as folder:
            seen.append(folder)
            entered.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(analyse())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not seen[0].exists()  # the raw file is gone at once
    assert [u.message_id for u in await store.uploads.left_over()] == [5]  # the person is told at the next start
