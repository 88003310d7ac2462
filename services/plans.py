"""Personal sales plans: the team's month, the plans still ahead, saving typed or file plans in one go."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from analytics.plans import PlanText, parse_plan_text, read_plans_if_plans
from analytics.schema import ReadLimits
from services.analysis import AnalysisRunner
from storage import Store


@dataclass(frozen=True, slots=True)
class ManagerPlan:
    manager: str  # as named in the CRM export
    month: str  # "YYYY-MM"
    amount: float


PAST_MONTHS = 3  # /plans shows the plans of the months just closed too: a head enters them after the month


@dataclass(frozen=True, slots=True)
class UpcomingPlans:
    month: str  # the team's current month, "YYYY-MM"
    plans: tuple[ManagerPlan, ...]  # this month and later, by month, then manager
    past: tuple[ManagerPlan, ...] = ()  # the PAST_MONTHS months before this one, by month, then manager

    @property
    def previous_month(self) -> str:
        """The month just closed, "YYYY-MM"."""
        return _shift(self.month, -1)


def _shift(month: str, months: int) -> str:
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def team_month(store: Store, actor_id: int, team_id: int, now: datetime) -> str:
    """The month on the team's own calendar: a plan typed without a month is for this one."""
    team = await store.teams.get_for(actor_id, team_id)
    return now.astimezone(ZoneInfo(team.timezone)).strftime("%Y-%m")


async def upcoming_plans(store: Store, actor_id: int, team_id: int, now: datetime) -> UpcomingPlans:
    month = await team_month(store, actor_id, team_id, now)
    saved = await store.plans.for_team(actor_id, team_id)
    plans = sorted(
        (ManagerPlan(manager, plan_month, amount) for (manager, plan_month), amount in saved.items()),
        key=lambda plan: (plan.month, plan.manager),
    )
    first_past = _shift(month, -PAST_MONTHS)
    return UpcomingPlans(
        month=month,
        plans=tuple(plan for plan in plans if plan.month >= month),
        past=tuple(plan for plan in plans if first_past <= plan.month < month),
    )


async def save_plans(store: Store, actor_id: int, team_id: int, plans: Mapping[tuple[str, str], float]) -> int:
    """{(manager, month): amount} in one transaction: a file is saved whole or not at all. Returns the count."""
    async with store.db.transaction():
        for (manager, month), amount in plans.items():
            await store.plans.set(actor_id, team_id, manager, month, amount)
    return len(plans)


async def save_typed_plans(store: Store, actor_id: int, team_id: int, text: str, now: datetime) -> PlanText:
    """Lines "manager; [month;] amount": the good ones are saved, the numbers of the others come back."""
    parsed = parse_plan_text(text, await team_month(store, actor_id, team_id, now))
    if parsed.plans:
        await save_plans(store, actor_id, team_id, parsed.plans)
    return parsed


async def import_plan_file(
    store: Store,
    runner: AnalysisRunner,
    actor_id: int,
    team_id: int,
    path: Path,
    file_name: str | None,
    limits: ReadLimits,
    now: datetime,
) -> int | None:
    """A two/three-column file, read in the analysis pool (pandas stays off the event loop): the count saved, or
    None for a file that does not look like plans (a CRM export: the caller analyses it as one). Raises
    analytics.plans.PlansError for a file headed as plans that holds no plans, ExportReadError for one that is
    not a table."""
    month = await team_month(store, actor_id, team_id, now)
    plans: dict[tuple[str, str], float] | None = await runner.run(read_plans_if_plans, path, file_name, limits, month)
    return None if plans is None else await save_plans(store, actor_id, team_id, plans)
