"""The metrics as Russian text: a compact HTML summary for Telegram, or the full plain report for the CLI.

Every line is formatted from a content template and then escaped as a whole (names of managers and stages
come from the user's file), so templates hold plain text and only the section titles get <b>.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from analytics.articles import article_title
from analytics.render_actions import ACTION_SECTIONS, SUMMARY_TOP, action_sections
from analytics.render_forecast import forecast_section
from analytics.render_format import Fmt, TextFn
from analytics.schema import AnalysisParams, AnalysisResult, DatasetKind, Field, FunnelStage, Metrics

TELEGRAM_LIMIT = 4096
SUMMARY_LIMIT = 4000  # margin under Telegram's 4096 for the caption-free message
NAME_LIMIT = 40  # a manager or stage name longer than this is cut with "…" in the summary
SUMMARY_CAPS = {"funnel": 12, "managers": 10, "signals": 6}  # items per list before trimming to the limit
# the lists to act on are trimmed first when the summary runs long: the XLSX report holds them in full
SUMMARY_CAPS = {**dict.fromkeys(ACTION_SECTIONS, 2 * SUMMARY_TOP), **SUMMARY_CAPS}
PLAN_NAMES_SHOWN = 5  # plan names missing from the export, listed by name
DEFAULT_PARAMS = AnalysisParams()


@dataclass
class _Section:
    name: str
    head: list[str]
    items: list[list[str]] = field(default_factory=list)  # one entry may take several lines
    hidden: int = 0  # items cut off


def render_summary(result: AnalysisResult, t: TextFn, params: AnalysisParams = DEFAULT_PARAMS) -> str:
    """Compact HTML (<= SUMMARY_LIMIT UTF-16 units): long lists are cut, the rest says "… и ещё N"."""
    sections = _sections(result, t, params, html_mode=True)
    for section in sections:
        cap = SUMMARY_CAPS.get(section.name)
        if cap is not None and len(section.items) > cap:
            section.hidden += len(section.items) - cap
            del section.items[cap:]
    text = _join(sections, t, html_mode=True)
    while _units(text) > SUMMARY_LIMIT:
        victim = next((s for name in SUMMARY_CAPS for s in sections if s.name == name and s.items), None)
        if victim is None:
            return _hard_cut(text)
        victim.items.pop()
        victim.hidden += 1
        text = _join(sections, t, html_mode=True)
    return text


def render_text(result: AnalysisResult, t: TextFn, params: AnalysisParams = DEFAULT_PARAMS) -> str:
    """Everything, plain text, no limit: the CLI's readable report."""
    return _join(_sections(result, t, params, html_mode=False), t, html_mode=False)


def _units(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str) -> str:
    lines = text.split("\n")
    while lines and _units("\n".join(lines)) > SUMMARY_LIMIT:
        lines.pop()
    return "\n".join(lines)


def _join(sections: list[_Section], t: TextFn, html_mode: bool) -> str:
    blocks = []
    for section in sections:
        lines = list(section.head)
        for item in section.items:
            lines.extend(item)
        if section.hidden:
            more = t("analytics.more", count=section.hidden)
            lines.append(html.escape(more) if html_mode else more)
        blocks.append("\n".join(lines))
    return "\n\n".join(b for b in blocks if b)


def _sections(result: AnalysisResult, t: TextFn, params: AnalysisParams, html_mode: bool) -> list[_Section]:
    m = result.metrics
    f = Fmt(t, m.currency)

    def line(key: str, **values: object) -> str:
        text = t(key, **values)
        return html.escape(text) if html_mode else text

    def title(key: str) -> str:
        return f"<b>{html.escape(t(key))}</b>" if html_mode else t(key)

    def name(value: str) -> str:
        return value if not html_mode or len(value) <= NAME_LIMIT else value[: NAME_LIMIT - 1] + "…"

    return [
        _overview(result, f, line, title, params),
        _month(m, f, line, title),
        _funnel(m, f, line, title, name),
        _Section(*forecast_section(m, f, line, title)),
        _clients(m, f, line, title, params),
        _managers(m, f, line, title, name),
        *(_Section(*section) for section in action_sections(result, f, line, title, name)),
        _signals(m, f, line, title),
    ]


Line = Callable[..., str]


