"""A Bot API session double that records every request and answers like Telegram would (no network)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetChatMember,
    GetMe,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, ChatMemberMember, ChatMemberOwner, Document, Message, PhotoSize, User

BOT_USER = User(id=42, is_bot=True, first_name="Coach", username="rop_coach_bot")


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)
        self.group_admins: set[tuple[int, int]] = set()  # (chat id, user id) that getChatMember calls admins

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        self.requests.append(method)
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetChatMember):
            user = User(id=method.user_id, is_bot=False, first_name="U")
            if (method.chat_id, method.user_id) in self.group_admins:
                return ChatMemberOwner(user=user, is_anonymous=False)
            return ChatMemberMember(user=user)
        if isinstance(method, SendMessage | EditMessageText):
            chat_id = method.chat_id if isinstance(method.chat_id, int) else 0
            message_id = getattr(method, "message_id", None) or next(self._ids)
            return self._message(chat_id, message_id, text=method.text)
        if isinstance(method, SendDocument):
            chat_id = method.chat_id if isinstance(method.chat_id, int) else 0
            document = Document(file_id="doc", file_unique_id="doc")
            return self._message(chat_id, next(self._ids), document=document)
        if isinstance(method, SendPhoto):
            chat_id = method.chat_id if isinstance(method.chat_id, int) else 0
            photo = [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)]
            return self._message(chat_id, next(self._ids), photo=photo)
        if isinstance(method, SendMediaGroup):
            chat_id = method.chat_id if isinstance(method.chat_id, int) else 0
            return [self._message(chat_id, next(self._ids)) for _ in method.media]
        if isinstance(method, AnswerCallbackQuery):
            return True
        return True

    def _message(self, chat_id: int, message_id: int, **fields: Any) -> Message:
        chat = Chat(id=chat_id, type="private")
        return Message(message_id=message_id, date=datetime.now(UTC), chat=chat, from_user=BOT_USER, **fields)

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    # --- what tests read -------------------------------------------------------------------------------
    def sent_texts(self, chat_id: int) -> list[str]:
        return [
            m.text
            for m in self.requests
            if isinstance(m, SendMessage | EditMessageText) and m.chat_id == chat_id and m.text is not None
        ]

    def callback_answers(self) -> list[AnswerCallbackQuery]:
        return [m for m in self.requests if isinstance(m, AnswerCallbackQuery)]

    def last_markup_buttons(self, chat_id: int) -> list[tuple[str, str]]:
        for m in reversed(self.requests):
            if isinstance(m, SendMessage | EditMessageText) and m.chat_id == chat_id and m.reply_markup is not None:
                markup = m.reply_markup
                rows = getattr(markup, "inline_keyboard", [])
                return [(b.text, b.callback_data or b.url or "") for row in rows for b in row]
        return []
