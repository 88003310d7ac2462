"""/reminders (list, pause, change, delete, make one step by step), /remind <phrase>, and the buttons of a
delivered reminder. Handlers read the update, call a use case, render a view."""

from __future__ import annotations

from dataclasses import replace as dc_replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import DeliveryCb, MenuCb, ReminderCb, ReminderDraftCb
from bot.replies import replace, respond
from bot.states import ReminderFlow
from bot.views.common import Screen
from bot.views.reminders import (
    FREQUENCY_CHOICES,
    answered_line,
    date_step,
    delete_confirmation,
    draft_card,
    frequency_step,
    reminder_detail,
    reminders_list,
    time_step,
    weekdays_step,
)
from bot.views.schedule_words import describe_moment
from content import Content
from domain.clock import Clock
from domain.models import Membership, User
from domain.reminder_phrases import PhraseError, parse_reminder, parse_time_of_day
from domain.reminders import MAX_TITLE_CHARS, Outcome, ReminderInPast, Snooze, validate_title
from domain.schedules import WORKDAYS, Frequency, Rule, ScheduleError, next_occurrence
from domain.typed_dates import TypedDateError, parse_typed_date
from services import reminders as use
from storage import Store

NEW = 0  # data["editing"] for a reminder not saved yet


def _zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


def _team(membership: Membership | None) -> int | None:
    return None if membership is None else membership.team_id


# --- list and one reminder ------------------------------------------------------------------------------

def _ask_title(content: Content) -> str:
    return content.t("reminders.ask_title", limit=content.plural("limits.chars", MAX_TITLE_CHARS))


