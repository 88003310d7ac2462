"""Per-manager results against personal plans, and the client base by how recently each client bought."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.metrics_prep import NO_DATE, Prepared, month_label
from analytics.schema import AnalysisParams, ClientBase, Field, ManagerStats, PlanCheck

# A plan keyed by this month applies to the whole period of the export (a two-column plans file).
WHOLE_PERIOD = "*"


def name_key(name: str) -> str:
    """Plans typed in the bot and names in the export differ in case and spacing, never in letters."""
    return " ".join(name.split()).casefold()


def period_months(p: Prepared) -> list[str]:
    """Every calendar month from the export's first date to its last."""
    if p.start is None or p.end is None:
        return []
    first = p.start.year * 12 + p.start.month - 1
    last = p.end.year * 12 + p.end.month - 1
    return [month_label(i) for i in range(first, last + 1)]


def managers_and_plans(
    p: Prepared, plans: Mapping[tuple[str, str], float] | None
) -> tuple[tuple[ManagerStats, ...], PlanCheck | None]:
    """Per-manager results, and (when plans are given) the team's plan check."""
    codes, names = p.codes(Field.MANAGER)
    n = len(names)
    if not n:
        return (), _plan_check(p, names, plans, {}) if plans else None
    known = codes >= 0

    def per_manager(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        chosen = known & mask
        return np.bincount(codes[chosen], weights=None if weights is None else weights[chosen], minlength=n)

    deals = per_manager(np.ones(p.total, dtype=bool))
    won = per_manager(p.won)
    lost = per_manager(p.lost)
    sold = p.won & ~np.isnan(p.amount)
    revenue = per_manager(sold, p.amount)
    sized = p.won & (p.amount > 0)
    size_sum, size_count = per_manager(sized, p.amount), per_manager(sized)
    cycle = p.cycle_days()
    timed = known & p.won & ~np.isnan(cycle)
    cycle_median = pd.Series(cycle[timed]).groupby(codes[timed]).median()
    planned = _plan_attainment(p, codes, names, plans) if plans else {}
    stats = []
    for m in range(n):
        plan, revenue_in_plan = planned.get(m, (None, None))
        closed = int(won[m] + lost[m])
        stats.append(
            ManagerStats(
                manager=names[m],
                deals=int(deals[m]),
                won=int(won[m]),
                revenue=float(revenue[m]),
                win_rate=int(won[m]) / closed if closed else None,
                avg_deal=float(size_sum[m] / size_count[m]) if size_count[m] else None,
                cycle_days_median=_opt(cycle_median.get(m, np.nan)),
                plan=plan,
                attainment=None if plan is None or revenue_in_plan is None else revenue_in_plan / plan,
                over_plan=None if plan is None or revenue_in_plan is None else revenue_in_plan - plan,
                plan_revenue=revenue_in_plan,
            )
        )
    check = _plan_check(p, names, plans, planned) if plans else None
    return tuple(sorted(stats, key=lambda s: (-s.revenue, s.manager))), check


def _plan_attainment(
    p: Prepared, codes: np.ndarray, names: list[str], plans: Mapping[tuple[str, str], float]
) -> dict[int, tuple[float, float]]:
    """manager code -> (plan, revenue counted against it).

    A whole-period plan is compared with all the manager's won revenue. Monthly plans: plan = the sum over
    the months the export covers, revenue = won revenue closed in those months only; months outside the export
    are left out (nothing to compare them with) and reported by _plan_check."""
    months = set(period_months(p))
    whole: dict[str, float] = {}
    monthly: dict[str, dict[int, float]] = {}
    for (manager, month), amount in plans.items():
        key = name_key(manager)
        if month == WHOLE_PERIOD:
            whole[key] = whole.get(key, 0.0) + float(amount)
        elif month in months:
            index = _month_index(month)
            by_month = monthly.setdefault(key, {})
            by_month[index] = by_month.get(index, 0.0) + float(amount)
    if not whole and not monthly:
        return {}
    won_amount = np.where(p.won, p.amount, np.nan)
    sale = pd.DataFrame({"m": codes, "month": p.won_month, "revenue": won_amount})
    sale = sale[(sale["m"] >= 0) & sale["revenue"].notna()]
    by_manager_month = sale.groupby(["m", "month"])["revenue"].sum()
    by_manager = sale.groupby("m")["revenue"].sum()
    result: dict[int, tuple[float, float]] = {}
    for code, name in enumerate(names):
        key = name_key(name)
        if key in whole and whole[key] > 0:
            result[code] = (whole[key], float(by_manager.get(code, 0.0)))
        elif key in monthly and sum(monthly[key].values()) > 0:
            plan_months = monthly[key]
            revenue = sum(float(by_manager_month.get((code, float(i)), 0.0)) for i in plan_months)
            result[code] = (sum(plan_months.values()), revenue)
    return result


def _month_index(month: str) -> int:
    year, mon = (int(x) for x in month.split("-"))
    return year * 12 + mon - 1


def _plan_check(
    p: Prepared,
    names: list[str],
    plans: Mapping[tuple[str, str], float],
    planned: Mapping[int, tuple[float, float]],
) -> PlanCheck:
    """The team's total over the managers compared; plan months outside the export or only partly in it;
    plan names the export does not know, with the closest export names."""
    covered = period_months(p)
    partial = set()
    if p.start is not None and p.end is not None:
        if p.start.day != 1:
            partial.add(covered[0])
        if p.end.day != p.end.days_in_month:
            partial.add(covered[-1])
    plan_months = {month for (_, month), amount in plans.items() if month != WHOLE_PERIOD and amount > 0}
    compared = {month for month in plan_months if month in set(covered)}
    export_names = {name_key(name): name for name in names}
    unknown: dict[str, tuple[str, ...]] = {}
    for (manager, month), amount in plans.items():
        key = name_key(manager)
        if amount > 0 and (month == WHOLE_PERIOD or month in compared) and key not in export_names:
            unknown.setdefault(" ".join(manager.split()), closest_names(manager, names))
    total_plan = sum(plan for plan, _ in planned.values())
    total_revenue = sum(revenue for _, revenue in planned.values())
    return PlanCheck(
        months=tuple(sorted(compared)),
        plan=total_plan if planned else None,
        revenue=total_revenue if planned else None,
        months_outside=tuple(sorted(plan_months - set(covered))),
        months_partial=tuple(sorted(compared & partial)),
        unknown=tuple(sorted(unknown.items())),
    )


def closest_names(name: str, candidates: list[str], limit: int = 3) -> tuple[str, ...]:
    """Export names a plan name most likely means: a name holding all the other's words first («Иванов» ->
    «Иванов Иван», «Анна Смирнова» -> «Анна»), then the closest spellings (difflib, ratio >= 0.6)."""
    key = name_key(name)
    words = set(key.split())
    by_key = {name_key(c): c for c in candidates}
    holding = [c for k, c in by_key.items() if words and (words <= set(k.split()) or set(k.split()) <= words)]
    similar = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)]
    return tuple(dict.fromkeys([*sorted(holding), *similar]))[:limit]


