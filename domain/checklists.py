"""Checklist scoring: score, zone, weak items, and the change between two runs. Pure, no aiogram.

Answers map an item key to an answer option key (as stored in `checklist_answers`). An answer whose item
or option no longer exists in the content is ignored, as if not given; an item added after a run was
taken is listed as unanswered (an old run still renders).

Voice: a checklist's texts speak to the head taking it («вы»); `in_voice(checklist, role)` gives the
owner's wording where the content has one (`owner:` on the checklist, its items and zones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from content.schema import AnswerOption, Checklist, Item, Zone
from domain.models import Role


@dataclass(frozen=True, slots=True)
class ZoneResult:
    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class WeakItem:
    item_key: str
    question: str
    answer_key: str
    answer_label: str
    value: float
    weight: float
    action: str
    task: str
    why: str
    mistake: str | None


@dataclass(frozen=True, slots=True)
class ScorePoints:
    """What the 0-100 score is made of, in whole points: «14 из 24 (Да — 2, Частично — 1, Нет — 0)».

    Each answer's value (0..1) is multiplied by the smallest factor that makes every value whole (2 for
    1 / 0.5 / 0). `weighted` is True only when the answered items' weights differ; then an item's points are
    also multiplied by its weight, and `earned` / `possible` may be fractional.
    """

    earned: Fraction
    possible: Fraction
    scale: tuple[tuple[str, int], ...]  # (label, points) of the checklist's own options, best first
    weighted: bool
    inverted: bool  # some items score the same labels the other way round (e.g. «Да» = a toxic KPI is there)


@dataclass(frozen=True, slots=True)
class ChecklistResult:
    checklist_key: str
    score: int  # 0-100
    zone: ZoneResult
    no_count: int  # answers worth 0 over the whole checklist
    weak_items: tuple[WeakItem, ...]  # value < 1, the most urgent first
    points: ScorePoints
    unanswered: tuple[str, ...] = ()  # items added to the content after this run was taken


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class ItemChange:
    item_key: str
    question: str
    direction: Direction
    before_label: str
    after_label: str
    before_value: float
    after_value: float


@dataclass(frozen=True, slots=True)
class RunComparison:
    checklist_key: str
    previous_score: int
    current_score: int
    score_delta: int
    changes: tuple[ItemChange, ...]  # in checklist order; only items answered in both runs

    @property
    def improved(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.direction is Direction.IMPROVED)

    @property
    def worsened(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.direction is Direction.WORSENED)


def chosen_option(checklist: Checklist, item: Item, answer_key: str | None) -> AnswerOption | None:
    """The option an answer key names for this item, or None if unanswered or no longer valid."""
    if answer_key is None:
        return None
    return next((o for o in checklist.answers_for(item) if o.key == answer_key), None)


def next_unanswered(checklist: Checklist, answers: Mapping[str, str]) -> int | None:
    """Index of the first item without a valid answer; None when all are answered."""
    for index, item in enumerate(checklist.items):
        if chosen_option(checklist, item, answers.get(item.key)) is None:
            return index
    return None


def for_owners(checklist: Checklist) -> bool:
    """Whether an owner may take the checklist about their head of sales: derived from the content, true exactly
    when it carries the owner's wording (`owner:` on the checklist: weak_rop and kpi today)."""
    return checklist.owner is not None


def in_voice(checklist: Checklist, role: Role | None = Role.HEAD) -> Checklist:
    """The checklist worded for the person taking it: the content's own texts speak to the head («вы»);
    for an owner, the `owner:` variants replace them where given. A head, a manager or an unknown role
    gets the checklist itself (no copy). Screens render questions, zones and advice from what this returns."""
    if role is not Role.OWNER:
        return checklist
    cached = _OWNER_VOICE.get(id(checklist))
    if cached is not None and cached[0] is checklist:
        return cached[1]
    voiced = _owner_voice(checklist)
    _OWNER_VOICE[id(checklist)] = (checklist, voiced)
    return voiced


_OWNER_VOICE: dict[int, tuple[Checklist, Checklist]] = {}  # id -> (original kept alive, owner's version)


def _owner_voice(checklist: Checklist) -> Checklist:
    def overrides(voice: Any) -> dict[str, Any]:
        return {} if voice is None else {k: v for k, v in voice.model_dump().items() if v is not None}

    items = tuple(item.model_copy(update=overrides(item.owner)) for item in checklist.items)
    zones = tuple(zone.model_copy(update=overrides(zone.owner)) for zone in checklist.zones)
    return checklist.model_copy(update={**overrides(checklist.owner), "items": items, "zones": zones})


def score_run(checklist: Checklist, answers: Mapping[str, str], role: Role | None = Role.HEAD) -> ChecklistResult:
    """Score a run in the taker's voice (`role`, the head's by default: see `in_voice`).

    Items without a valid answer (added to the content after the run) are left out of the score and listed
    in `unanswered`; a run being finished has none (the handlers finish it only when `next_unanswered` is None).
    """
    checklist = in_voice(checklist, role)
    chosen = _valid_answers(checklist, answers)
    unanswered = tuple(item.key for item in checklist.items if item.key not in chosen)
    score = _score(checklist.items, chosen)
    zone = _zone_for(checklist, score, chosen)
    order = {item.key: position for position, item in enumerate(checklist.items)}
    weak = sorted(
        (item for item in checklist.items if item.key in chosen and chosen[item.key].value < 1),
        key=lambda item: (chosen[item.key].value, -item.weight, order[item.key]),
    )
    return ChecklistResult(
        checklist_key=checklist.key,
        score=score,
        zone=ZoneResult(key=zone.key, title=zone.title, text=zone.text),
        no_count=sum(1 for option in chosen.values() if option.value == 0),
        weak_items=tuple(_weak_item(item, chosen[item.key]) for item in weak),
        points=_points(checklist, chosen),
        unanswered=unanswered,
    )


