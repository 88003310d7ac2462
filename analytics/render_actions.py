"""The summary's lists to act on (stale deals, largest lost deals, sleeping clients), lost reasons and sources.

Each section is (name, head lines, items, hidden count) for analytics.render, which owns the layout and the
Telegram limit; the top SUMMARY_TOP of each list is shown, the rest is counted ("… и ещё N") and kept in the
XLSX report. Deal and client names come from the export: shown to the head only (the owners' digest reads the
stored snapshot, which holds none of them).
"""

from __future__ import annotations

from collections.abc import Callable

from analytics.render_format import Fmt
from analytics.schema import AnalysisResult, DatasetKind, Field, ReasonStat

SUMMARY_TOP = 5  # items per list in the chat summary
ACTION_SECTIONS = ("stale", "lost_deals", "sleeping", "lost_reasons", "sources")

Line = Callable[..., str]
Title = Callable[[str], str]
Name = Callable[[str], str]
RawSection = tuple[str, list[str], list[list[str]], int]
K = "analytics.actions."


def action_sections(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> list[RawSection]:
    return [
        _stale(result, f, line, title, name),
        _lost_deals(result, f, line, title, name),
        _sleeping(result, f, line, title, name),
        _lost_reasons(result, f, line, title, name),
        _sources(result, f, line, title, name),
    ]


def _empty(section: str) -> RawSection:
    return (section, [], [], 0)


def _deal(f: Fmt, name: Name, deal: str, client: str | None) -> str:
    if client and client != deal:
        return f.t(K + "deal_with_client", deal=name(deal), client=name(client))
    return name(deal)


def _stale(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> RawSection:
    r = result.metrics.revival
    if r is None or r.stale is None or not r.stale_count:
        return _empty("stale")
    head = [
        title(K + "stale_title"),
        line(
            K + ("stale_total" if r.stale_amount is not None else "stale_total_no_amount"),
            days=r.stale_days,
            count=f.count(r.stale_count),
            amount=f.money(r.stale_amount),
        ),
    ]
    if r.stale_basis == "modified":
        head.append(line(K + "basis_modified", column=result.recognition.mapping.get(Field.MODIFIED, "")))
    else:
        head.append(line(K + "basis_created"))
    items = [
        [
            line(
                K + "stale_item",
                deal=_deal(f, name, d.deal, d.client),
                amount=f.money(d.amount),
                manager=name(d.manager) if d.manager else f.unknown(),
                stage=name(d.stage) if d.stage else f.unknown(),
                days=f.days(d.days),
            )
        ]
        for d in r.stale[:SUMMARY_TOP]
    ]
    return ("stale", head, items, r.stale_count - len(items))


def _lost_deals(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> RawSection:
    r = result.metrics.revival
    if r is None or r.lost is None or not r.lost_count:
        return _empty("lost_deals")
    head = [
        title(K + "lost_title"),
        line(
            K + ("lost_total" if r.lost_amount is not None else "lost_total_no_amount"),
            count=f.count(r.lost_count),
            amount=f.money(r.lost_amount),
        ),
    ]
    reasons_known = result.metrics.lost_reasons is not None  # no reason column: no "reason not stated" either
    items = [
        [
            line(
                K + ("lost_item" if reasons_known else "lost_item_no_reason"),
                deal=_deal(f, name, d.deal, d.client),
                amount=f.money(d.amount),
                manager=name(d.manager) if d.manager else f.unknown(),
                reason=name(d.reason) if d.reason else f.t(K + "no_reason"),
            )
        ]
        for d in r.lost[:SUMMARY_TOP]
    ]
    return ("lost_deals", head, items, r.lost_count - len(items))


def _sleeping(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> RawSection:
    r = result.metrics.revival
    if r is None or r.sleeping is None or not r.sleeping_count:
        return _empty("sleeping")
    head = [
        title(K + "sleeping_title"),
        line(K + "sleeping_total", count=f.count(r.sleeping_count), revenue=f.money(r.sleeping_revenue)),
    ]
    items = [
        [
            line(
                K + "sleeping_item",
                client=name(c.client),
                revenue=f.money(c.revenue),
                date=f.date(c.last_deal),
                days=f.days(c.days),
                group=f.t(K + f"groups.{c.group}"),
            )
        ]
        for c in r.sleeping[:SUMMARY_TOP]
    ]
    return ("sleeping", head, items, r.sleeping_count - len(items))


def reason_label(f: Fmt, reason: ReasonStat) -> str:
    return reason.reason if reason.reason is not None else f.t(K + "no_reason")


def _lost_reasons(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> RawSection:
    lr = result.metrics.lost_reasons
    if lr is None:
        return _empty("lost_reasons")
    head = [
        title(K + "reasons_title"),
        line(K + "reasons_total", lost=f.count(lr.lost), with_reason=f.count(lr.with_reason)),
    ]
    items = [
        [
            line(
                K + "reason_item",
                reason=name(reason_label(f, s)),
                count=f.count(s.count),
                share=f.pct(s.share),
                amount=f.money(s.amount),
            )
        ]
        for s in lr.reasons[:SUMMARY_TOP]
    ]
    for i, m in enumerate(lr.by_manager[:SUMMARY_TOP]):
        top = next((s for s in m.reasons if s.reason is not None), None)
        item = [line(K + "reasons_by_manager")] if i == 0 else []
        if top is None:
            item.append(line(K + "manager_no_reason", manager=name(m.manager), lost=f.count(m.lost)))
        else:
            item.append(
                line(
                    K + "manager_reason",
                    manager=name(m.manager),
                    lost=f.count(m.lost),
                    reason=name(top.reason or ""),
                    share=f.pct(top.share),
                )
            )
        items.append(item)
    hidden = max(len(lr.reasons) - SUMMARY_TOP, 0) + max(len(lr.by_manager) - SUMMARY_TOP, 0)
    return ("lost_reasons", head, items, hidden)


def _sources(result: AnalysisResult, f: Fmt, line: Line, title: Title, name: Name) -> RawSection:
    s = result.metrics.sources
    if s is None or not s.items:
        return _empty("sources")
    sales = result.metrics.kind is DatasetKind.SALES
    head = [title(K + "sources_title")]
    items = [
        [
            line(
                K + ("source_sales_item" if sales else "source_item"),
                source=name(x.source),
                revenue=f.money(x.revenue),
                share=f.pct(x.revenue_share),
                deals=f.count(x.deals),
                won=f.count(x.won),
                conversion=f.pct(x.conversion),
            )
        ]
        for x in s.items[:SUMMARY_TOP]
    ]
    if s.without_source:
        head.append(line(K + "without_source", count=f.count(s.without_source)))
    return ("sources", head, items, max(len(s.items) - SUMMARY_TOP, 0))
