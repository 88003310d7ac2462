"""Screens of a CRM export upload: the column question and the full report button."""

from __future__ import annotations

from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from analytics.schema import Field, Recognition
from bot.callbacks import ColumnCb, PdcaCb, ReportCb
from bot.views.common import Screen
from content import Content

MAX_CANDIDATES = 12


def recognised_lines(content: Content, recognition: Recognition) -> list[str]:
    return [
        content.t("exports.recognised_line", field=content.t(f"exports.fields.{field.value}"), header=escape(header))
        for field, header in recognition.mapping.items()
    ]


def choose_column(content: Content, recognition: Recognition, field: Field, candidates: list[str]) -> Screen:
    lines = [content.t("exports.recognised_title"), *recognised_lines(content, recognition)]
    lines.append(content.t("exports.choose_column", field=content.t(f"exports.fields.{field.value}")))
    builder = InlineKeyboardBuilder()
    for position, header in enumerate(candidates[:MAX_CANDIDATES]):
        builder.button(text=header[:60], callback_data=ColumnCb(option=position))
    builder.button(text=content.t("exports.no_such_column"), callback_data=ColumnCb(option=-1))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def report_button(content: Content, snapshot_id: int) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("exports.report_button"), callback_data=ReportCb(snapshot=snapshot_id))
    # The export's signals, to start a Deming cycle on one (handlers/pdca.py).
    builder.button(text=content.t("pdca.buttons.from_export"), callback_data=PdcaCb(action="signals", ref=snapshot_id))
    builder.adjust(1)
    return Screen("", builder.as_markup())
