"""A CRM export the head uploaded: analysed in the pool, kept as a metric snapshot with its full report.

Plain values in: the file is already on disk (the caller downloads it and deletes it afterwards).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analytics.engine import BotAnalysis, ColumnQuestion, analyze_for_bot
from analytics.schema import AnalysisParams, ExportReadError, Field, ReadErrorCode, ReadLimits, Recognition
from domain.upload_comparison import UploadComparison, compare_uploads, upload_figures
from services.analysis import AnalysisRunner
from storage import Store

ColumnChoices = Mapping[str, str]  # field -> header; "" = the head said the export has no such column


@dataclass(frozen=True, slots=True)
class Analysed:
    snapshot_id: int  # its full XLSX report is kept under this id
    summary_html: str
    charts: tuple[tuple[str, bytes], ...]  # (name, PNG)
    comparison: UploadComparison | None = None  # against the team's previous upload; None for the first one


@dataclass(frozen=True, slots=True)
class ColumnNeeded:
    """The head must say which column holds `field` before the figures can be trusted."""

    recognition: Recognition
    field: Field
    candidates: tuple[str, ...]  # the likely headers first; every header when the engine has no guess

    @property
    def signature(self) -> str:
        return self.recognition.header_signature


@dataclass(frozen=True, slots=True)
class Unreadable:
    code: ReadErrorCode


UploadOutcome = Analysed | ColumnNeeded | Unreadable


async def analyse_export(
    store: Store,
    runner: AnalysisRunner,
    *,
    actor_id: int,
    team_id: int,
    path: Path,
    file_name: str | None,
    choices: ColumnChoices,
    limits: ReadLimits,
    locale: str,
    now: datetime,
) -> UploadOutcome:
    """One pool call: the team's remembered column choices go along, so a layout seen before is not asked
    about again. The database is only written after the analysis (never held open while the pool works)."""
    plans = await store.plans.for_team(actor_id, team_id)
    remembered = await store.mappings.for_team(actor_id, team_id)
    overrides = {Field(field): header for field, header in choices.items()}
    try:
        outcome: BotAnalysis | ColumnQuestion = await runner.run(
            analyze_for_bot, path, file_name, plans, overrides, limits, AnalysisParams(), locale, remembered
        )
    except ExportReadError as error:
        return Unreadable(error.code)
    if isinstance(outcome, ColumnQuestion):
        field = outcome.pending[0]
        recognition = outcome.recognition
        candidates = tuple(recognition.candidates.get(field, ())) or recognition.headers
        return ColumnNeeded(recognition=recognition, field=field, candidates=candidates)
    period = outcome.result.metrics.period
    async with store.db.transaction():
        snapshot_id = await store.snapshots.save(
            actor_id, team_id, period.start, period.end, outcome.snapshot_json, now
        )
        await store.reports.save(actor_id, snapshot_id, outcome.report_xlsx, now)
        earlier = [s for s in await store.snapshots.latest(actor_id, team_id, limit=2) if s.id != snapshot_id]
    previous = upload_figures(earlier[0].metrics_json, earlier[0].created_at) if earlier else None
    comparison = compare_uploads(upload_figures(outcome.snapshot_json, now), previous)
    return Analysed(
        snapshot_id=snapshot_id, summary_html=outcome.summary_html, charts=outcome.charts, comparison=comparison
    )


async def remember_choices(
    store: Store, actor_id: int, team_id: int, signature: str, choices: ColumnChoices, now: datetime
) -> None:
    """The next export with the same columns is analysed with these choices, without asking."""
    await store.mappings.save(actor_id, team_id, signature, dict(choices), now)
