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
from bot.views.sharing import with_shared
from content import Content
from domain.access import Permission, allowed
from domain.models import Membership, RunStatus, User
from handlers.checklists import result_screen
from storage import Store

HISTORY_LIMIT = 20


async def show_history(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.TAKE_CHECKLISTS)
    runs = await store.runs.history(actor.id, team_id, limit=HISTORY_LIMIT)
    screen = history_screen(content, runs, actor.timezone, None if membership is None else membership.role)
    if membership is not None and allowed(membership.role, Permission.RECEIVE_SHARED):  # an owner: what was sent
        shares = await store.shares.for_owner(actor.id, team_id, limit=HISTORY_LIMIT)
        screen = with_shared(content, screen, shares, actor.timezone)
    await respond(event, screen)


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
    role = await store.teams.role_of(actor.id, run.team_id)
    await respond(callback, await result_screen(store, content, actor, checklist, run, answers, role))


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
    role = await store.teams.role_of(actor.id, run.team_id)
    tz = actor.timezone
    file = await asyncio.to_thread(result_file, content, checklist, run, answers, tz, callback_data.action, role)
    await callback.message.answer_document(BufferedInputFile(file.data, filename=file.name), caption=file.caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_history, Command("history"))
    router.callback_query.register(show_history, MenuCb.filter(F.action == "history"))
    router.callback_query.register(show_run, RunCb.filter(F.action == "show"))
    router.callback_query.register(send_result_file, RunCb.filter(F.action.in_({"xlsx", "csv"})))
    return router
