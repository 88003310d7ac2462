"""The funnel: how many deals reached each open stage in pipeline order, the conversion from each stage to the
next, and the won deals as the funnel's last step. Lost deals are not a step: they stand apart (DealCounts.lost),
each counted at the open stage where it was lost when the export says so.

Rules (the export shows where a deal is now, not its path, so "reached" is inferred):
- A stage that holds only won deals is a won stage ("Успешно реализовано", "Closed Won"), only lost deals a
  lost stage; every other stage is an open pipeline stage. The funnel lists the open stages in pipeline order
  (analytics.stage_order), then one won step (named after the won stages, "" when the export has none).
- An open deal reached its own stage and every stage before it.
- A won deal reached every open stage and the won step.
- A lost deal reached up to its stage when that stage is an open one (Pipedrive and Bitrix24 keep the stage
  where the deal was lost: FunnelStage.lost counts it there); when it sits in a lost stage its last open stage
  is unknown, so it counts as having reached only the first stage.
- A deal with no stage counts as having reached the first stage (a won one: every step).
- reached = deals that reached the stage or beyond; reached_share = reached / all deals; conversion = reached
  of the next step / reached of this one (the last open stage's next step is the won one); count = open deals
  at the stage now (won deals at the won step).
- Open stages run from the first occupied one to the last occupied one; empty stages between them stay (nobody
  there now is news). When every stage of the export belongs to one default CRM pipeline (stages.yaml), that
  pipeline's empty open stages after the first occupied one stay too, to its end: won deals went through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analytics.metrics_prep import CODE, Prepared
from analytics.schema import DatasetKind, Field, FunnelStage
from analytics.stage_order import known_pipeline
from analytics.values import status_codes
from analytics.values_codes import normalize_word


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
    occupied = np.flatnonzero(is_open & (per_stage > 0))
    open_names: list[str] = []
    if len(occupied):
        span = np.arange(occupied[0], occupied[-1] + 1)
        open_names = [order[i] for i in span[is_open[span]]]
    occupied_span = len(open_names)  # what qualified_conversion counts: stages up to the last occupied one
    pipeline = known_pipeline([order[i] for i in np.flatnonzero(per_stage > 0)])
    if pipeline is not None and open_names:
        open_names = _with_pipeline(open_names, pipeline)

    k = len(open_names)
    slot = {name: i for i, name in enumerate(open_names)}
    position = np.asarray([slot.get(name, 0) for name in order] + [0], dtype=CODE)  # code -1 picks the last 0
    in_funnel = np.asarray([name in slot for name in order] + [False])
    reach = position[codes]
    reach[p.won] = max(k - 1, 0)
    at_open_stage = in_funnel[codes]

    won = int(p.won.sum())
    won_names = [order[i] for i in np.flatnonzero(is_won_stage)]
    won_step = FunnelStage(" / ".join(won_names), won, won / p.total, won, None, 0, True)
    if not k:
        return FunnelLayout((won_step,) if won else (), reach, 0)
    reached = np.bincount(reach, minlength=k)[::-1].cumsum()[::-1]
    reached_next = np.append(reached[1:], won)
    now = np.bincount(reach[p.open & at_open_stage], minlength=k)
    lost_here = np.bincount(reach[p.lost & at_open_stage], minlength=k)
    stages = [
        FunnelStage(
            name,
            int(now[i]),
            float(reached[i]) / p.total,
            int(reached[i]),
            float(reached_next[i]) / float(reached[i]) if reached[i] else None,
            int(lost_here[i]),
        )
        for i, name in enumerate(open_names)
    ]
    return FunnelLayout((*stages, won_step), reach, occupied_span)


def _with_pipeline(open_names: list[str], pipeline: Sequence[str]) -> list[str]:
    """The pipeline's open stages from the first of open_names to the pipeline's end, spelt as in the export."""
    spelling = {normalize_word(name): name for name in open_names}
    verdict = status_codes(list(pipeline))
    steps = [s for i, s in enumerate(pipeline) if verdict[i] == 2]
    normal = list(dict.fromkeys(normalize_word(s) for s in steps))
    if normalize_word(open_names[0]) not in normal:
        return open_names
    first = normal.index(normalize_word(open_names[0]))
    kept = [spelling.get(word, next(s for s in steps if normalize_word(s) == word)) for word in normal[first:]]
    return kept + [name for name in open_names if name not in kept]


def _stage_codes(codes: np.ndarray, names: list[str], stage_order: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Integer stage per deal (-1 when missing) over the pipeline order plus any stage the order missed."""
    order = list(dict.fromkeys(stage_order))
    seen = set(order)
    order += [s for s in names if s not in seen]
    where = {s: i for i, s in enumerate(order)}
    remap = np.asarray([where[s] for s in names] + [-1], dtype=CODE)
    return remap[codes], order  # codes == -1 picks the trailing -1
