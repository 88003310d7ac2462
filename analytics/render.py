"""The metrics as Russian text: a compact HTML summary for Telegram, or the full plain report for the CLI.

Every line is formatted from a content template and then escaped as a whole (names of managers and stages
come from the user's file), so templates hold plain text and only the section titles get <b>.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from analytics.render_format import Fmt, TextFn
from analytics.schema import AnalysisParams, AnalysisResult, DatasetKind, Field, Metrics

TELEGRAM_LIMIT = 4096
SUMMARY_LIMIT = 4000  # margin under Telegram's 4096 for the caption-free message
NAME_LIMIT = 40  # a manager or stage name longer than this is cut with "…" in the summary
SUMMARY_CAPS = {"funnel": 12, "managers": 10, "signals": 6}  # items per list before trimming to the limit
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
        _clients(m, f, line, title, params),
        _managers(m, f, line, title, name),
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
        ("analytics.summary.qualified", m.qualified_conversion, f.pct),
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
    return _Section("month", [title("analytics.summary.month_title"), body])


def _funnel(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str], name: Callable[[str], str]) -> _Section:
    if m.kind is DatasetKind.SALES:
        return _Section("funnel_note", [line("analytics.summary.funnel_skipped")])
    if not m.funnel:
        return _Section("funnel", [])
    items = [
        [
            line(
                "analytics.summary.funnel_stage",
                stage=name(s.stage),
                count=f.count(s.count),
                share=f.pct(s.reached_share),
            )
        ]
        for s in m.funnel
    ]
    return _Section("funnel", [title("analytics.summary.funnel_title")], items)


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
    head = [title("analytics.summary.managers_title")]
    if m.plan_spread is not None:
        head.append(line("analytics.summary.plan_spread", value=f.pct(m.plan_spread)))
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
        if s.plan is not None:
            item.append(
                line(
                    "analytics.summary.manager_plan",
                    plan=f.money(s.plan),
                    attainment=f.pct(s.attainment),
                    over_plan=f.money(s.over_plan),
                )
            )
        items.append(item)
    return _Section("managers", head, items)


def _signals(m: Metrics, f: Fmt, line: Line, title: Callable[[str], str]) -> _Section:
    head = [title("analytics.summary.signals_title")]
    if not m.signals:
        return _Section("no_signals", [*head, line("analytics.summary.no_signals")])
    items = [
        [
            line("analytics.summary.signal", text=signal_text(f, s.code, s.facts)),
            line("analytics.summary.signal_source", source=f.t(f"analytics.signals.{s.code}.source")),
        ]
        for s in m.signals
    ]
    return _Section("signals", head, items)


def signal_text(f: Fmt, code: str, facts: dict[str, float | str]) -> str:
    return f.t(f"analytics.signals.{code}.text", **f.facts(facts))