async def show_list(
    event: Message | CallbackQuery, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    await state.clear()
    screen = reminders_list(content, await store.reminders.list_for(actor.id), clock.now())
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


async def reminder_action(
    callback: CallbackQuery,
    callback_data: ReminderCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
    reminder_engine: use.WakeUp,
) -> None:
    action, reminder_id, now = callback_data.action, callback_data.reminder, clock.now()
    if action == "list":
        await show_list(callback, state, store, content, clock, actor)
        return
    if action == "new":
        await state.set_state(ReminderFlow.title)
        await state.set_data({"editing": NEW, "mode": "new"})
        await replace(callback, Screen(_ask_title(content)))
        return
    reminder = await store.reminders.get(actor.id, reminder_id)
    if action == "pause":
        reminder = await store.reminders.pause(actor.id, reminder_id)
        callback_answer.text = content.t("reminders.paused")
    elif action == "resume":
        reminder = await use.resume_reminder(store, reminder_engine, actor.id, reminder_id, now)
        if reminder.next_due_at is not None:
            callback_answer.text = content.t(
                "reminders.resumed", when=describe_moment(content, reminder.next_due_at, reminder.timezone, now)
            )
    elif action == "delete":
        await replace(callback, delete_confirmation(content, reminder))
        return
    elif action == "confirm_delete":
        await store.reminders.delete(actor.id, reminder_id)
        callback_answer.text = content.t("reminders.deleted")
        await show_list(callback, state, store, content, clock, actor)
        return
    elif action in ("time", "rule"):
        await state.set_data(
            {"editing": reminder.id, "mode": action, "title": reminder.title, "rule": reminder.rule.to_json()}
        )
        if action == "time":
            await state.set_state(ReminderFlow.time)
            await replace(callback, time_step(content))
        else:
            await state.set_state(ReminderFlow.frequency)
            await replace(callback, frequency_step(content))
        return
    await replace(callback, reminder_detail(content, reminder, now))


# --- making a reminder step by step ---------------------------------------------------------------------


async def title_given(message: Message, state: FSMContext, content: Content) -> None:
    title = validate_title(message.text or "")
    await state.update_data(title=title)
    await state.set_state(ReminderFlow.frequency)
    await respond(message, frequency_step(content))


async def title_not_text(message: Message, content: Content) -> None:
    await message.answer(_ask_title(content))


async def draft_step(
    callback: CallbackQuery,
    callback_data: ReminderDraftCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: use.WakeUp,
) -> None:
    action, value = callback_data.action, callback_data.value
    data = await state.get_data()
    if "title" not in data and action != "cancel":  # the draft is gone (finished or cancelled): an old button
        callback_answer.text = content.t("errors.stale_button")
        return
    if action == "cancel":
        await state.clear()
        await replace(callback, Screen(content.t("reminders.cancelled")))
    elif action == "freq" and 0 <= value < len(FREQUENCY_CHOICES):
        await _frequency_chosen(callback, state, content, FREQUENCY_CHOICES[value])
    elif action == "date":
        today = clock.now().astimezone(ZoneInfo(_zone(actor))).date()
        await state.update_data(start=(today + timedelta(days=max(0, min(value, 366)))).isoformat())
        await state.set_state(ReminderFlow.time)
        await replace(callback, time_step(content))
    elif action == "weekday" and 0 <= value <= 6:
        chosen = sorted(set(data.get("weekdays", [])) ^ {value})
        await state.update_data(weekdays=chosen)
        await replace(callback, weekdays_step(content, chosen))
    elif action == "weekdays_ready":
        if not data.get("weekdays"):
            callback_answer.text = content.t("reminders.errors.no_weekdays")
            return
        await state.set_state(ReminderFlow.time)
        await replace(callback, time_step(content))
    elif action == "time" and 0 <= value < 24 * 60:
        await _time_chosen(
            callback, state, store, content, clock, actor, membership, time(value // 60, value % 60), reminder_engine
        )
    elif action == "save":
        await _save(callback, state, store, content, clock, actor, membership, reminder_engine)
    elif action == "edit":
        await state.set_state(ReminderFlow.frequency)
        await replace(callback, frequency_step(content))


async def _frequency_chosen(callback: CallbackQuery, state: FSMContext, content: Content, choice: str) -> None:
    await state.update_data(freq=choice, weekdays=list(WORKDAYS) if choice == "workdays" else [])
    if choice == "once":
        await state.set_state(ReminderFlow.date)
        await replace(callback, date_step(content))
    elif choice in ("weekly", "biweekly"):
        await state.set_state(ReminderFlow.weekdays)
        await replace(callback, weekdays_step(content, []))
    elif choice in ("monthly", "quarterly"):
        await state.set_state(ReminderFlow.month_day)
        await replace(callback, Screen(content.t("reminders.ask_month_day")))
    else:
        await state.set_state(ReminderFlow.time)
        await replace(callback, time_step(content))


async def date_typed(message: Message, state: FSMContext, content: Content, clock: Clock, actor: User) -> None:
    today = clock.now().astimezone(ZoneInfo(_zone(actor))).date()
    try:
        day = parse_typed_date(message.text or "", today)
    except TypedDateError:
        await message.answer(content.t("reminders.errors.bad_date"))
        return
    await state.update_data(start=day.isoformat())
    await state.set_state(ReminderFlow.time)
    await respond(message, time_step(content))


async def month_day_typed(message: Message, state: FSMContext, content: Content) -> None:
    text = (message.text or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 31:
        await message.answer(content.t("reminders.errors.bad_month_day"))
        return
    await state.update_data(month_day=int(text))
    await state.set_state(ReminderFlow.time)
    await respond(message, time_step(content))


async def time_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: use.WakeUp,
) -> None:
    try:
        at = parse_time_of_day(message.text or "")
    except PhraseError as error:
        await message.answer(content.t(f"schedules.errors.{error.code.value}"))
        return
    await _time_chosen(message, state, store, content, clock, actor, membership, at, reminder_engine)


def _rule_from_draft(data: dict[str, Any], at: time, today: date) -> Rule:
    if data.get("mode") == "time" and "rule" in data:
        return dc_replace(Rule.from_json(data["rule"]), at=at)
    choice = data.get("freq", "once")
    weekdays = tuple(sorted(data.get("weekdays", [])))
    if choice == "once":
        return Rule(Frequency.ONCE, at=at, start=date.fromisoformat(data.get("start", today.isoformat())))
    if choice == "daily":
        return Rule(Frequency.DAILY, at=at, start=today)
    if choice in ("workdays", "weekly", "biweekly"):
        return Rule(Frequency.WEEKLY, at=at, start=today, weekdays=weekdays, interval=2 if choice == "biweekly" else 1)
    if choice in ("monthly", "quarterly"):
        frequency = Frequency.MONTHLY if choice == "monthly" else Frequency.QUARTERLY
        return Rule(frequency, at=at, start=today, month_day=int(data.get("month_day", 1)))
    return Rule(Frequency.LAST_WORKDAY, at=at, start=today)


async def _time_chosen(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    at: time,
    engine: use.WakeUp,
) -> None:
    data = await state.get_data()
    zone = _zone(actor)
    now = clock.now()
    try:
        rule = _rule_from_draft(data, at, now.astimezone(ZoneInfo(zone)).date())
    except ScheduleError:
        await state.set_state(ReminderFlow.frequency)
        await _show(event, frequency_step(content))
        return
    first = next_occurrence(rule, zone, now)
    if first is None:
        past = time_step(content)
        await _show(event, Screen(f"{content.t('reminders.errors.past')}\n\n{past.text}", past.markup))
        return
    editing = int(data.get("editing", NEW))
    if editing != NEW:
        reminder = await use.reschedule_reminder(store, engine, actor.id, editing, rule, now)
        await state.clear()
        await _show(event, reminder_detail(content, reminder, now))
        return
    await state.update_data(rule=rule.to_json())
    await state.set_state(ReminderFlow.confirm)
    await _show(event, draft_card(content, data["title"], rule, zone, first, now))


async def _save(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    engine: use.WakeUp,
) -> None:
    data = await state.get_data()
    if "rule" not in data:
        await state.set_state(ReminderFlow.frequency)
        await replace(callback, frequency_step(content))
        return
    now = clock.now()
    try:
        reminder = await use.create_reminder(
            store,
            engine,
            actor.id,
            _team(membership),
            data["title"],
            Rule.from_json(data["rule"]),
            _zone(actor),
            now,
        )
    except ReminderInPast:
        await state.set_state(ReminderFlow.time)
        await replace(callback, Screen(content.t("reminders.errors.past")))
        await respond(callback, time_step(content))
        return
    await state.clear()
    assert reminder.next_due_at is not None
    when = describe_moment(content, reminder.next_due_at, reminder.timezone, now)
    await replace(callback, Screen(content.t("reminders.saved", when=when)))


async def _show(event: Message | CallbackQuery, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


# --- /remind <phrase> -----------------------------------------------------------------------------------


async def remind_phrase(
    message: Message, command: CommandObject, state: FSMContext, content: Content, clock: Clock, actor: User
) -> None:
    phrase = (command.args or "").strip()
    if not phrase:
        await message.answer(content.t("reminders.remind_usage"))
        return
    zone = _zone(actor)
    now = clock.now()
    try:
        parsed = parse_reminder(phrase, now.astimezone(ZoneInfo(zone)))
        title = validate_title(parsed.title)
    except PhraseError as error:
        await message.answer(content.t(f"schedules.errors.{error.code.value}"))
        return
    first = next_occurrence(parsed.rule, zone, now)
    if first is None:
        await message.answer(content.t("reminders.errors.past"))
        return
    await state.set_state(ReminderFlow.confirm)
    await state.set_data({"editing": NEW, "mode": "new", "title": title, "rule": parsed.rule.to_json()})
    await respond(message, draft_card(content, title, parsed.rule, zone, first, now))


# --- the buttons of a delivered reminder ----------------------------------------------------------------


async def delivery_tapped(
    callback: CallbackQuery,
    callback_data: DeliveryCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
    reminder_engine: use.WakeUp,
) -> None:
    now = clock.now()
    zone = _zone(actor)
    snoozed_until: datetime | None = None
    if callback_data.action in ("done", "skip"):
        outcome = Outcome.DONE if callback_data.action == "done" else Outcome.SKIPPED
        answered = await use.answer_delivery(store, actor.id, callback_data.delivery, outcome, now)
        if not answered.first_answer:
            callback_answer.text = content.t("reminders.already_answered")
            return
        if answered.task_closed is not None:
            callback_answer.text = content.t("reminders.task_closed", title=answered.task_closed.title)[:200]
    elif callback_data.action in ("hour", "tomorrow"):
        # Done or skipped already (a second tap on a message whose buttons are still shown): a snooze would
        # overwrite that answer and send the reminder once more.
        earlier = (await store.deliveries.get(actor.id, callback_data.delivery)).outcome
        if earlier in (Outcome.DONE, Outcome.SKIPPED):
            callback_answer.text = content.t("reminders.already_answered")
            return
        outcome = Outcome.SNOOZED
        choice = Snooze.HOUR if callback_data.action == "hour" else Snooze.TOMORROW
        snoozed = await use.snooze_delivery(
            store, reminder_engine, actor.id, callback_data.delivery, choice, now
        )
        snoozed_until = snoozed.occurrence_at
    else:
        return
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage):
        return
    line = answered_line(content, outcome, snoozed_until, zone, now)
    try:
        await message.edit_text(f"{message.html_text}\n\n{line}", reply_markup=None)
    except Exception:  # the message may be too old to edit: the answer is recorded all the same
        callback_answer.text = line[:200]


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_list, Command("reminders"))
    router.callback_query.register(show_list, MenuCb.filter(F.action == "reminders"))
    router.message.register(remind_phrase, Command("remind"))
    router.callback_query.register(reminder_action, ReminderCb.filter())
    router.callback_query.register(draft_step, ReminderDraftCb.filter())
    router.callback_query.register(delivery_tapped, DeliveryCb.filter())
    not_command = ~F.text.startswith("/")
    router.message.register(title_given, ReminderFlow.title, F.text, not_command)
    router.message.register(title_not_text, ReminderFlow.title)
    router.message.register(date_typed, ReminderFlow.date, F.text, not_command)
    router.message.register(month_day_typed, ReminderFlow.month_day, F.text, not_command)
    router.message.register(time_typed, ReminderFlow.time, F.text, not_command)
    return router
