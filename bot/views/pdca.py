"""PDCA screens: the cycles and their history, the plan step by step, one cycle, Check (plan against fact), Act."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from analytics.render_format import Fmt
from bot.callbacks import MenuCb, PdcaCb
from bot.views.common import Screen, local_date
from content import Content
from domain.checklists import WeakItem
from domain.pdca import (
    MAX_ACTIONS,
    METRICS,
    REVIEW_CHOICES,
    Cycle,
    CycleAction,
    Metric,
    Phase,
    Plan,
    Stage,
    Unit,
    Verdict,
)

NBSP = "\u00a0"
MAX_LISTED = 20
BUTTON_CHARS = 48


# --- numbers ----------------------------------------------------------------------------------------------


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


def _date(content: Content, day: date) -> str:
    return day.strftime(content.t("format.date"))


def _short(text: str, limit: int = BUTTON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _button(text: str, data: PdcaCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


# --- /pdca ------------------------------------------------------------------------------------------------


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
            shown = content.t(f"pdca.phase.{key}", date=_date(content, cycle.review_date))
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
    builder.row(_button(content.t("pdca.buttons.new"), PdcaCb(action="new")))
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


# --- where a cycle starts ---------------------------------------------------------------------------------


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
                text=_short(content.t("pdca.buttons.item", number=number_, task=item.task)),
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
                text=_short(f"{number_}. {title}"),
                callback_data=PdcaCb(action="signal", ref=snapshot_id, pos=number_ - 1),
            )
        text = "\n".join(lines)
    builder.button(text=content.t("pdca.buttons.own_goal"), callback_data=PdcaCb(action="new"))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def signal_text(content: Content, code: str, part: str) -> str:
    key = f"pdca.signals.{code}.{part}"
    return content.t(key) if content.has(key) else content.t(f"pdca.signals.other.{part}")


# --- the plan, step by step -------------------------------------------------------------------------------


def _cancel_row(content: Content) -> list[InlineKeyboardButton]:
    return [_button(content.t("pdca.buttons.cancel"), PdcaCb(action="cancel"))]


def goal_step(content: Content, suggested: str | None, source: str | None) -> Screen:
    builder = InlineKeyboardBuilder()
    if suggested and source:
        text = content.t("pdca.ask_goal_suggested", source=source)
        builder.row(_button(_short(content.t("pdca.buttons.goal_ok", goal=suggested)), PdcaCb(action="goal_ok")))
    else:
        text = content.t("pdca.ask_goal")
    builder.row(*_cancel_row(content))
    return Screen(text, builder.as_markup())


def metric_step(content: Content, goal: str) -> Screen:
    builder = InlineKeyboardBuilder()
    for position, metric in enumerate(METRICS):
        builder.button(
            text=content.t(f"pdca.metrics.{metric.value}"), callback_data=PdcaCb(action="metric", pos=position)
        )
    builder.adjust(1)
    builder.row(*_cancel_row(content))
    return Screen(content.t("pdca.ask_metric", goal=escape(goal)), builder.as_markup())


def baseline_step(
    content: Content,
    label: str,
    metric: Metric,
    offered: float | None,
    uploaded_at: datetime | None,
    timezone: str | None,
    currency: str | None,
) -> Screen:
    """`currency`: the offering export's."""
    builder = InlineKeyboardBuilder()
    if offered is not None and uploaded_at is not None:
        shown = value_text(content, offered, metric.unit, currency)
        text = content.t(
            "pdca.ask_baseline_export", metric=label, date=local_date(content, uploaded_at, timezone), value=shown
        )
        builder.row(_button(content.t("pdca.buttons.base_ok", value=shown), PdcaCb(action="base_ok")))
    elif metric.computed:
        text = content.t("pdca.ask_baseline_no_export", metric=label)
    else:
        text = content.t("pdca.ask_baseline", metric=label)
    builder.row(*_cancel_row(content))
    return Screen(text, builder.as_markup())


def target_step(
    content: Content,
    label: str,
    unit: Unit,
    currency: str | None,
    baseline: float,
    suggested: float | None,
    source: str | None,
) -> Screen:
    builder = InlineKeyboardBuilder()
    if suggested is not None and source is not None:
        text = content.t("pdca.ask_target_suggested", source=source, metric=label)
        builder.row(
            _button(
                content.t("pdca.buttons.target_ok", value=value_text(content, suggested, unit, currency)),
                PdcaCb(action="target_ok"),
            )
        )
    else:
        text = content.t("pdca.ask_target", metric=label, baseline=value_text(content, baseline, unit, currency))
    builder.row(*_cancel_row(content))
    return Screen(text, builder.as_markup())