def plan_spread(managers: tuple[ManagerStats, ...]) -> float | None:
    values = [m.attainment for m in managers if m.attainment is not None]
    return max(values) - min(values) if len(values) >= 2 else None


def client_base(p: Prepared, params: AnalysisParams) -> ClientBase | None:
    """Clients with a won deal, by days from their last won deal to the export's last date."""
    if p.end is None:
        return None
    codes, _ = p.codes(Field.CLIENT, won_only=True)
    seconds = p.won_seconds()
    dated = (codes >= 0) & (seconds != NO_DATE)
    if not dated.any():
        return None
    # Calendar days (a deal closed at 18:00 ninety days ago is still 90 days old): compare whole days.
    day = seconds[dated] // 86_400
    table = pd.DataFrame({"c": codes[dated], "day": day, "revenue": np.nan_to_num(p.amount[dated])})
    per_client = table.groupby("c").agg(last=("day", "max"), revenue=("revenue", "sum"))
    end_day = int(p.end.normalize().timestamp()) // 86_400
    days = end_day - per_client["last"].to_numpy()
    groups = (
        days <= params.active_days,
        (days > params.active_days) & (days <= params.sleeping_days),
        days > params.sleeping_days,
    )
    revenue = per_client["revenue"].to_numpy()
    total = float(revenue.sum())
    shares = [float(revenue[g].sum()) / total if total > 0 else None for g in groups]
    return ClientBase(
        active=int(groups[0].sum()),
        sleeping=int(groups[1].sum()),
        churned=int(groups[2].sum()),
        active_revenue_share=shares[0],
        sleeping_revenue_share=shares[1],
        churned_revenue_share=shares[2],
    )


def _opt(value: float) -> float | None:
    return None if pd.isna(value) else float(value)
