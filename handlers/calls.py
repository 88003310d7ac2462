"""/calls: call listening: weekly targets, rotation, call reviews.

Handlers read the update, call a use case (services/calls.py), render a view (bot/views/calls.py). A review in
progress waits in FSM data (persisted, so a restart resumes it); a button of another step or of a finished review
gets the stale-button toast. Only the head of the team gets here (team_with); a manager receives the feedback of
their own review when the head ticks «Отправить разбор»."""

from __future__ import annotations

import logging
import re
from datetime import time
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import (
    CallManagerCb,
    CallReviewCb,
    CallRosterCb,
    CallsCb,
    CallScheduleCb,
    CallTargetCb,
    MenuCb,
    SubjectCb,
)
from bot.delivery import is_recipient_gone
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import CallReviewFlow, CallsFlow
from bot.views import calls as views
from bot.views.common import Screen
from bot.views.schedule_words import describe_rule
from content import Content
from domain.access import Permission
from domain.calls import (
    FEEDBACK_LIMIT,
    NAME_LIMIT,
    NOTE_LIMIT,
    CallManager,
    CriterionScore,
    Feedback,
    clean_text,
    parse_target,
    score_review,
)
from domain.clock import Clock
from domain.errors import NotFound
from domain.models import Membership, Role, User
from domain.names import NameLength, clean_name
from domain.reminder_phrases import PhraseError, parse_time_of_day
from services import calls as use
from services.reminders import WakeUp
from storage import Store

logger = logging.getLogger(__name__)

_NAME_SEPARATORS = re.compile(r"[,;\n]+")
_REVIEW_STATES = frozenset(
    s.state for s in (CallReviewFlow.scoring, CallReviewFlow.praise, CallReviewFlow.fix, CallReviewFlow.confirm)
)


def _zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


