"""What the PDCA screens share: numbers and values in Russian, a metric's name, dates, buttons."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from analytics.render_format import Fmt
from bot.callbacks import PdcaCb
from content import Content
from domain.pdca import Metric, Unit, Verdict

NBSP = "\u00a0"
BUTTON_CHARS = 48


def number(value: float) -> str:
    """Russian grouping: 1 240 000; 1,5; -20 000."""
    whole = abs(value - round(value)) < 0.005
    text = f"{round(value):,}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", NBSP).replace(".", ",")


def value_text(content: Content, value: float, unit: Unit, currency: str | None) -> str:
    """Money carries the sign of `currency` (the export's code), and none when it is unknown: no ₽ guessed."""
    if unit is Unit.MONEY:
        sign = Fmt(content.t, currency).currency
        if not sign:
            return content.t("pdca.units.money_plain", value=number(value))
        return content.t("pdca.units.money", value=number(value), currency=sign)
    return content.t(f"pdca.units.{unit.value}", value=number(value))


def change_text(content: Content, verdict: Verdict, unit: Unit, currency: str | None) -> str:
    key = "pdca.change_down" if verdict.change < 0 else "pdca.change_up"
    shown = content.t(key, value=value_text(content, abs(verdict.change), unit, currency))
    if verdict.change_share is not None and unit is not Unit.PERCENT:
        sign = "−" if verdict.change_share < 0 else "+"
        shown += ", " + content.t("pdca.change_share", sign=sign, value=number(round(abs(verdict.change_share) * 100)))
    return shown


def metric_label(content: Content, metric: Metric, metric_name: str | None) -> str:
    if metric is Metric.CUSTOM:
        return escape(metric_name or "")
    return content.t(f"pdca.metrics.{metric.value}")


def date_text(content: Content, day: date) -> str:
    return day.strftime(content.t("format.date"))


def short(text: str, limit: int = BUTTON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button(text: str, data: PdcaCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def act_buttons(content: Content, builder: InlineKeyboardBuilder, cycle_id: int) -> None:
    """The Act choice, on the cycle's card and right after Check."""
    for action in ("standard", "adjust", "drop"):
        builder.row(button(content.t(f"pdca.buttons.{action}"), PdcaCb(action=action, ref=cycle_id)))
