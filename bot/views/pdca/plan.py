"""P · Plan step by step (goal, metric, today's value, target, review date, actions), the plan's card, and the
message once Do has started."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import PdcaCb
from bot.views.common import Screen, local_date
from bot.views.pdca.common import button, change_text, date_text, metric_label, short, value_text
from content import Content
from domain.pdca import MAX_ACTIONS, METRICS, REVIEW_CHOICES, Metric, Plan, Unit, Verdict, compare


def _cancel_row(content: Content) -> list[InlineKeyboardButton]:
    return [button(content.t("pdca.buttons.cancel"), PdcaCb(action="cancel"))]


def goal_step(content: Content, suggested: str | None, source: str | None) -> Screen:
    builder = InlineKeyboardBuilder()
    if suggested and source:
        text = content.t("pdca.ask_goal_suggested", source=source)
        builder.row(button(short(content.t("pdca.buttons.goal_ok", goal=suggested)), PdcaCb(action="goal_ok")))
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
        builder.row(button(content.t("pdca.buttons.base_ok", value=shown), PdcaCb(action="base_ok")))
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
            button(
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
    parts = [content.t("pdca.ask_actions", limit=content.plural("limits.steps", MAX_ACTIONS))]
    if hint:
        parts.append(content.t("pdca.ask_actions_hint", hint=hint))
    if same_actions:
        builder.row(button(content.t("pdca.buttons.same_actions"), PdcaCb(action="same_actions")))
    builder.row(*_cancel_row(content))
    return Screen("\n\n".join(parts), builder.as_markup())


def draft_card(content: Content, plan: Plan, due: date) -> Screen:
    unit = plan.metric.unit
    builder = InlineKeyboardBuilder()
    builder.row(button(content.t("pdca.buttons.start"), PdcaCb(action="start")))
    builder.row(*_cancel_row(content))
    text = content.t(
        "pdca.draft",
        goal=escape(plan.goal),
        metric=metric_label(content, plan.metric, plan.metric_name),
        baseline=value_text(content, plan.baseline, unit, plan.currency),
        target=value_text(content, plan.target, unit, plan.currency),
        change=change_text(content, _planned(plan.baseline, plan.target), unit, plan.currency),
        review=date_text(content, plan.review_date),
        due=date_text(content, due),
        actions="\n".join(content.t("pdca.action_line", text=escape(a)) for a in plan.actions),
    )
    return Screen(text, builder.as_markup())


def _planned(baseline: float, target: float) -> Verdict:
    """The planned step, shown as if the target were the fact."""
    return compare(baseline, target, target)


def started_text(content: Content, tasks: int, due: date, review: date, review_time: str) -> str:
    return content.t(
        "pdca.started",
        tasks=content.plural("pdca.tasks_created", tasks),
        due=date_text(content, due),
        review=date_text(content, review),
        time=review_time,
    )
