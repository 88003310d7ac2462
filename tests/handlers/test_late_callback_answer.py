"""A tap whose answer Telegram keeps refusing with 429 past the query's life: the tap's work stands, and the person
is not told that something went wrong."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.callbacks import MenuCb
from tests.handlers.conftest import FakeTelegram
from tests.handlers.recording import RecordingSession

USER = 7301


class CallbackAnswersFlooded(RecordingSession):
    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, AnswerCallbackQuery):
            self.requests.append(method)
            raise TelegramRetryAfter(method=method, message="Too Many Requests: retry after 30", retry_after=30)
        return await super().make_request(bot, method, timeout)


async def test_a_given_up_callback_answer_is_not_reported_as_a_failure(tg: FakeTelegram) -> None:
    flooded = CallbackAnswersFlooded()
    tg.bot.session = flooded
    tg.session = flooded
    await tg.send(USER, "/start")
    before = len(tg.texts(USER))
    await tg.tap(USER, MenuCb(action="reminders").pack())
    texts = tg.texts(USER)[before:]
    assert texts, "the tap's screen was shown"
    generic = tg.content.t("errors.generic")
    assert generic not in texts
    answers = [m for m in flooded.requests if isinstance(m, AnswerCallbackQuery)]
    assert answers and all(answer.text != generic for answer in answers)
