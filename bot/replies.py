"""Sending helpers shared by handlers: answer a message or a button tap the same way."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bot.views.common import Screen


async def respond(event: Message | CallbackQuery, screen: Screen) -> Message | None:
    """Send the screen as a new message in the chat the event came from."""
    if isinstance(event, CallbackQuery):
        if event.message is None or isinstance(event.message, InaccessibleMessage):
            return None
        return await event.message.answer(screen.text, reply_markup=screen.markup)
    return await event.answer(screen.text, reply_markup=screen.markup)


async def replace(event: CallbackQuery, screen: Screen) -> None:
    """Edit the tapped message into the screen; fall back to a new message when it cannot be edited."""
    message = event.message
    if message is None or isinstance(message, InaccessibleMessage):
        return
    try:
        await message.edit_text(screen.text, reply_markup=screen.markup)
    except TelegramBadRequest as error:
        if "not modified" in error.message:
            return
        await message.answer(screen.text, reply_markup=screen.markup)
