"""Reminder screens: the list, one reminder, the draft card, the steps of making one, the delivered message."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CalendarCb, DeliveryCb, MenuCb, ReminderCb, ReminderDraftCb, SubjectCb
from bot.views.common import Screen
from bot.views.onboarding import timezone_label
from bot.views.schedule_words import describe_moment, describe_rule
from content import Content
from domain.reminders import DueDelivery, Outcome, Reminder, ReminderKind, ReminderState
from domain.schedules import Rule
from scheduling.sender import Outgoing

MAX_LISTED = 30
FREQUENCY_CHOICES = ("once", "daily", "workdays", "weekly", "biweekly", "monthly", "last_workday", "quarterly")
TIME_CHOICES = ((9, 0), (10, 0), (12, 0), (15, 0), (17, 0), (18, 0))


def delivered_reminder(content: Content, delivery: DueDelivery, now: datetime) -> Outgoing:
    title = escape(delivery.title)
    task = delivery.kind == ReminderKind.TASK
    if delivery.snoozed:
        text = content.t("reminders.delivered_snoozed", title=title)
    elif delivery.late:
        when = describe_moment(content, delivery.occurrence_at, delivery.timezone, now)
        key = "reminders.delivered_task_late" if task else "reminders.delivered_late"
        text = content.t(key, title=title, when=when)
    else:
        text = content.t("reminders.delivered_task" if task else "reminders.delivered", title=title)
    open_key = f"reminders.open_subject.{delivery.kind}"
    opens = (
        SubjectCb(kind=delivery.kind, subject=delivery.subject_id)  # type: ignore[arg-type]  # kind checked by has()
        if delivery.subject_id is not None and content.has(open_key)
        else None
    )
    keyboard = delivery_keyboard(content, delivery.id, None if opens is None else (content.t(open_key), opens))
    return Outgoing(chat_id=delivery.recipient_id, text=text, reply_markup=keyboard)


def delivery_keyboard(
    content: Content, delivery_id: int, opens: tuple[str, SubjectCb] | None = None
) -> InlineKeyboardMarkup:
    """Сделано / Через час / Завтра / Пропустить; a ritual's reminder also opens the ritual (`opens`)."""
    builder = InlineKeyboardBuilder()
    if opens is not None:
        builder.button(text=opens[0], callback_data=opens[1])
    for action in ("done", "hour", "tomorrow", "skip"):
        builder.button(
            text=content.t(f"reminders.buttons.{action}"), callback_data=DeliveryCb(delivery=delivery_id, action=action)
        )
    builder.adjust(*((1,) if opens is not None else ()), 2)
    return builder.as_markup()


def answered_line(
    content: Content, outcome: Outcome, snoozed_until: datetime | None, timezone: str, now: datetime
) -> str:
    if outcome is Outcome.SNOOZED and snoozed_until is not None:
        return content.t("reminders.answered.snoozed", when=describe_moment(content, snoozed_until, timezone, now))
    return content.t(f"reminders.answered.{outcome.value}")


def reminders_list(content: Content, reminders: list[Reminder], now: datetime) -> Screen:
    builder = InlineKeyboardBuilder()
    if not reminders:
        builder.button(text=content.t("reminders.buttons.new"), callback_data=ReminderCb(action="new"))
        builder.row(_menu_button(content))
        return Screen(content.t("reminders.empty"), builder.as_markup())
    lines = [content.t("reminders.list_title")]
    for number, reminder in enumerate(reminders[:MAX_LISTED], start=1):
        lines.append(_line(content, number, reminder, now))
        builder.button(
            text=content.t("reminders.buttons.open", number=number),
            callback_data=ReminderCb(action="open", reminder=reminder.id),
        )
    if len(reminders) > MAX_LISTED:
        lines.append(content.t("reminders.more", count=len(reminders) - MAX_LISTED))
    lines.append(content.t("reminders.how_to_remind"))
    builder.adjust(6)
    builder.row(
        InlineKeyboardButton(text=content.t("reminders.buttons.new"), callback_data=ReminderCb(action="new").pack())
    )
    builder.row(InlineKeyboardButton(text=content.t("calendar.button"), callback_data=CalendarCb().pack()))
    builder.row(_menu_button(content))
    return Screen("\n".join(lines), builder.as_markup())


def _line(content: Content, number: int, reminder: Reminder, now: datetime) -> str:
    rule = describe_rule(content, reminder.rule)
    title = escape(reminder.title)
    if reminder.state is ReminderState.PAUSED or reminder.next_due_at is None:
        return content.t("reminders.line_paused", number=number, title=title, rule=rule)
    when = describe_moment(content, reminder.next_due_at, reminder.timezone, now)
    return content.t("reminders.line", number=number, title=title, rule=rule, next=when)


