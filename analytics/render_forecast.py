"""The summary's forecast block (analytics.metrics_forecast): the weighted total of the open deals, the basis of
the probabilities in one plain line, then the next months by expected close, the overdue and undated deals.

Returns (name, head lines, items, hidden) for analytics.render, like analytics.render_actions.
"""

from __future__ import annotations

from collections.abc import Callable

from analytics.render_format import Fmt
from analytics.schema import Forecast, ForecastMonth, Metrics
from content.loader import plural_rule

MONTHS_SHOWN = 3  # calendar months from the export's last date on; the later ones are summed in one line
LOCALE = "ru"  # the analytics texts exist in content/ru only, and a TextFn carries no locale
K = "analytics.forecast."

Line = Callable[..., str]
Title = Callable[[str], str]
RawSection = tuple[str, list[str], list[list[str]], int]


def plural(f: Fmt, key: str, count: int) -> str:
    """«1 сделка / 3 сделки / 5 сделок»: the CLDR form of the locale (content.loader's rule), the number grouped."""
    return f.t(f"{key}.{plural_rule(LOCALE)(count)}", count=f.count(count))


def deals_text(f: Fmt, count: int) -> str:
    return plural(f, K + "deals", count)


def closed_text(f: Fmt, count: int) -> str:
    return plural(f, K + "closed_deals", count)


def forecast_section(m: Metrics, f: Fmt, line: Line, title: Title) -> RawSection:
    fc = m.forecast
    if fc is None:
        return ("forecast", [], [], 0)
    head = [
        title(K + "title"),
        line(
            K + "total",
            weighted=f.money(fc.weighted),
            amount=f.money(fc.amount),
            deals=deals_text(f, fc.deals),
        ),
        *basis_lines(m, fc, f, line),
    ]
    if fc.without_amount:
        head.append(line(K + "without_amount", deals=deals_text(f, fc.without_amount)))
    items = [[text] for text in _close_lines(m, fc, f, line)]
    if items:
        head.append(line(K + "by_close"))
    return ("forecast", head, items, 0)


def basis_lines(m: Metrics, fc: Forecast, f: Fmt, line: Line) -> list[str]:
    """Where the probabilities come from, in one line (two when some lost deals' stage is unknown)."""
    if fc.basis == "probability_column":
        return [line(K + "basis_column")]
    closed = closed_text(f, fc.history_deals)
    if fc.lost_stage_unknown and fc.lost_stage_unknown == m.deals.lost:  # every stage gets the win rate
        return [line(K + "basis_history_flat", closed=closed)]
    lines = [line(K + "basis_history", closed=closed)]
    if fc.lost_stage_unknown:
        lines.append(line(K + "lost_unknown", deals=deals_text(f, fc.lost_stage_unknown)))
    return lines


def _close_lines(m: Metrics, fc: Forecast, f: Fmt, line: Line) -> list[str]:
    lines = []
    if fc.months:
        end = m.period.end
        first = end.year * 12 + end.month - 1 if end is not None else _index(fc.months[0])
        shown = [x for x in fc.months if _index(x) < first + MONTHS_SHOWN]
        later = [x for x in fc.months if _index(x) >= first + MONTHS_SHOWN]
        for x in shown:
            lines.append(_part(f, line, "month", x.deals, x.weighted, month=f.month(x.month)))
        if later:
            deals, weighted = sum(x.deals for x in later), sum(x.weighted for x in later)
            lines.append(_part(f, line, "later", deals, weighted, month=f.month(_label(first + MONTHS_SHOWN))))
    if fc.overdue.deals:
        lines.append(_part(f, line, "overdue", fc.overdue.deals, fc.overdue.weighted, end=f.date(m.period.end)))
    if fc.no_date.deals and lines:  # every deal without a date: the block says so by having no lines
        lines.append(_part(f, line, "no_date", fc.no_date.deals, fc.no_date.weighted))
    return lines


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"  # as analytics.metrics_prep.month_label, without pandas


def _index(month: ForecastMonth) -> int:
    year, _, number = month.month.partition("-")
    return int(year) * 12 + int(number) - 1


def _part(f: Fmt, line: Line, key: str, deals: int, weighted: float, **values: str) -> str:
    return line(K + key, weighted=f.money(weighted), deals=deals_text(f, deals), **values)
