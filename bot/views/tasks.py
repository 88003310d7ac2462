"""/tasks: open tasks with due dates (overdue first), and the due-date choice for one task."""

from __future__ import annotations

from datetime import date, time
from html import escape
from typing import Literal

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, PdcaCb, TaskDoneCb, TaskDueCb, TaskListCb, TaskOpenCb, TaskUndoCb
from bot.views.common import Screen, local_date
from content import Content
from content.schema import Item
from domain.models import Task

MAX_TASK_BUTTONS = 30  # each task has three buttons; Telegram allows about 100 in one message
MAX_DONE_SHOWN = 20


def tasks_screen(content: Content, tasks: list[Task], today: date, just_done: Task | None = None) -> Screen:
    """Open tasks; after ✓ (the toast says «Готово») the screen offers «Вернуть» for `just_done`."""
    builder = InlineKeyboardBuilder()
    lines: list[str] = []
    if not tasks:
        lines.append(content.t("tasks.empty"))
    else:
        date_format = content.t("format.date")
        lines += [content.plural("tasks.title", len(tasks)), content.t("tasks.hint")]
        for number, task in enumerate(tasks, start=1):
            title = escape(task.title)
            if task.due_date is None:
                lines.append(content.t("tasks.line", number=number, title=title))
            else:
                key = "tasks.line_overdue" if task.overdue(today) else "tasks.line_due"
                lines.append(content.t(key, number=number, title=title, date=task.due_date.strftime(date_format)))
            if number <= MAX_TASK_BUTTONS:
                builder.button(
                    text=content.t("tasks.done_button", number=number), callback_data=TaskDoneCb(task=task.id)
                )
                builder.button(
                    text=content.t("tasks.due_button", number=number),
                    callback_data=TaskDueCb(task=task.id, choice="ask"),
                )
                builder.button(
                    text=content.t("tasks.open_button", number=number), callback_data=TaskOpenCb(task=task.id)
                )
        builder.adjust(6)
    rows: list[list[InlineKeyboardButton]] = []
    if just_done is not None:
        undo = content.t("tasks.undo_button", title=_short(just_done.title))
        rows.append([InlineKeyboardButton(text=undo, callback_data=TaskUndoCb(task=just_done.id).pack())])
    rows.append(
        [
            InlineKeyboardButton(
                text=content.t("tasks.done_list_button"), callback_data=TaskListCb(view="done").pack()
            ),
            InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()),
        ]
    )
    for row in rows:
        builder.row(*row)
    return Screen("\n".join(lines), builder.as_markup())


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def done_screen(content: Content, tasks: list[Task], timezone: str | None) -> Screen:
    """The latest finished tasks with the day each was done."""
    builder = InlineKeyboardBuilder()
    if not tasks:
        text = content.t("tasks.done_empty")
    else:
        lines = [content.t("tasks.done_title", count=len(tasks))]
        for number, task in enumerate(tasks, start=1):
            done = local_date(content, task.done_at, timezone) if task.done_at else ""
            lines.append(content.t("tasks.done_line", number=number, title=escape(task.title), date=done))
            builder.button(text=content.t("tasks.open_button", number=number), callback_data=TaskOpenCb(task=task.id))
        builder.adjust(5)
        text = "\n".join(lines)
    builder.row(
        InlineKeyboardButton(text=content.t("tasks.open_list_button"), callback_data=TaskListCb(view="open").pack())
    )
    return Screen(text, builder.as_markup())


def task_card(content: Content, task: Task, item: Item | None, timezone: str | None) -> Screen:
    """One task: its title, due date or done day, and the action and why of the checklist item it came from."""
    parts = [content.t("tasks.card", title=escape(task.title))]
    if task.done_at is not None:
        parts.append(content.t("tasks.card_done", date=local_date(content, task.done_at, timezone)))
    elif task.due_date is not None:
        parts.append(content.t("tasks.card_due", date=task.due_date.strftime(content.t("format.date"))))
    if item is not None:
        parts.append(content.t("tasks.card_action", action=escape(item.action)))
        parts.append(content.t("tasks.card_why", why=escape(item.why)))
    builder = InlineKeyboardBuilder()
    if task.done_at is None:
        builder.button(text=content.t("tasks.done_button", number=""), callback_data=TaskDoneCb(task=task.id))
        builder.button(
            text=content.t("tasks.due_button", number=""), callback_data=TaskDueCb(task=task.id, choice="ask")
        )
    else:
        builder.button(
            text=content.t("tasks.undo_button", title=_short(task.title)), callback_data=TaskUndoCb(task=task.id)
        )
    if task.done_at is None:  # a Deming cycle on this weak spot: plan, do, check, act (handlers/pdca/)
        builder.button(text=content.t("pdca.buttons.from_task"), callback_data=PdcaCb(action="from_task", ref=task.id))
    view: Literal["open", "done"] = "done" if task.done_at is not None else "open"
    builder.button(text=content.t("tasks.back_button"), callback_data=TaskListCb(view=view))
    builder.adjust(*((2, 1, 1) if task.done_at is None else (1, 1)))
    return Screen("\n\n".join(parts), builder.as_markup())


def due_choice(content: Content, task: Task, reminder_time: time) -> Screen:
    builder = InlineKeyboardBuilder()
    for choice in ("today", "tomorrow", "week", "clear"):
        label = {"today": "today", "tomorrow": "tomorrow", "week": "in_week", "clear": "clear"}[choice]
        builder.button(
            text=content.t(f"tasks_due.buttons.{label}"), callback_data=TaskDueCb(task=task.id, choice=choice)
        )
    builder.adjust(3, 1)
    text = content.t("tasks_due.ask", title=escape(task.title), time=reminder_time.strftime("%H:%M"))
    return Screen(text, builder.as_markup())