def reminder_detail(content: Content, reminder: Reminder, now: datetime) -> Screen:
    rule = describe_rule(content, reminder.rule)
    title = escape(reminder.title)
    builder = InlineKeyboardBuilder()
    paused = reminder.state is ReminderState.PAUSED or reminder.next_due_at is None
    if paused:
        text = content.t("reminders.detail_paused", title=title, rule=rule)
        builder.button(
            text=content.t("reminders.buttons.resume"), callback_data=ReminderCb(action="resume", reminder=reminder.id)
        )
    else:
        assert reminder.next_due_at is not None
        when = describe_moment(content, reminder.next_due_at, reminder.timezone, now)
        text = content.t("reminders.detail", title=title, rule=rule, next=when)
        builder.button(
            text=content.t("reminders.buttons.pause"), callback_data=ReminderCb(action="pause", reminder=reminder.id)
        )
    for action in ("time", "rule", "delete"):
        label = {"time": "change_time", "rule": "change_rule", "delete": "delete"}[action]
        builder.button(
            text=content.t(f"reminders.buttons.{label}"), callback_data=ReminderCb(action=action, reminder=reminder.id)
        )
    builder.button(text=content.t("reminders.buttons.back"), callback_data=ReminderCb(action="list"))
    builder.adjust(2)
    return Screen(text, builder.as_markup())


def delete_confirmation(content: Content, reminder: Reminder) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=content.t("reminders.buttons.confirm_delete"),
        callback_data=ReminderCb(action="confirm_delete", reminder=reminder.id),
    )
    builder.button(
        text=content.t("reminders.buttons.cancel"), callback_data=ReminderCb(action="open", reminder=reminder.id)
    )
    return Screen(content.t("reminders.delete_confirm", title=escape(reminder.title)), builder.as_markup())


def draft_card(content: Content, title: str, rule: Rule, timezone: str, first: datetime, now: datetime) -> Screen:
    builder = InlineKeyboardBuilder()
    for action in ("save", "edit", "cancel"):
        builder.button(text=content.t(f"reminders.buttons.{action}"), callback_data=ReminderDraftCb(action=action))
    builder.adjust(3)
    text = content.t(
        "reminders.card",
        title=escape(title),
        when=describe_moment(content, first, timezone, now),
        timezone=timezone_label(content, timezone, now),
        rule=describe_rule(content, rule),
    )
    return Screen(text, builder.as_markup())


def frequency_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for index, key in enumerate(FREQUENCY_CHOICES):
        builder.button(
            text=content.t(f"reminders.frequencies.{key}"), callback_data=ReminderDraftCb(action="freq", value=index)
        )
    builder.button(text=content.t("reminders.buttons.cancel"), callback_data=ReminderDraftCb(action="cancel"))
    builder.adjust(2)
    return Screen(content.t("reminders.ask_frequency"), builder.as_markup())


def date_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for days, key in ((0, "today"), (1, "tomorrow"), (7, "in_week")):
        builder.button(
            text=content.t(f"reminders.dates.{key}"), callback_data=ReminderDraftCb(action="date", value=days)
        )
    builder.button(text=content.t("reminders.buttons.cancel"), callback_data=ReminderDraftCb(action="cancel"))
    builder.adjust(3)
    return Screen(content.t("reminders.ask_date"), builder.as_markup())


def weekdays_step(content: Content, chosen: list[int]) -> Screen:
    names = content.items("reminders.weekdays_short")
    builder = InlineKeyboardBuilder()
    for day, name in enumerate(names):
        label = f"✓ {name}" if day in chosen else name
        builder.button(text=label, callback_data=ReminderDraftCb(action="weekday", value=day))
    builder.button(
        text=content.t("reminders.buttons.weekdays_ready"), callback_data=ReminderDraftCb(action="weekdays_ready")
    )
    builder.button(text=content.t("reminders.buttons.cancel"), callback_data=ReminderDraftCb(action="cancel"))
    builder.adjust(7, 2)
    return Screen(content.t("reminders.ask_weekdays"), builder.as_markup())


def time_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for hour, minute in TIME_CHOICES:
        builder.button(
            text=f"{hour}:{minute:02d}", callback_data=ReminderDraftCb(action="time", value=hour * 60 + minute)
        )
    builder.button(text=content.t("reminders.buttons.cancel"), callback_data=ReminderDraftCb(action="cancel"))
    builder.adjust(3, 3, 1)
    return Screen(content.t("reminders.ask_time"), builder.as_markup())


def _menu_button(content: Content) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack())
