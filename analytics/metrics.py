"""Deals -> Metrics: the figures the methodology asks a head of sales to watch. Pure and vectorised.

Definitions that are a choice, not arithmetic:
- Average deal: over won deals with a positive amount (an unfilled budget is stored as 0 by amoCRM).
- New vs existing: the CRM's new/repeat flag when a deal has it; otherwise, per client, the first won deal
  by close date is "new" and the later ones "existing". A client's first deal in the export may be a repeat
  purchase from before the export's period: without a flag the export cannot tell.
- Margin: the margin column, else amount - cost, over won deals where it is known; its share is taken of
  the revenue of those same deals.
- Qualified-lead conversion: with a qualification flag, won / deals flagged qualified. Without one but with
  a source (channel) column: qualified leads are the deals with a known source that got past the first
  pipeline stage (unqualified leads wait or die there); a lost deal whose last stage is unknown counts as
  qualified, so the figure is never inflated. Needs two or more open stages. None for sales exports.
- Stale open deals: open deals created more than params.stale_open_days before the export's last date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.metrics_actions import compute_actions
from analytics.metrics_forecast import compute_forecast
from analytics.metrics_funnel import FunnelLayout, build_funnel
from analytics.metrics_people import client_base, managers_and_plans, plan_spread
from analytics.metrics_prep import NO_DATE, Prepared, positive_mean, prepare
from analytics.metrics_time import month_comparison, revenue_by_month
from analytics.metrics_trend import monthly_trend
from analytics.schema import AnalysisParams, DatasetKind, DealCounts, Field, Metrics, Period

if TYPE_CHECKING:
    from analytics.normalize import Deals

DEFAULT_PARAMS = AnalysisParams()
SECONDS_1900 = 2_208_988_800  # 1900-01-01 is -2208988800 s from the epoch; 2**40 s reach past year 30000


def compute_metrics(
    deals: Deals,
    kind: DatasetKind,
    plans: Mapping[tuple[str, str], float] | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> Metrics:
    p = prepare(deals, kind)
    layout = build_funnel(p, deals.stage_order)
    won_amounts = p.amount[p.won]
    avg_new, avg_existing = new_vs_existing(p)
    margin, margin_share = margin_figures(p)
    qualified, qualified_basis = qualified_figures(p, layout)
    # No amount at all (the column is not chosen yet): revenue over time and plans cannot be judged.
    amounts_known = bool(np.isfinite(p.amount).any())
    managers, plan_check = managers_and_plans(p, plans if amounts_known else None)
    won, lost = int(p.won.sum()), int(p.lost.sum())
    revival, lost_reasons, sources = compute_actions(p, params)
    return Metrics(
        kind=kind,
        rows=deals.rows,
        period=Period(p.start_date, p.end_date),
        deals=DealCounts(total=p.total, won=won, lost=lost, open=int(p.open.sum())),
        won_revenue=float(np.nansum(won_amounts)),
        win_rate=None if kind is DatasetKind.SALES or won + lost == 0 else won / (won + lost),
        avg_deal=positive_mean(won_amounts),
        avg_deal_new=avg_new,
        avg_deal_existing=avg_existing,
        funnel=layout.stages,
        managers=managers,
        clients=client_base(p, params),
        margin=margin,
        margin_share=margin_share,
        qualified_conversion=qualified,
        qualified_basis=qualified_basis,
        cycle_days_median=median_cycle(p),
        stale_open_deals=stale_open(p, params),
        month=month_comparison(p) if amounts_known else None,
        plan_spread=plan_spread(managers),
        currency=deals.currency,
        revenue_by_month=revenue_by_month(p) if amounts_known else (),
        revival=revival,
        lost_reasons=lost_reasons,
        sources=sources,
        plans=plan_check,
        forecast=compute_forecast(p, layout),
        trend=monthly_trend(p, amounts_known),
    )


def new_vs_existing(p: Prepared) -> tuple[float | None, float | None]:
    codes, _ = p.codes(Field.CLIENT, won_only=True)
    rows = np.flatnonzero(p.won & (codes >= 0))
    derived = np.zeros(p.total, dtype=bool)  # True: a later won deal of the same client
    derived_known = np.zeros(p.total, dtype=bool)
    if len(rows):
        # By client, then close date (unknown last), then export order (a stable sort): each client's first
        # row is "new". One int64 key: client code in the high bits, seconds since 1900 in the low 40.
        seconds = p.won_seconds()[rows]
        offset = np.where(seconds != NO_DATE, np.clip(seconds + SECONDS_1900, 0, 2**40 - 2), 2**40 - 1)
        order = rows[np.argsort((codes[rows].astype(np.int64) << 40) | offset, kind="stable")]
        sorted_codes = codes[order]
        derived[order[1:]] = sorted_codes[1:] == sorted_codes[:-1]
        derived_known[rows] = True
    flag = p.frame[Field.IS_REPEAT.value].astype("boolean")
    flag_known = flag.notna().to_numpy()
    flag_value = flag.to_numpy(dtype=bool, na_value=False)
    known = p.won & (flag_known | derived_known)
    existing = known & np.where(flag_known, flag_value, derived)
    return positive_mean(p.amount[known & ~existing]), positive_mean(p.amount[existing])


def margin_figures(p: Prepared) -> tuple[float | None, float | None]:
    frame = p.frame
    margin = frame[Field.MARGIN.value].to_numpy(dtype="float64", na_value=np.nan)
    if not np.isfinite(margin[p.won]).any():
        cost = frame[Field.COST.value].to_numpy(dtype="float64", na_value=np.nan)
        margin = p.amount - cost
    known = p.won & np.isfinite(margin)
    if not known.any():
        return None, None
    total = float(margin[known].sum())
    revenue = float(np.nansum(p.amount[known]))
    return total, total / revenue if revenue > 0 else None


def qualified_conversion(p: Prepared, layout: FunnelLayout) -> float | None:
    return qualified_figures(p, layout)[0]


def qualified_figures(p: Prepared, layout: FunnelLayout) -> tuple[float | None, str | None]:
    """(conversion, basis): basis "flag" or "stage" says which definition counted the qualified leads."""
    if p.kind is DatasetKind.SALES:
        return None, None
    frame = p.frame
    flag = frame[Field.QUALIFIED.value].astype("boolean")
    if flag.notna().any():
        qualified, basis = flag.fillna(False).to_numpy(dtype=bool), "flag"
    elif layout.open_stages >= 2 and (with_source := frame[Field.SOURCE.value].notna().to_numpy()).any():
        qualified, basis = with_source & ((layout.reach >= 1) | p.lost), "stage"
    else:
        return None, None
    count = int(qualified.sum())
    return (int((qualified & p.won).sum()) / count, basis) if count else (None, None)


def median_cycle(p: Prepared) -> float | None:
    """Median days from creation to close of won deals (SALES: from order to shipment when both exist)."""
    days = p.cycle_days()[p.won]
    days = days[~np.isnan(days)]
    return float(np.median(days)) if len(days) else None


def stale_open(p: Prepared, params: AnalysisParams) -> int | None:
    if p.kind is DatasetKind.SALES or p.end is None:
        return None
    created = p.frame[Field.CREATED.value]
    if not created.notna().any():
        return None
    limit = p.end - pd.Timedelta(days=params.stale_open_days)
    return int((p.open & (created < limit).to_numpy(dtype=bool, na_value=False)).sum())
