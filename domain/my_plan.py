"""A manager's own standing against their personal plan, in money only (article 001: a manager's one KPI is money).

Pure: storage hands over only this manager's figures (their plan for the month, their line of the latest export
snapshot); nothing about other managers reaches here. When a piece is missing, `missing` says which, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

PLAN_MATCH = 0.5  # money: the snapshot's plan for the months it covers equals this month's plan


class Missing(StrEnum):
    OFF = "off"  # the head has not turned «Менеджеры видят свой план» on
    NOT_LINKED = "not_linked"  # the head has not said which name in the plans and exports is this member
    NO_PLAN = "no_plan"  # no plan for this manager and month
    NO_EXPORT = "no_export"  # no export uploaded yet
    EXPORT_OLD = "export_old"  # the latest export ends before this month
    MIXED_MONTHS = "mixed_months"  # the latest export spans earlier months too: this month's sales are not apart
    NOT_IN_EXPORT = "not_in_export"  # the latest export has no deals under this manager's name
    NO_AMOUNTS = "no_amounts"  # the latest export has no amounts (revenue unknown)


@dataclass(frozen=True, slots=True)
class ManagerLine:
    """The manager's own line of a stored snapshot (analytics.metrics_json): won revenue over the export's period;
    plan and over_plan over the plan months the export covers (None without a plan)."""

    revenue: float | None
    plan: float | None
    over_plan: float | None


@dataclass(frozen=True, slots=True)
class ExportFacts:
    period_start: date | None
    period_end: date | None
    currency: str | None
    line: ManagerLine | None  # None: the manager is not in the export


@dataclass(frozen=True, slots=True)
class OwnPlanFacts:
    """What storage read for one member: only their own figures."""

    visible: bool
    manager: str | None
    month: str  # "YYYY-MM", the current month in the team's zone
    plan: float | None
    export: ExportFacts | None


@dataclass(frozen=True, slots=True)
class Standing:
    month: str
    manager: str | None
    plan: float | None
    revenue: float | None
    currency: str | None
    missing: tuple[Missing, ...]

    @property
    def over_plan(self) -> float | None:
        """Money over the plan (negative: short of it); None while a figure is missing."""
        if self.plan is None or self.revenue is None:
            return None
        return self.revenue - self.plan


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_revenue(export: ExportFacts, month: str, plan: float | None) -> float | Missing:
    """The manager's won revenue in `month` from the latest export, or why it cannot be told."""
    if export.period_end is None or _month(export.period_end) < month:
        return Missing.EXPORT_OLD
    line = export.line
    if line is None:
        return Missing.NOT_IN_EXPORT
    if line.revenue is None:
        return Missing.NO_AMOUNTS
    within = export.period_start is not None and _month(export.period_start) == month == _month(export.period_end)
    if within:
        return line.revenue
    # A longer export: the revenue counted against the plan is this month's alone when the plan it was compared
    # with is exactly this month's plan (no other plan month in the export).
    same_plan = plan is not None and line.plan is not None and abs(line.plan - plan) < PLAN_MATCH
    if same_plan and line.plan is not None and line.over_plan is not None and _month(export.period_end) == month:
        return line.plan + line.over_plan
    return Missing.MIXED_MONTHS


def standing(facts: OwnPlanFacts) -> Standing:
    """The member's month: plan, revenue so far, over or short; or exactly what is missing."""
    currency = None if facts.export is None else facts.export.currency
    if not facts.visible:
        return Standing(facts.month, None, None, None, currency, (Missing.OFF,))
    if facts.manager is None:
        return Standing(facts.month, None, None, None, currency, (Missing.NOT_LINKED,))
    missing: list[Missing] = []
    if facts.plan is None:
        missing.append(Missing.NO_PLAN)
    revenue: float | None = None
    if facts.export is None:
        missing.append(Missing.NO_EXPORT)
    else:
        found = month_revenue(facts.export, facts.month, facts.plan)
        if isinstance(found, Missing):
            missing.append(found)
        else:
            revenue = found
    return Standing(facts.month, facts.manager, facts.plan, revenue, currency, tuple(missing))
