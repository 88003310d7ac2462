"""/history: finished runs; open one again; export it as XLSX or CSV."""

from __future__ import annotations

import asyncio
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, RunCb
from bot.guards import team_with
from bot.replies import respond
from bot.views.checklist_table import run_table
from bot.views.common import Screen, local_date
from content import Content
from domain.access import Permission
from domain.models import Membership, RunStatus, User
from domain.spreadsheet import Sheet, build_csv, build_xlsx
from handlers.checklists import result_screen
from storage import Store

HISTORY_LIMIT = 20


async def show_history(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.RUN_DIAGNOSTICS)
    runs = await store.runs.history(actor.id, team_id, limit=HISTORY_LIMIT)
    if not runs:
        await respond(event, Screen(content.t("history.empty")))
        return
    lines = [content.t("history.title")]
    builder = InlineKeyboardBuilder()
    for number, run in enumerate(runs, start=1):
        checklist = content.checklists.get(run.checklist_key)
        title = checklist.title if checklist else run.checklist_key
        zone = next((z.title for z in checklist.zones if z.key == run.zone), "") if checklist else ""
        date = local_date(content, run.finished_at or run.started_at, actor.timezone)
        lines.append(
            content.t("history.line", number=number, date=date, title=escape(title), score=run.score, zone=escape(zone))
        )
        builder.button(text=str(number), callback_data=RunCb(run=run.id, action="show"))
    builder.adjust(5)
    builder.row(
        *InlineKeyboardBuilder()
        .button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
        .buttons
    )
    await respond(event, Screen("\n".join(lines), builder.as_markup()))


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


async def export_run(
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
    header, rows = run_table(content, checklist, run, answers, actor.timezone)
    stamp = local_date(content, run.finished_at or run.started_at, actor.timezone).replace(".", "-")
    if callback_data.action == "csv":
        data = await asyncio.to_thread(build_csv, header, rows)
        name = f"{checklist.key}_{stamp}.csv"
    else:
        sheet = Sheet(name=checklist.short_title[:31], header=header, rows=rows)
        data = await asyncio.to_thread(build_xlsx, [sheet])
        name = f"{checklist.key}_{stamp}.xlsx"
    await callback.message.answer_document(
        BufferedInputFile(data, filename=name),
        caption=content.t("history.export_caption", title=escape(checklist.title)),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_history, Command("history"))
    router.callback_query.register(show_history, MenuCb.filter(F.action == "history"))
    router.callback_query.register(show_run, RunCb.filter(F.action == "show"))
    router.callback_query.register(export_run, RunCb.filter(F.action.in_({"xlsx", "csv"})))
    return router
