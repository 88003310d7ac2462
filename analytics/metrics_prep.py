"""One pass over the normalised deals that every metric shares: status masks, amounts, dates, the period.

Strings are compared once here (status) and never again, so each metric is a cheap numpy/groupby step even
on a million rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analytics.schema import DatasetKind, DealStatus, Field

if TYPE_CHECKING:
    from analytics.normalize import Deals

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, slots=True)
class Prepared:
    frame: pd.DataFrame
    kind: DatasetKind
    won: np.ndarray  # bool per deal
    lost: np.ndarray
    open: np.ndarray
    amount: np.ndarray  # float64, NaN unknown
    won_date: pd.Series  # datetime64: close date of won deals, creation date when the close date is unknown
    won_month: np.ndarray  # month_index of won_date (NaN for deals not won or undated)
    start: pd.Timestamp | None  # the period covered by the export
    end: pd.Timestamp | None  # "the export's last date": every age and "last full month" is counted from it
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def total(self) -> int:
        return len(self.frame)

    def codes(self, column: Field) -> tuple[np.ndarray, list[str]]:
        """Integer codes (-1 when missing) and names of a text column: strings are hashed once per column."""
        key = f"codes:{column.value}"
        if key not in self._cache:
            codes, uniques = pd.factorize(self.frame[column.value])
            self._cache[key] = (np.asarray(codes, dtype=np.int64), [str(u) for u in uniques])
        return self._cache[key]

    def cycle_days(self) -> np.ndarray:
        """Days from creation to close per deal (NaN when a date is missing or the order is impossible)."""
        if "cycle" not in self._cache:
            self._cache["cycle"] = cycle_days(self.frame)
        return self._cache["cycle"]

    def won_date_ns(self, missing_last: bool = True) -> np.ndarray:
        """won_date as int64 nanoseconds; unknown dates sort last (or are the int64 minimum)."""
        values = self.won_date.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return np.where(values == np.iinfo(np.int64).min, np.iinfo(np.int64).max, values) if missing_last else values

    @property
    def start_date(self) -> date | None:
        return None if self.start is None else self.start.date()

    @property
    def end_date(self) -> date | None:
        return None if self.end is None else self.end.date()


def prepare(deals: Deals, kind: DatasetKind) -> Prepared:
    frame = deals.frame
    codes, uniques = pd.factorize(frame[Field.STATUS.value])
    status_of = np.asarray([str(u) for u in uniques], dtype=object)

    def mask(status: DealStatus) -> np.ndarray:
        hits = np.flatnonzero(status_of == status.value)
        return np.isin(codes, hits) if len(hits) else np.zeros(len(frame), dtype=bool)

    won = np.ones(len(frame), dtype=bool) if kind is DatasetKind.SALES else mask(DealStatus.WON)
    lost = np.zeros(len(frame), dtype=bool) if kind is DatasetKind.SALES else mask(DealStatus.LOST)
    open_ = ~(won | lost)
    amount = frame[Field.AMOUNT.value].to_numpy(dtype="float64", na_value=np.nan)
    created = _dates(frame, Field.CREATED)
    closed = _dates(frame, Field.CLOSED)
    # Open deals' close dates are expected dates in Salesforce/HubSpot/Zoho, often in the future: they
    # neither bound the period nor count as a sale.
    closed_done = closed.where(~open_)
    won_date = closed_done.fillna(created).where(won)
    start = _min(created, closed_done)
    end = _max(created, closed_done)
    return Prepared(frame, kind, won, lost, open_, amount, won_date, month_index(won_date), start, end)


def _dates(frame: pd.DataFrame, column: Field) -> pd.Series:
    series = frame[column.value]
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce")
    return series


def _min(*series: pd.Series) -> pd.Timestamp | None:
    values = [s.min() for s in series]
    known = [v for v in values if not pd.isna(v)]
    return min(known) if known else None


def _max(*series: pd.Series) -> pd.Timestamp | None:
    values = [s.max() for s in series]
    known = [v for v in values if not pd.isna(v)]
    return max(known) if known else None


def positive_mean(values: np.ndarray) -> float | None:
    """Average deal size over positive amounts: CRMs store an unfilled budget as 0 (amoCRM), and a 0 or a
    refund (negative, 1C) is not a deal size."""
    chosen = values[values > 0]
    return float(chosen.mean()) if len(chosen) else None


def month_index(dates: pd.Series) -> np.ndarray:
    """year * 12 + month - 1 per date (float, NaN when unknown): cheap integer months for groupby."""
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cycle_days(frame: pd.DataFrame) -> np.ndarray:
    """Days from creation to close per deal (NaN when a date is missing or the order is impossible)."""
    delta = (_dates(frame, Field.CLOSED) - _dates(frame, Field.CREATED)) / DAY
    days = delta.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(days >= 0, days, np.nan)
