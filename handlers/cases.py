"""/cases: team case reviews (article 000). The head schedules the review, keeps the case template, sees the agenda
(and posts it to the team's group), records decisions and action items; a member sends a case through a short form
and marks their action items done.

Handlers read the update, call a use case (services/case_reviews.py), render a view (bot/views/case_reviews.py).
The form's answers are saved in the database as they are typed (case_drafts), so a restart or another screen in
between resumes it; a button of a finished or abandoned step gets the stale-button toast. The group gets the agenda
when the head taps «Отправить в группу» under it: the head sees what goes out, and a post is recorded once per review
(a second tap sends nothing)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CaseCb, CaseItemCb, CaseMemberCb, MenuCb, SubjectCb
from bot.group_posts import Posted, post_to_team_group
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import CaseFlow
from bot.views import case_reviews as views
from bot.views.common import Screen
from bot.views.schedule_words import describe_rule
from content import Content
from domain.access import Permission
from domain.case_reviews import (
    ACTION_KIND,
    AGENDA_KIND,
    ANSWER_LIMIT,
    DECISION_LIMIT,
    KINDS,
    ActionItemGone,
    CaseSeries,
    clean_text,
    local_day,
    parse_template,
)
from domain.clock import Clock
from domain.errors import AccessDenied, NoTeam, NotFound
from domain.models import Membership, Role, User
from domain.reminder_phrases import PhraseError, parse_time_of_day
from domain.typed_dates import TypedDateError, parse_typed_date
from services import case_reviews as use
from services.reminders import WakeUp
from storage import Store

logger = logging.getLogger(__name__)


def _zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


def _team(membership: Membership | None) -> tuple[int, Role]:
    """A head or a member of the current team; an owner hears what owners can do instead."""
    if membership is None:
        raise NoTeam()
    if membership.role is Role.OWNER:
        raise AccessDenied(Permission.MANAGE_TEAM.value, role=Role.OWNER.value)
    return membership.team_id, membership.role


async def _show(event: Message | CallbackQuery, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


def _titles(content: Content) -> dict[str, str]:
    return {
        "case_nudge": content.t("cases.nudge_title"),
        "case_escalation": content.t("cases.escalation_title"),
        "case_agenda": content.t("cases.agenda_reminder_title"),
    }


async def _home(
    store: Store, content: Content, clock: Clock, actor: User, team_id: int, role: Role, notice: str | None = None
) -> Screen:
    now = clock.now()
    if role is Role.HEAD:
        view = await use.head_view(store, actor.id, team_id, now)
        if view is None:
            return views.intro_screen(content)
        return views.head_screen(content, view, now, notice)
    series = await store.cases.series_for(actor.id, team_id)
    if series is None:
        return views.member_no_series(content)
    return views.member_screen(content, await use.member_view(store, actor.id, team_id, now), now, notice)


async def show_cases(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id, role = _team(membership)
    await state.clear()
    await _show(event, await _home(store, content, clock, actor, team_id, role))


async def open_from_reminder(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
) -> None:
    """The button of a delivered nudge / escalation (the form), agenda (the live agenda) or action item (the
    member's items), as a new message: the reminder keeps its own buttons. The subject's team, not the current
    one: a forged or foreign id reads as NotFound."""
    now = clock.now()
    await state.clear()
    if callback_data.kind == ACTION_KIND:
        item = await store.cases.action(actor.id, callback_data.subject)
        items = await store.cases.actions(actor.id, item.series_id)
        role = await store.teams.role_of(actor.id, item.team_id)
        await respond(callback, views.items_screen(content, items, head=role is Role.HEAD))
        return
    series = await store.cases.get_series(actor.id, callback_data.subject)
    role = await store.teams.role_of(actor.id, series.team_id)
    if callback_data.kind == AGENDA_KIND or role is Role.HEAD:
        if role is not Role.HEAD:
            raise NotFound(f"case agenda {series.id}")
        await respond(callback, await _agenda_screen(store, content, actor, series, now))
        return
    await _start_form(callback, state, store, content, clock, actor, series, new_message=True)


# --- the head's screens ------------------------------------------------------------------------------------------


async def _agenda_screen(
    store: Store, content: Content, actor: User, series: CaseSeries, now: datetime, notice: str | None = None
) -> Screen:
    agenda = await use.agenda_for(store, actor.id, series, now)
    bound = await use.group_chat(store, series.team_id) is not None
    return views.agenda_screen(content, series, agenda, now, bound, notice)


async def cases_action(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    team_id, role = _team(membership)
    action, value = callback_data.action, callback_data.value
    if action == "show":
        await state.clear()
        await replace(callback, await _home(store, content, clock, actor, team_id, role))
        return
    if action in ("write", "restart", "submit", "cancel"):
        await _member_form(callback, callback_data, state, store, content, clock, actor, team_id, callback_answer)
        return
    team_with(membership, Permission.MANAGE_TEAM)  # everything below is the head's
    now = clock.now()
    if action in ("setup", "day", "time", "freq"):
        await _schedule_step(
            callback, callback_data, state, store, content, clock, actor, team_id, callback_answer, reminder_engine
        )
        return
    series = await use.require_series(store, actor.id, team_id)
    if action not in ("due",):
        await state.clear()
    if action == "template":
        await replace(callback, views.template_screen(content, series))
    elif action == "tpl_edit":
        await state.set_state(CaseFlow.template)
        await replace(callback, views.template_ask(content))
    elif action == "tpl_default":
        series = await use.set_template(store, actor.id, series.id, ())
        await replace(callback, views.template_screen(content, series, content.t("cases.template_reset")))
    elif action == "agenda":
        await replace(callback, await _agenda_screen(store, content, actor, series, now))
    elif action == "group":
        await _post_to_group(callback, bot, store, content, actor, series, now, callback_answer)
    elif action == "outcomes":
        await replace(callback, views.outcomes_screen(content, await use.outcomes(store, actor.id, series.id, now)))
    elif action == "decision":
        await state.set_state(CaseFlow.decision)
        await state.set_data({"series": series.id})
        await replace(callback, views.typed_step(content, "cases.ask_decision"))
    elif action == "action":
        members = await store.cases.members(actor.id, team_id)
        await replace(callback, views.pick_member_step(content, members))
    elif action == "due":
        data = await state.get_data()
        if await state.get_state() != CaseFlow.action_due.state or "text" not in data or value not in views.DUE_DAYS:
            callback_answer.text = content.t("errors.stale_button")
            return
        due = local_day(now, series.timezone) + timedelta(days=value)
        await _action_chosen(callback, state, store, content, clock, actor, series, data, due, reminder_engine)
    elif action == "items":
        items = await store.cases.actions(actor.id, series.id)
        await replace(callback, views.items_screen(content, items, head=True))
    elif action in ("pause", "resume"):
        if series.paused == (action == "pause"):
            callback_answer.text = content.t("errors.stale_button")  # a second tap
            return
        await use.set_paused(store, reminder_engine, actor.id, series.id, action == "pause", now)
        notice = content.t("cases.paused_notice" if action == "pause" else "cases.resumed_notice")
        await replace(callback, await _home(store, content, clock, actor, team_id, role, notice))


# --- the schedule --------------------------------------------------------------------------------------------------


async def _schedule_step(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    team_id: int,
    callback_answer: CallbackAnswer,
    engine: WakeUp,
) -> None:
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
    series = await use.schedule(
        store, engine, actor.id, team_id, int(data["weekday"]), at, value, _zone(actor), _titles(content), clock.now()
    )
    await state.clear()
    notice = content.t("cases.schedule_saved", rule=describe_rule(content, series.rule))
    await replace(callback, await _home(store, content, clock, actor, team_id, Role.HEAD, notice))


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


# --- the group -----------------------------------------------------------------------------------------------------


async def _post_to_group(
    callback: CallbackQuery,
    bot: Bot,
    store: Store,
    content: Content,
    actor: User,
    series: CaseSeries,
    now: datetime,
    callback_answer: CallbackAnswer,
) -> None:
    chat_id = await use.group_chat(store, series.team_id)
    if chat_id is None:  # unbound since the agenda was shown
        callback_answer.text = content.t("errors.stale_button")
        return
    agenda = await use.agenda_for(store, actor.id, series, now)
    day = local_day(agenda.review_at, series.timezone)
    if not await store.cases.record_group_post(actor.id, series.id, day, chat_id, now):
        callback_answer.text = content.t("cases.group_already")
        return
    # The groups service unbinds a group the bot was removed from, follows a migration and records failures.
    posted = await post_to_team_group(bot, store, series.team_id, views.group_agenda(content, series, agenda, now), now)
    if posted is Posted.SENT:
        notice = content.t("cases.group_sent")
    else:
        logger.warning("case agenda of series %s not posted to the group: %s", series.id, posted.value)
        await store.cases.forget_group_post(actor.id, series.id, day)
        notice = content.t("cases.group_failed")
    await replace(callback, await _agenda_screen(store, content, actor, series, now, notice))


# --- decisions and action items --------------------------------------------------------------------------------------


async def decision_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TEAM)
    series_id = int((await state.get_data())["series"])
    text = clean_text(message.text or "", DECISION_LIMIT)
    await use.add_decision(store, actor.id, series_id, text, clock.now())
    await state.clear()
    view = await use.outcomes(store, actor.id, series_id, clock.now())
    await respond(message, views.outcomes_screen(content, view, content.t("cases.decision_saved")))


async def member_picked(
    callback: CallbackQuery,
    callback_data: CaseMemberCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    series = await use.require_series(store, actor.id, team_id)
    members = {m.user_id: m for m in await store.cases.members(actor.id, team_id)}
    member = members.get(callback_data.user)
    if member is None:  # left the team since the list was shown
        callback_answer.text = content.t("errors.stale_button")
        return
    await state.set_state(CaseFlow.action_text)
    await state.set_data({"series": series.id, "assignee": member.user_id, "name": member.name})
    await replace(callback, views.typed_step(content, "cases.ask_action", name=escape(member.name)))


async def action_text_typed(
    message: Message,
    state: FSMContext,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TEAM)
    text = clean_text(message.text or "", DECISION_LIMIT)
    await state.update_data(text=text)
    await state.set_state(CaseFlow.action_due)
    today = local_day(clock.now(), _zone(actor))
    await respond(message, views.due_step(content, today))


async def action_due_typed(
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
    series = await use.require_series(store, actor.id, team_id)
    today = local_day(clock.now(), series.timezone)
    try:
        due = parse_typed_date(message.text or "", today)
    except TypedDateError:
        due = None
    if due is None or due < today:
        await message.answer(content.t("cases.bad_due"))
        return
    data = await state.get_data()
    await _action_chosen(message, state, store, content, clock, actor, series, data, due, reminder_engine)


async def _action_chosen(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    series: CaseSeries,
    data: dict[str, object],
    due: date,
    engine: WakeUp,
) -> None:
    text = str(data["text"])
    title = content.t("cases.action_reminder_title", text=text)[:900]
    now = clock.now()
    item, reminder = await use.add_action(
        store, engine, actor.id, series.id, int(str(data["assignee"])), text, due, title, now
    )
    await state.clear()
    key = "cases.action_saved" if reminder is not None else "cases.action_saved_no_reminder"
    notice = content.t(key, name=escape(item.assignee_name), due=due.strftime(content.t("format.date")))
    await _show(event, views.outcomes_screen(content, await use.outcomes(store, actor.id, series.id, now), notice))


async def item_done(
    callback: CallbackQuery,
    callback_data: CaseItemCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    item = await store.cases.action(actor.id, callback_data.item)  # a forged id reads as NotFound
    try:
        await use.mark_done(store, actor.id, item.id, clock.now())
    except ActionItemGone:
        callback_answer.text = content.t("cases.errors.item_gone")
        return
    callback_answer.text = content.t("cases.item_marked")
    await state.clear()
    role = await store.teams.role_of(actor.id, item.team_id)
    if role is Role.HEAD:
        items = await store.cases.actions(actor.id, item.series_id)
        await replace(callback, views.items_screen(content, items, head=True))
    else:
        await replace(callback, await _home(store, content, clock, actor, item.team_id, Role.MEMBER))


# --- a member's case form ---------------------------------------------------------------------------------------------


async def _start_form(
    event: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    series: CaseSeries,
    new_message: bool = False,
    restart: bool = False,
) -> None:
    if await store.teams.role_of(actor.id, series.team_id) is not Role.MEMBER:
        raise AccessDenied("submit_case")
    now = clock.now()
    defaults = views.default_questions(content)
    if restart:
        draft = await use.restart_case(store, actor.id, series.id, defaults, now)
    else:
        draft = await use.start_case(store, actor.id, series.id, defaults, now)
    own = await store.cases.own_case(actor.id, series.id, use.review_day(series, now))
    await state.set_state(CaseFlow.answering)
    await state.set_data({"series": series.id})
    screen = (
        views.summary_step(content, draft) if draft.complete else views.question_step(content, draft, own is not None)
    )
    if new_message:
        await respond(event, screen)
    else:
        await replace(event, screen)


async def _member_form(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    team_id: int,
    callback_answer: CallbackAnswer,
) -> None:
    series = await use.require_series(store, actor.id, team_id)
    action = callback_data.action
    if action == "write":
        await _start_form(callback, state, store, content, clock, actor, series)
        return
    draft = await store.cases.draft(actor.id, series.id)
    if draft is None:  # sent or cancelled already: an old button
        callback_answer.text = content.t("errors.stale_button")
        return
    if action == "restart":
        await _start_form(callback, state, store, content, clock, actor, series, restart=True)
    elif action == "cancel":
        await store.cases.drop_draft(actor.id, series.id)
        await state.clear()
        notice = content.t("cases.form_cancelled")
        await replace(callback, await _home(store, content, clock, actor, team_id, Role.MEMBER, notice))
    elif action == "submit":
        if not draft.complete:
            callback_answer.text = content.t("errors.stale_button")
            return
        case, replaced = await use.submit_case(store, actor.id, series.id, clock.now())
        await state.clear()
        notice = views.submitted_notice(content, case, replaced)
        await replace(callback, await _home(store, content, clock, actor, team_id, Role.MEMBER, notice))


async def answer_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
) -> None:
    """An answer to the question on screen, saved at once; after the last one, the case to check and send."""
    series_id = int((await state.get_data()).get("series", 0))
    draft = await store.cases.draft(actor.id, series_id) if series_id else None
    if draft is None or draft.complete:
        await state.clear()
        await message.answer(content.t("errors.stale_button"))
        return
    answer = clean_text(message.text or "", ANSWER_LIMIT)  # refused: its text, the question stays open
    draft = await store.cases.answer_draft(actor.id, series_id, answer)
    screen = views.summary_step(content, draft) if draft.complete else views.question_step(content, draft)
    await respond(message, screen)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_cases, Command("cases"))
    router.callback_query.register(show_cases, MenuCb.filter(F.action == "cases"))
    router.callback_query.register(open_from_reminder, SubjectCb.filter(F.kind.in_(set(KINDS))))
    router.callback_query.register(cases_action, CaseCb.filter())
    router.callback_query.register(member_picked, CaseMemberCb.filter())
    router.callback_query.register(item_done, CaseItemCb.filter())
    not_command = ~F.text.startswith("/")
    router.message.register(time_typed, CaseFlow.time, F.text, not_command)
    router.message.register(template_typed, CaseFlow.template, F.text, not_command)
    router.message.register(answer_typed, CaseFlow.answering, F.text, not_command)
    router.message.register(decision_typed, CaseFlow.decision, F.text, not_command)
    router.message.register(action_text_typed, CaseFlow.action_text, F.text, not_command)
    router.message.register(action_due_typed, CaseFlow.action_due, F.text, not_command)
    return router
