"""/pdca: Deming cycles. Plan step by step (the draft waits in FSM data), Do (tasks with due dates and a review
reminder), Check (a typed fact, or the one from an export uploaded after the plan), Act (standard / adjust / drop).

Handlers read the update, call a use case (services.pdca), render a view (bot.views.pdca). A cycle starts from
/pdca («Новый цикл»), a weak item of a finished checklist run (PdcaCb "from_run"), a task (its card), or a
signal of an analysed export (its summary).
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MenuCb, PdcaCb, SubjectCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import PdcaFlow
from bot.views import pdca as views
from bot.views.common import Screen
from content import Content
from content.schema import Checklist, Item
from domain.access import Permission
from domain.checklists import score_run
from domain.clock import Clock
from domain.models import Membership, RunStatus, User
from domain.pdca import (
    METRICS,
    REVIEW_CHOICES,
    Cycle,
    CycleAlreadyChecked,
    CycleClosed,
    Decision,
    FactSource,
    Metric,
    NumberUnreadable,
    Origin,
    PdcaError,
    Phase,
    Plan,
    Stage,
    action_due_date,
    next_target,
    parse_actions,
    parse_number,
    review_date_for,
    snapshot_signals,
    validate_goal,
    validate_metric_name,
    validate_review_date,
    validate_target,
)
from domain.typed_dates import TypedDateError, parse_typed_date
from services import pdca as use
from services.reminders import WakeUp
from storage import Store

Event = Message | CallbackQuery


def _zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


def _today(clock: Clock, actor: User) -> date:
    return use.local_today(clock.now(), _zone(actor))


async def _show(event: Event, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


# --- /pdca ------------------------------------------------------------------------------------------------


async def show_overview(
    event: Event,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    open_cycles = await store.pdca.open_cycles(actor.id, team_id)
    history = await store.pdca.history(actor.id, team_id)
    await _show(event, views.overview(content, open_cycles, history, _today(clock, actor)))


# --- starting a plan --------------------------------------------------------------------------------------


async def _begin(state: FSMContext, team_id: int, origin: Origin, ref: str | None, **draft: Any) -> None:
    await state.set_state(PdcaFlow.goal)
    await state.set_data({"team": team_id, "origin": origin.value, "ref": ref, **draft})


async def _advance(event: Event, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User) -> None:
    """Show the first step of the plan that is not filled yet (or the plan card when all are)."""
    data = await state.get_data()
    metric = Metric(data["metric"]) if "metric" in data else None
    if "goal" not in data:
        await state.set_state(PdcaFlow.goal)
        await _show(event, views.goal_step(content, data.get("suggested_goal"), data.get("source")))
    elif metric is None:
        await state.set_state(PdcaFlow.metric)
        await _show(event, views.metric_step(content, data["goal"]))
    elif metric is Metric.CUSTOM and not data.get("metric_name"):
        await state.set_state(PdcaFlow.metric_name)
        await _show(event, Screen(content.t("pdca.ask_metric_name")))
    elif "baseline" not in data:
        await state.set_state(PdcaFlow.baseline)
        reading = await use.latest_reading(store, actor.id, int(data["team"]), metric)
        if reading is not None:
            await state.update_data(offer=reading.value, offer_snapshot=reading.snapshot_id)
        label = views.metric_label(content, metric, data.get("metric_name"))
        screen = views.baseline_step(
            content,
            label,
            metric,
            None if reading is None else reading.value,
            None if reading is None else reading.uploaded_at,
            actor.timezone,
        )
        await _show(event, screen)
    elif "target" not in data:
        await state.set_state(PdcaFlow.target)
        label = views.metric_label(content, metric, data.get("metric_name"))
        suggested = data.get("suggested_target")
        source = data.get("source") if suggested is not None else None
        await _show(event, views.target_step(content, label, metric.unit, float(data["baseline"]), suggested, source))
    elif "review" not in data:
        await state.set_state(PdcaFlow.review_date)
        await _show(event, views.review_step(content, metric.unit, float(data["baseline"]), float(data["target"])))
    elif "actions" not in data:
        await state.set_state(PdcaFlow.actions)
        await _show(event, views.actions_step(content, data.get("hint"), bool(data.get("prev_actions"))))
    else:
        await state.set_state(PdcaFlow.confirm)
        plan = _plan(data)
        await _show(event, views.draft_card(content, plan, action_due_date(_today(clock, actor), plan.review_date)))


def _plan(data: dict[str, Any]) -> Plan:
    metric = Metric(data["metric"])
    return Plan(
        goal=data["goal"],
        metric=metric,
        metric_name=data.get("metric_name") if metric is Metric.CUSTOM else None,
        baseline=float(data["baseline"]),
        target=float(data["target"]),
        review_date=date.fromisoformat(data["review"]),
        actions=tuple(data["actions"]),
    )


async def new_cycle(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await _begin(state, team_id, Origin.FREE, None)
    await _advance(callback, state, store, content, clock, actor)


async def from_run(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    """The weak items of a finished checklist run, to pick one."""
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    run, answers = await store.runs.with_answers(actor.id, callback_data.ref)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or run.status is not RunStatus.FINISHED or run.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    await state.clear()
    positions = {item.key: position for position, item in enumerate(checklist.items)}
    weak = [(positions[w.item_key], w) for w in score_run(checklist, answers).weak_items if w.item_key in positions]
    await replace(callback, views.weak_items_screen(content, run.id, checklist.title, weak))


async def from_item(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    run, answers = await store.runs.with_answers(actor.id, callback_data.ref)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or not 0 <= callback_data.pos < len(checklist.items) or run.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    item = checklist.items[callback_data.pos]
    answer = _answer_label(checklist, item, answers.get(item.key))
    source = content.t(
        "pdca.source.item",
        checklist=escape(checklist.title),
        question=escape(item.question),
        answer=escape(answer),
        action=escape(item.action),
    )
    await _begin(
        state,
        team_id,
        Origin.ITEM,
        f"{checklist.key}:{item.key}",
        suggested_goal=item.task,
        source=source,
        hint=escape(item.action),
    )
    await _advance(callback, state, store, content, clock, actor)


def _answer_label(checklist: Checklist, item: Item, answer_key: str | None) -> str:
    options = item.answers or checklist.answers
    return next((option.label for option in options if option.key == answer_key), "—")


async def from_task(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.get(actor.id, callback_data.ref)
    checklist = content.checklists.get(task.source_checklist or "")
    item = None if checklist is None else next((i for i in checklist.items if i.key == task.source_item), None)
    if item is None:
        source = content.t("pdca.source.task", task=escape(task.title))
    else:
        source = content.t("pdca.source.task_item", task=escape(task.title), action=escape(item.action))
    await _begin(
        state,
        team_id,
        Origin.TASK,
        str(task.id),
        suggested_goal=task.title,
        source=source,
        hint=None if item is None else escape(item.action),
    )
    await _advance(callback, state, store, content, clock, actor)


async def from_export(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    """The signals of an analysed export, to pick one."""
    team_with(membership, Permission.MANAGE_TASKS)
    snapshot = await store.snapshots.get(actor.id, callback_data.ref)
    await state.clear()
    await replace(callback, views.signals_screen(content, snapshot.id, snapshot_signals(snapshot.metrics_json)))


async def from_signal(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    snapshot = await store.snapshots.get(actor.id, callback_data.ref)
    codes = snapshot_signals(snapshot.metrics_json)
    if not 0 <= callback_data.pos < len(codes) or snapshot.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    code = codes[callback_data.pos]
    metric = views.signal_text(content, code, "metric")
    await _begin(
        state,
        team_id,
        Origin.SIGNAL,
        code,
        suggested_goal=views.signal_text(content, code, "goal"),
        suggested_metric=metric if metric in {m.value for m in Metric} else None,
        source=content.t("pdca.source.signal", signal=views.signal_text(content, code, "title")),
    )
    await _advance(callback, state, store, content, clock, actor)


# --- the plan's steps -------------------------------------------------------------------------------------


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
            await state.update_data(baseline=float(data["offer"]))
        elif action == "target_ok" and data.get("suggested_target") is not None and "baseline" in data:
            target = float(data["suggested_target"])
            await state.update_data(target=validate_target(float(data["baseline"]), target))
        elif action == "review" and callback_data.pos < len(REVIEW_CHOICES):
            today = _today(clock, actor)
            review = validate_review_date(review_date_for(REVIEW_CHOICES[callback_data.pos], today), today)
            await state.update_data(review=review.isoformat())
        elif action == "same_actions" and data.get("prev_actions"):
            await state.update_data(actions=list(data["prev_actions"]))
        elif action == "start":
            await _start(callback, state, store, content, clock, actor, membership, data, reminder_engine)
            return
    except PdcaError as error:
        callback_answer.text = content.t(error.text_key)
    await _advance(callback, state, store, content, clock, actor)


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
    plan = _plan(data)
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
            timezone=_zone(actor),
            review_title=content.t("pdca.reminder_title", goal=plan.goal)[:1000],
            now=clock.now(),
        )
    except PdcaError as error:  # the draft waited past its review date: ask the date again
        await state.set_data({k: v for k, v in data.items() if k != "review"})
        await respond(callback, Screen(content.t(error.text_key)))
        await _advance(callback, state, store, content, clock, actor)
        return
    await state.clear()
    text = views.started_text(
        content, len(started.tasks), started.due, plan.review_date, started.review.rule.at.strftime("%H:%M")
    )
    await replace(callback, Screen(text))
    await _show_cycle(callback, store, content, clock, actor, started.cycle, new_message=True)


async def goal_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(goal=validate_goal(message.text or ""))
    except PdcaError as error:
        await message.answer(content.t(error.text_key))
        return
    await _advance(message, state, store, content, clock, actor)


async def metric_name_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(metric_name=validate_metric_name(message.text or ""))
    except PdcaError as error:
        await message.answer(content.t(error.text_key))
        return
    await _advance(message, state, store, content, clock, actor)


async def _number_or_say(message: Message, content: Content) -> float | None:
    try:
        return parse_number(message.text or "")
    except NumberUnreadable:
        await message.answer(content.t("pdca.errors.number_typed", text=escape((message.text or "")[:40])))
        return None


async def baseline_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    value = await _number_or_say(message, content)
    if value is None:
        return
    await state.update_data(baseline=value)
    await _advance(message, state, store, content, clock, actor)


async def target_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    value = await _number_or_say(message, content)
    if value is None:
        return
    data = await state.get_data()
    try:
        await state.update_data(target=validate_target(float(data["baseline"]), value))
    except PdcaError as error:
        await message.answer(content.t(error.text_key))
        return
    await _advance(message, state, store, content, clock, actor)


async def review_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    today = _today(clock, actor)
    try:
        review = validate_review_date(parse_typed_date(message.text or "", today), today)
    except TypedDateError:
        await message.answer(content.t("pdca.errors.bad_date"))
        return
    except PdcaError as error:
        await message.answer(content.t(error.text_key))
        return
    await state.update_data(review=review.isoformat())
    await _advance(message, state, store, content, clock, actor)


async def actions_typed(
    message: Message, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User
) -> None:
    try:
        await state.update_data(actions=list(parse_actions(message.text or "")))
    except PdcaError as error:
        await message.answer(content.t(error.text_key))
        return
    await _advance(message, state, store, content, clock, actor)


async def use_buttons(message: Message, content: Content) -> None:
    await message.answer(content.t("pdca.errors.use_buttons"))


# --- one cycle: Do, Check, Act ----------------------------------------------------------------------------


async def _show_cycle(
    event: Event,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    cycle: Cycle,
    new_message: bool = False,
) -> None:
    actions = await store.pdca.actions(actor.id, cycle.id)
    screen = views.cycle_card(content, cycle, actions, _today(clock, actor), actor.timezone)
    if new_message:
        await respond(event, screen)
    else:
        await _show(event, screen)


async def _ask_fact(
    event: Event, state: FSMContext, store: Store, content: Content, actor: User, cycle: Cycle, new_message: bool
) -> None:
    offer = await use.fact_offer(store, actor.id, cycle)
    await state.set_state(PdcaFlow.fact)
    await state.set_data({"cycle": cycle.id})
    screen = views.fact_step(
        content,
        cycle,
        None if offer is None else offer.value,
        None if offer is None else offer.uploaded_at,
        actor.timezone,
    )
    await (respond(event, screen) if new_message else _show(event, screen))


async def open_cycle(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    await _show_cycle(callback, store, content, clock, actor, await store.pdca.get(actor.id, callback_data.ref))


async def open_from_reminder(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    """«Открыть цикл PDCA» on a delivered reminder: at Check time straight to the fact, else the cycle.
    The delivered message keeps its buttons (Сделано / Пропустить): the screen comes as a new message."""
    team_with(membership, Permission.MANAGE_TASKS)
    cycle = await store.pdca.get(actor.id, callback_data.subject)
    if cycle.phase(_today(clock, actor)) is Phase.CHECK:
        await _ask_fact(callback, state, store, content, actor, cycle, new_message=True)
        return
    await state.clear()
    await _show_cycle(callback, store, content, clock, actor, cycle, new_message=True)


async def cycle_button(
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
    """check / take_fact / standard / adjust / drop on one cycle; a stale button gets a toast and the cycle as
    it is now."""
    team_with(membership, Permission.MANAGE_TASKS)
    action, now = callback_data.action, clock.now()
    cycle = await store.pdca.get(actor.id, callback_data.ref)
    try:
        if action == "check":
            if cycle.stage is not Stage.DO:
                raise _stale(cycle)
            await _ask_fact(callback, state, store, content, actor, cycle, new_message=False)
            return
        if action == "take_fact":
            if cycle.stage is not Stage.DO:
                raise _stale(cycle)
            checked = await use.take_fact_from_export(store, actor.id, cycle.id, now)
            if checked is None:
                callback_answer.text = content.t("pdca.errors.no_fact_export")
                return
            await state.clear()
            snapshot = await store.snapshots.get(actor.id, checked.cycle.fact_snapshot_id or 0)
            await replace(callback, views.checked_screen(content, checked.cycle, actor.timezone, snapshot.created_at))
            return
        decision = Decision(action)
        acted = await use.act(
            store,
            reminder_engine,
            actor_id=actor.id,
            cycle_id=cycle.id,
            decision=decision,
            timezone=_zone(actor),
            standard_title=content.t(
                "pdca.standard_title",
                metric=views.metric_label(content, cycle.metric, cycle.metric_name),
                goal=cycle.goal,
            )[:1000],
            now=now,
        )
    except PdcaError as error:
        await state.clear()
        callback_answer.text = content.t(error.text_key)
        await _show_cycle(callback, store, content, clock, actor, await store.pdca.get(actor.id, cycle.id))
        return
    await state.clear()
    if decision is Decision.ADJUST:
        await _plan_next(callback, state, store, content, clock, actor, acted.cycle)
        return
    if acted.standard is not None:
        text = content.t(
            "pdca.decided.standard",
            day=acted.standard.rule.month_day,
            time=acted.standard.rule.at.strftime("%H:%M"),
            metric=views.metric_label(content, cycle.metric, cycle.metric_name),
        )
    else:
        text = content.t("pdca.decided.drop")
    await _show_cycle(callback, store, content, clock, actor, acted.cycle)
    await respond(callback, Screen(text))


def _stale(cycle: Cycle) -> PdcaError:
    return CycleClosed(str(cycle.id)) if cycle.stage is Stage.CLOSED else CycleAlreadyChecked(str(cycle.id))


async def _plan_next(
    callback: CallbackQuery, state: FSMContext, store: Store, content: Content, clock: Clock, actor: User, cycle: Cycle
) -> None:
    """«Скорректировать»: the next cycle's plan, prefilled: same goal and metric, today's value = the fact, the
    suggested target, the same actions on a button."""
    verdict = cycle.verdict
    if verdict is None:
        return
    unit = cycle.metric.unit
    actions = [a.text for a in await store.pdca.actions(actor.id, cycle.id)]
    source = content.t(
        "pdca.source.cycle",
        goal=escape(cycle.goal),
        fact=views.value_text(content, verdict.fact, unit),
        target=views.value_text(content, verdict.target, unit),
    )
    await _begin(
        state,
        cycle.team_id,
        Origin.CYCLE,
        str(cycle.id),
        parent=cycle.id,
        goal=cycle.goal,
        metric=cycle.metric.value,
        metric_name=cycle.metric_name,
        baseline=verdict.fact,
        suggested_target=next_target(verdict),
        source=source,
        prev_actions=actions,
    )
    await respond(callback, Screen(content.t("pdca.decided.adjust")))
    await _advance(callback, state, store, content, clock, actor)


async def fact_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_with(membership, Permission.MANAGE_TASKS)
    value = await _number_or_say(message, content)
    if value is None:
        return
    data = await state.get_data()
    try:
        checked = await use.record_fact(store, actor.id, int(data["cycle"]), value, FactSource.TYPED, None, clock.now())
    except PdcaError as error:
        await state.clear()
        await message.answer(content.t(error.text_key))
        return
    await state.clear()
    await respond(message, views.checked_screen(content, checked.cycle, actor.timezone, None))


# --- wiring -----------------------------------------------------------------------------------------------

_PLAN_ACTIONS = {"goal_ok", "metric", "base_ok", "target_ok", "review", "same_actions", "start", "cancel"}
_CYCLE_ACTIONS = {"check", "take_fact", "standard", "adjust", "drop"}


def create_router() -> Router:
    router = Router(name=__name__)
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(show_overview, Command("pdca"))
    router.callback_query.register(show_overview, MenuCb.filter(F.action == "pdca"))
    router.callback_query.register(show_overview, PdcaCb.filter(F.action == "list"))
    router.callback_query.register(new_cycle, PdcaCb.filter(F.action == "new"))
    router.callback_query.register(from_run, PdcaCb.filter(F.action == "from_run"))
    router.callback_query.register(from_item, PdcaCb.filter(F.action == "item"))
    router.callback_query.register(from_task, PdcaCb.filter(F.action == "from_task"))
    router.callback_query.register(from_export, PdcaCb.filter(F.action == "signals"))
    router.callback_query.register(from_signal, PdcaCb.filter(F.action == "signal"))
    router.callback_query.register(plan_button, PdcaCb.filter(F.action.in_(_PLAN_ACTIONS)))
    router.callback_query.register(open_cycle, PdcaCb.filter(F.action == "open"))
    router.callback_query.register(cycle_button, PdcaCb.filter(F.action.in_(_CYCLE_ACTIONS)))
    router.callback_query.register(open_from_reminder, SubjectCb.filter(F.kind == "pdca"))
    router.message.register(goal_typed, PdcaFlow.goal, *text)
    router.message.register(metric_name_typed, PdcaFlow.metric_name, *text)
    router.message.register(baseline_typed, PdcaFlow.baseline, *text)
    router.message.register(target_typed, PdcaFlow.target, *text)
    router.message.register(review_typed, PdcaFlow.review_date, *text)
    router.message.register(actions_typed, PdcaFlow.actions, *text)
    router.message.register(fact_typed, PdcaFlow.fact, *text)
    router.message.register(use_buttons, PdcaFlow.metric, *text)
    router.message.register(use_buttons, PdcaFlow.confirm, *text)
    return router
