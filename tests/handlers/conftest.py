from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content, load_content
from storage import Store, open_store
from tests.handlers.recording import BOT_USER, RecordingSession


@dataclass
class FakeTelegram:
    """Feeds updates into the real Dispatcher and exposes what the bot sent."""

    dispatcher: Dispatcher
    bot: Bot
    session: RecordingSession
    store: Store
    content: Content
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def user(self, user_id: int, name: str = "Анна") -> User:
        return User(id=user_id, is_bot=False, first_name=name, language_code="ru")

    async def send(self, user_id: int, text: str, name: str = "Анна") -> None:
        message = Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=self.user(user_id, name),
            text=text,
            entities=[{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else None,
        )
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), message=message))

    async def tap(self, user_id: int, data: str, message_id: int = 1, name: str = "Анна") -> None:
        bot_message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)),
            from_user=self.user(user_id, name),
            chat_instance="ci",
            message=bot_message,
            data=data,
        )
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), callback_query=query))

    async def send_group(
        self, chat_id: int, user_id: int, text: str, title: str = "Отдел продаж", kind: str = "group", **fields: Any
    ) -> None:
        """A message in a group chat from a person (privacy mode: commands to the bot, service messages)."""
        message = Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type=kind, title=title),
            from_user=self.user(user_id),
            text=text or None,
            entities=[{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else None,
            **fields,
        )
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), message=message))

    async def tap_group(self, chat_id: int, user_id: int, data: str, title: str = "Отдел продаж") -> None:
        """A button of the bot's message in a group pressed by a person (anyone in the group can)."""
        bot_message = Message(
            message_id=1,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="group", title=title),
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)), from_user=self.user(user_id), chat_instance="gi", message=bot_message, data=data
        )
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), callback_query=query))

    async def bot_membership(self, chat_id: int, by_user: int, joined: bool, title: str = "Отдел продаж") -> None:
        """`my_chat_member` in a group: the bot added (joined) or removed by a person."""
        member, left = ChatMemberMember(user=BOT_USER), ChatMemberLeft(user=BOT_USER)
        update = ChatMemberUpdated(
            chat=Chat(id=chat_id, type="group", title=title),
            from_user=self.user(by_user),
            date=datetime.now(UTC),
            old_chat_member=left if joined else member,
            new_chat_member=member if joined else left,
        )
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), my_chat_member=update))

    def texts(self, user_id: int) -> list[str]:
        return self.session.sent_texts(user_id)

    def last_text(self, user_id: int) -> str:
        return self.texts(user_id)[-1]

    def buttons(self, user_id: int) -> list[tuple[str, str]]:
        return self.session.last_markup_buttons(user_id)

    def button(self, user_id: int, label_part: str) -> str:
        for text, data in self.buttons(user_id):
            if label_part in text:
                return data
        raise AssertionError(f"no button with {label_part!r} in {self.buttons(user_id)}")

    def last_callback_answer(self) -> str | None:
        answers = self.session.callback_answers()
        return answers[-1].text if answers else None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content("ru")


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()