async def _show(event: Message | CallbackQuery, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


async def _week_screen(
    store: Store, content: Content, clock: Clock, actor: User, team_id: int, notice: str | None = None
) -> Screen:
    view = await use.this_week(store, actor.id, team_id, _zone(actor), clock.now())
    if view is None:
        return views.intro_screen(content)
    return views.week_screen(content, view, _zone(actor), notice)


# --- the screen ----------------------------------------------------------------------------------------------


async def show_calls(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    await state.clear()
    await _show(event, await _week_screen(store, content, clock, actor, team_id))


async def open_from_reminder(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
) -> None:
    """«🎧 Открыть прослушивание» on the delivered weekly reminder: this week's screen, as a new message (the
    reminder keeps its Сделано / Пропустить buttons)."""
    plan = await store.calls.get_plan(actor.id, callback_data.subject)  # a forged id reads as NotFound
    await state.clear()
    await respond(callback, await _week_screen(store, content, clock, actor, plan.team_id))


async def calls_action(
    callback: CallbackQuery,
    callback_data: CallsCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    action = callback_data.action
    await state.clear()
    if action == "show":
        await replace(callback, await _week_screen(store, content, clock, actor, team_id))
        return
    if action in ("setup", "target"):
        plan = await store.calls.plan_for(actor.id, team_id)
        await state.set_state(CallsFlow.target)
        await replace(callback, views.target_step(content, has_plan=plan is not None))
        return
    plan = await use.require_plan(store, actor.id, team_id)
    if action == "managers":
        await replace(callback, await _roster_step(store, content, actor, plan.id, team_id))
    elif action == "schedule":
        await replace(callback, views.day_step(content))
    elif action == "another":
        roster = await store.calls.roster(actor.id, plan.id)
        await replace(callback, views.pick_screen(content, [m for m in roster if m.active], "review"))
    elif action == "history":
        roster = await store.calls.roster(actor.id, plan.id, include_removed=True)
        await replace(callback, views.pick_screen(content, roster, "history"))


# --- the target ----------------------------------------------------------------------------------------------


async def target_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    target = parse_target(message.text or "")  # a typo or 0 / 500: the error's text, the question stays open
    await _target_chosen(message, state, store, content, clock, actor, team_id, target, reminder_engine)


async def target_picked(
    callback: CallbackQuery,
    callback_data: CallTargetCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    await _target_chosen(callback, state, store, content, clock, actor, team_id, callback_data.calls, reminder_engine)


async def _target_chosen(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    team_id: int,
    target: int,
    engine: WakeUp,
) -> None:
    plan, created = await use.set_target(
        store, engine, actor.id, team_id, target, _zone(actor), content.t("calls.reminder_title"), clock.now()
    )
    await state.clear()
    saved = views.target_saved(content, plan.weekly_target)
    if created or not await store.calls.roster(actor.id, plan.id):
        await _show(event, await _roster_step(store, content, actor, plan.id, team_id, notice=saved))
    else:
        await _show(event, await _week_screen(store, content, clock, actor, team_id, notice=saved))


# --- the managers ----------------------------------------------------------------------------------------------


async def _roster_step(
    store: Store, content: Content, actor: User, plan_id: int, team_id: int, notice: str | None = None
) -> Screen:
    members = [m for m in await store.teams.members(actor.id, team_id) if m.role is Role.MEMBER]
    screen = views.roster_step(content, members, await store.calls.roster(actor.id, plan_id))
    return Screen(f"{notice}\n\n{screen.text}", screen.markup) if notice else screen


async def roster_action(
    callback: CallbackQuery,
    callback_data: CallRosterCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    plan = await use.require_plan(store, actor.id, team_id)
    action, value = callback_data.action, callback_data.value
    await state.clear()
    if action == "member":
        try:
            await store.calls.toggle_member(actor.id, plan.id, value, clock.now())
        except NotFound:  # the member left the team since the list was shown
            callback_answer.text = content.t("errors.stale_button")
    elif action == "drop":
        manager = await store.calls.manager(actor.id, value)
        if manager.plan_id != plan.id:
            raise NotFound(f"call manager {value}")
        await store.calls.remove(actor.id, manager.id, clock.now())
    elif action == "add":
        await state.set_state(CallsFlow.names)
        await replace(callback, views.names_step(content))
        return
    elif action == "done":
        roster = await store.calls.roster(actor.id, plan.id)
        if not any(m.active for m in roster):
            callback_answer.text = content.t("calls.need_managers")
            return
        await replace(callback, await _week_screen(store, content, clock, actor, team_id))
        return
    await replace(callback, await _roster_step(store, content, actor, plan.id, team_id))


async def names_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    plan = await use.require_plan(store, actor.id, team_id)
    parts = [part for part in _NAME_SEPARATORS.split(message.text or "") if part.strip()]
    if not parts:
        raise NameLength(NAME_LIMIT)
    names = [clean_name(part, NAME_LIMIT) for part in parts]  # a refused name: its text, the question stays open
    added = await store.calls.add_names(actor.id, plan.id, names, clock.now())
    await state.clear()
    notice = content.plural("calls.names_added", len(added)) if added else content.t("calls.names_known")
    await respond(message, await _roster_step(store, content, actor, plan.id, team_id, notice=notice))


# --- the weekly reminder ---------------------------------------------------------------------------------------


async def schedule_action(
    callback: CallbackQuery,
    callback_data: CallScheduleCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    if callback_data.action == "day":
        if not 0 <= callback_data.value <= 6:
            callback_answer.text = content.t("errors.stale_button")
            return
        await state.set_state(CallsFlow.time)
        await state.set_data({"weekday": callback_data.value})
        await replace(callback, views.time_step(content, await store.users.workday_start(actor.id)))
        return
    weekday = (await state.get_data()).get("weekday")
    if await state.get_state() != CallsFlow.time.state or weekday is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    at = time(callback_data.value // 60, callback_data.value % 60)
    await _schedule_chosen(callback, state, store, content, clock, actor, team_id, int(weekday), at, reminder_engine)


async def time_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    try:
        at = parse_time_of_day(message.text or "")
    except PhraseError as error:
        await message.answer(content.t(f"schedules.errors.{error.code.value}"))
        return
    weekday = int((await state.get_data()).get("weekday", use.DEFAULT_WEEKDAY))
    await _schedule_chosen(message, state, store, content, clock, actor, team_id, weekday, at, reminder_engine)


async def _schedule_chosen(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    team_id: int,
    weekday: int,
    at: time,
    engine: WakeUp,
) -> None:
    plan = await use.require_plan(store, actor.id, team_id)
    reminder = await use.set_schedule(
        store, engine, actor.id, plan.id, weekday, at, _zone(actor), content.t("calls.reminder_title"), clock.now()
    )
    await state.clear()
    notice = content.t("calls.schedule_saved", rule=describe_rule(content, reminder.rule))
    await _show(event, await _week_screen(store, content, clock, actor, team_id, notice=notice))


# --- a manager: review a call, or the history -------------------------------------------------------------------


async def manager_action(
    callback: CallbackQuery,
    callback_data: CallManagerCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    manager = await store.calls.manager(actor.id, callback_data.manager)  # a forged id reads as NotFound
    await state.clear()
    if callback_data.action == "history":
        reviews = await store.calls.history(actor.id, manager.id)
        await replace(callback, views.history_screen(content, manager, reviews, _zone(actor)))
        return
    if not manager.active:  # removed (or left the team) since the button was shown
        callback_answer.text = content.t("calls.errors.manager_gone")
        await replace(callback, await _week_screen(store, content, clock, actor, team_id))
        return
    await state.set_state(CallReviewFlow.scoring)
    await state.set_data({"manager": manager.id, "index": 0, "scores": {}, "notes": {}, "share": False})
    await replace(callback, views.criterion_step(content, manager, views.review_criteria(content), 0))


def _draft_scores(criteria: tuple[str, ...], data: dict[str, Any]) -> list[CriterionScore]:
    scores, notes = data.get("scores", {}), data.get("notes", {})
    return [CriterionScore(key, scores.get(key), notes.get(key, "")) for key in criteria]


async def review_action(
    callback: CallbackQuery,
    callback_data: CallReviewCb,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    data = await state.get_data()
    current = await state.get_state()
    action = callback_data.action
    if data.get("manager") != callback_data.manager or current not in _REVIEW_STATES:
        callback_answer.text = content.t("errors.stale_button")  # a finished or abandoned review's button
        return
    if action == "cancel":
        await state.clear()
        notice = content.t("calls.review.cancelled")
        await replace(callback, await _week_screen(store, content, clock, actor, team_id, notice=notice))
        return
    manager = await store.calls.manager(actor.id, callback_data.manager)
    criteria = views.review_criteria(content)
    if action in ("score", "na"):
        index = int(data.get("index", 0))
        if current != CallReviewFlow.scoring.state or callback_data.index != index or index >= len(criteria):
            callback_answer.text = content.t("errors.stale_button")  # a double tap or an earlier criterion's button
            return
        given = {**data.get("scores", {}), criteria[index]: callback_data.score if action == "score" else None}
        await state.update_data(scores=given, index=index + 1)
        if index + 1 < len(criteria):
            await replace(callback, views.criterion_step(content, manager, criteria, index + 1))
        else:
            await state.set_state(CallReviewFlow.praise)
            await replace(callback, views.feedback_step(content, manager.id, "praise"))
    elif action == "skip":
        if not await _feedback_given(
            callback, state, content, manager, criteria, data, current, "", callback_data.index
        ):
            callback_answer.text = content.t("errors.stale_button")
    elif action == "consent":
        if current != CallReviewFlow.confirm.state or not manager.reachable:
            callback_answer.text = content.t("errors.stale_button")
            return
        share = not data.get("share", False)
        await state.update_data(share=share)
        scores = _draft_scores(criteria, data)
        screen = views.summary_step(content, manager, scores, data.get("praise", ""), data.get("fix", ""), share)
        await replace(callback, screen)
    elif action == "save":
        if current != CallReviewFlow.confirm.state:
            callback_answer.text = content.t("errors.stale_button")
            return
        await _save(callback, state, bot, store, content, clock, actor, team_id, manager, criteria, data)


async def _feedback_given(
    event: Message | CallbackQuery,
    state: FSMContext,
    content: Content,
    manager: CallManager,
    criteria: tuple[str, ...],
    data: dict[str, Any],
    current: str | None,
    text: str,
    step_index: int | None = None,
) -> bool:
    """«Что похвалить» (then «Что исправить»), typed or skipped; after the fix, the summary to save."""
    if current == CallReviewFlow.praise.state and step_index in (None, 0):
        await state.update_data(praise=text)
        await state.set_state(CallReviewFlow.fix)
        weakest = score_review(criteria, _draft_scores(criteria, data)).weakest
        await _show(event, views.feedback_step(content, manager.id, "fix", weakest))
        return True
    if current == CallReviewFlow.fix.state and step_index in (None, 1):
        await state.update_data(fix=text)
        await state.set_state(CallReviewFlow.confirm)
        scores = _draft_scores(criteria, data)
        share = bool(data.get("share", False))
        await _show(event, views.summary_step(content, manager, scores, data.get("praise", ""), text, share))
        return True
    return False  # a skip button of the other step


async def note_or_feedback_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    """A message during a review: a note on the criterion on screen, or the praise / the fix."""
    team_with(membership, Permission.MANAGE_TEAM)
    data = await state.get_data()
    current = await state.get_state()
    manager = await store.calls.manager(actor.id, int(data["manager"]))
    criteria = views.review_criteria(content)
    if current == CallReviewFlow.scoring.state:
        index = int(data.get("index", 0))
        if index >= len(criteria):
            return
        note = clean_text(message.text or "", NOTE_LIMIT)
        await state.update_data(notes={**data.get("notes", {}), criteria[index]: note})
        saved = content.t("calls.review.note_saved", title=views.criterion_title(content, criteria[index]))
        screen = views.criterion_step(content, manager, criteria, index)
        await respond(message, Screen(f"{saved}\n\n{screen.text}", screen.markup))
        return
    text = clean_text(message.text or "", FEEDBACK_LIMIT)
    await _feedback_given(message, state, content, manager, criteria, data, current, text)


async def _save(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    team_id: int,
    manager: CallManager,
    criteria: tuple[str, ...],
    data: dict[str, Any],
) -> None:
    """Saved first (nothing is lost if the send fails), then sent to the manager if the head agreed."""
    zone = _zone(actor)
    review = await use.save_review(
        store,
        actor.id,
        manager.id,
        criteria,
        _draft_scores(criteria, data),
        data.get("praise", ""),
        data.get("fix", ""),
        zone,
        clock.now(),
    )
    await state.clear()
    notice = content.t("calls.review.saved", name=escape(manager.name))
    if data.get("share") and manager.reachable and manager.user_id is not None:
        text = views.feedback_message(content, review, actor.display_name, zone)
        try:
            await bot.send_message(manager.user_id, text)
        except TelegramAPIError as error:
            gone = is_recipient_gone(error)
            logger.warning("call review %s: feedback not delivered: %s", review.id, error)
            await use.record_feedback(store, actor.id, review.id, Feedback.BLOCKED if gone else Feedback.FAILED)
            notice += "\n" + content.t(
                "calls.review.blocked" if gone else "calls.review.failed", name=escape(manager.name)
            )
        else:
            await use.record_feedback(store, actor.id, review.id, Feedback.SENT)
            notice += "\n" + content.t("calls.review.sent", name=escape(manager.name))
    await replace(callback, await _week_screen(store, content, clock, actor, team_id, notice=notice))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_calls, Command("calls"))
    router.callback_query.register(show_calls, MenuCb.filter(F.action == "calls"))
    router.callback_query.register(open_from_reminder, SubjectCb.filter(F.kind == "calls"))
    router.callback_query.register(calls_action, CallsCb.filter())
    router.callback_query.register(target_picked, CallTargetCb.filter())
    router.callback_query.register(roster_action, CallRosterCb.filter())
    router.callback_query.register(schedule_action, CallScheduleCb.filter())
    router.callback_query.register(manager_action, CallManagerCb.filter())
    router.callback_query.register(review_action, CallReviewCb.filter())
    not_command = ~F.text.startswith("/")
    router.message.register(target_typed, CallsFlow.target, F.text, not_command)
    router.message.register(names_typed, CallsFlow.names, F.text, not_command)
    router.message.register(time_typed, CallsFlow.time, F.text, not_command)
    for step in (CallReviewFlow.scoring, CallReviewFlow.praise, CallReviewFlow.fix):
        router.message.register(note_or_feedback_typed, step, F.text, not_command)
    return router
