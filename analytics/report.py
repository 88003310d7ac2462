"""The full report as XLSX: summary, funnel, managers, clients, months, signals, recognised columns.

Numbers stay numbers (shares as percent numbers, e.g. 42.5) so the head of sales can sort and chart them;
every text cell (manager and stage names come from the user's file) goes through domain.spreadsheet's
formula-injection guard.
"""

from __future__ import annotations

from analytics.render import signal_text
from analytics.render_format import Fmt, TextFn
from analytics.schema import AnalysisResult, Field, Metrics
from domain.spreadsheet import Cell, Sheet, build_xlsx


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_report_xlsx(result: AnalysisResult, t: TextFn) -> bytes:
    m = result.metrics
    f = Fmt(t, m.currency)

    def h(*keys: str) -> list[str]:
        return [t(f"analytics.report.headers.{k}") for k in keys]

    def sheet(key: str, header: list[str], rows: list[list[Cell]]) -> Sheet:
        return Sheet(t(f"analytics.report.sheets.{key}"), header, rows)

    sheets = [
        sheet("summary", h("metric", "value"), _summary_rows(m, t, Field.AMOUNT in result.recognition.mapping)),
        sheet(
            "funnel",
            h("stage", "count", "reached_share"),
            [[s.stage, s.count, _pct(s.reached_share)] for s in m.funnel],
        ),
        sheet(
            "managers",
            h("manager", "deals", "won", "revenue", "win_rate", "avg_deal", "cycle", "plan", "attainment", "over_plan"),
            [
                [
                    s.manager,
                    s.deals,
                    s.won,
                    _money(s.revenue),
                    _pct(s.win_rate),
                    _money(s.avg_deal),
                    s.cycle_days_median,
                    _money(s.plan),
                    _pct(s.attainment),
                    _money(s.over_plan),
                ]
                for s in m.managers
            ],
        ),
        sheet("clients", h("group", "clients", "revenue_share"), _client_rows(m, t)),
        sheet("months", h("month", "revenue"), [[f.month(label), _money(v)] for label, v in m.revenue_by_month]),
        sheet(
            "signals",
            h("signal", "text", "source", "seed"),
            [
                [s.code, signal_text(f, s.code, s.facts), t(f"analytics.signals.{s.code}.source"), s.seed]
                for s in m.signals
            ],
        ),
        sheet(
            "columns",
            h("field", "column"),
            [[t(f"analytics.fields.{field.value}"), column] for field, column in result.recognition.mapping.items()],
        ),
    ]
    return build_xlsx(sheets)


def _summary_rows(m: Metrics, t: TextFn, revenue_known: bool) -> list[list[Cell]]:
    c = m.month
    values: list[tuple[str, Cell]] = [
        ("kind", t(f"analytics.kinds.{m.kind.value}")),
        ("rows", m.rows),
        ("period_start", m.period.start),
        ("period_end", m.period.end),
        ("currency", m.currency),
        ("deals_total", m.deals.total),
        ("deals_won", m.deals.won),
        ("deals_lost", m.deals.lost),
        ("deals_open", m.deals.open),
        ("won_revenue", _money(m.won_revenue) if revenue_known else None),
        ("win_rate", _pct(m.win_rate)),
        ("avg_deal", _money(m.avg_deal)),
        ("avg_deal_new", _money(m.avg_deal_new)),
        ("avg_deal_existing", _money(m.avg_deal_existing)),
        ("margin", _money(m.margin)),
        ("margin_share", _pct(m.margin_share)),
        ("qualified_conversion", _pct(m.qualified_conversion)),
        ("cycle_days_median", m.cycle_days_median),
        ("stale_open_deals", m.stale_open_deals),
        ("plan_spread", _pct(m.plan_spread)),
    ]
    if c is not None:
        values += [
            ("last_month", c.last_month),
            ("last_revenue", _money(c.last_revenue)),
            ("previous_month", c.previous_month),
            ("previous_revenue", _money(c.previous_revenue)),
            ("month_change", _pct(c.change)),
            ("month_grade", t(f"analytics.grades.{c.grade}")),
        ]
    return [[t(f"analytics.report.metrics.{key}"), value] for key, value in values]


def _client_rows(m: Metrics, t: TextFn) -> list[list[Cell]]:
    c = m.clients
    if c is None:
        return []
    groups = [
        ("active", c.active, c.active_revenue_share),
        ("sleeping", c.sleeping, c.sleeping_revenue_share),
        ("churned", c.churned, c.churned_revenue_share),
    ]
    return [[t(f"analytics.report.groups.{key}"), count, _pct(share)] for key, count, share in groups]
