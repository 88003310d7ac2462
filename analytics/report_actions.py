"""The XLSX report's sheets for the lists to act on, lost reasons and sources (analytics.metrics_actions).

A sheet is added only when the export supports it and it has rows. Numbers stay numbers (shares as percent
numbers, e.g. 42.5); text cells go through domain.spreadsheet's formula-injection guard in build_xlsx.
"""

from __future__ import annotations

from analytics.render_format import Fmt, TextFn
from analytics.schema import DatasetKind, Metrics, ReasonStat
from domain.spreadsheet import Cell, Sheet

K = "analytics.actions."


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def action_sheets(m: Metrics, t: TextFn) -> list[Sheet]:
    f = Fmt(t, m.currency)

    from analytics.report import COUNT_FORMAT, PCT_FORMAT, money_format  # report imports this module

    money = money_format(f)
    formats = {"amount": money, "revenue": money, "days": COUNT_FORMAT, "days_since": COUNT_FORMAT}
    formats |= dict.fromkeys(("count", "lost", "won", "deals", "won_deals", "lost_deals"), COUNT_FORMAT)
    formats |= dict.fromkeys(("share", "amount_share", "revenue_share", "conversion", "win_rate"), PCT_FORMAT)

    def h(*keys: str) -> tuple[str, ...]:
        return keys

    def sheet(key: str, keys: tuple[str, ...], rows: list[list[Cell]]) -> Sheet | None:
        if not rows:
            return None
        header = [t(f"{K}report.headers.{k}") for k in keys]
        return Sheet(t(f"{K}report.sheets.{key}"), header, rows, formats=[formats.get(k) for k in keys])

    def reason(s: ReasonStat) -> str:
        return s.reason if s.reason is not None else t(K + "no_reason")

    def text(value: str | None) -> str:
        return value if value is not None else f.unknown()

    sheets: list[Sheet | None] = []
    r = m.revival
    if r is not None and r.stale:
        moved = "last_moved_modified" if r.stale_basis == "modified" else "last_moved_created"
        sheets.append(
            sheet(
                "stale",
                h("deal", "client", "manager", "stage", "amount", moved, "days"),
                [[d.deal, d.client, d.manager, d.stage, _money(d.amount), d.last_moved, d.days] for d in r.stale],
            )
        )
    if r is not None and r.lost:
        sheets.append(
            sheet(
                "lost_deals",
                h("deal", "client", "manager", "stage", "amount", "reason", "closed"),
                [[d.deal, d.client, d.manager, d.stage, _money(d.amount), d.reason, d.closed] for d in r.lost],
            )
        )
    if r is not None and r.sleeping:
        sheets.append(
            sheet(
                "sleeping",
                h("client", "revenue", "won", "last_deal", "days_since", "group"),
                [
                    [c.client, _money(c.revenue), c.won, c.last_deal, c.days, t(f"{K}groups.{c.group}")]
                    for c in r.sleeping
                ],
            )
        )
    lr = m.lost_reasons
    if lr is not None:
        sheets.append(
            sheet(
                "lost_reasons",
                h("reason", "count", "share", "amount", "amount_share"),
                [[reason(s), s.count, _pct(s.share), _money(s.amount), _pct(s.amount_share)] for s in lr.reasons],
            )
        )
        sheets.append(
            sheet(
                "lost_reasons_by_manager",
                h("manager", "lost", "reason", "count", "share", "amount", "amount_share"),
                [
                    [text(x.manager), x.lost, reason(s), s.count, _pct(s.share), _money(s.amount), _pct(s.amount_share)]
                    for x in lr.by_manager
                    for s in x.reasons
                ],
            )
        )
    src = m.sources
    if src is not None:
        pipeline = m.kind is DatasetKind.DEALS
        keys = ("source", "deals", "won_deals", "lost_deals", "revenue", "revenue_share", "conversion", "win_rate")
        rows: list[list[Cell]] = []
        for x in src.items:
            if pipeline:
                rows.append([x.source, x.deals, x.won, x.lost, _money(x.revenue), _pct(x.revenue_share)])
                rows[-1] += [_pct(x.conversion), _pct(x.win_rate)]
            else:
                rows.append([x.source, x.deals, _money(x.revenue), _pct(x.revenue_share)])
        sheets.append(sheet("sources", h(*(keys if pipeline else (*keys[:2], *keys[4:6]))), rows))
    return [s for s in sheets if s is not None]
