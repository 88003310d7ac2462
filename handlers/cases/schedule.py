"""The head's setup of the team's case review: the schedule (day, time, every one or two weeks), pausing it, and
the case template."""

from __future__ import annotations

from datetime import time

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CaseCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import CaseFlow
from bot.views import case_reviews as views
from bot.views.schedule_words import describe_rule
from content import Content
from domain.access import Permission
from domain.case_reviews import parse_template
from domain.clock import Clock
from domain.models import Membership, Role, User
from domain.reminder_phrases import PhraseError, parse_time_of_day
from handlers.cases.common import head_team, home_screen, reminder_titles, zone
from services import case_reviews as use
from services.reminders import WakeUp
from storage import Store

SCHEDULE_ACTIONS = frozenset({"setup", "day", "time", "freq"})
TEMPLATE_ACTIONS = frozenset({"template", "tpl_edit", "tpl_default"})
PAUSE_ACTIONS = frozenset({"pause", "resume"})


async def schedule_step(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    team_id = head_team(membership)
    action, value = callback_data.action, callback_data.value
    if action == "setup":
        await state.clear()
        await replace(callback, views.day_step(content))
        return
    if action == "day":
        if not 0 <= value <= 6:
            callback_answer.text = content.t("errors.stale_button")
            return
        await state.set_state(CaseFlow.time)
        await state.set_data({"weekday": value})
        await replace(callback, views.time_step(content))
        return
    data = await state.get_data()
    if await state.get_state() != CaseFlow.time.state or "weekday" not in data:
        callback_answer.text = content.t("errors.stale_button")
        return
    if action == "time":
        await state.update_data(minutes=value)
        await replace(callback, views.freq_step(content))
        return
    if "minutes" not in data or value not in (1, 2):
        callback_answer.text = content.t("errors.stale_button")
        return
    minutes = int(data["minutes"])
    at = time(minutes // 60, minutes % 60)
    titles = reminder_titles(content)
    weekday = int(data["weekday"])
    series = await use.schedule(
        store, reminder_engine, actor.id, team_id, weekday, at, value, zone(actor), titles, clock.now()
    )
    await state.clear()
    notice = content.t("cases.schedule_saved", rule=describe_rule(content, series.rule))
    await replace(callback, await home_screen(store, content, clock, actor, team_id, Role.HEAD, notice))


async def pause_or_resume(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    team_id = head_team(membership)
    pause = callback_data.action == "pause"
    series = await use.require_series(store, actor.id, team_id)
    await state.clear()
    if series.paused == pause:
        callback_answer.text = content.t("errors.stale_button")  # a second tap
        return
    await use.set_paused(store, reminder_engine, actor.id, series.id, pause, clock.now())
    notice = content.t("cases.paused_notice" if pause else "cases.resumed_notice")
    await replace(callback, await home_screen(store, content, clock, actor, team_id, Role.HEAD, notice))


async def template_step(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = head_team(membership)
    series = await use.require_series(store, actor.id, team_id)
    await state.clear()
    if callback_data.action == "template":
        await replace(callback, views.template_screen(content, series))
    elif callback_data.action == "tpl_edit":
        await state.set_state(CaseFlow.template)
        await replace(callback, views.template_ask(content))
    else:  # tpl_default
        series = await use.set_template(store, actor.id, series.id, ())
        await replace(callback, views.template_screen(content, series, content.t("cases.template_reset")))


async def time_typed(message: Message, state: FSMContext, content: Content, membership: Membership | None) -> None:
    team_with(membership, Permission.MANAGE_TEAM)
    try:
        at = parse_time_of_day(message.text or "")
    except PhraseError as error:
        await message.answer(content.t(f"schedules.errors.{error.code.value}"))
        return
    await state.update_data(minutes=at.hour * 60 + at.minute)
    await respond(message, views.freq_step(content))


async def template_typed(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    questions = parse_template(message.text or "")  # refused: its text, the question stays open
    series = await use.require_series(store, actor.id, team_id)
    series = await use.set_template(store, actor.id, series.id, questions)
    await state.clear()
    await respond(message, views.template_screen(content, series, content.t("cases.template_saved")))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(schedule_step, CaseCb.filter(F.action.in_(SCHEDULE_ACTIONS)))
    router.callback_query.register(pause_or_resume, CaseCb.filter(F.action.in_(PAUSE_ACTIONS)))
    router.callback_query.register(template_step, CaseCb.filter(F.action.in_(TEMPLATE_ACTIONS)))
    not_command = ~F.text.startswith("/")
    router.message.register(time_typed, CaseFlow.time, F.text, not_command)
    router.message.register(template_typed, CaseFlow.template, F.text, not_command)
    return router
