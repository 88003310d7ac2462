"""«📅 В календарь (.ics)» in /reminders: the person's active reminders as a calendar file to import."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import BufferedInputFile, CallbackQuery, InaccessibleMessage
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CalendarCb
from content import Content
from domain.calendar_file import FILE_NAME, CalendarTexts
from domain.clock import Clock
from domain.models import User
from services.calendar_file import rituals_calendar
from storage import Store


async def calendar_file(
    callback: CallbackQuery,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    texts = CalendarTexts(name=content.t("calendar.name"), description=content.t("calendar.description"))
    made = await rituals_calendar(store, actor.id, texts, clock.now())
    if made is None:
        callback_answer.text = content.t("calendar.empty")
        return
    data, count = made
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage):
        return
    caption = content.t("calendar.caption", events=content.plural("calendar.events", count))
    await message.answer_document(BufferedInputFile(data, filename=FILE_NAME), caption=caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(calendar_file, CalendarCb.filter())
    return router
