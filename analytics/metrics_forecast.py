"""Forecast of open deals (issue 9 §6): each open deal's amount times the probability of its stage, summed in
total, per stage, per month of expected close and per manager. Pure and vectorised: a handful of bincounts.

Definitions that are a choice, not arithmetic:
- The stage of an open deal is its funnel stage (analytics.metrics_funnel): a deal with no stage, or a stage
  outside the funnel, sits at the first one, as in the funnel. An export without any open stage (no stage
  column) has one row for every open deal (stage None).
- Basis "probability_column": the export's probability column (Zoho, Salesforce "Probability (%)",
  «Вероятность»; parsed by analytics.normalize.parse_probabilities). A stage's probability is the median of
  the column over its open deals: the issue asks for the stage's probability, and one deal typed by hand at
  100 % should not move it. The column is credible when
  - it has a value for at least half of the open deals (MIN_COVER) and for some open deal of every stage
    that holds open deals;
  - every value of the open deals lies within 0-100 % and they are not all equal;
  - the stage medians grow along the pipeline: of the pairs of stages whose medians differ, at most a quarter
    (MAX_OUT_OF_ORDER) are in falling order, and with two or more stages some pair differs.
  Won and lost deals' values (100 % / 0 % in the CRMs) are not looked at: they neither help nor hurt.
- Basis "history" (when the column is missing or not credible): a stage's probability is the share of the
  export's closed deals that reached the stage and were won. Reached, as in the funnel: a won deal reached
  every stage; a lost deal reached the stages up to the open stage it was lost at, when the export keeps
  that stage (Pipedrive, Bitrix24). Where it does not (the deal sits in a lost stage such as «Закрыто и не
  реализовано», or has no stage), the lost deal counts as having reached every stage: it may have been lost
  at any point, and counting it everywhere never inflates the forecast. With no lost stage known at all,
  every stage gets the same probability, the export's win rate. Needs MIN_HISTORY closed deals.
- Expected close: the close-date column of an open deal (an expected date in Zoho, HubSpot, Salesforce and
  Pipedrive exports). A date before the export's last date (analytics.metrics_prep.Prepared.end, which open
  deals' dates do not move) is overdue, its own bucket; no date: "no date". The rest by calendar month.
- Amounts: open deals without an amount are counted, never summed. No forecast (None) for sales exports,
  with no open deal, with no open deal's amount known, or when neither basis can be had.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics_funnel import FunnelLayout
from analytics.metrics_prep import Prepared, month_index, month_label
from analytics.normalize import PROBABILITY
from analytics.schema import (
    DatasetKind,
    Field,
    Forecast,
    ForecastBucket,
    ForecastManager,
    ForecastMonth,
    ForecastStage,
)

MIN_COVER = 0.5  # share of open deals with a probability for the column to count
MAX_OUT_OF_ORDER = 0.25  # share of differing stage pairs allowed in falling order
MIN_HISTORY = 20  # closed deals needed for the history basis
MANAGERS_LIMIT = 10


def compute_forecast(p: Prepared, layout: FunnelLayout) -> Forecast | None:
    if p.kind is DatasetKind.SALES or not p.open.any():
        return None
    priced = p.open & np.isfinite(p.amount)
    if not priced.any():
        return None
    names: list[str | None] = [s.stage for s in layout.stages if not s.won]
    stage = layout.reach if names else np.zeros(p.total, dtype=layout.reach.dtype)
    size = max(len(names), 1)
    occupied = np.bincount(stage[p.open], minlength=size) > 0
    history_deals, lost_unknown = 0, 0
    chance = column_probabilities(p, stage, occupied)
    basis = "probability_column"
    if chance is None:
        history = history_probabilities(p, layout, size)
        if history is None:
            return None
        chance, history_deals, lost_unknown = history
        basis = "history"
    amount = np.where(priced, p.amount, 0.0)
    weighted = amount * chance[stage]
    open_deals = p.open.astype(np.float64)

    def sums(groups: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        g = groups[rows]
        return (
            np.bincount(g, weights=open_deals[rows], minlength=n),
            np.bincount(g, weights=amount[rows], minlength=n),
            np.bincount(g, weights=weighted[rows], minlength=n),
        )

    deals, amounts, weights = sums(stage, p.open, size)
    stages = tuple(
        ForecastStage(
            names[i] if names else None, int(deals[i]), float(amounts[i]), float(chance[i]), float(weights[i])
        )
        for i in np.flatnonzero(occupied)
    )
    months, overdue, no_date = _by_expected_close(p, amount, weighted)
    return Forecast(
        basis=basis,
        weighted=float(weighted[p.open].sum()),
        amount=float(amount[p.open].sum()),
        deals=int(p.open.sum()),
        without_amount=int((p.open & ~priced).sum()),
        history_deals=history_deals,
        lost_stage_unknown=lost_unknown,
        stages=stages,
        months=months,
        overdue=overdue,
        no_date=no_date,
        managers=_managers(p, amount, weighted),
    )


def column_probabilities(p: Prepared, stage: np.ndarray, occupied: np.ndarray) -> np.ndarray | None:
    """Per stage, the median of the export's probability column over its open deals; None when not credible."""
    if PROBABILITY not in p.frame.columns:
        return None
    values = p.frame[PROBABILITY].to_numpy(dtype="float64", na_value=np.nan)
    rows = p.open & np.isfinite(values)
    if rows.sum() < MIN_COVER * p.open.sum():
        return None
    known = values[rows]
    if known.min() < 0 or known.max() > 1 or known.min() == known.max():
        return None
    medians = pd.Series(known).groupby(stage[rows]).median()
    chance = np.full(len(occupied), np.nan)
    chance[medians.index.to_numpy(dtype=np.intp)] = medians.to_numpy()
    ordered = chance[occupied]
    if np.isnan(ordered).any() or not _grows(ordered):
        return None
    return np.nan_to_num(chance)  # stages without open deals are never looked up


