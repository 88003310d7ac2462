"""One cycle's buttons: the fact from an export (Check), and A · Act — make it the standard, adjust into the next
cycle (prefilled from the fact), or drop. A stale button gets a toast and the cycle as it is now."""

from __future__ import annotations

from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import PdcaCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.views import pdca as views
from bot.views.common import Screen, error_text
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from domain.pdca import (
    Cycle,
    CycleAlreadyChecked,
    CycleClosed,
    Decision,
    Origin,
    PdcaError,
    Stage,
    next_target,
)
from domain.reminders import MAX_TITLE_CHARS
from handlers.pdca.check import ask_fact
from handlers.pdca.common import head_zone, show_cycle
from handlers.pdca.plan import advance, begin
from services import pdca as use
from services.reminders import WakeUp
from storage import Store


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
            await ask_fact(callback, state, store, content, actor, cycle, new_message=False)
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
            timezone=head_zone(actor),
            standard_title=content.t(
                "pdca.standard_title",
                metric=views.metric_label(content, cycle.metric, cycle.metric_name),
                goal=cycle.goal,
            )[:MAX_TITLE_CHARS],
            now=now,
        )
    except PdcaError as error:
        await state.clear()
        callback_answer.text = error_text(content, error)
        await show_cycle(callback, store, content, clock, actor, await store.pdca.get(actor.id, cycle.id))
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
    await show_cycle(callback, store, content, clock, actor, acted.cycle)
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
        fact=views.value_text(content, verdict.fact, unit, cycle.currency),
        target=views.value_text(content, verdict.target, unit, cycle.currency),
    )
    await begin(
        state,
        cycle.team_id,
        Origin.CYCLE,
        str(cycle.id),
        parent=cycle.id,
        goal=cycle.goal,
        metric=cycle.metric.value,
        metric_name=cycle.metric_name,
        baseline=verdict.fact,
        currency=cycle.currency,  # the fact the next cycle starts from is in the same money
        suggested_target=next_target(verdict),
        source=source,
        prev_actions=actions,
    )
    await respond(callback, Screen(content.t("pdca.decided.adjust")))
    await advance(callback, state, store, content, clock, actor)
