"""/pdca and where a cycle starts: the open cycles and their history, a finished run's weak items, an export's
signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, PdcaCb
from bot.views.common import Screen
from bot.views.pdca.common import button, date_text, short, value_text
from content import Content
from domain.checklists import WeakItem
from domain.pdca import Cycle, Phase

MAX_LISTED = 20


def overview(content: Content, open_cycles: Sequence[Cycle], history: Sequence[Cycle], today: date) -> Screen:
    lines = [content.t("pdca.overview.title"), content.t("pdca.overview.intro")]
    builder = InlineKeyboardBuilder()
    if not open_cycles and not history:
        lines += ["", content.t("pdca.overview.empty")]
    number_ = 0
    if open_cycles:
        lines += ["", content.t("pdca.overview.active_title")]
        for cycle in open_cycles[:MAX_LISTED]:
            number_ += 1
            phase = cycle.phase(today)
            key = {Phase.CHECK: "check", Phase.ACT: "act"}.get(phase, "do")
            shown = content.t(f"pdca.phase.{key}", date=date_text(content, cycle.review_date))
            lines.append(content.t("pdca.overview.active_line", number=number_, goal=escape(cycle.goal), phase=shown))
            builder.button(
                text=content.t("pdca.buttons.open", number=number_), callback_data=PdcaCb(action="open", ref=cycle.id)
            )
    if history:
        lines += ["", content.t("pdca.overview.history_title")]
        for cycle in history[:MAX_LISTED]:
            number_ += 1
            outcome = content.t(f"pdca.outcome.{cycle.decision.value if cycle.decision else 'drop'}")
            verdict = cycle.verdict
            if verdict is None:
                lines.append(
                    content.t(
                        "pdca.overview.history_line_unchecked", number=number_, goal=escape(cycle.goal), outcome=outcome
                    )
                )
            else:
                unit, currency = cycle.metric.unit, cycle.currency
                change = (
                    f"{value_text(content, verdict.baseline, unit, currency)} → "
                    f"{value_text(content, verdict.fact, unit, currency)}"
                )
                lines.append(
                    content.t(
                        "pdca.overview.history_line",
                        number=number_,
                        goal=escape(cycle.goal),
                        change=change,
                        outcome=outcome,
                    )
                )
            builder.button(
                text=content.t("pdca.buttons.open", number=number_), callback_data=PdcaCb(action="open", ref=cycle.id)
            )
    builder.adjust(8)
    builder.row(button(content.t("pdca.buttons.new"), PdcaCb(action="new")))
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


def weak_items_screen(
    content: Content, run_id: int, checklist_title: str, weak: Sequence[tuple[int, WeakItem]]
) -> Screen:
    """The weak items of a finished run (position in the checklist, item): pick one to start a cycle."""
    builder = InlineKeyboardBuilder()
    if not weak:
        text = content.t("pdca.from_run_empty")
    else:
        text = content.t("pdca.from_run_title", checklist=escape(checklist_title))
        for number_, (position, item) in enumerate(weak, start=1):
            builder.button(
                text=short(content.t("pdca.buttons.item", number=number_, task=item.task)),
                callback_data=PdcaCb(action="item", ref=run_id, pos=position),
            )
    builder.button(text=content.t("pdca.buttons.own_goal"), callback_data=PdcaCb(action="new"))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def signals_screen(content: Content, snapshot_id: int, codes: Sequence[str]) -> Screen:
    builder = InlineKeyboardBuilder()
    if not codes:
        text = content.t("pdca.signals_empty")
    else:
        lines = [content.t("pdca.signals_title")]
        for number_, code in enumerate(codes, start=1):
            title = signal_text(content, code, "title")
            lines.append(content.t("pdca.signal_line", number=number_, title=title))
            builder.button(
                text=short(f"{number_}. {title}"),
                callback_data=PdcaCb(action="signal", ref=snapshot_id, pos=number_ - 1),
            )
        text = "\n".join(lines)
    builder.button(text=content.t("pdca.buttons.own_goal"), callback_data=PdcaCb(action="new"))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def signal_text(content: Content, code: str, part: str) -> str:
    key = f"pdca.signals.{code}.{part}"
    return content.t(key) if content.has(key) else content.t(f"pdca.signals.other.{part}")
