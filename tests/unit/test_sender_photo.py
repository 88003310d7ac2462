"""The sender with a photo (the owners' digest chart): a text that fits a caption goes as one photo message with its
buttons; a longer text goes first and the photo follows it once; a photo that fails after the text never turns the
sent text into a retry (a retry would send the text twice)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramServerError
from aiogram.methods import SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import FloodGate, SendBudget
from scheduling.sender import CAPTION_LIMIT, Outgoing, Sender, Sent
from tests.fakes.clock import FakeClock
from tests.handlers.recording import RecordingSession

USER = 100001
PNG = b"\x89PNG\r\n\x1a\nchart"
MARKUP = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="⚙️", callback_data="dg:settings:0")]])


class PhotoFails(RecordingSession):
    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        if isinstance(method, SendPhoto):
            self.requests.append(method)
            raise TelegramServerError(method=method, message="Internal Server Error")
        return await super().make_request(bot, method, timeout)


def _sender(session: RecordingSession) -> Sender:
    clock = FakeClock()
    return Sender(Bot(token="42:TEST", session=session), clock, FloodGate(clock), SendBudget(clock))


async def test_a_short_text_is_the_photos_caption() -> None:
    session = RecordingSession()
    outcome = await _sender(session).send(Outgoing(USER, "Сводка", reply_markup=MARKUP, photo=PNG))
    assert isinstance(outcome, Sent)
    [photo] = session.requests
    assert isinstance(photo, SendPhoto)
    assert photo.caption == "Сводка" and photo.reply_markup == MARKUP


async def test_a_long_text_goes_first_and_the_photo_follows_once() -> None:
    session = RecordingSession()
    text = "д" * (CAPTION_LIMIT + 1)
    outcome = await _sender(session).send(Outgoing(USER, text, reply_markup=MARKUP, photo=PNG))
    assert isinstance(outcome, Sent)
    first, second = session.requests
    assert isinstance(first, SendMessage) and first.text == text and first.reply_markup == MARKUP
    assert isinstance(second, SendPhoto) and second.caption is None
    assert outcome.message_id == 1000  # the text's message: its buttons are what the delivery points at


async def test_a_failed_photo_after_the_text_leaves_the_message_sent() -> None:
    session = PhotoFails()
    outcome = await _sender(session).send(Outgoing(USER, "д" * 2000, photo=PNG))
    assert isinstance(outcome, Sent)
    assert [type(r) for r in session.requests] == [SendMessage, SendPhoto]


async def test_without_a_photo_nothing_changes() -> None:
    session = RecordingSession()
    assert isinstance(await _sender(session).send(Outgoing(USER, "Напоминание")), Sent)
    assert [type(r) for r in session.requests] == [SendMessage]
