"""/history: finished runs; open one again; download its result file as XLSX or CSV."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MenuCb, RunCb
from bot.guards import team_with
from bot.replies import respond
from bot.views.history import history_screen, result_file
from content import Content
from domain.access import Permission
from domain.models import Membership, RunStatus, User
from handlers.checklists import result_screen
from storage import Store

HISTORY_LIMIT = 20


async def show_history(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.RUN_DIAGNOSTICS)
    runs = await store.runs.history(actor.id, team_id, limit=HISTORY_LIMIT)
    await respond(event, history_screen(content, runs, actor.timezone))


async def show_run(
    callback: CallbackQuery,
    callback_data: RunCb,
    store: Store,
    content: Content,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    run = await store.runs.get(actor.id, callback_data.run)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or run.status is not RunStatus.FINISHED:
        callback_answer.text = content.t("errors.stale_button")
        return
    answers = await store.runs.answers(actor.id, run.id)
    await respond(callback, await result_screen(store, content, actor, checklist, run, answers))


async def send_result_file(
    callback: CallbackQuery,
    callback_data: RunCb,
    store: Store,
    content: Content,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    run = await store.runs.get(actor.id, callback_data.run)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or run.status is not RunStatus.FINISHED or callback.message is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    answers = await store.runs.answers(actor.id, run.id)
    file = await asyncio.to_thread(result_file, content, checklist, run, answers, actor.timezone, callback_data.action)
    await callback.message.answer_document(BufferedInputFile(file.data, filename=file.name), caption=file.caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_history, Command("history"))
    router.callback_query.register(show_history, MenuCb.filter(F.action == "history"))
    router.callback_query.register(show_run, RunCb.filter(F.action == "show"))
    router.callback_query.register(send_result_file, RunCb.filter(F.action.in_({"xlsx", "csv"})))
    return router