def _overview(
    result: AnalysisResult, f: Fmt, line: Line, title: Callable[[str], str], params: AnalysisParams
) -> _Section:
    m = result.metrics
    head = [title("analytics.summary.title")]
    if m.period.start and m.period.end:
        head.append(
            line(
                "analytics.summary.period", start=f.date(m.period.start), end=f.date(m.period.end), rows=f.count(m.rows)
            )
        )
    else:
        head.append(line("analytics.summary.period_unknown", rows=f.count(m.rows)))
    head.append(line("analytics.summary.kind", kind=f.t(f"analytics.kinds.{m.kind.value}")))
    rec = result.recognition
    if rec.ambiguous:
        fields = ", ".join(f.t(f"analytics.fields.{x.value}") for x in rec.ambiguous)
        head.append(line("analytics.summary.ambiguous", fields=fields))
    d = m.deals
    head.append("")
    head.append(title("analytics.summary.deals_title"))
    if m.kind is DatasetKind.SALES:
        head.append(line("analytics.summary.sales", total=f.count(d.total)))
    else:
        head.append(
            line(
                "analytics.summary.deals",
                total=f.count(d.total),
                won=f.count(d.won),
                lost=f.count(d.lost),
                open=f.count(d.open),
            )
        )
    if m.win_rate is not None:
        head.append(line("analytics.summary.win_rate", value=f.pct(m.win_rate)))
    known = Field.AMOUNT in result.recognition.mapping  # before the user picks the amount column: unknown
    head.append(line("analytics.summary.revenue", value=f.money(m.won_revenue if known else None)))
    optional: list[tuple[str, float | None, Callable[[float], str]]] = [
        ("analytics.summary.avg_deal", m.avg_deal, f.money),
        ("analytics.summary.avg_new", m.avg_deal_new, f.money),
        ("analytics.summary.avg_existing", m.avg_deal_existing, f.money),
        (qualified_key(m), m.qualified_conversion, f.pct),
        ("analytics.summary.cycle", m.cycle_days_median, f.days),
    ]
    for key, value, fmt in optional:
        if value is not None:
            head.append(line(key, value=fmt(value)))
    if m.margin is not None:
        if m.margin_share is not None:
            head.append(line("analytics.summary.margin", value=f.money(m.margin), share=f.pct(m.margin_share)))
        else:
            head.append(line("analytics.summary.margin_no_share", value=f.money(m.margin)))
    if m.stale_open_deals:
        head.append(
            line(
                "analytics.summary.stale",
                days=params.stale_open_days,
                count=f.count(m.stale_open_deals),
                open=f.count(d.open),
            )
        )
    return _Section("overview", head)


def _month(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str]) -> _Section:
    c = m.month
    if c is None:
        return _Section("month", [])
    values = {
        "month": f.month(c.last_month),
        "last": f.money(c.last_revenue),
        "previous_month": f.month(c.previous_month),
        "previous": f.money(c.previous_revenue),
        "grade": f.t(f"analytics.grades.{c.grade}"),
    }
    if c.change is None:
        body = line("analytics.summary.month_no_change", **values)
    else:
        body = line("analytics.summary.month", change=f.pct(c.change, signed=True), **values)
    return _Section("month", [title("analytics.summary.month_title"), body, *month_notes(m, f, line)])


def month_notes(m: Metrics, f: Fmt, line: Line) -> list[str]:
    """Why the compared month counts as complete though the export ends before its last day, or why the
    export's own last month is not compared (analytics.metrics_time.COMPLETE_WITHIN_DAYS)."""
    c = m.month
    if c is None or not c.days_short or m.period.end is None:
        return []
    end = f.date(m.period.end)
    if c.cut_month is not None:
        month, key = c.cut_month, "analytics.summary.month_cut"
    else:
        month, key = c.last_month, "analytics.summary.month_counted"
    name = f.month(month)
    name = name[:1].upper() + name[1:]  # the note starts with the month: "Апрель 2024 не сравнивается"
    return [line(key, month=name, cut_month=name, end=end, days=c.days_short)]


def qualified_key(m: Metrics) -> str:
    """The qualified conversion's line says which leads it counted as qualified (Metrics.qualified_basis)."""
    return f"analytics.summary.qualified_{m.qualified_basis}" if m.qualified_basis else "analytics.summary.qualified"


def _funnel(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str], name: Callable[[str], str]) -> _Section:
    if m.kind is DatasetKind.SALES:
        return _Section("funnel_note", [line("analytics.summary.funnel_skipped")])
    if not m.funnel:
        return _Section("funnel", [])
    items = [[_funnel_step(s, f, line, name)] for s in m.funnel]
    head = [title("analytics.summary.funnel_title")]
    if m.deals.lost:  # lost deals are no step of the funnel: one line apart, first, so that no cut hides it
        unknown = m.deals.lost - sum(s.lost for s in m.funnel)
        share = f.pct(m.deals.lost / m.deals.total)
        key = "analytics.summary.funnel_lost_unknown" if 0 < unknown < m.deals.lost else "analytics.summary.funnel_lost"
        head.append(line(key, count=f.count(m.deals.lost), share=share, unknown=f.count(unknown)))
    return _Section("funnel", head, items)


def _funnel_step(s: FunnelStage, f: Fmt, line: Line, name: Callable[[str], str]) -> str:
    values = {"reached": f.count(s.reached), "share": f.pct(s.reached_share), "count": f.count(s.count)}
    if s.won:
        stage = name(s.stage) if s.stage else f.t("analytics.summary.funnel_won_name")
        return line("analytics.summary.funnel_won", stage=stage, **values)
    key = "analytics.summary.funnel_stage_lost" if s.lost else "analytics.summary.funnel_stage"
    return line(key, stage=name(s.stage), conversion=f.pct(s.conversion), lost=f.count(s.lost), **values)


