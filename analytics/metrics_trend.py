"""Month by month by close date (won revenue, won and lost deals, win rate, average deal, clients), and the
export's own period against period: its last complete month against the month before.

A deal counts in the month it was closed: won deals by Prepared.won_date, lost deals by their close date,
else their creation date (the same fallback, so both sides of a month's win rate are dated alike). Open deals
never count. Every figure is a np.bincount over the won or lost rows only: no per-row Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.metrics_prep import Prepared, month_label
from analytics.metrics_time import compared_months, last_full_month
from analytics.schema import DatasetKind, Field, Trend, TrendMonth

TREND_MONTHS = 24  # the last two years: enough for a season against the same one a year before
EPOCH_MONTH = 1970 * 12  # numpy's datetime64[M] counts months from 1970-01


@dataclass(frozen=True, slots=True)
class _Closed:
    """The closed deals as small arrays: month indexes of won and lost deals, and per won deal its amount
    and client code (-1 unknown)."""

    won_month: np.ndarray  # int64
    amount: np.ndarray  # float64, NaN unknown
    client: np.ndarray  # int64 client code
    clients_known: bool  # some won deal names a client
    lost_month: np.ndarray  # int64


def monthly_trend(p: Prepared, amounts_known: bool) -> Trend | None:
    """None for an export without dates; months () when nothing was closed."""
    if p.end is None:
        return None
    closed = _closed(p)
    months: tuple[TrendMonth, ...] = ()
    dated = np.concatenate([closed.won_month, closed.lost_month])
    if len(dated):
        last = int(dated.max())
        first = max(int(dated.min()), last - TREND_MONTHS + 1)
        months = tuple(_months(p, closed, first, last - first + 1, amounts_known))
    compared = compared_months(p)
    if compared is None:
        return Trend(months, None, None)
    previous, current = _months(p, closed, compared[1], 2, amounts_known)
    return Trend(months, current=current, previous=previous)


def _closed(p: Prepared) -> _Closed:
    sold = np.flatnonzero(~np.isnan(p.won_month))
    codes, names = p.codes(Field.CLIENT, won_only=True)
    lost = np.flatnonzero(p.lost)
    lost_month = _month_index(_dates(p.frame, Field.CLOSED)[lost])
    undated = lost_month < 0
    if undated.any():
        lost_month[undated] = _month_index(_dates(p.frame, Field.CREATED)[lost[undated]])
    return _Closed(
        won_month=p.won_month[sold].astype(np.int64),
        amount=p.amount[sold],
        client=codes[sold].astype(np.int64),
        clients_known=bool(names),
        lost_month=lost_month[lost_month >= 0],
    )


def _months(p: Prepared, c: _Closed, first: int, count: int, amounts_known: bool) -> list[TrendMonth]:
    """The figures of `count` months from the month index `first` (months without a deal are zeros)."""
    won_at, won = _bins(c.won_month, first, count)
    _, lost = _bins(c.lost_month, first, count)
    amounts = c.amount[won_at]
    idx = c.won_month[won_at] - first
    revenue = np.bincount(idx, weights=np.nan_to_num(amounts), minlength=count)
    positive = amounts > 0  # the average deal's rule: an unfilled 0 budget or a refund is not a deal size
    positive_sum = np.bincount(idx[positive], weights=amounts[positive], minlength=count)
    positive_count = np.bincount(idx[positive], minlength=count)
    clients = _distinct_clients(idx, c.client[won_at], count)
    incomplete = _incomplete_month(p)
    out = []
    for i in range(count):
        closed = int(won[i] + lost[i])
        out.append(
            TrendMonth(
                month=month_label(first + i),
                revenue=float(revenue[i]) if amounts_known else None,
                won=int(won[i]),
                lost=int(lost[i]),
                win_rate=int(won[i]) / closed if closed and p.kind is DatasetKind.DEALS else None,
                avg_deal=float(positive_sum[i] / positive_count[i]) if amounts_known and positive_count[i] else None,
                clients=int(clients[i]) if c.clients_known else None,
                incomplete=first + i == incomplete,
            )
        )
    return out


def _bins(months: np.ndarray, first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(mask of the deals inside the months, deals per month)."""
    inside = (months >= first) & (months < first + count)
    return inside, np.bincount(months[inside] - first, minlength=count)


def _distinct_clients(idx: np.ndarray, client: np.ndarray, count: int) -> np.ndarray:
    """Distinct client codes per month: one int64 key (month, client), sorted, each first occurrence counted by
    month (a sort: np.unique hashes, several times slower on a million keys)."""
    named = client >= 0
    if not named.any():
        return np.zeros(count, dtype=np.int64)
    width = int(client.max()) + 1
    keys = np.sort(idx[named] * width + client[named])
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return np.bincount(keys[first] // width, minlength=count)


def _incomplete_month(p: Prepared) -> int | None:
    """The export's own last month when its last date falls short of the month's end, else None."""
    if p.end is None:
        return None
    end_month = p.end.year * 12 + p.end.month - 1
    return end_month if last_full_month(p.end) != end_month else None


def _dates(frame: pd.DataFrame, column: Field) -> np.ndarray:
    series = frame[column.value]
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce")
    return series.to_numpy(dtype="datetime64[ns]")


def _month_index(dates: np.ndarray) -> np.ndarray:
    """year * 12 + month - 1 per date as int64, -1 when unknown (NaT)."""
    months = dates.astype("datetime64[M]").astype(np.int64) + EPOCH_MONTH
    return np.where(np.isnat(dates), -1, months)
