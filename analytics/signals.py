"""Signals of toxic KPIs and neglected management that the data itself shows, each tied to its seed article.

A signal fires only when the figures support it. Facts are numbers for the text template in
content/<locale>/analytics.yaml (`analytics.signals.<code>.text`); the key suffix says how to print them:
`_pct` a share (0.42 -> "42 %"), `_money` an amount, `_n` a count, `_x` a ratio; other keys are text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.metrics_prep import status_masks
from analytics.schema import AnalysisParams, Field, Metrics, Signal

if TYPE_CHECKING:
    from analytics.normalize import Deals

SEED_MISTAKES = "000_6c6a9c488eba901c.txt"  # 6 ошибок управления отделом продаж
SEED_ONE_KPI = "001_79367cf3ee1d0318.txt"  # KPI менеджера должен быть один - деньги
SEED_WEAK_HEAD = "002_7e12021964ffe395.txt"  # 10 признаков неэффективного РОПа
SEED_HEAD_KPI = "003_d90d5428d633787a.txt"  # KPI руководителя продаж: токсичные и правильные

# 003 KPI №1: a %-of-plan bonus teaches to land "ровно в план, не больше": attainment in 100-110 %.
CEILING_LOW = 1.00
CEILING_HIGH = 1.10
CEILING_MIN_MANAGERS = 3  # "several": three such managers, or at least half of those with plans (and two)

# 003 KPI №5: "Средний чек вырос на 15%, общая выручка упала на 20%". Moves under 5 % are noise, and an
# average of fewer than 5 deals a month is one lucky deal.
AVG_UP_MIN = 0.05
REVENUE_DOWN_MIN = 0.05
MONTH_MIN_WON = 5

# 001 "Мелкие сделки ради количества": more won deals than the team's median manager while the typical
# deal is far below the rest of the team's (params.many_small_deals_ratio). Compared with the rest of the
# team because a prolific manager would otherwise set the team median himself. 5 deals make a habit.
SMALL_MIN_WON = 5
SMALL_MAX_SIGNALS = 3

# 000 mistake №2 "Один план для всех": plans equal within 1 % for three or more managers while attainment
# differs by 50 percentage points or more ("кто-то сгорает... кто-то катается").
SAME_PLAN_TOLERANCE = 0.01
SAME_PLAN_MIN_MANAGERS = 3
WIDE_SPREAD = 0.50

# 000 mistake №4 asks to watch the client base "активные/спящие/ушедшие": half the buyers not buying in the
# active window is the picture it warns about; fewer than 10 clients is too small a base to judge.
ASLEEP_SHARE = 0.50
ASLEEP_MIN_CLIENTS = 10

# 002 "Менеджеры предоставлены сами себе": deals stuck for weeks are the ones to discuss daily; a third of
# the open pipeline (at least 5 deals) stuck longer than params.stale_open_days is a pattern, not an accident.
STALE_SHARE = 0.30
STALE_MIN_DEALS = 5

NAMES_SHOWN = 5  # names listed in one signal's text


def find_signals(metrics: Metrics, deals: Deals, params: AnalysisParams) -> tuple[Signal, ...]:
    found: list[Signal | None] = [
        plan_ceiling(metrics),
        avg_up_revenue_down(metrics),
        *many_small_deals(deals, metrics, params),
        one_plan_for_all(metrics),
        sleeping_base(metrics),
        stale_deals(metrics, params),
    ]
    return tuple(s for s in found if s is not None)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (", …" if len(names) > NAMES_SHOWN else "")


def plan_ceiling(metrics: Metrics) -> Signal | None:
    planned = [m for m in metrics.managers if m.attainment is not None]
    bunched = [m for m in planned if CEILING_LOW <= (m.attainment or 0.0) <= CEILING_HIGH]
    several = len(bunched) >= CEILING_MIN_MANAGERS or 2 * len(bunched) >= len(planned)
    if len(bunched) < 2 or not several:
        return None
    return Signal(
        "plan_ceiling",
        SEED_HEAD_KPI,
        {
            "bunched_n": len(bunched),
            "planned_n": len(planned),
            "low_pct": CEILING_LOW,
            "high_pct": CEILING_HIGH,
            "managers": _names([m.manager for m in bunched]),
        },
    )


def avg_up_revenue_down(metrics: Metrics) -> Signal | None:
    month = metrics.month
    if month is None or month.last_avg_deal is None or month.previous_avg_deal is None:
        return None
    if min(month.last_won, month.previous_won) < MONTH_MIN_WON or month.previous_revenue <= 0:
        return None
    avg_change = month.last_avg_deal / month.previous_avg_deal - 1
    revenue_change = month.last_revenue / month.previous_revenue - 1
    if avg_change < AVG_UP_MIN or revenue_change > -REVENUE_DOWN_MIN:
        return None
    return Signal(
        "avg_up_revenue_down",
        SEED_HEAD_KPI,
        {
            "month": month.last_month,
            "previous_month": month.previous_month,
            "avg_change_pct": avg_change,
            "revenue_change_pct": -revenue_change,
            "avg_money": month.last_avg_deal,
            "previous_avg_money": month.previous_avg_deal,
        },
    )


def many_small_deals(deals: Deals, metrics: Metrics, params: AnalysisParams) -> list[Signal]:
    frame = deals.frame
    amount = frame[Field.AMOUNT.value].to_numpy(dtype="float64", na_value=np.nan)
    won, _ = status_masks(frame, metrics.kind)
    managers, names = deals.codes(Field.MANAGER)  # the metrics' codes: the order of names does not matter here
    all_codes = np.where(won & (amount > 0), managers, -1)
    chosen = all_codes >= 0
    if not chosen.any():
        return []
    codes, sold = all_codes[chosen], amount[chosen]
    per_manager = pd.DataFrame({"m": codes, "amount": sold}).groupby("m")["amount"].agg(["size", "median"])
    if len(per_manager) < 2:
        return []
    median_count = float(per_manager["size"].median())
    ordered = np.sort(sold)
    found = []
    for code, won_n, median in per_manager.itertuples():  # one row per manager, not per deal
        if won_n < SMALL_MIN_WON or won_n <= median_count:
            continue
        # Taking k deals out of n moves the median up to at most the value of rank (n - k) // 2 + k:
        # when even that bound cannot make this manager's deals "far below", skip the exact median.
        bound = ordered[min(len(ordered) - 1, (len(ordered) - won_n) // 2 + won_n)]
        if median > params.many_small_deals_ratio * bound:
            continue
        rest = float(np.median(sold[codes != code]))
        if rest > 0 and median <= params.many_small_deals_ratio * rest:
            found.append((median / rest, str(names[code]), int(won_n), float(median), rest))
    found.sort()
    return [
        Signal(
            "many_small_deals",
            SEED_ONE_KPI,
            {
                "manager": name,
                "won_n": won_n,
                "median_money": median,
                "team_median_money": rest,
                "times_x": rest / median,
            },
        )
        for _, name, won_n, median, rest in found[:SMALL_MAX_SIGNALS]
    ]


def one_plan_for_all(metrics: Metrics) -> Signal | None:
    planned = [m for m in metrics.managers if m.plan is not None and m.attainment is not None]
    if len(planned) < SAME_PLAN_MIN_MANAGERS:
        return None
    plans = [m.plan or 0.0 for m in planned]
    if min(plans) <= 0 or max(plans) / min(plans) - 1 > SAME_PLAN_TOLERANCE:
        return None
    low = min(planned, key=lambda m: m.attainment or 0.0)
    high = max(planned, key=lambda m: m.attainment or 0.0)
    spread = (high.attainment or 0.0) - (low.attainment or 0.0)
    if spread < WIDE_SPREAD:
        return None
    return Signal(
        "one_plan_for_all",
        SEED_MISTAKES,
        {
            "planned_n": len(planned),
            "plan_money": plans[0],
            "low_manager": low.manager,
            "low_pct": low.attainment or 0.0,
            "high_manager": high.manager,
            "high_pct": high.attainment or 0.0,
        },
    )


def sleeping_base(metrics: Metrics) -> Signal | None:
    clients = metrics.clients
    if clients is None:
        return None
    total = clients.active + clients.sleeping + clients.churned
    asleep = clients.sleeping + clients.churned
    if total < ASLEEP_MIN_CLIENTS or asleep / total < ASLEEP_SHARE:
        return None
    return Signal(
        "sleeping_base",
        SEED_MISTAKES,
        {
            "clients_n": total,
            "sleeping_n": clients.sleeping,
            "churned_n": clients.churned,
            "asleep_pct": asleep / total,
        },
    )


def stale_deals(metrics: Metrics, params: AnalysisParams) -> Signal | None:
    stale, open_ = metrics.stale_open_deals, metrics.deals.open
    if stale is None or open_ == 0 or stale < STALE_MIN_DEALS or stale / open_ < STALE_SHARE:
        return None
    return Signal(
        "stale_deals",
        SEED_WEAK_HEAD,
        {"stale_n": stale, "open_n": open_, "share_pct": stale / open_, "days_n": params.stale_open_days},
    )