def _clients(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str], params: AnalysisParams) -> _Section:
    c = m.clients
    if c is None:
        return _Section("clients", [])
    head = [
        title("analytics.summary.clients_title"),
        line(
            "analytics.summary.clients",
            active=f.count(c.active),
            sleeping=f.count(c.sleeping),
            churned=f.count(c.churned),
            active_days=params.active_days,
            sleeping_days=params.sleeping_days,
            sleeping_from=params.active_days + 1,
        ),
    ]
    if c.active_revenue_share is not None:
        head.append(
            line(
                "analytics.summary.clients_revenue",
                active=f.pct(c.active_revenue_share),
                sleeping=f.pct(c.sleeping_revenue_share),
                churned=f.pct(c.churned_revenue_share),
            )
        )
    return _Section("clients", head)


def _managers(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str], name: Callable[[str], str]) -> _Section:
    if not m.managers:
        return _Section("managers", [])
    head = [title("analytics.summary.managers_title"), *_plan_check_lines(m, f, line)]
    if m.plan_spread is not None:
        head.append(line("analytics.summary.plan_spread", value=f.points(m.plan_spread)))
    items = []
    for s in m.managers:
        item = [
            line(
                "analytics.summary.manager",
                manager=name(s.manager),
                revenue=f.money(s.revenue),
                deals=f.count(s.deals),
                won=f.count(s.won),
                win_rate=f.pct(s.win_rate),
            )
        ]
        if s.plan is not None and s.over_plan is not None:
            item.append(
                line(
                    "analytics.summary.manager_over" if s.over_plan >= 0 else "analytics.summary.manager_short",
                    amount=f.money(abs(s.over_plan)),
                    revenue=f.money(s.plan_revenue),
                    plan=f.money(s.plan),
                    attainment=f.pct(s.attainment),
                )
            )
        items.append(item)
    return _Section("managers", head, items)


def _plan_check_lines(m: Metrics, f: Fmt, line: Line) -> list[str]:
    """Money first (003: roubles over the base): the team's total over or short of plan in the months compared;
    then plan months the export does not cover, or covers in part, and plan names it does not know."""
    check = m.plans
    if check is None:
        return []
    lines = []
    months = _months_text(f, check.months)
    if check.over_plan is not None and check.plan is not None:
        lines.append(
            line(
                "analytics.summary.team_over" if check.over_plan >= 0 else "analytics.summary.team_short",
                months=months,
                amount=f.money(abs(check.over_plan)),
                revenue=f.money(check.revenue),
                plan=f.money(check.plan),
            )
        )
    period = {"start": f.date(m.period.start), "end": f.date(m.period.end)}
    if check.months_outside and not check.months:
        lines.append(line("analytics.summary.plans_outside", months=_months_text(f, check.months_outside), **period))
    if check.months_partial:
        partial = ", ".join(f.month(month) for month in check.months_partial)
        lines.append(line("analytics.summary.plans_partial", months=partial, **period))
    if check.unknown:
        names = [
            f.t("analytics.summary.plans_unknown_like", name=name, like=", ".join(f"«{c}»" for c in close))
            if close
            else f.t("analytics.summary.plans_unknown_name", name=name)
            for name, close in check.unknown[:PLAN_NAMES_SHOWN]
        ]
        more = len(check.unknown) - PLAN_NAMES_SHOWN
        if more > 0:
            names.append(f.t("analytics.more", count=more))
        lines.append(line("analytics.summary.plans_unknown", names="; ".join(names)))
    return lines


def _months_text(f: Fmt, months: tuple[str, ...]) -> str:
    """() -> "за период выгрузки"; up to three months by name, more as "first – last" (N мес.)."""
    if not months:
        return f.t("analytics.summary.plan_whole_period")
    if len(months) <= 3:
        return f.t("analytics.summary.plan_months", months=", ".join(f.month(m) for m in months))
    return f.t(
        "analytics.summary.plan_months_range", first=f.month(months[0]), last=f.month(months[-1]), count=len(months)
    )


def _signals(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str]) -> _Section:
    head = [title("analytics.summary.signals_title")]
    if not m.signals:
        return _Section("no_signals", [*head, line("analytics.summary.no_signals")])
    items = [
        [
            line("analytics.summary.signal", text=signal_text(f, s.code, s.facts)),
            line(
                "analytics.summary.signal_source",
                article=article_title(f.t, s.seed),
                source=f.t(f"analytics.signals.{s.code}.source"),
            ),
        ]
        for s in m.signals
    ]
    return _Section("signals", head, items)


def signal_text(f: Fmt, code: str, facts: dict[str, float | str]) -> str:
    return f.t(f"analytics.signals.{code}.text", **f.facts(facts))
