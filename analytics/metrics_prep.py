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
NO_DATE = np.iinfo(np.int64).min  # NaT viewed as int64
EPOCH_MONTH = 1970 * 12  # numpy's datetime64[M] counts months from 1970-01
CODE = np.int32  # category codes: half the memory of int64 on a million rows, and 2 billion categories


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
    deals: Deals
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def total(self) -> int:
        return len(self.frame)

    def codes(self, column: Field, won_only: bool = False) -> tuple[np.ndarray, list[str]]:
        """Integer codes (-1 when missing, or for deals not won with won_only) and names of a text column:
        hashing a million strings is the costliest step here, so it happens once per column."""
        if not won_only:
            return self.deals.codes(column)
        key = f"codes:{column.value}"
        if key not in self._cache:
            self._cache[key] = text_codes(self.frame[column.value], self.won)
        return self._cache[key]

    def cycle_days(self) -> np.ndarray:
        """Days from creation to close per deal (NaN when a date is missing or the order is impossible)."""
        if "cycle" not in self._cache:
            self._cache["cycle"] = cycle_days(self.frame)
        return self._cache["cycle"]

    def won_seconds(self) -> np.ndarray:
        """won_date as int64 seconds since the epoch; NO_DATE when unknown or not won."""
        if "won_seconds" not in self._cache:
            self._cache["won_seconds"] = self.won_date.to_numpy(dtype="datetime64[s]").view(np.int64)
        return self._cache["won_seconds"]

    @property
    def start_date(self) -> date | None:
        return None if self.start is None else self.start.date()

    @property
    def end_date(self) -> date | None:
        return None if self.end is None else self.end.date()


def text_codes(series: pd.Series, mask: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """Codes and names of the values present (in order of first appearance for plain text). A categorical
    column is free; plain text is factorized as a numpy object array, faster than pandas' string path."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy(dtype=CODE)
        if mask is not None:
            codes = np.where(mask, codes, -1)
        categories = series.cat.categories
        used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        remap = np.full(len(categories) + 1, -1, dtype=CODE)  # the last slot maps -1 to -1
        remap[np.flatnonzero(used)] = np.arange(int(used.sum()))
        return remap[codes], [str(c) for c in categories[used].tolist()]
    values = series.to_numpy(dtype=object)  # missing stays NaN/NA, which factorize skips; no copy of a mask
    if mask is None:
        codes, uniques = pd.factorize(values)
        return np.asarray(codes, dtype=CODE), [str(u) for u in uniques]
    codes = np.full(len(values), -1, dtype=CODE)
    sub_codes, uniques = pd.factorize(values[mask])
    codes[mask] = sub_codes
    return codes, [str(u) for u in uniques]


def status_masks(frame: pd.DataFrame, kind: DatasetKind) -> tuple[np.ndarray, np.ndarray]:
    """(won, lost) per deal; every row of a sales export is a sale."""
    if kind is DatasetKind.SALES:
        return np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
    column = frame[Field.STATUS.value]
    if isinstance(column.dtype, pd.CategoricalDtype):  # as normalize makes it: the codes as they are
        codes, names = column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
    else:
        codes, names = text_codes(column)

    def mask(status: DealStatus) -> np.ndarray:
        hits = [i for i, name in enumerate(names) if name == status.value]
        return np.isin(codes, hits) if hits else np.zeros(len(frame), dtype=bool)

    return mask(DealStatus.WON), mask(DealStatus.LOST)


def prepare(deals: Deals, kind: DatasetKind) -> Prepared:
    frame = deals.frame
    won, lost = status_masks(frame, kind)
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
    return Prepared(frame, kind, won, lost, open_, amount, won_date, month_index(won_date), start, end, deals)


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
    """year * 12 + month - 1 per date (float, NaN when unknown): cheap integer months for groupby. A numpy cast
    to months, not .dt.year and .dt.month (two calendar conversions of the whole column)."""
    if not pd.api.types.is_datetime64_dtype(dates.dtype):  # tz-aware: pandas' own calendar fields
        return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)
    months = dates.to_numpy(dtype="datetime64[M]")
    index = months.view(np.int64).astype(np.float64) + EPOCH_MONTH
    index[np.isnat(months)] = np.nan
    return index


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cycle_days(frame: pd.DataFrame) -> np.ndarray:
    """Days from creation to close per deal (NaN when a date is missing or the order is impossible)."""
    closed = _dates(frame, Field.CLOSED).to_numpy(dtype="datetime64[ns]")
    days = (closed - _dates(frame, Field.CREATED).to_numpy(dtype="datetime64[ns]")) / DAY  # NaT -> NaN
    return np.where(days >= 0, days, np.nan)
