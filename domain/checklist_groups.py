"""A finished run's result by the checklist's groups (the six mistakes, the signs): a subtotal per group, and the
order in which weak items are worth showing. Pure, no aiogram.

Ranked by answer first (every «Нет» before any «Частично»), and within one answer the weakest item of each group
before the second weakest of any group: the first few items shown then come from different groups, instead of
all from the first groups of the questionnaire.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from content.schema import Checklist
from domain.checklists import ChecklistResult, WeakItem


@dataclass(frozen=True, slots=True)
class GroupResult:
    key: str | None  # None: the checklist has no groups, all items are one untitled group
    title: str | None
    score: int  # 0-100 over the group's items
    weak: tuple[WeakItem, ...]  # the group's weak items, most urgent first


@dataclass(frozen=True, slots=True)
class GroupedResult:
    groups: tuple[GroupResult, ...]  # in checklist order
    ranked: tuple[WeakItem, ...]  # every weak item, in the order worth showing

    def shown(self, limit: int) -> tuple[tuple[GroupResult, tuple[WeakItem, ...]], ...]:
        """Every group with those of its weak items that are among the first `limit` ranked ones."""
        keep = {item.item_key for item in self.ranked[:limit]}
        return tuple((group, tuple(item for item in group.weak if item.item_key in keep)) for group in self.groups)


def group_result(checklist: Checklist, outcome: ChecklistResult) -> GroupedResult:
    """`outcome` is the scored run (`score_run`); the weak items are those worth less than 1. Items the run never
    answered (a run finished before the checklist gained them) count in no subtotal."""
    weak_by_key = {item.item_key: item for item in outcome.weak_items}
    unanswered = set(outcome.unanswered)
    group_of = {item.key: item.group for item in checklist.items}
    group_order = {group.key: position for position, group in enumerate(checklist.groups)}
    if checklist.groups:
        sections: list[tuple[str | None, str | None]] = [(group.key, group.title) for group in checklist.groups]
    else:
        sections = [(None, None)]
    groups = []
    for key, title in sections:
        items = [
            item
            for item in checklist.items
            if (item.group == key or not checklist.groups) and item.key not in unanswered
        ]
        values = [(item.weight, weak_by_key[item.key].value if item.key in weak_by_key else 1.0) for item in items]
        weak = tuple(w for w in outcome.weak_items if not checklist.groups or group_of.get(w.item_key) == key)
        groups.append(GroupResult(key=key, title=title, score=_percent(values), weak=weak))

    seen: Counter[tuple[float, str | None]] = Counter()
    keyed = []
    for position, item in enumerate(outcome.weak_items):  # already by answer, weight, questionnaire order
        group = group_of.get(item.item_key)
        turn = seen[(item.value, group)]  # how many items of this group with this answer come before it
        seen[(item.value, group)] += 1
        keyed.append(((item.value, turn, group_order.get(group or "", 0), position), item))
    ranked = tuple(item for _, item in sorted(keyed, key=lambda pair: pair[0]))
    return GroupedResult(groups=tuple(groups), ranked=ranked)


def _percent(values: list[tuple[float, float]]) -> int:
    """Weighted mean of (weight, value) pairs, 0-100, rounded half up like the checklist score."""
    total = sum(weight for weight, _ in values)
    if total == 0:
        return 0
    mean = sum(weight * value for weight, value in values) / total
    return math.floor(mean * 100 + 0.5 + 1e-9)
