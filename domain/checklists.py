"""Checklist scoring: score, zone, weak items, and the change between two runs. Pure, no aiogram.

Answers map an item key to an answer option key (as stored in `checklist_answers`). An answer whose item
or option no longer exists in the content is ignored, as if not given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from content.schema import AnswerOption, Checklist, Item, Zone


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
class ChecklistResult:
    checklist_key: str
    score: int  # 0-100
    zone: ZoneResult
    no_count: int  # answers worth 0 over the whole checklist
    weak_items: tuple[WeakItem, ...]  # value < 1, the most urgent first


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


def score_run(checklist: Checklist, answers: Mapping[str, str]) -> ChecklistResult:
    chosen = _valid_answers(checklist, answers)
    missing = [item.key for item in checklist.items if item.key not in chosen]
    if missing:
        raise ValueError(f"checklist {checklist.key!r}: no valid answer for {missing}")
    score = _score(checklist.items, chosen)
    zone = next(z for z in checklist.zones if _zone_holds(z, score, chosen))  # the last one always holds
    order = {item.key: position for position, item in enumerate(checklist.items)}
    weak = sorted(
        (item for item in checklist.items if chosen[item.key].value < 1),
        key=lambda item: (chosen[item.key].value, -item.weight, order[item.key]),
    )
    return ChecklistResult(
        checklist_key=checklist.key,
        score=score,
        zone=ZoneResult(key=zone.key, title=zone.title, text=zone.text),
        no_count=sum(1 for option in chosen.values() if option.value == 0),
        weak_items=tuple(_weak_item(item, chosen[item.key]) for item in weak),
    )


def compare_runs(checklist: Checklist, previous: Mapping[str, str], current: Mapping[str, str]) -> RunComparison:
    """Compare two runs against today's content. Each score counts the answers still valid in that run
    (0 if none), so a run taken before items were added is still comparable."""
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
    scope = zone.no_in if zone.no_in is not None else tuple(chosen)
    no_count = sum(1 for key in scope if chosen[key].value == 0)
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
