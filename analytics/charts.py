"""PNG charts of the metrics: the funnel and the monthly trend (revenue by month for sales exports), managers
against plan, the client base. Charts without data, or with nothing to tell (clients all in one group), are
skipped.

matplotlib is imported inside the functions and drawn on a bare Figure with the Agg canvas: no pyplot, no
global backend switch, nothing at import time, safe in a worker process. DejaVu Sans (bundled) has
Cyrillic and the currency signs.
"""

from __future__ import annotations

import io
from typing import Any

from analytics.render_format import Fmt, TextFn, group
from analytics.schema import AnalysisParams, DatasetKind, FunnelStage, ManagerStats, Metrics

SIZE_IN = (12.0, 7.0)  # inches at DPI: 1200 x 700 pixels
DPI = 100
BAR_NAME_LIMIT = 32  # longer stage or manager names are cut on the axis
MAX_BARS = 15  # managers (by revenue) and stages shown
MAX_MONTHS = 24
COLOR = "#3b6fb6"
LIGHT_COLOR = "#a9c1e3"  # the incomplete month's bar
RATE_COLOR = "#c0504d"
PLAN_COLOR = "#d9822b"
DEFAULT_PARAMS = AnalysisParams()
# Telegram shows a 1200-pixel image at phone width: text needs to be larger than matplotlib's 10 pt.
STYLE: dict[str, Any] = {"font.size": 13, "axes.titlesize": 16, "axes.spines.top": False, "axes.spines.right": False}
CLIENT_COLORS = ("#3a9d5d", "#e0b43a", "#c0504d")


def render_charts(metrics: Metrics, t: TextFn, params: AnalysisParams = DEFAULT_PARAMS) -> list[tuple[str, bytes]]:
    """[(name, png)] in the order funnel and trend (or revenue), managers, clients; names are file-name safe."""
    import matplotlib

    f = Fmt(t, metrics.currency)
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # restored afterwards: no global state leaks
        sales = metrics.kind is DatasetKind.SALES
        charts: list[tuple[str, bytes | None]] = [
            ("revenue", _revenue(metrics, f)) if sales else ("funnel", _funnel(metrics, f)),
            ("trend", None if sales else _trend(metrics, f)),
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


def funnel_steps(metrics: Metrics) -> list[FunnelStage]:
    """The steps the funnel chart draws: open stages in pipeline order (at most MAX_BARS - 1), the won step last.
    Lost deals are no step: the chart draws them apart."""
    return [s for s in metrics.funnel if not s.won][: MAX_BARS - 1] + [s for s in metrics.funnel if s.won]


def _funnel(metrics: Metrics, f: Fmt) -> bytes | None:
    """Deals that reached each step, centred like a funnel, the won step last; lost deals apart below it."""
    steps = funnel_steps(metrics)
    lost = metrics.deals.lost
    if not steps or not any(s.reached for s in steps):
        return None
    fig, ax = _figure()
    widest = max([s.reached for s in steps] + [lost])
    names = [_short(s.stage) if s.stage else f.t("analytics.charts.funnel_won") for s in steps]
    widths = [s.reached for s in steps]
    rows = list(range(len(steps)))
    colors = [CLIENT_COLORS[0] if s.won else COLOR for s in steps]
    bars = ax.barh(rows, widths, left=[(widest - w) / 2 for w in widths], color=colors)
    labels = [
        f.t("analytics.charts.funnel_label_last", reached=f.count(s.reached), share=f.pct(s.reached_share))
        if s.conversion is None
        else f.t(
            "analytics.charts.funnel_label",
            reached=f.count(s.reached),
            share=f.pct(s.reached_share),
            conversion=f.pct(s.conversion),
        )
        for s in steps
    ]
    ax.bar_label(bars, labels=labels, padding=4)
    if lost:
        lost_row = len(steps) + 0.6  # a gap: lost deals are not a step of the funnel
        lost_bar = ax.barh([lost_row], [lost], left=[(widest - lost) / 2], color=CLIENT_COLORS[2])
        share = f.pct(lost / metrics.deals.total) if metrics.deals.total else ""
        lost_label = f.t("analytics.charts.funnel_lost_label", count=f.count(lost), share=share)
        ax.bar_label(lost_bar, labels=[lost_label], padding=4)
        rows.append(lost_row)  # type: ignore[arg-type]
        names.append(f.t("analytics.charts.funnel_lost"))
    ax.set_yticks(rows, names)
    ax.invert_yaxis()  # pipeline order top to bottom
    ax.set_title(f.t("analytics.charts.funnel_title"))
    ax.set_xlabel(f.t("analytics.charts.funnel_axis"))
    ax.set_xticks([])
    ax.set_xlim(0, widest * 1.6)
    return _png(fig)


def _revenue(metrics: Metrics, f: Fmt) -> bytes | None:
    months = metrics.revenue_by_month[-MAX_MONTHS:]
    if not months or not any(v for _, v in months):
        return None
    fig, ax = _figure()
    labels = [f"{label[5:7]}.{label[:4]}" for label, _ in months]
    ax.bar(labels, [v for _, v in months], color=COLOR)
    ax.set_title(f.t("analytics.charts.revenue_title"))
    ax.set_ylabel(f.axis("analytics.charts.revenue_axis"))
    _money_axis(ax.yaxis)
    ax.tick_params(axis="x", labelrotation=45)
    return _png(fig)


def _trend(metrics: Metrics, f: Fmt) -> bytes | None:
    """Won revenue per close month as bars (won deals under each month's name), the month's win rate as a line
    on a second axis; the export's cut last month lighter and hatched, so its fall does not read as a drop."""
    months = metrics.trend.months[-MAX_MONTHS:] if metrics.trend is not None else ()
    if len(months) < 2 or not any(m.won for m in months) or any(m.revenue is None for m in months):
        return None
    fig, ax = _figure()
    rows = list(range(len(months)))
    bars = ax.bar(
        rows,
        [m.revenue or 0.0 for m in months],
        color=[LIGHT_COLOR if m.incomplete else COLOR for m in months],
        hatch=["//" if m.incomplete else "" for m in months],
        edgecolor="white",
        label=f.t("analytics.charts.trend_revenue"),
    )
    # the counts sit under the month names: above the bars the win-rate line would cross them
    many = len(months) > 12  # two years of months fit 1200 pixels as "03.24" at 9 pt
    names = [f"{m.month[5:7]}.{m.month[2:4] if many else m.month[:4]}\n{f.count(m.won)}" for m in months]
    ax.set_xticks(rows, names, fontsize=9 if many else 13)
    ax.set_ylabel(f.axis("analytics.charts.trend_axis"))
    _money_axis(ax.yaxis)
    rate = ax.twinx()
    rate.spines["right"].set_visible(True)
    rate.plot(
        rows,
        [float("nan") if m.win_rate is None else m.win_rate * 100 for m in months],
        color=RATE_COLOR,
        marker="o",
        label=f.t("analytics.charts.trend_win_rate"),
    )
    rate.set_ylim(0, 105)
    rate.set_ylabel(f.t("analytics.charts.trend_win_rate_axis"))
    handles = [bars, *rate.get_lines()]
    labels = [h.get_label() for h in handles]
    if any(m.incomplete for m in months):
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor=LIGHT_COLOR, hatch="//", edgecolor="white"))
        labels.append(f.t("analytics.charts.trend_incomplete", date=f.date(metrics.period.end)))
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=11)
    ax.set_title(f.t("analytics.charts.trend_title"))
    return _png(fig)


