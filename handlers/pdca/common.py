"""What the /pdca steps share: the head's zone and today, showing a screen (an edit for a button, a message for
text), one cycle's card, and reading a typed number."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import CallbackQuery, Message

from bot.replies import replace, respond
from bot.views import pdca as views
from bot.views.common import Screen
from content import Content
from domain.clock import Clock
from domain.models import User
from domain.pdca import Cycle, NumberUnreadable, parse_number
from services import pdca as use
from storage import Store

Event = Message | CallbackQuery


def head_zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


def head_today(clock: Clock, actor: User) -> date:
    return use.local_today(clock.now(), head_zone(actor))


async def show(event: Event, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


async def number_or_say(message: Message, content: Content) -> float | None:
    try:
        return parse_number(message.text or "")
    except NumberUnreadable:
        await message.answer(content.t("pdca.errors.number_typed", text=escape((message.text or "")[:40])))
        return None


async def show_cycle(
    event: Event,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    cycle: Cycle,
    new_message: bool = False,
) -> None:
    actions = await store.pdca.actions(actor.id, cycle.id)
    screen = views.cycle_card(content, cycle, actions, head_today(clock, actor), actor.timezone)
    if new_message:
        await respond(event, screen)
    else:
        await show(event, screen)
