"""/tasks: the head's to-do list built from weak checklist items."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, TaskDoneCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.views.common import Screen
from content import Content
from domain.access import Permission
from domain.models import Membership, User
from storage import Store

MAX_TASK_BUTTONS = 30


async def tasks_screen(store: Store, content: Content, actor: User, team_id: int) -> Screen:
    tasks = await store.tasks.list(actor.id, team_id, include_done=False)
    if not tasks:
        return Screen(content.t("tasks.empty"))
    lines = [content.t("tasks.title", count=len(tasks))]
    builder = InlineKeyboardBuilder()
    for number, task in enumerate(tasks, start=1):
        lines.append(content.t("tasks.line", number=number, title=escape(task.title)))
        if number <= MAX_TASK_BUTTONS:
            builder.button(text=content.t("tasks.done_button", number=number), callback_data=TaskDoneCb(task=task.id))
    builder.adjust(4)
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


async def show_tasks(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await respond(event, await tasks_screen(store, content, actor, team_id))


async def task_done(
    callback: CallbackQuery,
    callback_data: TaskDoneCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.mark_done(actor.id, callback_data.task, datetime.now(UTC))
    callback_answer.text = content.t("tasks.marked_done", title=task.title)[:200]
    await replace(callback, await tasks_screen(store, content, actor, team_id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_tasks, Command("tasks"))
    router.callback_query.register(show_tasks, MenuCb.filter(F.action == "tasks"))
    router.callback_query.register(task_done, TaskDoneCb.filter())
    return router
