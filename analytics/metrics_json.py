"""The metrics as JSON: the CLI's --json object and the snapshot the bot stores per team and period.

Unknown values are null, never 0. The snapshot holds no row of the export and no client's or deal's name: the
lists to act on (`revival`, for the head only, like the CLI's output and the report) are left out of it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from enum import Enum
from typing import Any

from analytics.render import signal_text
from analytics.render_format import Fmt, TextFn
from analytics.schema import AnalysisResult, Field, Metrics, Trend, TrendMonth

SNAPSHOT_VERSION = 1


def revenue_known(result: AnalysisResult) -> bool:
    """Revenue is a fact only once a column holds the amounts; before the user picks one it is unknown."""
    return Field.AMOUNT in result.recognition.mapping


def plain(value: Any) -> Any:
    """Dataclasses, enums, dates, tuples and NaN -> JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot_json(metrics: Metrics) -> str:
    data = plain(metrics)
    data.pop("revival", None)  # names of deals and clients stay with the report, never in the stored snapshot
    data["revenue_by_month"] = {month: revenue for month, revenue in metrics.revenue_by_month}
    return json.dumps({"version": SNAPSHOT_VERSION, "metrics": data}, ensure_ascii=False, sort_keys=True)


def metrics_to_json(result: AnalysisResult, t: TextFn) -> dict[str, Any]:
    m = result.metrics
    f = Fmt(t, m.currency)
    data: dict[str, Any] = {
        "kind": m.kind.value,
        "rows": m.rows,
        "columns": {field.value: header for field, header in result.recognition.mapping.items()},
        "ambiguous": [field.value for field in result.recognition.ambiguous],
        "period": plain(m.period),
        "currency": m.currency,
        "deals": plain(m.deals),
        "won_revenue": m.won_revenue if revenue_known(result) else None,
        "win_rate": m.win_rate,
        "avg_deal": m.avg_deal,
        "avg_deal_new": m.avg_deal_new,
        "avg_deal_existing": m.avg_deal_existing,
        "funnel": plain(m.funnel),
        "managers": [
            {**plain(s), "revenue": s.revenue if revenue_known(result) else None} for s in m.managers
        ],
        "plan_spread": m.plan_spread,
        "plans": None if m.plans is None else {**plain(m.plans), "over_plan": m.plans.over_plan},
        "clients": plain(m.clients),
        "margin": m.margin,
        "margin_share": m.margin_share,
        "qualified_conversion": m.qualified_conversion,
        "qualified_basis": m.qualified_basis,
        "cycle_days_median": m.cycle_days_median,
        "stale_open_deals": m.stale_open_deals,
        "month": plain(m.month),
        "revenue_by_month": [{"month": month, "revenue": revenue} for month, revenue in m.revenue_by_month],
        "signals": [
            {"code": s.code, "text": signal_text(f, s.code, s.facts), "seed": s.seed, "facts": plain(s.facts)}
            for s in m.signals
        ],
        "revival": plain(m.revival),
        "lost_reasons": plain(m.lost_reasons),
        "sources": plain(m.sources),
        "forecast": plain(m.forecast),
        "trend": trend_json(m.trend, revenue_known(result)),
        "comparison": comparison_json(m.trend, revenue_known(result)),
    }
    return dict(plain(data))


def trend_json(trend: Trend | None, money: bool) -> list[dict[str, Any]] | None:
    """Month by month by close date; null when nothing was closed. Money is null until a column holds it."""
    if trend is None or not trend.months:
        return None
    return [plain(_month(month, money)) for month in trend.months]


def _month(month: TrendMonth, money: bool) -> TrendMonth:
    return month if money else dataclasses.replace(month, revenue=None, avg_deal=None)


def comparison_json(trend: Trend | None, money: bool = True) -> dict[str, Any] | None:
    """The export's last complete month against the month before, with the bot's four upload-comparison figures;
    null when the export does not reach back into the month before."""
    if trend is None or trend.current is None or trend.previous is None:
        return None
    now, before = _month(trend.current, money), _month(trend.previous, money)

    def figure(a: float | None, b: float | None) -> dict[str, float | None]:
        return {"now": a, "before": b, "change": None if a is None or b is None else a - b}

    return {
        "current": now.month,
        "previous": before.month,
        "won_revenue": figure(now.revenue, before.revenue),
        "win_rate": figure(now.win_rate, before.win_rate),  # change: a difference of shares
        "avg_deal": figure(now.avg_deal, before.avg_deal),
        "active_clients": figure(now.clients, before.clients),
    }
