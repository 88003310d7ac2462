"""Screens of a CRM export upload: the column question, the change since the previous upload, the report button."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.keyboard import InlineKeyboardBuilder

from analytics.render import TELEGRAM_LIMIT
from analytics.render_format import Fmt
from analytics.rounding import round_half_up
from analytics.schema import Field, Recognition
from bot.callbacks import ColumnCb, PdcaCb, ReportCb
from bot.views.common import Screen
from content import Content
from domain.upload_comparison import UploadComparison

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
    # The export's signals, to start a Deming cycle on one (handlers/pdca/).
    builder.button(text=content.t("pdca.buttons.from_export"), callback_data=PdcaCb(action="signals", ref=snapshot_id))
    builder.adjust(1)
    return Screen("", builder.as_markup())


def _plus(text: str, value: float, decimals: int = 0) -> str:
    """«+» before a rise; a drop already carries the typographic minus (analytics.render_format.group), 0 neither."""
    return f"+{text}" if round_half_up(value, decimals) > 0 else text


def comparison_text(content: Content, comparison: UploadComparison, timezone: str) -> str:
    """«По сравнению с прошлой выгрузкой (дата):» and one line per figure both uploads know, with its change."""
    f = Fmt(content.t, comparison.currency)
    day = comparison.previous_at.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y")
    lines = [f"<b>{escape(content.t('analytics.compare.title', date=day))}</b>"]
    revenue, rate, deal, clients = (
        comparison.won_revenue,
        comparison.win_rate,
        comparison.avg_deal,
        comparison.active_clients,
    )
    changes: list[tuple[str, str, str, float | None]] = [
        ("won_revenue", f.money(revenue.now), _plus(f.money(revenue.change), revenue.change or 0.0), revenue.change),
        ("win_rate", f.pct(rate.now), _plus(f.points(rate.change), (rate.change or 0.0) * 100, 1), rate.change),
        ("avg_deal", f.money(deal.now), _plus(f.money(deal.change), deal.change or 0.0), deal.change),
        ("active_clients", f.count(clients.now), _plus(f.count(clients.change), clients.change or 0.0), clients.change),
    ]
    for key, value, change, known in changes:
        if known is not None:
            lines.append(escape(content.t(f"analytics.compare.{key}", value=value, change=change)))
    return "\n".join(lines)


def summary_with_comparison(
    content: Content, summary_html: str, comparison: UploadComparison | None, timezone: str
) -> str:
    """The summary, then the comparison block, unless it is the team's first upload or the message would not fit."""
    if comparison is None:
        return summary_html
    text = f"{summary_html}\n\n{comparison_text(content, comparison, timezone)}"
    return text if len(text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT else summary_html
