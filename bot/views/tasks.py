"""/tasks: open tasks with due dates (overdue first), and the due-date choice for one task."""

from __future__ import annotations

from datetime import date, time
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, TaskDoneCb, TaskDueCb
from bot.views.common import Screen
from content import Content
from domain.models import Task

MAX_TASK_BUTTONS = 30  # each task has two buttons; Telegram allows about 100 in one message


def tasks_screen(content: Content, tasks: list[Task], today: date) -> Screen:
    if not tasks:
        return Screen(content.t("tasks.empty"))
    date_format = content.t("format.date")
    lines = [content.plural("tasks.title", len(tasks)), content.t("tasks.hint")]
    builder = InlineKeyboardBuilder()
    for number, task in enumerate(tasks, start=1):
        title = escape(task.title)
        if task.due_date is None:
            lines.append(content.t("tasks.line", number=number, title=title))
        else:
            key = "tasks.line_overdue" if task.overdue(today) else "tasks.line_due"
            lines.append(content.t(key, number=number, title=title, date=task.due_date.strftime(date_format)))
        if number <= MAX_TASK_BUTTONS:
            builder.button(text=content.t("tasks.done_button", number=number), callback_data=TaskDoneCb(task=task.id))
            builder.button(
                text=content.t("tasks.due_button", number=number), callback_data=TaskDueCb(task=task.id, choice="ask")
            )
    builder.adjust(4)
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


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
