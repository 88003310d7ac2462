"""Pipeline order of an export's stages, and the known CRM pipeline an export follows.

An export lists deals, not its pipeline, so the order is inferred:
- Every stage name belongs to one default pipeline of analytics/data/stages.yaml: that pipeline's order.
- Otherwise the open stages come first, then the stages holding only won deals, then those holding only lost
  ones. Among the open stages, those of the default pipeline sharing the most names with the export ("known")
  keep their known order; each other ("unknown") stage is placed among them by evidence, strongest first:
  1. A stage probability column ("Probability (%)" in Zoho and Salesforce, "Вероятность"): CRMs set it per
     stage and it grows along the pipeline. Per stage, the median over its open deals. Used only when it
     covers half of the open deals and never contradicts the known order (a hand-typed column is no evidence).
  2. The stage vocabulary (`stage_words` in stages.yaml): word stems and where stages named with them usually
     sit, from 0 (a new lead) to 1 (a contract, an invoice): "Prospect" is early, "Initial Offer" late.
     Known stages are scored with the same words, so a stem only has to be right relative to its neighbours.
  3. The mean age of the stage's open deals (days from creation to the export's last creation date): deals
     further along are older on average. Noisy, so last, and used only when the known stages agree with it
     more often than not.
  Each unknown stage goes to the place among the stages already ordered that contradicts the fewest of them
  under the first evidence that scores it; ties are narrowed by the next evidence; a stage no evidence tells
  apart goes after the others (first appearance, as before).
  Not used: the share of a stage's deals that were won. In amoCRM, Bitrix24 and Zoho a won deal leaves its
  stage for the won one, so that share says nothing about the order; where deals keep their stage (Pipedrive)
  it mostly marks the last stage, which the other evidence already places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.data.load import load_data
from analytics.values_codes import normalize_word

WON, LOST = 0, 1  # verdict codes of analytics.values.STATUS_NAMES
MIN_PROBABILITY_COVER = 0.5  # share of open deals with a probability for the column to count


@dataclass(frozen=True, slots=True)
class StageEvidence:
    created: pd.Series | None = None  # datetime64 per row
    probability: pd.Series | None = None  # raw cells of a probability column, per row


@lru_cache(maxsize=1)
def pipelines() -> tuple[tuple[str, ...], ...]:
    """The default pipelines, names as written in stages.yaml."""
    return tuple(tuple(str(s) for s in stages) for stages in load_data("stages.yaml")["pipelines"].values())


@lru_cache(maxsize=1)
def _normal_pipelines() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize_word(s) for s in p) for p in pipelines())


@lru_cache(maxsize=1)
def _stage_words() -> tuple[tuple[str, float], ...]:
    return tuple((normalize_word(str(w)), float(pos)) for w, pos in load_data("stages.yaml")["stage_words"].items())


def known_pipeline(stages: Sequence[str]) -> tuple[str, ...] | None:
    """The default pipeline holding every given stage name (the first such in stages.yaml), None if none does."""
    normal = {normalize_word(s) for s in stages if s}
    if not normal:
        return None
    for names, normal_names in zip(pipelines(), _normal_pipelines(), strict=True):
        if normal <= set(normal_names):
            return names
    return None


def order_stages(
    names: list[str], codes: np.ndarray, verdict: np.ndarray, evidence: StageEvidence | None = None
) -> tuple[str, ...]:
    """names: the stage of each code (stripped; "" when blank); codes per row (-1 missing); verdict per row."""
    present = list(dict.fromkeys(s for s in names if s))
    if not present:
        return ()
    normal = {s: normalize_word(s) for s in present}
    for pipeline in _normal_pipelines():
        if set(normal.values()) <= set(pipeline):
            return tuple(sorted(present, key=lambda s: pipeline.index(normal[s])))
    slot = {s: i for i, s in enumerate(present)}
    by_name = np.asarray([slot.get(s, -1) for s in names] + [-1], dtype=np.int64)
    stage = by_name[codes]  # row -> index in present, -1 when blank
    known_rows = stage >= 0
    size = len(present)
    total = np.bincount(stage[known_rows], minlength=size)
    won = np.bincount(stage[known_rows & (verdict == WON)], minlength=size)
    lost = np.bincount(stage[known_rows & (verdict == LOST)], minlength=size)
    rank = [1 if won[i] == total[i] > 0 else 2 if lost[i] == total[i] > 0 else 0 for i in range(size)]
    open_names = [s for i, s in enumerate(present) if rank[i] == 0]
    if len(open_names) > 1:
        open_rows = stage >= 0
        open_rows &= (verdict != WON) & (verdict != LOST)
        open_names = _by_evidence(open_names, normal, stage, open_rows, present, evidence or StageEvidence())
    return (
        *open_names,
        *(s for i, s in enumerate(present) if rank[i] == 1),
        *(s for i, s in enumerate(present) if rank[i] == 2),
    )


def _by_evidence(
    open_names: list[str],
    normal: dict[str, str],
    stage: np.ndarray,
    open_rows: np.ndarray,
    present: list[str],
    evidence: StageEvidence,
) -> list[str]:
    best: tuple[str, ...] = ()
    for pipeline in _normal_pipelines():
        if len(set(pipeline) & {normal[s] for s in open_names}) > len(best):
            best = pipeline
    known = sorted((s for s in open_names if normal[s] in best), key=lambda s: best.index(normal[s]))
    unknown = [s for s in open_names if normal[s] not in best]
    if not unknown:
        return known
    index = {s: i for i, s in enumerate(present)}
    sources: list[dict[str, float]] = []
    probability = _per_stage_median(evidence.probability, stage, open_rows, present, index, open_names)
    if probability and not _contradicts(known, probability):
        sources.append(probability)
    sources.append(_vocabulary(open_names, normal))
    age = _mean_age(evidence.created, stage, open_rows, present, open_names)
    concordant, discordant = _discordance(known, age)
    if age and concordant >= discordant:
        sources.append(age)
    return place(known, unknown, sources)


def place(ordered: list[str], unknown: list[str], sources: list[dict[str, float]]) -> list[str]:
    """Insert each unknown stage into the ordered ones where it contradicts the fewest scored stages under the
    first source that scores it; ties narrowed by the next sources; what stays tied goes last."""
    sequence = list(ordered)
    for name in unknown:
        slots = list(range(len(sequence) + 1))
        for scores in sources:
            if name not in scores:
                continue
            value = scores[name]
            scored = [(i, scores[s]) for i, s in enumerate(sequence) if s in scores]
            if not scored:
                continue
            cost = {k: sum(1 for i, v in scored if (i < k and v > value) or (i >= k and v < value)) for k in slots}
            least = min(cost.values())
            slots = [k for k in slots if cost[k] == least]
            if len(slots) == 1:
                break
        sequence.insert(slots[-1], name)
    return sequence


def _discordance(known: list[str], scores: dict[str, float]) -> tuple[int, int]:
    """(pairs of known stages the scores order as known, pairs they order the other way)."""
    values = [scores[s] for s in known if s in scores]
    pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1 :] if a != b]
    concordant = sum(1 for a, b in pairs if a < b)
    return concordant, len(pairs) - concordant


def _contradicts(known: list[str], scores: dict[str, float]) -> bool:
    return _discordance(known, scores)[1] > 0


def _vocabulary(open_names: list[str], normal: dict[str, str]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for name in open_names:
        words = normal[name].split()
        padded = f" {normal[name]} "
        hits = [
            pos
            for stem, pos in _stage_words()
            if (f" {stem}" in padded if " " in stem else any(w.startswith(stem) for w in words))
        ]
        if hits:
            scores[name] = sum(hits) / len(hits)
    return scores


def _per_stage_median(
    cells: pd.Series | None,
    stage: np.ndarray,
    open_rows: np.ndarray,
    present: list[str],
    index: dict[str, int],
    open_names: list[str],
) -> dict[str, float]:
    if cells is None or not open_rows.any():
        return {}
    text = cells.astype("string").str.replace("%", "", regex=False).str.replace(",", ".", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    usable = open_rows & np.isfinite(values)
    if usable.sum() < MIN_PROBABILITY_COVER * open_rows.sum():
        return {}
    frame = pd.DataFrame({"stage": stage[usable], "value": values[usable]})
    medians = frame.groupby("stage")["value"].median()
    wanted = {index[s] for s in open_names}
    scores = {present[int(i)]: float(v) for i, v in medians.items() if int(i) in wanted}
    return scores if len(set(scores.values())) > 1 else {}


def _mean_age(
    created: pd.Series | None, stage: np.ndarray, open_rows: np.ndarray, present: list[str], open_names: list[str]
) -> dict[str, float]:
    if created is None:
        return {}
    seconds = created.to_numpy(dtype="datetime64[s]").view(np.int64)
    dated = open_rows & (seconds != np.iinfo(np.int64).min)
    if not dated.any():
        return {}
    age = (seconds[dated].max() - seconds[dated]).astype(np.float64) / 86400.0
    count = np.bincount(stage[dated], minlength=len(present))
    total = np.bincount(stage[dated], weights=age, minlength=len(present))
    return {s: float(total[i] / count[i]) for i, s in enumerate(present) if s in open_names and count[i]}
