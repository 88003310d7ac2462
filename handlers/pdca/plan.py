"""P · Plan, step by step: the draft waits in FSM data (goal, metric, today's value, target, review date,
actions); `advance` shows the first step not filled yet. «Запустить цикл» saves it and Do begins (tasks and the
review reminder)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import PdcaCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import PdcaFlow
from bot.views import pdca as views
from bot.views.common import Screen, error_text
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from domain.pdca import (
    METRICS,
    REVIEW_CHOICES,
    Metric,
    Origin,
    PdcaError,
    Plan,
    Unit,
    action_due_date,
    parse_actions,
    review_date_for,
    validate_goal,
    validate_metric_name,
    validate_review_date,
    validate_target,
)
from domain.reminders import MAX_TITLE_CHARS
from domain.typed_dates import TypedDateError, parse_typed_date
from handlers.pdca.common import Event, head_today, head_zone, number_or_say, show, show_cycle
from services import pdca as use
from services.reminders import WakeUp
from storage import Store


async def begin(state: FSMContext, team_id: int, origin: Origin, ref: str | None, **draft: Any) -> None:
    await state.set_state(PdcaFlow.goal)
    await state.set_data({"team": team_id, "origin": origin.value, "ref": ref, **draft})


async def advance(event: Event, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User) -> None:
    """Show the first step of the plan that is not filled yet (or the plan card when all are)."""
    data = await state.get_data()
    metric = Metric(data["metric"]) if "metric" in data else None
    if "goal" not in data:
        await state.set_state(PdcaFlow.goal)
        await show(event, views.goal_step(content, data.get("suggested_goal"), data.get("source")))
    elif metric is None:
        await state.set_state(PdcaFlow.metric)
        await show(event, views.metric_step(content, data["goal"]))
    elif metric is Metric.CUSTOM and not data.get("metric_name"):
        await state.set_state(PdcaFlow.metric_name)
        await show(event, Screen(content.t("pdca.ask_metric_name")))
    elif "baseline" not in data:
        await state.set_state(PdcaFlow.baseline)
        reading = await use.latest_reading(store, actor.id, int(data["team"]), metric)
        if reading is not None:
            await state.update_data(
                offer=reading.value, offer_snapshot=reading.snapshot_id, offer_currency=reading.currency
            )
        label = views.metric_label(content, metric, data.get("metric_name"))
        screen = views.baseline_step(
            content,
            label,
            metric,
            None if reading is None else reading.value,
            None if reading is None else reading.uploaded_at,
            actor.timezone,
            None if reading is None else reading.currency,
        )
        await show(event, screen)
    elif "target" not in data:
        await state.set_state(PdcaFlow.target)
        label = views.metric_label(content, metric, data.get("metric_name"))
        suggested = data.get("suggested_target")
        source = data.get("source") if suggested is not None else None
        baseline = float(data["baseline"])
        screen = views.target_step(content, label, metric.unit, data.get("currency"), baseline, suggested, source)
        await show(event, screen)
    elif "review" not in data:
        await state.set_state(PdcaFlow.review_date)
        baseline, target = float(data["baseline"]), float(data["target"])
        await show(event, views.review_step(content, metric.unit, data.get("currency"), baseline, target))
    elif "actions" not in data:
        await state.set_state(PdcaFlow.actions)
        await show(event, views.actions_step(content, data.get("hint"), bool(data.get("prev_actions"))))
    else:
        await state.set_state(PdcaFlow.confirm)
        plan = plan_from_draft(data)
        await show(event, views.draft_card(content, plan, action_due_date(head_today(clock, actor), plan.review_date)))


def plan_from_draft(data: dict[str, Any]) -> Plan:
    metric = Metric(data["metric"])
    return Plan(
        goal=data["goal"],
        metric=metric,
        metric_name=data.get("metric_name") if metric is Metric.CUSTOM else None,
        baseline=float(data["baseline"]),
        target=float(data["target"]),
        review_date=date.fromisoformat(data["review"]),
        actions=tuple(data["actions"]),
        currency=data.get("currency") if metric.unit is Unit.MONEY else None,
    )


async def _draft(state: FSMContext, callback_answer: CallbackAnswer, content: Content) -> dict[str, Any] | None:
    """The draft behind a plan button, or None (and a toast) when the plan was started or cancelled already."""
    data = await state.get_data()
    if "origin" not in data:
        callback_answer.text = content.t("pdca.errors.no_draft")
        return None
    return data


async def plan_button(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    action = callback_data.action
    if action == "cancel":
        await state.clear()
        await replace(callback, Screen(content.t("pdca.cancelled")))
        return
    data = await _draft(state, callback_answer, content)
    if data is None:
        return
    try:
        if action == "goal_ok" and data.get("suggested_goal"):
            await state.update_data(goal=validate_goal(data["suggested_goal"]))
            if data.get("suggested_metric"):
                await state.update_data(metric=data["suggested_metric"])
        elif action == "metric" and callback_data.pos < len(METRICS):
            await state.update_data(metric=METRICS[callback_data.pos].value, metric_name=None)
        elif action == "base_ok" and "offer" in data:
            await state.update_data(baseline=float(data["offer"]), currency=data.get("offer_currency"))
        elif action == "target_ok" and data.get("suggested_target") is not None and "baseline" in data:
            target = float(data["suggested_target"])
            await state.update_data(target=validate_target(float(data["baseline"]), target))
        elif action == "review" and callback_data.pos < len(REVIEW_CHOICES):
            today = head_today(clock, actor)
            review = validate_review_date(review_date_for(REVIEW_CHOICES[callback_data.pos], today), today)
            await state.update_data(review=review.isoformat())
        elif action == "same_actions" and data.get("prev_actions"):
            await state.update_data(actions=list(data["prev_actions"]))
        elif action == "start":
            await _start(callback, state, store, content, clock, actor, membership, data, reminder_engine)
            return
    except PdcaError as error:
        callback_answer.text = error_text(content, error)
    await advance(callback, state, store, content, clock, actor)


async def _start(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    data: dict[str, Any],
    engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    if "actions" not in data or team_id != data.get("team"):
        await state.clear()
        await replace(callback, Screen(content.t("pdca.errors.no_draft")))
        return
    plan = plan_from_draft(data)
    try:
        started = await use.start_cycle(
            store,
            engine,
            actor_id=actor.id,
            team_id=team_id,
            plan=plan,
            origin=Origin(data["origin"]),
            origin_ref=data.get("ref"),
            parent_id=data.get("parent"),
            timezone=head_zone(actor),
            review_title=content.t("pdca.reminder_title", goal=plan.goal)[:MAX_TITLE_CHARS],
            now=clock.now(),
        )
    except PdcaError as error:  # the draft waited past its review date: ask the date again
        await state.set_data({k: v for k, v in data.items() if k != "review"})
        await respond(callback, Screen(error_text(content, error)))
        await advance(callback, state, store, content, clock, actor)
        return
    await state.clear()
    text = views.started_text(
        content, len(started.tasks), started.due, plan.review_date, started.review.rule.at.strftime("%H:%M")
    )
    await replace(callback, Screen(text))
    await show_cycle(callback, store, content, clock, actor, started.cycle, new_message=True)


async def goal_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(goal=validate_goal(message.text or ""))
    except PdcaError as error:
        await message.answer(error_text(content, error))
        return
    await advance(message, state, store, content, clock, actor)


async def metric_name_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(metric_name=validate_metric_name(message.text or ""))
    except PdcaError as error:
        await message.answer(error_text(content, error))
        return
    await advance(message, state, store, content, clock, actor)


async def baseline_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    value = await number_or_say(message, content)
    if value is None:
        return
    await state.update_data(baseline=value, currency=None)  # typed by hand: no currency known
    await advance(message, state, store, content, clock, actor)


async def target_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    value = await number_or_say(message, content)
    if value is None:
        return
    data = await state.get_data()
    try:
        await state.update_data(target=validate_target(float(data["baseline"]), value))
    except PdcaError as error:
        await message.answer(error_text(content, error))
        return
    await advance(message, state, store, content, clock, actor)


async def review_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    today = head_today(clock, actor)
    try:
        review = validate_review_date(parse_typed_date(message.text or "", today), today)
    except TypedDateError:
        await message.answer(content.t("pdca.errors.bad_date"))
        return
    except PdcaError as error:
        await message.answer(error_text(content, error))
        return
    await state.update_data(review=review.isoformat())
    await advance(message, state, store, content, clock, actor)


async def actions_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(actions=list(parse_actions(message.text or "")))
    except PdcaError as error:
        await message.answer(error_text(content, error))
        return
    await advance(message, state, store, content, clock, actor)


async def use_buttons(message: Message, content: Content) -> None:
    await message.answer(content.t("pdca.errors.use_buttons"))
