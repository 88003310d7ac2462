"""The full report as XLSX: summary, funnel, managers, clients, months (a CRM deal export's trend), signals,
recognised columns.

Numbers stay numbers (shares as percent numbers, e.g. 42.5) so the head of sales can sort and chart them,
shown with money, count and date formats; every text cell (manager and stage names come from the user's
file) goes through domain.spreadsheet's formula-injection guard. A sheet with no rows is left out.
"""

from __future__ import annotations

from analytics.articles import article_title
from analytics.render import month_notes, qualified_key, signal_text
from analytics.render_forecast import closed_text, deals_text
from analytics.render_format import Fmt, TextFn
from analytics.report_actions import action_sheets
from analytics.rounding import round_half_up
from analytics.schema import AnalysisParams, AnalysisResult, DatasetKind, Field, Forecast, Metrics
from domain.spreadsheet import DATE_FORMAT, Cell, Sheet, build_xlsx

DEFAULT_PARAMS = AnalysisParams()
COUNT_FORMAT = "#,##0"
PCT_FORMAT = "0.0"  # percent numbers (42.5): the header says "%"
DAYS_FORMAT = "0.#"


def _pct(share: float | None) -> float | None:
    return None if share is None else round_half_up(share * 100, 1)


def _funnel_rows(m: Metrics, t: TextFn) -> list[list[Cell]]:
    """The steps (the won one last), then the lost deals apart: no conversion, never a step."""
    rows: list[list[Cell]] = [
        [
            s.stage or t("analytics.report.funnel_won"),
            s.reached,
            _pct(s.reached_share),
            _pct(s.conversion),
            s.count,
            None if s.won else s.lost,
        ]
        for s in m.funnel
    ]
    if m.funnel and m.deals.lost:
        lost = m.deals.lost
        rows.append([t("analytics.report.funnel_lost"), lost, _pct(lost / m.deals.total), None, None, None])
    return rows


def _money(value: float | None) -> float | None:
    return None if value is None else round_half_up(value, 2)


def money_format(f: Fmt) -> str:
    """'#,##0 "₽"' with a known currency, '#,##0' without (no sign guessed)."""
    sign = f.currency.replace('"', "")
    return f'{COUNT_FORMAT} "{sign}"' if sign else COUNT_FORMAT


def build_report_xlsx(result: AnalysisResult, t: TextFn, params: AnalysisParams = DEFAULT_PARAMS) -> bytes:
    m = result.metrics
    f = Fmt(t, m.currency)
    money = money_format(f)

    def h(*keys: str) -> list[str]:
        return [t(f"analytics.report.headers.{k}") for k in keys]

    def sheet(
        key: str,
        header: list[str],
        rows: list[list[Cell]],
        formats: list[str | None] | None = None,
        row_formats: list[str | None] | None = None,
    ) -> Sheet:
        return Sheet(t(f"analytics.report.sheets.{key}"), header, rows, formats=formats, row_formats=row_formats)

    revenue_known = Field.AMOUNT in result.recognition.mapping
    summary, summary_formats = _summary_rows(m, f, revenue_known, money)
    sheets = [
        sheet("summary", h("metric", "value", "note"), summary, row_formats=summary_formats),
        sheet(
            "funnel",
            h("stage", "reached", "reached_share", "conversion", "count", "lost_here"),
            _funnel_rows(m, t),
            [None, COUNT_FORMAT, PCT_FORMAT, PCT_FORMAT, COUNT_FORMAT, COUNT_FORMAT],
        ),
        sheet(
            "managers",
            h(
                *("manager", "deals", "won", "revenue", "win_rate", "avg_deal", "cycle"),
                *("plan", "plan_revenue", "attainment", "over_plan"),
            ),
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
                    _money(s.plan_revenue),
                    _pct(s.attainment),
                    _money(s.over_plan),
                ]
                for s in m.managers
            ],
            [None, COUNT_FORMAT, COUNT_FORMAT, money, PCT_FORMAT, money, DAYS_FORMAT, money, money, PCT_FORMAT, money],
        ),
        sheet(
            "clients",
            h("group", "clients", "revenue_share"),
            _client_rows(m, t, params),
            [None, COUNT_FORMAT, PCT_FORMAT],
        ),
        _trend_sheet(m, f, money, revenue_known)
        if m.kind is DatasetKind.DEALS and m.trend is not None
        else sheet(
            "months",
            h("month", "revenue"),
            [[f.month(label), _money(v)] for label, v in m.revenue_by_month],
            [None, money],
        ),
        sheet(
            "signals",
            h("signal", "text", "source", "seed"),
            [
                [
                    t(f"analytics.signals.{s.code}.name"),
                    signal_text(f, s.code, s.facts),
                    t(f"analytics.signals.{s.code}.source"),
                    article_title(t, s.seed),
                ]
                for s in m.signals
            ],
        ),
        sheet(
            "columns",
            h("field", "column"),
            [[t(f"analytics.fields.{field.value}"), column] for field, column in result.recognition.mapping.items()],
        ),
    ]
    sheets[-2:-2] = action_sheets(m, t)  # lists to act on, lost reasons, sources: before signals and columns
    if m.forecast is not None:
        sheets.insert(2, _forecast_sheet(m, f, money))  # after the funnel it weighs
    trend_start = m.trend.months[0].month if m.kind is DatasetKind.DEALS and m.trend and m.trend.months else None
    if trend_start is not None and m.revenue_by_month and m.revenue_by_month[0][0] < trend_start:
        # the trend keeps the last TREND_MONTHS; the report keeps every month's revenue beside it
        every_month: list[list[Cell]] = [[f.month(label), _money(v)] for label, v in m.revenue_by_month]
        months_at = next(i for i, s in enumerate(sheets) if s.name == t("analytics.report.sheets.months"))
        sheets.insert(months_at + 1, sheet("revenue_months", h("month", "revenue"), every_month, [None, money]))
    return build_xlsx([s for s in sheets if s.rows])  # no empty sheets