def matching_zones(checklist: Checklist, answers: Mapping[str, str]) -> tuple[str, ...]:
    """Keys of every zone whose own conditions hold for these answers (exactly one for well-formed content)."""
    chosen = _valid_answers(checklist, answers)
    score = _score(checklist.items, chosen)
    return tuple(zone.key for zone in checklist.zones if _zone_holds(zone, score, chosen))


def _zone_for(checklist: Checklist, score: int, chosen: Mapping[str, AnswerOption]) -> Zone:
    return next((z for z in checklist.zones if _zone_holds(z, score, chosen)), checklist.zones[-1])


def _points(checklist: Checklist, chosen: Mapping[str, AnswerOption]) -> ScorePoints:
    options = [checklist.answers_for(item) for item in checklist.items]
    values = {Fraction(o.value).limit_denominator(100) for group in options for o in group}
    factor = next((k for k in range(1, 101) if all((v * k).denominator == 1 for v in values)), 1)
    answered = [item for item in checklist.items if item.key in chosen]
    weighted = len({item.weight for item in answered}) > 1
    weight = {item.key: Fraction(item.weight).limit_denominator(100) if weighted else Fraction(1) for item in answered}
    earned = sum(
        (weight[i.key] * Fraction(chosen[i.key].value).limit_denominator(100) * factor for i in answered), Fraction(0)
    )
    possible = sum((weight[i.key] * factor for i in answered), Fraction(0))
    own = {o.label: o.value for o in checklist.answers}
    inverted = any(own.get(o.label, o.value) != o.value for group in options for o in group)
    scale = tuple(
        (o.label, int(Fraction(o.value).limit_denominator(100) * factor))
        for o in sorted(checklist.answers, key=lambda o: -o.value)
    )
    return ScorePoints(earned=earned, possible=possible, scale=scale, weighted=weighted, inverted=inverted)


def compare_runs(
    checklist: Checklist, previous: Mapping[str, str], current: Mapping[str, str], role: Role | None = Role.HEAD
) -> RunComparison:
    """Compare two runs against today's content, worded for `role` (see `in_voice`). Each score counts the
    answers still valid in that run (0 if none), so a run taken before items were added is still comparable."""
    checklist = in_voice(checklist, role)
    before = _valid_answers(checklist, previous)
    after = _valid_answers(checklist, current)
    changes = []
    for item in checklist.items:
        old, new = before.get(item.key), after.get(item.key)
        if old is None or new is None:
            continue
        if new.value > old.value:
            direction = Direction.IMPROVED
        elif new.value < old.value:
            direction = Direction.WORSENED
        else:
            direction = Direction.SAME
        changes.append(
            ItemChange(
                item_key=item.key,
                question=item.question,
                direction=direction,
                before_label=old.label,
                after_label=new.label,
                before_value=old.value,
                after_value=new.value,
            )
        )
    previous_score = _score(checklist.items, before)
    current_score = _score(checklist.items, after)
    return RunComparison(
        checklist_key=checklist.key,
        previous_score=previous_score,
        current_score=current_score,
        score_delta=current_score - previous_score,
        changes=tuple(changes),
    )


def _valid_answers(checklist: Checklist, answers: Mapping[str, str]) -> dict[str, AnswerOption]:
    chosen = {}
    for item in checklist.items:
        option = chosen_option(checklist, item, answers.get(item.key))
        if option is not None:
            chosen[item.key] = option
    return chosen


def _score(items: tuple[Item, ...], chosen: Mapping[str, AnswerOption]) -> int:
    """Weighted mean of the answered items' values, 0-100, rounded half up (Python's round is banker's)."""
    answered = [item for item in items if item.key in chosen]
    total_weight = sum(item.weight for item in answered)
    if total_weight == 0:
        return 0
    mean = sum(item.weight * chosen[item.key].value for item in answered) / total_weight
    return math.floor(mean * 100 + 0.5 + 1e-9)  # epsilon: 0.285 * 100 is 28.499999...


def _zone_holds(zone: Zone, score: int, chosen: Mapping[str, AnswerOption]) -> bool:
    if zone.min_score is not None and score < zone.min_score:
        return False
    if zone.max_score is not None and score > zone.max_score:
        return False
    scope = zone.no_in if zone.no_in is not None else tuple(chosen)
    no_count = sum(1 for key in scope if key in chosen and chosen[key].value == 0)
    if zone.max_no is not None and no_count > zone.max_no:
        return False
    return zone.min_no is None or no_count >= zone.min_no


def _weak_item(item: Item, option: AnswerOption) -> WeakItem:
    return WeakItem(
        item_key=item.key,
        question=item.question,
        answer_key=option.key,
        answer_label=option.label,
        value=option.value,
        weight=item.weight,
        action=item.action,
        task=item.task,
        why=item.why,
        mistake=item.mistake,
    )
