"""A result by the checklist's groups: subtotals, and the weakest item of each group surfacing first."""

from __future__ import annotations

from typing import Any

from content.schema import Checklist
from domain.checklist_groups import group_result
from domain.checklists import score_run

ANSWERS = [
    {"key": "yes", "label": "Да", "value": 1},
    {"key": "partly", "label": "Частично", "value": 0.5},
    {"key": "no", "label": "Нет", "value": 0},
]


def _item(key: str, group: str | None, weight: float = 1) -> dict[str, Any]:
    item = {"key": key, "question": f"{key}?", "seed": "s.txt", "why": "w", "action": "a", "task": f"t {key}"}
    return item | {"weight": weight} | ({"group": group} if group else {})


def _checklist(items: list[dict[str, Any]], groups: list[str]) -> Checklist:
    return Checklist.model_validate(
        {
            "key": "mini",
            "order": 1,
            "title": "Мини",
            "short_title": "Мини",
            "description": "Д.",
            "seeds": ["s.txt"],
            "intro": "В.",
            "rule": "П.",
            "answers": ANSWERS,
            "groups": [{"key": g, "title": f"Раздел {g}"} for g in groups],
            "items": items,
            "zones": [{"key": "any", "title": "Любой", "text": "т"}],
        }
    )


def test_within_one_answer_each_groups_weakest_comes_before_any_groups_second() -> None:
    checklist = _checklist(
        [_item("a1", "a"), _item("a2", "a"), _item("a3", "a"), _item("b1", "b"), _item("c1", "c"), _item("c2", "c")],
        ["a", "b", "c"],
    )
    answers = {"a1": "no", "a2": "no", "a3": "partly", "b1": "partly", "c1": "yes", "c2": "no"}
    grouped = group_result(checklist, score_run(checklist, answers))
    # Every «Нет» before any «Частично»; within «Нет», a1 and c2 (first of their groups) before a2.
    assert [item.item_key for item in grouped.ranked] == ["a1", "c2", "a2", "a3", "b1"]
    assert [(g.key, g.score, [w.item_key for w in g.weak]) for g in grouped.groups] == [
        ("a", 17, ["a1", "a2", "a3"]),
        ("b", 50, ["b1"]),
        ("c", 50, ["c2"]),
    ]
    shown = grouped.shown(2)
    assert [(group.key, [w.item_key for w in picked]) for group, picked in shown] == [
        ("a", ["a1"]),
        ("b", []),
        ("c", ["c2"]),
    ]


def test_a_checklist_without_groups_is_one_untitled_group_in_score_order() -> None:
    checklist = _checklist([_item("x", None), _item("y", None, weight=2), _item("z", None)], [])
    outcome = score_run(checklist, {"x": "partly", "y": "no", "z": "no"})
    grouped = group_result(checklist, outcome)
    assert [(g.key, g.title, g.score) for g in grouped.groups] == [(None, None, outcome.score)]
    assert grouped.ranked == outcome.weak_items
