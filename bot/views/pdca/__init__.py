"""PDCA screens, one module a step like handlers/pdca: start.py (/pdca and where a cycle starts), plan.py (P, and
Do once started), cycle.py (one cycle's card), check.py (C, and the Act choice right after), common.py (numbers,
values, dates, buttons). The names the handlers use are re-exported here: `from bot.views import pdca as views`."""

from bot.views.pdca.check import checked_screen, fact_step
from bot.views.pdca.common import metric_label, value_text
from bot.views.pdca.cycle import cycle_card
from bot.views.pdca.plan import (
    actions_step,
    baseline_step,
    draft_card,
    goal_step,
    metric_step,
    review_step,
    started_text,
    target_step,
)
from bot.views.pdca.start import overview, signal_text, signals_screen, weak_items_screen

__all__ = [
    "actions_step",
    "baseline_step",
    "checked_screen",
    "cycle_card",
    "draft_card",
    "fact_step",
    "goal_step",
    "metric_label",
    "metric_step",
    "overview",
    "review_step",
    "signal_text",
    "signals_screen",
    "started_text",
    "target_step",
    "value_text",
    "weak_items_screen",
]
