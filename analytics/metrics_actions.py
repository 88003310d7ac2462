"""Lists to act on, lost reasons and sources: what a head of sales does next with the export (article 003:
"find the deals that can be revived and those lost through mistakes"). Pure and vectorised; only the items
kept in a list are turned into Python objects.

Definitions that are a choice, not arithmetic:
- Days without movement of an open deal: from the export's last change date of the deal ("modified": a stage
  change or last-modified column, Bitrix24 «Дата изменения», amoCRM «Дата редактирования», Pipedrive «Update
  time», Salesforce/HubSpot «Last Modified Date») when the export has one, the creation date where that cell is
  empty; from the creation date when there is no such column (`Revival.stale_basis` says which). Counted in
  calendar days to the export's last date (the latest of every creation, close and change date). Stale: more
  than params.stale_open_days days. Largest amount first (unknown amounts last), then the longest still.
- Lost deals: largest positive amount first, then the deals without one (latest close first).
- Sleeping clients: clients whose last won deal is more than params.active_days days before the export's last
  date (the client base's sleeping and churned groups), by their won revenue over the export.
- Lost reasons: every lost deal counts, those without a reason as reason None; shares of the lost deals (count)
  and of their money (unknown amounts count as 0). None when no lost deal states a reason.
- Sources: deals, won, lost and won revenue per source; conversion = won / all deals of the source, win rate =
  won / (won + lost). None when no deal has a source.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analytics.metrics_prep import NO_DATE, Prepared, text_codes
from analytics.schema import (
    AnalysisParams,
    DatasetKind,
    Field,
    LostDeal,
    LostReasons,
    ManagerReasons,
    ReasonStat,
    Revival,
    SleepingClient,
    Sources,
    SourceStat,
    StaleDeal,
)

LIST_LIMIT = 100  # items kept per list (the XLSX report); counts and sums cover them all
MANAGER_REASONS_LIMIT = 20  # reasons kept per manager
SECONDS_PER_DAY = 86_400


def compute_actions(p: Prepared, params: AnalysisParams) -> tuple[Revival | None, LostReasons | None, Sources | None]:
    return revival(p, params), lost_reasons(p), sources(p)


# --- lists to act on -------------------------------------------------------------------------------------------


def revival(p: Prepared, params: AnalysisParams) -> Revival | None:
    stale = _stale(p, params)
    lost = _lost_deals(p)
    sleeping = _sleeping(p, params)
    if stale is None and lost is None and sleeping is None:
        return None
    basis, stale_items, stale_count, stale_amount = stale if stale is not None else (None, None, 0, None)
    lost_items, lost_count, lost_amount = lost if lost is not None else (None, 0, None)
    sleeping_items, sleeping_count, sleeping_revenue = sleeping if sleeping is not None else (None, 0, 0.0)
    return Revival(
        stale_basis=basis,
        stale_days=params.stale_open_days,
        stale=stale_items,
        stale_count=stale_count,
        stale_amount=stale_amount,
        lost=lost_items,
        lost_count=lost_count,
        lost_amount=lost_amount,
        sleeping=sleeping_items,
        sleeping_count=sleeping_count,
        sleeping_revenue=sleeping_revenue,
    )


def _column_dates(frame: pd.DataFrame, column: Field) -> pd.Series | None:
    if column.value not in frame.columns:
        return None
    series = frame[column.value]
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce")
    return series if series.notna().any() else None


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Calendar day numbers since the epoch (int64), NO_DATE where unknown."""
    seconds = dates.to_numpy(dtype="datetime64[s]").view(np.int64)
    return np.where(seconds != NO_DATE, seconds // SECONDS_PER_DAY, NO_DATE)


def _stale(p: Prepared, params: AnalysisParams) -> tuple[str, tuple[StaleDeal, ...], int, float | None] | None:
    if p.kind is DatasetKind.SALES or p.end is None:
        return None
    frame = p.frame
    created = _column_dates(frame, Field.CREATED)
    modified = _column_dates(frame, Field.MODIFIED)
    if modified is not None:
        basis, moved = "modified", modified if created is None else modified.fillna(created)
        last = modified.max()
        end = max(p.end, last) if not pd.isna(last) else p.end
    elif created is not None:
        basis, moved, end = "created", created, p.end
    else:
        return None
    day = _day_numbers(moved)
    end_day = int(pd.Timestamp(end).normalize().timestamp()) // SECONDS_PER_DAY
    days = np.where(day != NO_DATE, end_day - day, -1)
    stale = p.open & (days > params.stale_open_days)
    rows = np.flatnonzero(stale)
    amount = p.amount[rows]
    chosen = _top(rows, np.nan_to_num(amount, nan=-np.inf), days[rows])
    dated = moved.iloc[chosen]
    items = tuple(
        StaleDeal(
            deal=deal,
            client=client,
            manager=manager,
            stage=stage,
            amount=_float(p.amount[row]),
            last_moved=_date(moved_at),
            days=int(days[row]),
        )
        for row, deal, client, manager, stage, moved_at in zip(
            chosen,
            _deal_names(frame, chosen),
            _texts(frame, Field.CLIENT, chosen),
            _texts(frame, Field.MANAGER, chosen),
            _texts(frame, Field.STAGE, chosen),
            dated.tolist(),
            strict=True,
        )
    )
    return basis, items, len(rows), float(np.nansum(amount)) if np.isfinite(amount).any() else None


def _lost_deals(p: Prepared) -> tuple[tuple[LostDeal, ...], int, float | None] | None:
    if p.kind is DatasetKind.SALES:
        return None
    rows = np.flatnonzero(p.lost)
    amount = p.amount[rows]
    sized = amount > 0
    frame = p.frame
    closed = _column_dates(frame, Field.CLOSED)
    closed_day = _day_numbers(closed) if closed is not None else np.full(p.total, NO_DATE)
    chosen = _top(rows, np.where(sized, amount, -np.inf), closed_day[rows])
    closed_at = closed.iloc[chosen].tolist() if closed is not None else [None] * len(chosen)
    items = tuple(
        LostDeal(
            deal=deal,
            client=client,
            manager=manager,
            stage=stage,
            amount=_float(p.amount[row]),
            reason=reason,
            closed=_date(closed_on),
        )
        for row, deal, client, manager, stage, reason, closed_on in zip(
            chosen,
            _deal_names(frame, chosen),
            _texts(frame, Field.CLIENT, chosen),
            _texts(frame, Field.MANAGER, chosen),
            _texts(frame, Field.STAGE, chosen),
            _texts(frame, Field.LOST_REASON, chosen),
            closed_at,
            strict=True,
        )
    )
    return items, len(rows), float(amount[sized].sum()) if sized.any() else None


def _sleeping(p: Prepared, params: AnalysisParams) -> tuple[tuple[SleepingClient, ...], int, float] | None:
    if p.end is None:
        return None
    codes, names = p.codes(Field.CLIENT, won_only=True)
    seconds = p.won_seconds()
    dated = (codes >= 0) & (seconds != NO_DATE)
    if not dated.any():
        return None
    n = len(names)
    client = codes[dated]
    revenue = np.bincount(client, weights=np.nan_to_num(p.amount[dated]), minlength=n)
    won = np.bincount(client, minlength=n)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, client, seconds[dated] // SECONDS_PER_DAY)
    end_day = int(p.end.normalize().timestamp()) // SECONDS_PER_DAY
    days = np.where(won > 0, end_day - last, -1)
    asleep = np.flatnonzero((won > 0) & (days > params.active_days))
    chosen = _top(asleep, revenue[asleep], last[asleep])
    items = tuple(
        SleepingClient(
            client=names[c],
            revenue=float(revenue[c]),
            won=int(won[c]),
            last_deal=date.fromordinal(int(last[c]) + _EPOCH_ORDINAL),
            days=int(days[c]),
            group="sleeping" if days[c] <= params.sleeping_days else "churned",
        )
        for c in chosen
    )
    return items, len(asleep), float(revenue[asleep].sum())


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _top(rows: np.ndarray, key: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Up to LIST_LIMIT of `rows`: largest `key` first, then largest `then`, then export order. Only the rows at
    or above the LIST_LIMIT-th key are sorted (a million open deals sort in a blink)."""
    if len(rows) > LIST_LIMIT:
        threshold = np.partition(key, len(key) - LIST_LIMIT)[len(key) - LIST_LIMIT]
        keep = key >= threshold
        rows, key, then = rows[keep], key[keep], then[keep]
    order = np.lexsort((rows, -then, -key))
    return rows[order[:LIST_LIMIT]]


def _deal_names(frame: pd.DataFrame, rows: np.ndarray) -> list[str]:
    titles = _texts(frame, Field.TITLE, rows)
    ids = _texts(frame, Field.DEAL_ID, rows)
    return [title or deal_id or "" for title, deal_id in zip(titles, ids, strict=True)]


def _texts(frame: pd.DataFrame, column: Field, rows: np.ndarray) -> list[str | None]:
    if column.value not in frame.columns:
        return [None] * len(rows)
    return [_text(v) for v in frame[column.value].iloc[rows].tolist()]


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


# --- lost reasons ----------------------------------------------------------------------------------------------


def lost_reasons(p: Prepared) -> LostReasons | None:
    if p.kind is DatasetKind.SALES or not p.lost.any() or Field.LOST_REASON.value not in p.frame.columns:
        return None
    codes, names = text_codes(p.frame[Field.LOST_REASON.value], p.lost)
    names = [name.strip() for name in names]
    if not (codes >= 0).any():
        return None
    rows = np.flatnonzero(p.lost)
    reason = codes[rows].astype(np.int64) + 1  # 0: no reason stated
    money = np.nan_to_num(p.amount[rows])
    labels: list[str | None] = [None, *[name or None for name in names]]
    overall = _reason_stats(reason, money, labels, LIST_LIMIT)
    by_manager: list[ManagerReasons] = []
    managers, manager_names = p.codes(Field.MANAGER)
    manager = managers[rows]
    for m in np.unique(manager[manager >= 0]):
        mine = manager == m
        by_manager.append(
            ManagerReasons(
                manager=manager_names[int(m)],
                lost=int(mine.sum()),
                amount=float(money[mine].sum()),
                reasons=_reason_stats(reason[mine], money[mine], labels, MANAGER_REASONS_LIMIT),
            )
        )
    by_manager.sort(key=lambda s: (-s.lost, -s.amount, s.manager))
    return LostReasons(
        lost=len(rows),
        with_reason=int((reason > 0).sum()),
        amount=float(money.sum()),
        reasons=overall,
        by_manager=tuple(by_manager),
    )


def _reason_stats(
    reason: np.ndarray, money: np.ndarray, labels: list[str | None], limit: int
) -> tuple[ReasonStat, ...]:
    k = len(labels)
    count = np.bincount(reason, minlength=k)
    amount = np.bincount(reason, weights=money, minlength=k)
    total, total_money = int(count.sum()), float(amount.sum())
    present = [i for i in range(k) if count[i]]
    present.sort(key=lambda i: (-int(count[i]), -float(amount[i]), labels[i] is None, labels[i] or ""))
    return tuple(
        ReasonStat(
            reason=labels[i],
            count=int(count[i]),
            amount=float(amount[i]),
            share=int(count[i]) / total,
            amount_share=float(amount[i]) / total_money if total_money > 0 else None,
        )
        for i in present[:limit]
    )


# --- sources ---------------------------------------------------------------------------------------------------


def sources(p: Prepared) -> Sources | None:
    if Field.SOURCE.value not in p.frame.columns:
        return None
    codes, names = p.codes(Field.SOURCE)
    known = codes >= 0
    if not known.any():
        return None
    n = len(names)
    sold = p.won & np.isfinite(p.amount)

    def per_source(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        chosen = known & mask
        return np.bincount(codes[chosen], weights=None if weights is None else weights[chosen], minlength=n)

    deals = per_source(np.ones(p.total, dtype=bool))
    won, lost = per_source(p.won), per_source(p.lost)
    revenue = per_source(sold, p.amount)
    total_revenue = float(revenue.sum())
    pipeline = p.kind is DatasetKind.DEALS
    items = [
        SourceStat(
            source=names[i].strip() or names[i],
            deals=int(deals[i]),
            won=int(won[i]),
            lost=int(lost[i]),
            revenue=float(revenue[i]),
            revenue_share=float(revenue[i]) / total_revenue if total_revenue > 0 else None,
            conversion=int(won[i]) / int(deals[i]) if pipeline and deals[i] else None,
            win_rate=int(won[i]) / int(won[i] + lost[i]) if pipeline and won[i] + lost[i] else None,
        )
        for i in range(n)
        if deals[i]
    ]
    items.sort(key=lambda s: (-s.revenue, -s.deals, s.source))
    unknown = ~known
    return Sources(
        items=tuple(items[:LIST_LIMIT]),
        without_source=int(unknown.sum()),
        without_source_revenue=float(np.nansum(p.amount[sold & unknown])),
    )
