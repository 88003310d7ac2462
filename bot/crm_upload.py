"""The Telegram side of a CRM export upload: download, progress edits, the column question, the reply.

The analysis itself is services.crm_upload.analyse_export. The raw file lives in a private folder for one
analysis (bot.downloads.upload_folder) and is deleted right after; a later column choice downloads it again by
its Telegram file_id, so the export's rows are never kept. The worker reads the file from disk, which keeps
neither a copy in the bot process nor one pickled through the pool. The upload stays recorded until the reply is
shown: a bot killed before that edits the progress message at its next start (send the file again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, InputMediaPhoto, Message

from analytics.schema import ExportReadError, ReadLimits
from bot.config import Settings
from bot.downloads import download_file, read_error_text, remove_folder, upload_folder
from bot.states import ExportFlow
from bot.views.crm_upload import choose_column, report_button, summary_with_comparison
from content import Content
from services.analysis import AnalysisRunner
from services.crm_upload import Analysed, ColumnNeeded, Unreadable, UploadOutcome, analyse_export
from storage import Store


@dataclass(frozen=True, slots=True)
class UploadJob:
    """Everything one analysis needs; plain values, so it can wait in FSM data for a column choice."""

    team_id: int
    file_id: str
    file_name: str | None
    choices: dict[str, str]  # field -> header the head chose ("" = no such column)


class UploadRunner:
    def __init__(self, bot: Bot, store: Store, content: Content, settings: Settings, pool: AnalysisRunner) -> None:
        self._bot = bot
        self._store = store
        self._content = content
        self._settings = settings
        self._pool = pool

    async def run(self, actor_id: int, job: UploadJob, progress: Message, state: FSMContext, now: datetime) -> None:
        async with upload_folder(
            self._store,
            self._settings,
            user_id=actor_id,
            chat_id=progress.chat.id,
            message_id=progress.message_id,
            now=now,
        ) as folder:
            outcome = await self._analyse(actor_id, job, folder, progress, now)
            await remove_folder(folder)  # the reply needs only the outcome
            if isinstance(outcome, ColumnNeeded):
                await self._ask_column(state, job, progress, outcome)
            elif isinstance(outcome, Analysed):
                await self._deliver(actor_id, progress, outcome)
            else:
                await _edit(progress, read_error_text(self._content, self._settings, outcome.code))

    async def _analyse(
        self, actor_id: int, job: UploadJob, folder: Path, progress: Message, now: datetime
    ) -> UploadOutcome:
        settings = self._settings
        try:
            path = await download_file(self._bot, job.file_id, settings.max_upload_bytes, folder)
        except ExportReadError as error:  # too large for the Bot API to hand over
            return Unreadable(error.code)
        await _edit(progress, self._content.t("exports.progress.analysing"))
        return await analyse_export(
            self._store,
            self._pool,
            actor_id=actor_id,
            team_id=job.team_id,
            path=path,
            file_name=job.file_name,
            choices=job.choices,
            limits=ReadLimits(max_bytes=settings.max_upload_bytes, max_rows=settings.max_export_rows),
            locale=settings.locale,
            now=now,
        )

    async def _ask_column(self, state: FSMContext, job: UploadJob, progress: Message, needed: ColumnNeeded) -> None:
        candidates = list(needed.candidates)
        await state.set_state(ExportFlow.choosing_column)
        await state.set_data(
            {
                "team_id": job.team_id,
                "file_id": job.file_id,
                "file_name": job.file_name,
                "overrides": job.choices,
                "field": needed.field.value,
                "candidates": candidates,
                "signature": needed.signature,
            }
        )
        screen = choose_column(self._content, needed.recognition, needed.field, candidates)
        await _edit(progress, screen.text, screen.markup)

    async def _deliver(self, actor_id: int, progress: Message, analysed: Analysed) -> None:
        user = await self._store.users.get(actor_id)
        timezone = (user.timezone if user is not None else None) or self._settings.default_timezone
        text = summary_with_comparison(self._content, analysed.summary_html, analysed.comparison, timezone)
        await _edit(progress, text, report_button(self._content, analysed.snapshot_id).markup)
        photos = [BufferedInputFile(png, filename=f"{name}.png") for name, png in analysed.charts]
        if len(photos) >= 2:
            await progress.answer_media_group([InputMediaPhoto(media=photo) for photo in photos])
        elif photos:
            await progress.answer_photo(photos[0])


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise
