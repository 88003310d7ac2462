"""Runs an export analysis for the bot: download, the engine in the sandbox pool, snapshot, reply.

The raw file lives in a private temporary folder for the duration of one analysis and is deleted right after;
a later column choice downloads it again by its Telegram file_id, so the export's rows are never kept. The worker
reads the file from disk, which keeps neither a copy in the bot process nor one pickled through the pool.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, InputMediaPhoto, Message

from analytics.engine import BotAnalysis, analyze_for_bot
from analytics.sandbox import AnalysisPool
from analytics.schema import AnalysisParams, ExportReadError, Field, ReadErrorCode, ReadLimits
from bot.config import Settings
from bot.states import ExportFlow
from bot.views.exports import choose_column, report_button
from content import Content
from domain.models import User
from storage import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExportJob:
    """Everything one analysis needs; kept as plain values so it can wait in FSM data for a column choice."""

    team_id: int
    file_id: str
    file_name: str | None
    overrides: dict[str, str]


class ExportRunner:
    def __init__(self, bot: Bot, store: Store, content: Content, settings: Settings, pool: AnalysisPool) -> None:
        self._bot = bot
        self._store = store
        self._content = content
        self._settings = settings
        self._pool = pool

    async def run(self, actor: User, job: ExportJob, progress: Message, state: FSMContext) -> None:
        with tempfile.TemporaryDirectory(prefix="rop-export-") as folder:
            await self._run_with_file(actor, job, progress, state, Path(folder))

    async def _run_with_file(
        self, actor: User, job: ExportJob, progress: Message, state: FSMContext, folder: Path
    ) -> None:
        t = self._content.t
        try:
            data = await download_file(self._bot, job.file_id, self._settings.max_upload_bytes, folder)
            await _edit(progress, t("exports.progress.analysing"))
            outcome = await self._analyse(actor, job, data)
        except ExportReadError as error:
            await _edit(progress, self.error_text(error.code))
            return
        recognition = outcome.result.recognition
        pending = [field for field in recognition.ambiguous if field.value not in job.overrides]
        if pending:
            remembered = await self._store.mappings.get(actor.id, job.team_id, recognition.header_signature)
            usable = {k: v for k, v in (remembered or {}).items() if v in recognition.headers or v == ""}
            if usable and all(field.value in usable for field in pending):
                job = ExportJob(job.team_id, job.file_id, job.file_name, {**job.overrides, **usable})
                try:
                    outcome = await self._analyse(actor, job, data)
                except ExportReadError as error:
                    await _edit(progress, self.error_text(error.code))
                    return
            else:
                await self._ask_column(state, job, progress, outcome, pending[0])
                return
        await self._deliver(actor, job, progress, outcome)

    def error_text(self, code: ReadErrorCode) -> str:
        return read_error_text(self._content, self._settings, code)

    async def _analyse(self, actor: User, job: ExportJob, data: Path) -> BotAnalysis:
        plans = await self._store.plans.for_team(actor.id, job.team_id)
        limits = ReadLimits(max_bytes=self._settings.max_upload_bytes, max_rows=self._settings.max_export_rows)
        overrides = {Field(field): header for field, header in job.overrides.items() if header}
        result: BotAnalysis = await self._pool.run(
            analyze_for_bot, data, job.file_name, plans, overrides, limits, AnalysisParams(), self._settings.locale
        )
        return result

    async def _ask_column(
        self, state: FSMContext, job: ExportJob, progress: Message, outcome: BotAnalysis, field: Field
    ) -> None:
        recognition = outcome.result.recognition
        candidates = list(recognition.candidates.get(field, ())) or list(recognition.headers)
        await state.set_state(ExportFlow.choosing_column)
        await state.set_data(
            {
                "team_id": job.team_id,
                "file_id": job.file_id,
                "file_name": job.file_name,
                "overrides": job.overrides,
                "field": field.value,
                "candidates": candidates,
                "signature": recognition.header_signature,
            }
        )
        screen = choose_column(self._content, recognition, field, candidates)
        await _edit(progress, screen.text, screen.markup)

    async def _deliver(self, actor: User, job: ExportJob, progress: Message, outcome: BotAnalysis) -> None:
        now = datetime.now(UTC)
        period = outcome.result.metrics.period
        snapshot_id = await self._store.snapshots.save(
            actor.id, job.team_id, period.start, period.end, outcome.snapshot_json, now
        )
        await self._store.reports.save(actor.id, snapshot_id, outcome.report_xlsx, now)
        await _edit(progress, outcome.summary_html, report_button(self._content, snapshot_id).markup)
        photos = [BufferedInputFile(png, filename=f"{name}.png") for name, png in outcome.charts]
        if len(photos) >= 2:
            await progress.answer_media_group([InputMediaPhoto(media=photo) for photo in photos])
        elif photos:
            await progress.answer_photo(photos[0])


def read_error_text(content: Content, settings: Settings, code: ReadErrorCode) -> str:
    if code is ReadErrorCode.TOO_LARGE:  # the limit is configurable (a local Bot API server lifts it)
        return content.t("exports.too_large", limit=round(settings.max_upload_mb))
    return content.t(f"analytics.errors.{code.value}")


def check_size(file_size: int | None, settings: Settings) -> None:
    """Refuse by the size Telegram announces, before downloading anything."""
    if file_size is not None and file_size > settings.max_upload_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE)


async def download_file(bot: Bot, file_id: str, max_bytes: int, folder: Path) -> Path:
    """Into `folder` (a temporary one the caller deletes), streamed: never the whole file in our memory."""
    path = folder / "upload"
    try:
        await bot.download(file_id, destination=path, timeout=120)
    except TelegramBadRequest as error:
        if "too big" in error.message.lower():  # the official Bot API refuses files over 20 MB
            raise ExportReadError(ReadErrorCode.TOO_LARGE) from error
        raise
    if path.stat().st_size > max_bytes:
        raise ExportReadError(ReadErrorCode.TOO_LARGE)
    return path


async def _edit(message: Message, text: str, markup: object = None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)  # type: ignore[arg-type]
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise
