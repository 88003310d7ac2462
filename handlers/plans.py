"""/plans: personal sales plans per manager and month, typed as lines or sent as a two/three-column file.

While /plans waits, a file that does not look like plans is a CRM export and is analysed as one; a message
with lines that cannot be read ends the wait (the head is told which lines, and gets a button to send more)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from analytics.plans import PlansError
from analytics.sandbox import AnalysisPool
from analytics.schema import ExportReadError, ReadLimits
from bot.callbacks import MenuCb
from bot.config import Settings
from bot.downloads import check_size, download_file, read_error_text, upload_folder
from bot.guards import team_with
from bot.replies import respond
from bot.states import PlansFlow
from bot.views.plans import plans_again, plans_screen
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from handlers.crm_upload import document_received
from services.plans import import_plan_file, save_typed_plans, upcoming_plans
from storage import Store


async def show_plans(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    upcoming = await upcoming_plans(store, actor.id, team_id, clock.now())
    await state.set_state(PlansFlow.waiting)
    await respond(event, plans_screen(content, upcoming))


async def plans_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    parsed = await save_typed_plans(store, actor.id, team_id, message.text or "", clock.now())
    await state.clear()  # every answer below ends the wait: a stray message is never taken for plans later
    if parsed.plans:
        await message.answer(content.plural("plans.saved", len(parsed.plans)))
    if parsed.bad_lines:
        numbers = ", ".join(str(n) for n in parsed.bad_lines)
        key = "plans.bad_lines" if parsed.plans else "plans.nothing_read"
        await message.answer(content.t(key, lines=numbers), reply_markup=plans_again(content))


async def plans_file(
    message: Message,
    bot: Bot,
    state: FSMContext,
    store: Store,
    content: Content,
    settings: Settings,
    analysis_pool: AnalysisPool,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    document = message.document
    if document is None:
        return
    limits = ReadLimits(max_bytes=settings.max_upload_bytes, max_rows=settings.max_export_rows)
    try:
        check_size(document.file_size, settings)
        now = clock.now()
        async with upload_folder(
            store, settings, user_id=actor.id, chat_id=message.chat.id, message_id=None, now=now
        ) as folder:
            path = await download_file(bot, document.file_id, settings.max_upload_bytes, folder)
            count = await import_plan_file(
                store, analysis_pool, actor.id, team_id, path, document.file_name, limits, now
            )
    except ExportReadError as error:
        await state.clear()
        await message.answer(read_error_text(content, settings, error.code), reply_markup=plans_again(content))
        return
    except PlansError:
        await state.clear()
        await message.answer(content.t("plans.bad_file"), reply_markup=plans_again(content))
        return
    if count is None:  # not plans: the export it is, analysed as if no /plans had been asked for
        await document_received(message, bot, state, store, content, settings, analysis_pool, clock, actor, membership)
        return
    await message.answer(content.plural("plans.saved", count))
    await state.clear()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_plans, Command("plans"))
    router.callback_query.register(show_plans, MenuCb.filter(F.action == "plans"))
    router.message.register(plans_file, PlansFlow.waiting, F.document)
    router.message.register(plans_typed, PlansFlow.waiting, F.text, ~F.text.startswith("/"))
    return router