def _trend_sheet(m: Metrics, f: Fmt, money: str, revenue_known: bool) -> Sheet:
    """«По месяцам» of a CRM deal export: the trend chart's months by close date (analytics.metrics_trend) as
    numbers; the export's cut last month says so in the last column. Money stays empty until a column holds it."""
    assert m.trend is not None
    t, k = f.t, "analytics.report.trend."
    cut = t(k + "incomplete", date=f.date(m.period.end))
    rows: list[list[Cell]] = [
        [
            f.month(x.month),
            _money(x.revenue) if revenue_known else None,
            x.won,
            x.lost,
            _pct(x.win_rate),
            _money(x.avg_deal) if revenue_known else None,
            x.clients,
            cut if x.incomplete else None,
        ]
        for x in m.trend.months
    ]
    keys = ("month", "revenue", "won", "lost", "win_rate", "avg_deal", "clients", "note")
    formats: list[str | None] = [None, money, COUNT_FORMAT, COUNT_FORMAT, PCT_FORMAT, money, COUNT_FORMAT, None]
    return Sheet(t(k + "sheet"), [t(k + f"headers.{key}") for key in keys], rows, formats=formats)


def _forecast_sheet(m: Metrics, f: Fmt, money: str) -> Sheet:
    """«Прогноз»: by stage (with the total), by month of expected close, by manager, then how it is counted.
    Section titles are rows of their own; the figures stay numbers."""
    fc, t = m.forecast, f.t
    assert fc is not None
    k = "analytics.forecast.report."
    rows: list[list[Cell]] = [[t(k + "by_stage")]]
    rows += [
        [s.stage or t(k + "no_stage"), s.deals, _money(s.amount), _pct(s.probability), _money(s.weighted)]
        for s in fc.stages
    ]
    rows.append([t(k + "total"), fc.deals, _money(fc.amount), None, _money(fc.weighted)])
    dated: list[list[Cell]] = [
        [f.month(x.month), x.deals, _money(x.amount), None, _money(x.weighted)] for x in fc.months
    ]
    if fc.overdue.deals:
        overdue = t(k + "overdue", end=f.date(m.period.end))
        dated.insert(0, [overdue, fc.overdue.deals, _money(fc.overdue.amount), None, _money(fc.overdue.weighted)])
    if fc.no_date.deals:
        dated.append([t(k + "no_date"), fc.no_date.deals, _money(fc.no_date.amount), None, _money(fc.no_date.weighted)])
    rows += [[None], [t(k + "by_close")], *dated]
    if fc.managers:
        rows += [[None], [t(k + "by_manager")]]
        rows += [[x.manager, x.deals, _money(x.amount), None, _money(x.weighted)] for x in fc.managers]
    rows.append([None])
    rows += [[note] for note in _forecast_notes(fc, f)]
    header = [t(k + f"headers.{key}") for key in ("part", "deals", "amount", "probability", "weighted")]
    return Sheet(t(k + "sheet"), header, rows, formats=[None, COUNT_FORMAT, money, PCT_FORMAT, money])


