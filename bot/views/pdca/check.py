"""C · Check: the fact asked (with the one an export offers), plan against fact, and the Act choice right after."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import PdcaCb
from bot.views.common import Screen, local_date
from bot.views.pdca.common import NBSP, act_buttons, button, change_text, metric_label, number, value_text
from content import Content
from domain.pdca import Cycle


def fact_step(
    content: Content,
    cycle: Cycle,
    offered: float | None,
    uploaded_at: datetime | None,
    timezone: str | None,
    currency: str | None,
) -> Screen:
    """`currency`: the offering export's (services.pdca.fact_offer offers only one the plan's money matches)."""
    unit = cycle.metric.unit
    parts = [
        content.t(
            "pdca.ask_fact",
            goal=escape(cycle.goal),
            metric=metric_label(content, cycle.metric, cycle.metric_name),
            baseline=value_text(content, cycle.baseline, unit, cycle.currency),
            target=value_text(content, cycle.target, unit, cycle.currency),
        )
    ]
    builder = InlineKeyboardBuilder()
    if offered is not None and uploaded_at is not None:
        shown = value_text(content, offered, unit, cycle.currency or currency)
        parts.append(content.t("pdca.ask_fact_offer", date=local_date(content, uploaded_at, timezone), value=shown))
        builder.row(button(content.t("pdca.buttons.take_fact", value=shown), PdcaCb(action="take_fact", ref=cycle.id)))
    elif cycle.metric.computed:
        parts.append(content.t("pdca.ask_fact_no_export"))
    builder.row(button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
    return Screen("\n\n".join(parts), builder.as_markup())


def verdict_text(content: Content, cycle: Cycle, timezone: str | None, uploaded_at: datetime | None) -> str:
    verdict = cycle.verdict
    if verdict is None:
        return ""
    unit = cycle.metric.unit
    if verdict.reached:
        result = content.t("pdca.reached")
    elif verdict.progress < 0:
        result = content.t("pdca.worse")
    else:
        result = content.t("pdca.not_reached", progress=f"{number(verdict.progress * 100)}{NBSP}%")
    text = content.t(
        "pdca.verdict",
        baseline=value_text(content, verdict.baseline, unit, cycle.currency),
        target=value_text(content, verdict.target, unit, cycle.currency),
        fact=value_text(content, verdict.fact, unit, cycle.currency),
        change=change_text(content, verdict, unit, cycle.currency),
        result=result,
    )
    if uploaded_at is not None:
        text += "\n" + content.t("pdca.fact_from_export", date=local_date(content, uploaded_at, timezone))
    return text


def checked_screen(content: Content, cycle: Cycle, timezone: str | None, uploaded_at: datetime | None) -> Screen:
    """Right after Check: plan against fact, and the Act choice."""
    builder = InlineKeyboardBuilder()
    act_buttons(content, builder, cycle.id)
    builder.row(button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
    parts = [
        content.t("pdca.letters.check"),
        verdict_text(content, cycle, timezone, uploaded_at),
        content.t("pdca.act_prompt"),
    ]
    return Screen("\n\n".join(f"<b>{p}</b>" if i == 0 else p for i, p in enumerate(parts)), builder.as_markup())
