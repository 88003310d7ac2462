"""CRM export uploads: a file sent at any time is analysed; column choice; the full report; /template; /upload.
A photo of a table gets a request for the file itself."""

from __future__ import annotations

import codecs
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InaccessibleMessage, Message

from analytics.sandbox import AnalysisPool
from analytics.schema import ExportReadError, Field
from bot.callbacks import ColumnCb, MenuCb, ReportCb
from bot.config import Settings
from bot.crm_upload import UploadJob, UploadRunner
from bot.downloads import check_size, read_error_text
from bot.guards import team_with
from bot.replies import respond
from bot.states import ExportFlow
from bot.views.common import Screen
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from services.crm_upload import remember_choices
from storage import Store

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"


async def upload_prompt(
    event: Message | CallbackQuery, content: Content, settings: Settings, membership: Membership | None
) -> None:
    team_with(membership, Permission.UPLOAD_EXPORT)
    await respond(event, Screen(content.t("exports.upload_prompt", limit=round(settings.max_upload_mb))))


async def send_template(message: Message, content: Content) -> None:
    data = (CONTENT_DIR / content.locale / "export_template.csv").read_bytes()
    if not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data  # Excel on Russian Windows reads a CSV without a BOM as Windows-1251
    await message.answer_document(
        BufferedInputFile(data, filename=content.t("exports.template_name")), caption=content.t("exports.template")
    )


async def photo_received(message: Message, content: Content, membership: Membership | None) -> None:
    """A screenshot or a photo of a table cannot be analysed: ask for the export as a file. Only someone who can
    upload is asked (the text promises an analysis); others get the refusal that says what they can use."""
    team_with(membership, Permission.UPLOAD_EXPORT)
    await message.answer(content.t("exports.photo"))


async def document_received(
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
    try:
        check_size(document.file_size, settings)
    except ExportReadError as error:
        await message.answer(read_error_text(content, settings, error.code))
        return
    await state.clear()
    progress = await message.answer(content.t("exports.progress.downloading"))
    job = UploadJob(team_id=team_id, file_id=document.file_id, file_name=document.file_name, choices={})
    runner = UploadRunner(bot, store, content, settings, analysis_pool)
    await runner.run(actor.id, job, progress, state, clock.now())


async def column_chosen(
    callback: CallbackQuery,
    callback_data: ColumnCb,
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
    data = await state.get_data()
    candidates: list[str] = data.get("candidates", [])
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage):
        return
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    if not candidates or team_id != data.get("team_id") or not -1 <= callback_data.option < len(candidates):
        await message.answer(content.t("errors.stale_button"))  # the tap itself was answered already
        return
    header = "" if callback_data.option == -1 else candidates[callback_data.option]
    field = Field(data["field"])
    choices = {**data.get("overrides", {}), field.value: header}
    now = clock.now()
    await remember_choices(store, actor.id, team_id, data["signature"], choices, now)
    await state.clear()
    job = UploadJob(team_id=team_id, file_id=data["file_id"], file_name=data.get("file_name"), choices=choices)
    await message.edit_text(content.t("exports.progress.downloading"))
    runner = UploadRunner(bot, store, content, settings, analysis_pool)
    await runner.run(actor.id, job, message, state, now)


async def send_report(
    callback: CallbackQuery, callback_data: ReportCb, store: Store, content: Content, actor: User
) -> None:
    data = await store.reports.get(actor.id, callback_data.snapshot)
    if callback.message is None:
        return
    await callback.message.answer_document(
        BufferedInputFile(data, filename=content.t("exports.report_name")), caption=content.t("exports.report_caption")
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(upload_prompt, Command("upload"))
    router.callback_query.register(upload_prompt, MenuCb.filter(F.action == "upload"))
    router.message.register(send_template, Command("template"))
    router.message.register(document_received, F.document)
    router.message.register(photo_received, F.photo)
    router.callback_query.register(
        column_chosen, ExportFlow.choosing_column, ColumnCb.filter(), flags={"callback_answer": {"pre": True}}
    )
    router.callback_query.register(send_report, ReportCb.filter(), flags={"callback_answer": {"pre": True}})
    return router
