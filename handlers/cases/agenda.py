"""The review itself: the head's agenda (and posting it to the team's group), decisions and action items; a member
marks their action items done. The group gets the agenda when the head taps «Отправить в группу» under it: the head
sees what goes out, and a post is recorded once per review (a second tap sends nothing)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from html import escape

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CaseCb, CaseItemCb, CaseMemberCb
from bot.group_posts import Posted, post_to_team_group
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import CaseFlow
from bot.views import case_reviews as views
from content import Content
from domain.access import Permission
from domain.case_reviews import DECISION_LIMIT, ActionItemGone, CaseSeries, clean_text, local_day
from domain.clock import Clock
from domain.models import Membership, Role, User
from domain.typed_dates import TypedDateError, parse_typed_date
from handlers.cases.common import agenda_screen, head_team, home_screen, show, zone
from services import case_reviews as use
from services.reminders import WakeUp
from storage import Store

logger = logging.getLogger(__name__)

REVIEW_ACTIONS = frozenset({"agenda", "group", "outcomes", "decision", "action", "due", "items"})


async def review_action(
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
    team_id = head_team(membership)
    action, value = callback_data.action, callback_data.value
    now = clock.now()
    series = await use.require_series(store, actor.id, team_id)
    if action != "due":  # the due date answers the action item being written
        await state.clear()
    if action == "agenda":
        await replace(callback, await agenda_screen(store, content, actor, series, now))
    elif action == "group":
        await _post_to_group(callback, bot, store, content, actor, series, now, callback_answer)
    elif action == "outcomes":
        await replace(callback, views.outcomes_screen(content, await use.outcomes(store, actor.id, series.id, now)))
    elif action == "decision":
        await state.set_state(CaseFlow.decision)
        await state.set_data({"series": series.id})
        await replace(callback, views.decision_step(content))
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
    await replace(callback, await agenda_screen(store, content, actor, series, now, notice))


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
    await replace(callback, views.action_step(content, escape(member.name)))


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
    today = local_day(clock.now(), zone(actor))
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
    await show(event, views.outcomes_screen(content, await use.outcomes(store, actor.id, series.id, now), notice))


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
        await replace(callback, await home_screen(store, content, clock, actor, item.team_id, Role.MEMBER))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(review_action, CaseCb.filter(F.action.in_(REVIEW_ACTIONS)))
    router.callback_query.register(member_picked, CaseMemberCb.filter())
    router.callback_query.register(item_done, CaseItemCb.filter())
    not_command = ~F.text.startswith("/")
    router.message.register(decision_typed, CaseFlow.decision, F.text, not_command)
    router.message.register(action_text_typed, CaseFlow.action_text, F.text, not_command)
    router.message.register(action_due_typed, CaseFlow.action_due, F.text, not_command)
    return router
