"""C · Check: the cycle opened from /pdca or from its review reminder, the fact asked, typed or (act.py) taken from an
export uploaded after the plan."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import PdcaCb, SubjectCb
from bot.guards import team_with
from bot.replies import respond
from bot.states import PdcaFlow
from bot.views import pdca as views
from bot.views.common import error_text
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from domain.pdca import (
    Cycle,
    FactSource,
    PdcaError,
    Phase,
)
from handlers.pdca.common import Event, head_today, number_or_say, show, show_cycle
from services import pdca as use
from storage import Store


async def ask_fact(
    event: Event, state: FSMContext, store: Store, content: Content, actor: User, cycle: Cycle, new_message: bool
) -> None:
    offer = await use.fact_offer(store, actor.id, cycle)
    await state.set_state(PdcaFlow.fact)
    await state.set_data({"cycle": cycle.id})
    screen = views.fact_step(
        content,
        cycle,
        None if offer is None else offer.value,
        None if offer is None else offer.uploaded_at,
        actor.timezone,
        None if offer is None else offer.currency,
    )
    await (respond(event, screen) if new_message else show(event, screen))


async def open_cycle(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    await show_cycle(callback, store, content, clock, actor, await store.pdca.get(actor.id, callback_data.ref))


async def open_from_reminder(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    """«Открыть цикл PDCA» on a delivered reminder: at Check time straight to the fact, else the cycle.
    The delivered message keeps its buttons (Сделано / Пропустить): the screen comes as a new message."""
    team_with(membership, Permission.MANAGE_TASKS)
    cycle = await store.pdca.get(actor.id, callback_data.subject)
    if cycle.phase(head_today(clock, actor)) is Phase.CHECK:
        await ask_fact(callback, state, store, content, actor, cycle, new_message=True)
        return
    await state.clear()
    await show_cycle(callback, store, content, clock, actor, cycle, new_message=True)


async def fact_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TASKS)
    value = await number_or_say(message, content)
    if value is None:
        return
    data = await state.get_data()
    try:
        checked = await use.record_fact(store, actor.id, int(data["cycle"]), value, FactSource.TYPED, None, clock.now())
    except PdcaError as error:
        await state.clear()
        await message.answer(error_text(content, error))
        return
    await state.clear()
    await respond(message, views.checked_screen(content, checked.cycle, actor.timezone, None))
