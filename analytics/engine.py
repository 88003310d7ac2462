"""The export engine end to end: file -> table -> recognised columns -> deals -> metrics and signals.

The heavy libraries (pandas, matplotlib, openpyxl) are imported inside the functions: the bot imports this
module only to hand `analyze_for_bot` to the worker pool, and must not load them on its event loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.render_format import TextFn
from analytics.schema import (
    AnalysisParams,
    AnalysisResult,
    ExportReadError,
    Field,
    ReadErrorCode,
    ReadLimits,
    Recognition,
)

if TYPE_CHECKING:
    from analytics.reading.base import TableSource
    from content.loader import Content

DEFAULT_LIMITS = ReadLimits()
DEFAULT_PARAMS = AnalysisParams()

Plans = Mapping[tuple[str, str], float]  # (manager, "YYYY-MM" or "*" for the whole period) -> amount


def analyze(
    source: bytes | Path,
    filename: str | None = None,
    *,
    plans: Plans | None = None,
    overrides: Mapping[Field, str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> AnalysisResult:
    from analytics.columns import recognize
    from analytics.reading import open_table

    table = open_table(source, filename, limits)
    recognition = recognize(table.headers, table.sample(), overrides)
    return _measure(table, recognition, plans, params)


def _measure(
    table: TableSource, recognition: Recognition, plans: Plans | None, params: AnalysisParams
) -> AnalysisResult:
    from analytics.metrics import compute_metrics
    from analytics.normalize import to_deals
    from analytics.signals import find_signals

    amount_known = Field.AMOUNT in recognition.mapping or recognition.candidates.get(Field.AMOUNT)
    if not amount_known:
        raise ExportReadError(ReadErrorCode.NO_AMOUNT, "no money-like column")
    deals = to_deals(table, recognition)
    metrics = compute_metrics(deals, recognition.kind, plans, params)
    metrics = dataclasses.replace(metrics, signals=find_signals(metrics, deals, params))
    return AnalysisResult(recognition=recognition, metrics=metrics)


@dataclass(frozen=True, slots=True)
class BotAnalysis:
    result: AnalysisResult
    summary_html: str
    charts: tuple[tuple[str, bytes], ...]  # (name, PNG): funnel and trend or revenue, managers, clients; empty skipped
    report_xlsx: bytes
    snapshot_json: str  # the metrics only: no rows, no client names


@dataclass(frozen=True, slots=True)
class ColumnQuestion:
    """Columns the user has to confirm before the figures can be trusted; the bot asks about `pending[0]`."""

    recognition: Recognition
    pending: tuple[Field, ...]


def analyze_for_bot(
    data: bytes | Path,
    filename: str | None,
    plans: Plans | None,
    overrides: Mapping[Field, str] | None,
    limits: ReadLimits,
    params: AnalysisParams,
    locale: str = "ru",
    remembered: Mapping[str, Mapping[str, str]] | None = None,
) -> BotAnalysis | ColumnQuestion:
    """Everything the bot replies with, built in the worker process (top-level, picklable arguments).

    `overrides` are the user's column choices for this file; an empty header means "the export has no such
    column". `remembered` holds the team's earlier choices by header signature: the one for this layout is
    applied before deciding what to ask, so a layout seen before is analysed once, without a question.
    """
    from analytics.charts import render_charts
    from analytics.columns import apply_overrides, recognize
    from analytics.metrics_json import snapshot_json
    from analytics.reading import open_table
    from analytics.render import render_summary
    from analytics.report import build_report_xlsx

    table = open_table(data, filename, limits)
    guessed = recognize(table.headers, table.sample())
    choices = dict(overrides or {})
    recognition = apply_overrides(guessed, _named_columns(choices))
    pending = _pending(recognition, choices)
    earlier = _usable_choices(guessed, (remembered or {}).get(guessed.header_signature, {}))
    if pending and earlier and all(field in earlier for field in pending):
        choices = {**choices, **earlier}
        recognition = apply_overrides(guessed, _named_columns(choices))
        pending = _pending(recognition, choices)
    result = _measure(table, recognition, plans, params)  # a file that cannot be read fails before any question
    del table  # only the metrics outlive the rows
    if pending:
        return ColumnQuestion(recognition=recognition, pending=pending)
    t = _content(locale).t
    return BotAnalysis(
        result=result,
        summary_html=render_summary(result, t, params),
        charts=tuple(render_charts(result.metrics, t, params)),
        report_xlsx=build_report_xlsx(result, t, params),
        snapshot_json=snapshot_json(result.metrics),
    )


def _named_columns(choices: Mapping[Field, str]) -> dict[Field, str]:
    """The choices that name a column ("no such column" leaves the recognised mapping as it is)."""
    return {field: header for field, header in choices.items() if header}


def _pending(recognition: Recognition, choices: Mapping[Field, str]) -> tuple[Field, ...]:
    return tuple(field for field in recognition.ambiguous if field not in choices)


def _usable_choices(recognition: Recognition, saved: Mapping[str, str]) -> dict[Field, str]:
    """Saved choices that still fit this file: a known field, and a header the file has (or "no such column")."""
    fields = {field.value: field for field in Field}
    return {
        fields[name]: header
        for name, header in saved.items()
        if name in fields and (header == "" or header in recognition.headers)
    }


@lru_cache(maxsize=4)
def _content(locale: str) -> Content:
    """Loaded once per worker process: the pool keeps its workers warm."""
    from content.loader import load_content

    return load_content(locale)


def metrics_to_json(result: AnalysisResult, t: TextFn) -> dict[str, Any]:
    """The CLI's --json object (see analytics.metrics_json); `t` is Content.t."""
    from analytics.metrics_json import metrics_to_json as build

    return build(result, t)
