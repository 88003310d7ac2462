"""An upload against the team's previous one: won revenue, win rate, average deal, active clients. Pure.

Both sides are stored snapshots (analytics.metrics_json.snapshot_json), read like the owners' digest reads them
(domain.digest.snapshot_figures): a figure a snapshot lacks is unknown, never 0, and its change is unknown too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from domain.digest import snapshot_figures


@dataclass(frozen=True, slots=True)
class UploadFigures:
    created_at: datetime
    currency: str | None
    won_revenue: float | None
    win_rate: float | None  # 0-1
    avg_deal: float | None
    active_clients: int | None


@dataclass(frozen=True, slots=True)
class FigureChange:
    now: float | None
    change: float | None  # now - before; None when either side is unknown


@dataclass(frozen=True, slots=True)
class UploadComparison:
    previous_at: datetime  # when the previous export was uploaded
    currency: str | None  # the current export's
    won_revenue: FigureChange
    win_rate: FigureChange  # change: a difference of shares (0.05 == 5 п. п.)
    avg_deal: FigureChange
    active_clients: FigureChange

    @property
    def has_data(self) -> bool:
        """At least one figure can be compared; otherwise the block is not worth showing."""
        return any(c.change is not None for c in (self.won_revenue, self.win_rate, self.avg_deal, self.active_clients))


def upload_figures(metrics_json: str, created_at: datetime) -> UploadFigures:
    """The four figures of a stored snapshot. The average deal, like revenue, is unknown without an amounts column."""
    figures = snapshot_figures(metrics_json, created_at, None, None)
    data = json.loads(metrics_json)
    metrics = data.get("metrics", {}) if isinstance(data, dict) else {}
    avg_deal = metrics.get("avg_deal") if figures.won_revenue is not None else None
    return UploadFigures(
        created_at=created_at,
        currency=figures.currency,
        won_revenue=figures.won_revenue,
        win_rate=figures.win_rate,
        avg_deal=None if avg_deal is None else float(avg_deal),
        active_clients=None if figures.clients is None else figures.clients.active,
    )


def _change(now: float | None, before: float | None) -> FigureChange:
    return FigureChange(now, None if now is None or before is None else now - before)


def compare_uploads(current: UploadFigures, previous: UploadFigures | None) -> UploadComparison | None:
    """None for the team's first upload, or when nothing can be compared. Money is compared only in one currency."""
    if previous is None:
        return None
    same_currency = current.currency == previous.currency
    comparison = UploadComparison(
        previous_at=previous.created_at,
        currency=current.currency,
        won_revenue=_change(current.won_revenue, previous.won_revenue if same_currency else None),
        win_rate=_change(current.win_rate, previous.win_rate),
        avg_deal=_change(current.avg_deal, previous.avg_deal if same_currency else None),
        active_clients=_change(
            None if current.active_clients is None else float(current.active_clients),
            None if previous.active_clients is None else float(previous.active_clients),
        ),
    )
    return comparison if comparison.has_data else None
