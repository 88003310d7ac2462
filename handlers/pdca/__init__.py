"""/pdca: Deming cycles. Plan step by step (the draft waits in FSM data), Do (tasks with due dates and a review
reminder), Check (a typed fact, or the one from an export uploaded after the plan), Act (standard / adjust / drop).

Handlers read the update, call a use case (services.pdca), render a view (bot.views.pdca). A cycle starts from
/pdca («Новый цикл»), a weak item of a finished checklist run (PdcaCb "from_run"), a task (its card), or a
signal of an analysed export (its summary).

One module a step: start.py (/pdca and where a cycle starts), plan.py (P, and Do once started), check.py (C),
act.py (the cycle's buttons: the export's fact, A), common.py; this module wires them into one router.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.callbacks import MenuCb, PdcaCb, SubjectCb
from bot.states import PdcaFlow
from handlers.pdca.act import cycle_button
from handlers.pdca.check import fact_typed, open_cycle, open_from_reminder
from handlers.pdca.plan import (
    actions_typed,
    baseline_typed,
    goal_typed,
    metric_name_typed,
    plan_button,
    review_typed,
    target_typed,
    use_buttons,
)
from handlers.pdca.start import from_export, from_item, from_run, from_signal, from_task, new_cycle, show_overview

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