def review_step(content: Content, unit: Unit, currency: str | None, baseline: float, target: float) -> Screen:
    builder = InlineKeyboardBuilder()
    for position, choice in enumerate(REVIEW_CHOICES):
        builder.button(
            text=content.t(f"pdca.review_choices.{choice}"), callback_data=PdcaCb(action="review", pos=position)
        )
    builder.adjust(3)
    builder.row(*_cancel_row(content))
    text = content.t(
        "pdca.ask_review",
        baseline=value_text(content, baseline, unit, currency),
        target=value_text(content, target, unit, currency),
    )
    return Screen(text, builder.as_markup())


def actions_step(content: Content, hint: str | None, same_actions: bool) -> Screen:
    builder = InlineKeyboardBuilder()
    parts = [content.t("pdca.ask_actions", limit=MAX_ACTIONS)]
    if hint:
        parts.append(content.t("pdca.ask_actions_hint", hint=hint))
    if same_actions:
        builder.row(_button(content.t("pdca.buttons.same_actions"), PdcaCb(action="same_actions")))
    builder.row(*_cancel_row(content))
    return Screen("\n\n".join(parts), builder.as_markup())


def draft_card(content: Content, plan: Plan, due: date) -> Screen:
    unit = plan.metric.unit
    builder = InlineKeyboardBuilder()
    builder.row(_button(content.t("pdca.buttons.start"), PdcaCb(action="start")))
    builder.row(*_cancel_row(content))
    text = content.t(
        "pdca.draft",
        goal=escape(plan.goal),
        metric=metric_label(content, plan.metric, plan.metric_name),
        baseline=value_text(content, plan.baseline, unit, plan.currency),
        target=value_text(content, plan.target, unit, plan.currency),
        change=change_text(content, _planned(plan.baseline, plan.target), unit, plan.currency),
        review=_date(content, plan.review_date),
        due=_date(content, due),
        actions="\n".join(content.t("pdca.action_line", text=escape(a)) for a in plan.actions),
    )
    return Screen(text, builder.as_markup())


def _planned(baseline: float, target: float) -> Verdict:
    from domain.pdca import compare

    return compare(baseline, target, target)


def started_text(content: Content, tasks: int, due: date, review: date, review_time: str) -> str:
    return content.t(
        "pdca.started",
        tasks=content.plural("pdca.tasks_created", tasks),
        due=_date(content, due),
        review=_date(content, review),
        time=review_time,
    )


# --- one cycle --------------------------------------------------------------------------------------------


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
            review=_date(content, cycle.review_date),
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
        builder.row(_button(content.t("pdca.buttons.check"), PdcaCb(action="check", ref=cycle.id)))
        builder.row(_button(content.t("pdca.buttons.give_up"), PdcaCb(action="drop", ref=cycle.id)))
    else:
        parts.append(verdict_text(content, cycle, timezone, None))
        if cycle.stage is Stage.ACT:
            parts.append(content.t("pdca.act_prompt"))
            _act_buttons(content, builder, cycle.id)
        else:
            parts.append(content.t(f"pdca.outcome.{cycle.decision.value if cycle.decision else 'drop'}"))
            builder.row(_button(content.t("pdca.buttons.new"), PdcaCb(action="new")))
    builder.row(_button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
    return Screen("\n\n".join(parts), builder.as_markup())


def _act_buttons(content: Content, builder: InlineKeyboardBuilder, cycle_id: int) -> None:
    for action in ("standard", "adjust", "drop"):
        builder.row(_button(content.t(f"pdca.buttons.{action}"), PdcaCb(action=action, ref=cycle_id)))


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
        builder.row(_button(content.t("pdca.buttons.take_fact", value=shown), PdcaCb(action="take_fact", ref=cycle.id)))
    elif cycle.metric.computed:
        parts.append(content.t("pdca.ask_fact_no_export"))
    builder.row(_button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
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
    _act_buttons(content, builder, cycle.id)
    builder.row(_button(content.t("pdca.buttons.list"), PdcaCb(action="list")))
    parts = [
        content.t("pdca.letters.check"),
        verdict_text(content, cycle, timezone, uploaded_at),
        content.t("pdca.act_prompt"),
    ]
    return Screen("\n\n".join(f"<b>{p}</b>" if i == 0 else p for i, p in enumerate(parts)), builder.as_markup())
