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

from analytics.metrics_funnel import FunnelLayout, build_funnel
from analytics.metrics_people import client_base, manager_stats, plan_spread
from analytics.metrics_prep import Prepared, cycle_days, positive_mean, prepare
from analytics.metrics_time import month_comparison, revenue_by_month
from analytics.schema import AnalysisParams, DatasetKind, DealCounts, Field, Metrics, Period

if TYPE_CHECKING:
    from analytics.normalize import Deals

DEFAULT_PARAMS = AnalysisParams()


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
    managers = manager_stats(p, plans)
    won, lost = int(p.won.sum()), int(p.lost.sum())
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
        qualified_conversion=qualified_conversion(p, layout),
        cycle_days_median=median_cycle(p),
        stale_open_deals=stale_open(p, params),
        month=month_comparison(p),
        plan_spread=plan_spread(managers),
        currency=deals.currency,
        revenue_by_month=revenue_by_month(p),
    )


def new_vs_existing(p: Prepared) -> tuple[float | None, float | None]:
    frame = p.frame
    client = frame[Field.CLIENT.value]
    is_existing = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    won_with_client = p.won & client.notna().to_numpy()
    if won_with_client.any():
        ordered = pd.DataFrame({"client": client[won_with_client], "date": p.won_date[won_with_client]})
        # Stable sort keeps the export's order for equal or missing dates; a client's first row is "new".
        ordered = ordered.sort_values(["client", "date"], kind="stable", na_position="last")
        later = ordered.duplicated("client")
        is_existing.loc[later.index] = later.to_numpy()
    flag = frame[Field.IS_REPEAT.value].astype("boolean")
    is_existing = flag.where(flag.notna(), is_existing)
    existing = is_existing.fillna(False).to_numpy(dtype=bool) & p.won
    new = (~is_existing.fillna(True)).to_numpy(dtype=bool) & p.won
    return positive_mean(p.amount[new]), positive_mean(p.amount[existing])


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
    if p.kind is DatasetKind.SALES:
        return None
    frame = p.frame
    flag = frame[Field.QUALIFIED.value].astype("boolean")
    if flag.notna().any():
        qualified = flag.fillna(False).to_numpy(dtype=bool)
    elif frame[Field.SOURCE.value].notna().any() and layout.open_stages >= 2:
        with_source = frame[Field.SOURCE.value].notna().to_numpy()
        qualified = with_source & ((layout.reach >= 1) | p.lost)
    else:
        return None
    count = int(qualified.sum())
    return int((qualified & p.won).sum()) / count if count else None


def median_cycle(p: Prepared) -> float | None:
    """Median days from creation to close of won deals (SALES: from order to shipment when both exist)."""
    days = cycle_days(p.frame)[p.won]
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
