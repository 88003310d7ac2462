"""The funnel: deals per stage in pipeline order and the share of deals that reached each stage or beyond.

Rules (the export shows where a deal is now, not its path, so "reached" is inferred):
- A stage that holds only won deals is a won stage ("Успешно реализовано", "Closed Won"), only lost deals a
  lost stage; every other stage is an open pipeline stage. The funnel lists the open stages in pipeline
  order, then the won stages, then the lost ones, whatever order the export used.
- An open deal reached its own stage and every stage before it.
- A won deal reached every open stage.
- A lost deal reached up to its stage when that stage is an open one (Pipedrive and Bitrix24 keep the stage
  where the deal was lost); when it sits in a lost stage its last open stage is unknown, so it counts as
  having reached only the first stage.
- A deal with no stage counts as having reached the first stage (a won one: every open stage).
- reached_share of an open stage = deals that reached it or beyond / all deals; of a won or lost stage =
  deals in it / all deals.
- Stages of a known CRM order with no deals are kept between open stages (nobody is there now is news) and
  dropped after the last occupied open stage (they are the CRM's unused end stages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analytics.metrics_prep import CODE, Prepared
from analytics.schema import DatasetKind, Field, FunnelStage


@dataclass(frozen=True, slots=True)
class FunnelLayout:
    stages: tuple[FunnelStage, ...]
    reach: np.ndarray  # per deal: index of the last open stage it reached (0 == the first open stage)
    open_stages: int


def build_funnel(p: Prepared, stage_order: Sequence[str]) -> FunnelLayout:
    empty = FunnelLayout((), np.zeros(p.total, dtype=CODE), 0)
    if p.kind is DatasetKind.SALES or p.total == 0:
        return empty
    raw_codes, names = p.codes(Field.STAGE)
    if not names:
        return empty
    codes, order = _stage_codes(raw_codes, names, stage_order)
    n = len(order)
    known = codes >= 0
    per_stage = np.bincount(codes[known], minlength=n)
    won_at = np.bincount(codes[known & p.won], minlength=n)
    lost_at = np.bincount(codes[known & p.lost], minlength=n)
    is_won_stage = (per_stage > 0) & (won_at == per_stage)
    is_lost_stage = (per_stage > 0) & (lost_at == per_stage)
    is_open = ~(is_won_stage | is_lost_stage)
    occupied_open = np.flatnonzero(is_open & (per_stage > 0))
    last_open = occupied_open[-1] if len(occupied_open) else -1
    is_open &= np.arange(n) <= last_open

    open_idx = np.flatnonzero(is_open)
    position = np.zeros(n + 1, dtype=CODE)  # open position per stage; 0 for terminal stages and (last) no stage
    position[open_idx] = np.arange(len(open_idx))
    k = len(open_idx)
    reach = position[codes]  # code -1 picks the last slot
    reach[p.won] = max(k - 1, 0)

    stages: list[FunnelStage] = []
    if k:
        reached_at_least = np.bincount(reach, minlength=k)[::-1].cumsum()[::-1]
        for pos, idx in enumerate(open_idx):
            stages.append(FunnelStage(order[idx], int(per_stage[idx]), float(reached_at_least[pos]) / p.total))
    for terminal in (is_won_stage, is_lost_stage):
        for idx in np.flatnonzero(terminal):
            stages.append(FunnelStage(order[idx], int(per_stage[idx]), float(per_stage[idx]) / p.total))
    return FunnelLayout(tuple(stages), reach, k)


def _stage_codes(codes: np.ndarray, names: list[str], stage_order: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Integer stage per deal (-1 when missing) over the pipeline order plus any stage the order missed."""
    order = list(dict.fromkeys(stage_order))
    seen = set(order)
    order += [s for s in names if s not in seen]
    where = {s: i for i, s in enumerate(order)}
    remap = np.asarray([where[s] for s in names] + [-1], dtype=CODE)
    return remap[codes], order  # codes == -1 picks the trailing -1
