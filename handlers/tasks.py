"""/tasks: the head's to-do list built from weak checklist items, with due dates and a reminder that day."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MenuCb, TaskDoneCb, TaskDueCb, TaskListCb, TaskOpenCb, TaskUndoCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import TaskDueFlow
from bot.views.common import Screen
from bot.views.tasks import MAX_DONE_SHOWN, done_screen, due_choice, task_card, tasks_screen
from content import Content
from content.schema import Item
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, Task, User
from domain.typed_dates import TypedDateError, parse_typed_date
from services import reminders as use
from storage import Store

_OFFSETS = {"today": 0, "tomorrow": 1, "week": 7}


def _today(clock: Clock, actor: User) -> date:
    return clock.now().astimezone(ZoneInfo(actor.timezone or "UTC")).date()


async def _screen(
    store: Store, content: Content, clock: Clock, actor: User, team_id: int, just_done: Task | None = None
) -> Screen:
    tasks = await store.tasks.list(actor.id, team_id, include_done=False)
    return tasks_screen(content, tasks, _today(clock, actor), just_done)


async def show_tasks(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    await respond(event, await _screen(store, content, clock, actor, team_id))


async def task_done(
    callback: CallbackQuery,
    callback_data: TaskDoneCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await use.complete_task(store, actor.id, callback_data.task, clock.now())
    callback_answer.text = content.t("tasks.marked_done", title=task.title)[:200]
    await replace(callback, await _screen(store, content, clock, actor, team_id, just_done=task))


async def task_undo(
    callback: CallbackQuery,
    callback_data: TaskUndoCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: use.WakeUp,
) -> None:
    """«Вернуть»: the task is open again with its due date; the day's reminder comes back if the day is ahead."""
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.reopen(actor.id, callback_data.task)
    if task.due_date is not None and task.due_date >= _today(clock, actor):
        await _set_due(store, content, clock, actor, task.id, task.due_date, reminder_engine)
    callback_answer.text = content.t("tasks.undone", title=task.title)[:200]
    await replace(callback, await _screen(store, content, clock, actor, team_id))


async def task_list(
    callback: CallbackQuery,
    callback_data: TaskListCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    if callback_data.view == "done":
        done = await store.tasks.list_done(actor.id, team_id, limit=MAX_DONE_SHOWN)
        await replace(callback, done_screen(content, done, actor.timezone))
    else:
        await replace(callback, await _screen(store, content, clock, actor, team_id))


async def task_open(
    callback: CallbackQuery,
    callback_data: TaskOpenCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.get(actor.id, callback_data.task)
    await replace(callback, task_card(content, task, _source_item(content, task), actor.timezone))


def _source_item(content: Content, task: Task) -> Item | None:
    """The checklist item the task was made from (gone if the content changed since)."""
    checklist = content.checklists.get(task.source_checklist or "")
    if checklist is None:
        return None
    return next((item for item in checklist.items if item.key == task.source_item), None)


async def task_due(
    callback: CallbackQuery,
    callback_data: TaskDueCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: use.WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.get(actor.id, callback_data.task)
    if task.done_at is not None:  # a button from an older /tasks message: a closed task gets no date or reminder
        await state.clear()
        callback_answer.text = content.t("errors.stale_button")
        await replace(callback, await _screen(store, content, clock, actor, team_id))
        return
    if callback_data.choice == "ask":
        await state.set_state(TaskDueFlow.date)
        await state.set_data({"task": task.id})
        await replace(callback, due_choice(content, task, await store.users.workday_start(actor.id)))
        return
    await state.clear()
    if callback_data.choice == "clear":
        await store.tasks.set_due_date(actor.id, task.id, None)
        await store.reminders.finish_for_task(actor.id, task.id)
        callback_answer.text = content.t("tasks_due.cleared")
    elif callback_data.choice in _OFFSETS:
        due = _today(clock, actor) + timedelta(days=_OFFSETS[callback_data.choice])
        callback_answer.text = (await _set_due(store, content, clock, actor, task.id, due, reminder_engine))[:200]
    await replace(callback, await _screen(store, content, clock, actor, team_id))


async def due_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: use.WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    data = await state.get_data()
    try:
        due = parse_typed_date(message.text or "", _today(clock, actor))
    except TypedDateError:
        await message.answer(content.t("tasks_due.bad_date"))
        return
    await state.clear()
    task = await store.tasks.get(actor.id, int(data["task"]))
    if task.done_at is not None:  # closed with ✓ while the date question was open: no date, no reminder
        await message.answer(content.t("tasks.marked_done", title=escape(task.title)))
    else:
        await message.answer(await _set_due(store, content, clock, actor, task.id, due, reminder_engine))
    await respond(message, await _screen(store, content, clock, actor, team_id))


async def _set_due(
    store: Store, content: Content, clock: Clock, actor: User, task_id: int, due: date, engine: use.WakeUp
) -> str:
    zone = actor.timezone or "UTC"
    _, reminder = await use.set_task_due(store, engine, actor.id, task_id, due, zone, clock.now())
    shown = due.strftime(content.t("format.date"))
    if reminder is None:
        return content.t("tasks_due.set_no_reminder", date=shown)
    return content.t("tasks_due.set", date=shown, time=reminder.rule.at.strftime("%H:%M"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_tasks, Command("tasks"))
    router.callback_query.register(show_tasks, MenuCb.filter(F.action == "tasks"))
    router.callback_query.register(task_done, TaskDoneCb.filter())
    router.callback_query.register(task_due, TaskDueCb.filter())
    router.callback_query.register(task_undo, TaskUndoCb.filter())
    router.callback_query.register(task_list, TaskListCb.filter())
    router.callback_query.register(task_open, TaskOpenCb.filter())
    router.message.register(due_typed, TaskDueFlow.date, F.text, ~F.text.startswith("/"))
    return router
