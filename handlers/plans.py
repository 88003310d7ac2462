"""/plans: personal sales plans per manager and month, typed as lines or sent as a two/three-column file."""

from __future__ import annotations

import tempfile
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from analytics.plans import Plans, PlansError, parse_plan_text, read_plans
from analytics.render_format import group
from analytics.sandbox import AnalysisPool
from analytics.schema import ExportReadError, ReadLimits
from bot.callbacks import MenuCb
from bot.config import Settings
from bot.exports import check_size, download_file, read_error_text
from bot.guards import team_with
from bot.replies import respond
from bot.states import PlansFlow
from bot.views.common import Screen
from content import Content
from domain.access import Permission
from domain.models import Membership, User
from storage import Store

MAX_LINES_SHOWN = 40


async def _current_month(store: Store, actor: User, team_id: int) -> str:
    team = await store.teams.get_for(actor.id, team_id)
    return datetime.now(ZoneInfo(team.timezone)).strftime("%Y-%m")


async def show_plans(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    month = await _current_month(store, actor, team_id)
    plans = {key: amount for key, amount in (await store.plans.for_team(actor.id, team_id)).items() if key[1] >= month}
    lines = [content.t("plans.title")]
    for (manager, plan_month), amount in sorted(plans.items(), key=lambda kv: (kv[0][1], kv[0][0]))[:MAX_LINES_SHOWN]:
        lines.append(content.t("plans.line", manager=escape(manager), month=plan_month, amount=group(amount)))
    if not plans:
        lines.append(content.t("plans.none"))
    lines.append(content.t("plans.how", month=month))
    await state.set_state(PlansFlow.waiting)
    await respond(event, Screen("\n".join(lines)))


async def _save(message: Message, store: Store, content: Content, actor: User, team_id: int, plans: Plans) -> None:
    for (manager, month), amount in plans.items():
        await store.plans.set(actor.id, team_id, manager, month, amount)
    await message.answer(content.t("plans.saved", count=len(plans)))


async def plans_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    parsed = parse_plan_text(message.text or "", await _current_month(store, actor, team_id))
    if parsed.plans:
        await _save(message, store, content, actor, team_id, parsed.plans)
    if parsed.bad_lines:
        numbers = ", ".join(str(n) for n in parsed.bad_lines)
        await message.answer(content.t("plans.bad_lines", lines=numbers))
    if parsed.plans and not parsed.bad_lines:
        await state.clear()


async def plans_file(
    message: Message,
    bot: Bot,
    state: FSMContext,
    store: Store,
    content: Content,
    settings: Settings,
    analysis_pool: AnalysisPool,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    document = message.document
    if document is None:
        return
    limits = ReadLimits(max_bytes=settings.max_upload_bytes, max_rows=settings.max_export_rows)
    month = await _current_month(store, actor, team_id)
    try:
        check_size(document.file_size, settings)
        with tempfile.TemporaryDirectory(prefix="rop-plans-") as folder:
            path = await download_file(bot, document.file_id, settings.max_upload_bytes, Path(folder))
            plans: Plans = await analysis_pool.run(read_plans, path, document.file_name, limits, month)
    except ExportReadError as error:
        await message.answer(read_error_text(content, settings, error.code))
        return
    except PlansError:
        await message.answer(content.t("plans.bad_file"))
        return
    await _save(message, store, content, actor, team_id, plans)
    await state.clear()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_plans, Command("plans"))
    router.callback_query.register(show_plans, MenuCb.filter(F.action == "plans"))
    router.message.register(plans_file, PlansFlow.waiting, F.document)
    router.message.register(plans_typed, PlansFlow.waiting, F.text, ~F.text.startswith("/"))
    return router