def managers_shown(managers: tuple[ManagerStats, ...]) -> tuple[tuple[ManagerStats, ...], int]:
    """Every manager when they fit in MAX_BARS; else the top and the bottom halves by revenue (managers come
    sorted by revenue), and how many are left out of the middle."""
    if len(managers) <= MAX_BARS:
        return managers, 0
    half = MAX_BARS // 2
    return (*managers[:half], *managers[-half:]), len(managers) - 2 * half


def plan_revenue(m: ManagerStats) -> float:
    """The money a manager's bar shows: against a plan, the revenue counted against it (the plan's months
    only, plan + over_plan); without a plan, all the manager's won revenue."""
    if m.plan is not None and m.over_plan is not None:
        return m.plan + m.over_plan
    return m.revenue


def _managers(metrics: Metrics, f: Fmt) -> bytes | None:
    managers, hidden = managers_shown(metrics.managers)  # sorted by revenue
    if not managers or not any(m.revenue or m.plan for m in managers):
        return None
    fig, ax = _figure()
    names = [_short(m.manager) for m in managers]
    revenue_label = f.t("analytics.charts.managers_revenue")
    values = [plan_revenue(m) for m in managers]
    bars = ax.barh(names, values, color=COLOR, label=revenue_label)
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
        # Money against plan for every manager: "30 000 ₽ из 40 000 ₽ (75 %)", or "12 000 ₽ · без плана".
        labels = [
            f.t(
                "analytics.charts.managers_against_plan",
                revenue=f.money(value),
                plan=f.money(m.plan),
                attainment=f.pct(m.attainment),
            )
            if m.plan is not None
            else f.t("analytics.charts.managers_without_plan", revenue=f.money(value))
            for m, value in zip(managers, values, strict=True)
        ]
        ax.legend(loc="lower right")
        ax.set_title(f.t("analytics.charts.managers_title"))
    else:
        labels = [
            f.t("analytics.charts.managers_win_rate", revenue=f.money(m.revenue), value=f.pct(m.win_rate))
            for m in managers
        ]
        ax.set_title(f.t("analytics.charts.managers_title_no_plan"))
    # on a white ground above the plan marks, so a mark never crosses the figures
    ax.bar_label(bars, labels=labels, padding=4, zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_xlabel(f.axis("analytics.charts.managers_axis"))
    if hidden:
        half = MAX_BARS // 2
        ax.axhline(half - 0.5, color="#999999", linestyle="--", linewidth=1)  # the left-out middle
        note = f.t("analytics.charts.managers_shown", top=half, bottom=half, total=f.count(len(metrics.managers)))
        fig.supxlabel(note, fontsize=12)
    _money_axis(ax.xaxis)
    # room on the right for the labels after the longest bar or plan mark
    right = max(values + [m.plan for m in managers if m.plan is not None])
    ax.set_xlim(0, right * 1.6 if right > 0 else 1)
    return _png(fig)


def _clients(metrics: Metrics, f: Fmt, params: AnalysisParams) -> bytes | None:
    c = metrics.clients
    # Clients all in one group (a short export: everyone bought lately) tell nothing a chart could show.
    if c is None or sum(1 for n in (c.active, c.sleeping, c.churned) if n) < 2:
        return None
    fig, ax = _figure()
    names = [
        f.t("analytics.charts.clients_active", days=params.active_days),
        f.t("analytics.charts.clients_sleeping", start=params.active_days + 1, end=params.sleeping_days),
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
