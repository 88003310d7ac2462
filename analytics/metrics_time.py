"""Revenue over time: won revenue per calendar month, and the last full month against the one before."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics_prep import Prepared, month_label
from analytics.schema import MonthComparison

# Grades of the month-over-month change (the scale): <= 0 decline, up to +10 % flat,
# up to +30 % growth, above that a surge.
FLAT_UP_TO = 0.10
GROWTH_UP_TO = 0.30


def revenue_by_month(p: Prepared) -> tuple[tuple[str, float], ...]:
    """Won revenue per close month, every month from the first sale to the last (empty months as 0)."""
    months = p.won_month
    sold = ~np.isnan(months) & ~np.isnan(p.amount)
    if not sold.any():
        return ()
    idx = months[sold].astype(np.int64)
    first = int(idx.min())
    totals = np.bincount(idx - first, weights=p.amount[sold])
    return tuple((month_label(first + i), float(v)) for i, v in enumerate(totals))


def last_full_month(end: pd.Timestamp) -> int:
    """Month index of the last calendar month fully before the export's last date; the last date's own month
    counts when that date is the month's last day."""
    index = end.year * 12 + end.month - 1
    return index if end.day == end.days_in_month else index - 1


def grade(change: float | None, last: float) -> str:
    if change is None:  # nothing sold the month before
        return "surge" if last > 0 else "flat"
    if change <= 0:
        return "decline"
    if change <= FLAT_UP_TO:
        return "flat"
    return "growth" if change <= GROWTH_UP_TO else "surge"


def month_comparison(p: Prepared) -> MonthComparison | None:
    """None when the export does not reach back into the month before the last full one."""
    if p.start is None or p.end is None:
        return None
    last = last_full_month(p.end)
    previous = last - 1
    if p.start.year * 12 + p.start.month - 1 > previous:
        return None
    months = p.won_month
    stats = []
    for index in (last, previous):
        in_month = months == index
        amounts = p.amount[in_month]
        positive = amounts[amounts > 0]
        mean = float(positive.mean()) if len(positive) else None
        stats.append((float(np.nansum(amounts)), int(in_month.sum()), mean))
    (last_rev, last_won, last_avg), (prev_rev, prev_won, prev_avg) = stats
    change = last_rev / prev_rev - 1 if prev_rev > 0 else None
    return MonthComparison(
        last_month=month_label(last),
        previous_month=month_label(previous),
        last_revenue=last_rev,
        previous_revenue=prev_rev,
        change=change,
        grade=grade(change, last_rev),
        last_won=last_won,
        previous_won=prev_won,
        last_avg_deal=last_avg,
        previous_avg_deal=prev_avg,
    )
