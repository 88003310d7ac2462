"""Three PNG charts of the metrics: the funnel (revenue by month for sales exports), managers against plan,
the client base. Charts without data are skipped.

matplotlib is imported inside the functions and drawn on a bare Figure with the Agg canvas: no pyplot, no
global backend switch, nothing at import time, safe in a worker process. DejaVu Sans (bundled) has
Cyrillic and the currency signs.
"""

from __future__ import annotations

import io
from typing import Any

from analytics.render_format import Fmt, TextFn, group
from analytics.schema import AnalysisParams, DatasetKind, Metrics

SIZE_IN = (12.0, 7.0)  # inches at DPI: 1200 x 700 pixels
DPI = 100
BAR_NAME_LIMIT = 32  # longer stage or manager names are cut on the axis
MAX_BARS = 15  # managers (by revenue) and stages shown
MAX_MONTHS = 24
COLOR = "#3b6fb6"
PLAN_COLOR = "#d9822b"
DEFAULT_PARAMS = AnalysisParams()
# Telegram shows a 1200-pixel image at phone width: text needs to be larger than matplotlib's 10 pt.
STYLE: dict[str, Any] = {"font.size": 13, "axes.titlesize": 16, "axes.spines.top": False, "axes.spines.right": False}
CLIENT_COLORS = ("#3a9d5d", "#e0b43a", "#c0504d")


def render_charts(metrics: Metrics, t: TextFn, params: AnalysisParams = DEFAULT_PARAMS) -> list[tuple[str, bytes]]:
    """[(name, png)] in the order funnel (or revenue), managers, clients; names are file-name safe."""
    import matplotlib

    f = Fmt(t, metrics.currency)
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # restored afterwards: no global state leaks
        sales = metrics.kind is DatasetKind.SALES
        charts: list[tuple[str, bytes | None]] = [
            ("revenue", _revenue(metrics, f)) if sales else ("funnel", _funnel(metrics, f)),
            ("managers", _managers(metrics, f)),
            ("clients", _clients(metrics, f, params)),
        ]
    return [(name, png) for name, png in charts if png is not None]


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    return fig, fig.subplots()


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _short(name: str) -> str:
    return name if len(name) <= BAR_NAME_LIMIT else name[: BAR_NAME_LIMIT - 1] + "…"


def _integer_axis(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _money_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: group(value)))


def _funnel(metrics: Metrics, f: Fmt) -> bytes | None:
    stages = metrics.funnel[:MAX_BARS]
    if not stages or not any(s.count for s in stages):
        return None
    fig, ax = _figure()
    names = [_short(s.stage) for s in stages]
    bars = ax.barh(names, [s.count for s in stages], color=COLOR)
    ax.invert_yaxis()  # pipeline order top to bottom
    labels = [
        f.t("analytics.charts.funnel_label", count=f.count(s.count), share=f.pct(s.reached_share)) for s in stages
    ]
    ax.bar_label(bars, labels=labels, padding=4)
    ax.set_title(f.t("analytics.charts.funnel_title"))
    ax.set_xlabel(f.t("analytics.charts.funnel_axis"))
    _integer_axis(ax.xaxis)
    ax.margins(x=0.25)
    return _png(fig)


def _revenue(metrics: Metrics, f: Fmt) -> bytes | None:
    months = metrics.revenue_by_month[-MAX_MONTHS:]
    if not months or not any(v for _, v in months):
        return None
    fig, ax = _figure()
    labels = [f"{label[5:7]}.{label[:4]}" for label, _ in months]
    ax.bar(labels, [v for _, v in months], color=COLOR)
    ax.set_title(f.t("analytics.charts.revenue_title"))
    ax.set_ylabel(f.t("analytics.charts.revenue_axis", currency=f.currency))
    _money_axis(ax.yaxis)
    ax.tick_params(axis="x", labelrotation=45)
    return _png(fig)


def _managers(metrics: Metrics, f: Fmt) -> bytes | None:
    managers = metrics.managers[:MAX_BARS]  # sorted by revenue
    if not managers or not any(m.revenue for m in managers):
        return None
    fig, ax = _figure()
    names = [_short(m.manager) for m in managers]
    revenue_label = f.t("analytics.charts.managers_revenue")
    bars = ax.barh(names, [m.revenue for m in managers], color=COLOR, label=revenue_label)
    ax.invert_yaxis()
    with_plan = [i for i, m in enumerate(managers) if m.plan is not None]
    if with_plan:
        ax.vlines(
            [managers[i].plan for i in with_plan],
            [i - 0.45 for i in with_plan],
            [i + 0.45 for i in with_plan],
            colors=PLAN_COLOR,
            linewidths=4,
            zorder=3,
            label=f.t("analytics.charts.managers_plan"),
        )
        labels = [
            f.t("analytics.charts.managers_attainment", value=f.pct(m.attainment)) if m.plan is not None else ""
            for m in managers
        ]
        ax.legend(loc="lower right")
        ax.set_title(f.t("analytics.charts.managers_title"))
    else:
        labels = [
            f.t("analytics.charts.managers_win_rate", revenue=f.money(m.revenue), value=f.pct(m.win_rate))
            for m in managers
        ]
        ax.set_title(f.t("analytics.charts.managers_title_no_plan"))
    ax.bar_label(bars, labels=labels, padding=4)
    ax.set_xlabel(f.t("analytics.charts.managers_axis", currency=f.currency))
    _money_axis(ax.xaxis)
    # room on the right for the labels after the longest bar or plan mark
    right = max([m.revenue for m in managers] + [m.plan for m in managers if m.plan is not None])
    ax.set_xlim(0, right * 1.45)
    return _png(fig)


def _clients(metrics: Metrics, f: Fmt, params: AnalysisParams) -> bytes | None:
    c = metrics.clients
    if c is None or c.active + c.sleeping + c.churned == 0:
        return None
    fig, ax = _figure()
    names = [
        f.t("analytics.charts.clients_active", days=params.active_days),
        f.t("analytics.charts.clients_sleeping"),
        f.t("analytics.charts.clients_churned", days=params.sleeping_days),
    ]
    counts = [c.active, c.sleeping, c.churned]
    shares = [c.active_revenue_share, c.sleeping_revenue_share, c.churned_revenue_share]
    bars = ax.bar(names, counts, color=CLIENT_COLORS)
    labels = [
        f.t("analytics.charts.clients_label", count=f.count(n), share=f.pct(s))
        for n, s in zip(counts, shares, strict=True)
    ]
    ax.bar_label(bars, labels=labels, padding=4)
    ax.set_title(f.t("analytics.charts.clients_title"))
    ax.set_ylabel(f.t("analytics.charts.clients_axis"))
    _integer_axis(ax.yaxis)
    ax.margins(y=0.15)
    return _png(fig)
