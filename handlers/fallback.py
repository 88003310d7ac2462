"""Last router: anything nobody handled gets help, stale buttons get a polite answer."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from content import Content
from domain.models import Membership


async def help_command(message: Message, content: Content, membership: Membership | None) -> None:
    """What works for the person's role in their current team (bot/commands.py has the same lists)."""
    await message.answer(content.t(f"help.{'none' if membership is None else membership.role.value}"))


async def unknown_message(message: Message, content: Content) -> None:
    await message.answer(content.t("help.unknown"))


async def stale_button(callback: CallbackQuery, content: Content, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = content.t("errors.stale_button")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(help_command, Command("help"))
    router.message.register(unknown_message)
    router.callback_query.register(stale_button)
    return router