def _grows(medians: np.ndarray) -> bool:
    """The medians along the pipeline mostly grow (MAX_OUT_OF_ORDER), and differ somewhere if there are two."""
    if len(medians) < 2:
        return True
    later = np.triu(np.ones((len(medians), len(medians)), dtype=bool), k=1)
    rising = int((later & (medians[:, None] < medians[None, :])).sum())
    falling = int((later & (medians[:, None] > medians[None, :])).sum())
    return rising + falling > 0 and falling <= MAX_OUT_OF_ORDER * (rising + falling)


def history_probabilities(p: Prepared, layout: FunnelLayout, size: int) -> tuple[np.ndarray, int, int] | None:
    """(probability per stage, closed deals counted, lost deals of unknown stage) from the export's closed
    deals; None with fewer than MIN_HISTORY of them. The funnel already counts lost deals per open stage."""
    won, lost = int(p.won.sum()), int(p.lost.sum())
    if won + lost < MIN_HISTORY:
        return None
    lost_at = np.zeros(size)
    open_steps = [s for s in layout.stages if not s.won]
    if open_steps:
        lost_at[:] = [s.lost for s in open_steps]
    unknown = lost - int(lost_at.sum())
    lost_reached = lost_at[::-1].cumsum()[::-1] + unknown  # lost at this stage or later, or anywhere
    reached = won + lost_reached
    chance = np.divide(won, reached, out=np.zeros(size), where=reached > 0)  # no won deal: 0 everywhere
    return chance, won + lost, unknown


def _dates(p: Prepared, column: Field) -> pd.Series:
    series = p.frame[column.value]
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce")
    return series


def _by_expected_close(
    p: Prepared, amount: np.ndarray, weighted: np.ndarray
) -> tuple[tuple[ForecastMonth, ...], ForecastBucket, ForecastBucket]:
    expected = _dates(p, Field.CLOSED)
    dated = p.open & expected.notna().to_numpy()
    overdue = np.zeros(p.total, dtype=bool)
    if p.end is not None:
        overdue = dated & (expected < p.end.normalize()).to_numpy(dtype=bool, na_value=False)
    coming = dated & ~overdue
    months: tuple[ForecastMonth, ...] = ()
    if coming.any():
        index = month_index(expected)[coming].astype(np.int64)
        labels, slot = np.unique(index, return_inverse=True)
        deals = np.bincount(slot, minlength=len(labels))
        amounts = np.bincount(slot, weights=amount[coming], minlength=len(labels))
        weights = np.bincount(slot, weights=weighted[coming], minlength=len(labels))
        months = tuple(
            ForecastMonth(month_label(int(m)), int(deals[i]), float(amounts[i]), float(weights[i]))
            for i, m in enumerate(labels)
        )
    return months, _bucket(overdue, amount, weighted), _bucket(p.open & ~dated, amount, weighted)


def _bucket(rows: np.ndarray, amount: np.ndarray, weighted: np.ndarray) -> ForecastBucket:
    return ForecastBucket(int(rows.sum()), float(amount[rows].sum()), float(weighted[rows].sum()))


def _managers(p: Prepared, amount: np.ndarray, weighted: np.ndarray) -> tuple[ForecastManager, ...]:
    codes, names = p.codes(Field.MANAGER)
    rows = p.open & (codes >= 0)
    if not rows.any():
        return ()
    n = len(names)
    deals = np.bincount(codes[rows], minlength=n)
    amounts = np.bincount(codes[rows], weights=amount[rows], minlength=n)
    weights = np.bincount(codes[rows], weights=weighted[rows], minlength=n)
    present = np.flatnonzero(deals > 0)
    top = present[np.lexsort((-amounts[present], -weights[present]))][:MANAGERS_LIMIT]
    return tuple(ForecastManager(names[i], int(deals[i]), float(amounts[i]), float(weights[i])) for i in top)
