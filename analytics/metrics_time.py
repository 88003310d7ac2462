"""Revenue over time: won revenue per calendar month, and the last full month against the one before."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics_prep import Prepared, month_label
from analytics.rounding import shown_percent
from analytics.schema import MonthComparison

# Grades of the month-over-month change, the same distance both ways: within ±5 % "flat" (the digest's
# «на уровне» band, and the size of move the signals call noise), up to ±30 % "growth" / "decline", beyond
# that "surge" / "plunge". Judged on the change as the reader sees it (rounded half up to the shown
# decimals), so "+5 %" is growth and "+4,9 %" is flat, and a label never contradicts its number.
FLAT_WITHIN_PCT = 5.0
STRONG_BEYOND_PCT = 30.0
# "Complete month": the export's last date (the last day with a deal created or closed) is the month's last
# day, or at most this many days before it. An export taken on the morning of the 31st ends on the 30th; a
# day is at most 1/28 of a month (3,6 %), less than the flat band. Further off, the month is left out and the
# text says why (MonthComparison.cut_month, days_short).
COMPLETE_WITHIN_DAYS = 1


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


def days_short(end: pd.Timestamp) -> int:
    """Days from the export's last date to the last day of its month (0 on the last day)."""
    return int(end.days_in_month - end.day)


def last_full_month(end: pd.Timestamp) -> int:
    """Month index of the last complete month: the last date's own month when that date is within
    COMPLETE_WITHIN_DAYS of the month's end, else the month before."""
    index = end.year * 12 + end.month - 1
    return index if days_short(end) <= COMPLETE_WITHIN_DAYS else index - 1


def grade(change: float | None, last: float) -> str:
    if change is None:  # nothing sold the month before
        return "surge" if last > 0 else "flat"
    shown = shown_percent(change)
    if abs(shown) < FLAT_WITHIN_PCT:
        return "flat"
    if abs(shown) <= STRONG_BEYOND_PCT:
        return "growth" if shown > 0 else "decline"
    return "surge" if shown > 0 else "plunge"


def compared_months(p: Prepared) -> tuple[int, int] | None:
    """(last full month, the month before) as month indexes; None when the export does not reach back into
    the month before (its first date is later)."""
    if p.start is None or p.end is None:
        return None
    last = last_full_month(p.end)
    if p.start.year * 12 + p.start.month - 1 > last - 1:
        return None
    return last, last - 1


def month_comparison(p: Prepared) -> MonthComparison | None:
    """None when the export does not reach back into the month before the last full one."""
    compared = compared_months(p)
    if compared is None or p.end is None:
        return None
    last, previous = compared
    end_month = p.end.year * 12 + p.end.month - 1
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
        days_short=days_short(p.end),
        cut_month=None if last == end_month else month_label(end_month),
    )
