"""One cycle's card, whatever its stage: Do (the actions, the Check button), Act (the verdict and the choice),
closed (the verdict and the outcome)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import PdcaCb
from bot.views.common import Screen
from bot.views.pdca.check import verdict_text
from bot.views.pdca.common import act_buttons, button, date_text, metric_label, value_text
from content import Content
from domain.pdca import Cycle, CycleAction, Phase, Stage


def cycle_card(
    content: Content, cycle: Cycle, actions: Sequence[CycleAction], today: date, timezone: str | None
) -> Screen:
    phase = cycle.phase(today)
    unit = cycle.metric.unit
    parts = [
        content.t(
            "pdca.card",
            letter=content.t(f"pdca.letters.{phase.value}"),
            goal=escape(cycle.goal),
            metric=metric_label(content, cycle.metric, cycle.metric_name),
            baseline=value_text(content, cycle.baseline, unit, cycle.currency),
            target=value_text(content, cycle.target, unit, cycle.currency),
            review=date_text(content, cycle.review_date),
        )
    ]
    if actions:
        done = sum(1 for a in actions if a.done)
        lines = [content.t("pdca.card_actions", done=done, total=len(actions))]
        for action in actions:
            key = "pdca.action_line_done" if action.done else "pdca.action_line"
            lines.append(content.t(key, text=escape(action.text)))
        parts.append("\n".join(lines))
    builder = InlineKeyboardBuilder()
    if cycle.stage is Stage.DO:
        parts.append(content.t("pdca.card_check_due" if phase is Phase.CHECK else "pdca.card_early_check"))
        builder.row(button(content.t("pdca.buttons.check"), PdcaCb(action="check", ref=cycle.id)))
        builder.row(button(content.t("pdca.buttons.give_up"), PdcaCb(action="drop", ref=cycle.id)))
    else:
        parts.append(verdict_text(content, cycle, timezone, None))
        if cycle.stage is Stage.ACT:
            parts.append(content.t("pdca.act_prompt"))
            act_buttons(content, builder, cycle.id)
        else:
            parts.append(content.t(f"pdca.outcome.{cycle.decision.value if cycle.decision else 'drop'}"))
            builder.row(button(content.t("pdca.buttons.new"), PdcaCb(action="new")))
    builder.row(button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
    return Screen("\n\n".join(parts), builder.as_markup())