def _forecast_notes(fc: Forecast, f: Fmt) -> list[str]:
    k = "analytics.forecast.report."
    if fc.basis == "probability_column":
        notes = [f.t(k + "basis_column")]
    else:
        notes = [f.t(k + "basis_history", closed=closed_text(f, fc.history_deals))]
        if fc.lost_stage_unknown:
            notes.append(f.t(k + "lost_unknown", deals=deals_text(f, fc.lost_stage_unknown)))
    if fc.without_amount:
        notes.append(f.t(k + "without_amount", deals=deals_text(f, fc.without_amount)))
    return notes


def _summary_rows(m: Metrics, f: Fmt, revenue_known: bool, money: str) -> tuple[list[list[Cell]], list[str | None]]:
    """Rows (metric, value[, how it is counted]) and each row's number format."""
    t, c = f.t, m.month
    pct, count, days = PCT_FORMAT, COUNT_FORMAT, DAYS_FORMAT
    qualified_note = t(qualified_key(m).replace(".summary.", ".report.notes.")) if m.qualified_basis else None
    values: list[tuple[str, Cell, str | None, str | None]] = [
        ("kind", t(f"analytics.kinds.{m.kind.value}"), None, None),
        ("rows", m.rows, count, None),
        ("period_start", m.period.start, DATE_FORMAT, None),
        ("period_end", m.period.end, DATE_FORMAT, None),
        ("currency", m.currency, None, None),
        ("deals_total", m.deals.total, count, None),
        ("deals_won", m.deals.won, count, None),
        ("deals_lost", m.deals.lost, count, None),
        ("deals_open", m.deals.open, count, None),
        ("won_revenue", _money(m.won_revenue) if revenue_known else None, money, None),
        ("win_rate", _pct(m.win_rate), pct, None),
        ("avg_deal", _money(m.avg_deal), money, None),
        ("avg_deal_new", _money(m.avg_deal_new), money, None),
        ("avg_deal_existing", _money(m.avg_deal_existing), money, None),
        ("margin", _money(m.margin), money, None),
        ("margin_share", _pct(m.margin_share), pct, None),
        ("qualified_conversion", _pct(m.qualified_conversion), pct, qualified_note),
        ("cycle_days_median", m.cycle_days_median, days, None),
        ("stale_open_deals", m.stale_open_deals, count, None),
        ("plan_spread", _pct(m.plan_spread), pct, None),
    ]
    if c is not None:
        notes = month_notes(m, f, lambda key, **v: t(key, **v))
        values += [
            ("last_month", f.month(c.last_month), None, notes[0] if notes else t("analytics.report.notes.month")),
            ("last_revenue", _money(c.last_revenue), money, None),
            ("previous_month", f.month(c.previous_month), None, None),
            ("previous_revenue", _money(c.previous_revenue), money, None),
            ("month_change", _pct(c.change), pct, None),
            ("month_grade", t(f"analytics.grades.{c.grade}"), None, t("analytics.report.notes.grade")),
        ]
    rows: list[list[Cell]] = [
        [t(f"analytics.report.metrics.{key}"), value, *([note] if note else [])] for key, value, _, note in values
    ]
    return rows, [number_format for _, _, number_format, _ in values]


def _client_rows(m: Metrics, t: TextFn, params: AnalysisParams) -> list[list[Cell]]:
    c = m.clients
    if c is None:
        return []
    groups = [
        ("active", c.active, c.active_revenue_share),
        ("sleeping", c.sleeping, c.sleeping_revenue_share),
        ("churned", c.churned, c.churned_revenue_share),
    ]
    ranges = {
        "active_days": params.active_days,
        "sleeping_from": params.active_days + 1,
        "sleeping_days": params.sleeping_days,
    }
    return [[t(f"analytics.report.groups.{key}", **ranges), count, _pct(share)] for key, count, share in groups]
