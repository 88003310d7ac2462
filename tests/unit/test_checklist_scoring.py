"""Checklist scoring with hand-computed expectations: a small checklist built here, and the real ones."""

from __future__ import annotations

from typing import Any

import pytest

from content import load_content
from content.schema import Checklist
from domain.checklists import Direction, compare_runs, next_unanswered, score_run
from domain.models import Role

ANSWERS = [
    {"key": "yes", "label": "Да", "value": 1},
    {"key": "partly", "label": "Частично", "value": 0.5},
    {"key": "no", "label": "Нет", "value": 0},
]


def _item(key: str, weight: float = 1) -> dict[str, Any]:
    return {
        "key": key,
        "question": f"Вопрос {key}?",
        "seed": "s.txt",
        "why": "Потому что.",
        "action": f"Сделать {key}",
        "task": f"Задача {key}",
        "weight": weight,
    }


def _checklist(items: list[dict[str, Any]], zones: list[dict[str, Any]]) -> Checklist:
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
            "items": items,
            "zones": zones,
        }
    )


ONE_ZONE = [{"key": "any", "title": "Любой", "text": "т"}]


@pytest.fixture
def mini() -> Checklist:
    """Items a (w 1), b (w 2), c (w 1), d (w 1). Zones: top >= 80 with no "no"; crit: b answered "no";
    mid >= 50; low: the rest."""
    return _checklist(
        [_item("a"), _item("b", weight=2), _item("c"), _item("d")],
        [
            {"key": "top", "title": "Верх", "text": "т", "min_score": 80, "max_no": 0},
            {"key": "crit", "title": "Крит", "text": "т", "min_no": 1, "no_in": ["b"]},
            {"key": "mid", "title": "Середина", "text": "т", "min_score": 50},
            {"key": "low", "title": "Низ", "text": "т"},
        ],
    )


@pytest.mark.parametrize(
    ("answers", "score", "zone", "no_count"),
    [
        ({"a": "yes", "b": "yes", "c": "yes", "d": "yes"}, 100, "top", 0),
        # (0.5 + 2*1 + 0 + 1) / 5 = 0.7
        ({"a": "partly", "b": "yes", "c": "no", "d": "yes"}, 70, "mid", 1),
        # (1 + 2*1 + 1 + 0) / 5 = 0.8, but one "no": not top
        ({"a": "yes", "b": "yes", "c": "yes", "d": "no"}, 80, "mid", 1),
        # (1 + 0 + 1 + 1) / 5 = 0.6: b is "no" -> crit, although the score is 60
        ({"a": "yes", "b": "no", "c": "yes", "d": "yes"}, 60, "crit", 1),
        # (0 + 2*0.5 + 0 + 1) / 5 = 0.4
        ({"a": "no", "b": "partly", "c": "no", "d": "yes"}, 40, "low", 2),
        # (0.5 + 2*1 + 0.5 + 1) / 5 = 0.8 and no "no"
        ({"a": "partly", "b": "yes", "c": "partly", "d": "yes"}, 80, "top", 0),
        # (0.5 + 2*0.5 + 0.5 + 0.5) / 5 = 0.5
        ({"a": "partly", "b": "partly", "c": "partly", "d": "partly"}, 50, "mid", 0),
    ],
)
def test_score_zone_and_no_count(
    mini: Checklist, answers: dict[str, str], score: int, zone: str, no_count: int
) -> None:
    result = score_run(mini, answers)
    assert (result.score, result.zone.key, result.no_count) == (score, zone, no_count)
    assert result.zone.title == next(z.title for z in mini.zones if z.key == zone)


def test_score_rounds_half_up() -> None:
    heavy = _checklist([_item("a"), _item("b", weight=2), _item("c"), _item("d", weight=4)], ONE_ZONE)
    # weights 1, 2, 1, 4 (sum 8): 1/8 = 12.5% -> 13 (Python's round() would give 12)
    assert score_run(heavy, {"a": "yes", "b": "no", "c": "no", "d": "no"}).score == 13
    # (0.5 + 2*0.5 + 1 + 0) / 8 = 31.25% -> 31
    assert score_run(heavy, {"a": "partly", "b": "partly", "c": "yes", "d": "no"}).score == 31
    # (0 + 0 + 0 + 4*0.5) / 8 = 25%; (1 + 2*1 + 0.5 + 4*0.5) / 8 = 68.75% -> 69
    assert score_run(heavy, {"a": "no", "b": "no", "c": "no", "d": "partly"}).score == 25
    assert score_run(heavy, {"a": "yes", "b": "yes", "c": "partly", "d": "partly"}).score == 69
    three = _checklist([_item("a"), _item("c"), _item("d")], ONE_ZONE)
    # (1 + 1 + 0.5) / 3 = 83.3% -> 83; 0.5 / 3 = 16.7% -> 17
    assert score_run(three, {"a": "yes", "c": "yes", "d": "partly"}).score == 83
    assert score_run(three, {"a": "partly", "c": "no", "d": "no"}).score == 17


def test_weak_items_ranked_by_value_then_weight_then_order(mini: Checklist) -> None:
    result = score_run(mini, {"a": "partly", "b": "partly", "c": "no", "d": "partly"})
    # c is "no" (0) first; then the "partly" ones: b (weight 2) before a and d (weight 1, checklist order)
    assert [w.item_key for w in result.weak_items] == ["c", "b", "a", "d"]
    first = result.weak_items[0]
    assert (first.answer_key, first.answer_label, first.value) == ("no", "Нет", 0)
    assert (first.question, first.action, first.task) == ("Вопрос c?", "Сделать c", "Задача c")


def test_no_weak_items_when_all_good(mini: Checklist) -> None:
    assert score_run(mini, dict.fromkeys("abcd", "yes")).weak_items == ()


@pytest.mark.parametrize(
    "answers",
    [
        {"a": "yes", "b": "yes", "c": "yes"},  # d missing
        {"a": "yes", "b": "yes", "c": "yes", "d": "maybe"},  # an option that does not exist
    ],
)
def test_items_without_an_answer_are_listed_not_fatal(mini: Checklist, answers: dict[str, str]) -> None:
    """A finished run taken before an item was added (or split) still renders: the item is left out."""
    result = score_run(mini, answers)
    assert result.unanswered == ("d",)
    assert (result.score, result.zone.key, result.weak_items) == (100, "top", ())
    assert (result.points.earned, result.points.possible) == (8, 8)  # a, b (weight 2), c: «Да» is 2 points each


def test_answers_to_removed_items_are_ignored(mini: Checklist) -> None:
    result = score_run(mini, {"a": "yes", "b": "yes", "c": "yes", "d": "yes", "gone": "no"})
    assert (result.score, result.no_count) == (100, 0)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, 0),
        ({"a": "yes"}, 1),
        ({"a": "yes", "c": "no"}, 1),
        ({"a": "yes", "b": "no", "c": "no"}, 3),
        ({"a": "bogus", "b": "no"}, 0),
        ({"a": "yes", "b": "no", "c": "no", "d": "partly"}, None),
    ],
)
def test_next_unanswered(mini: Checklist, answers: dict[str, str], expected: int | None) -> None:
    assert next_unanswered(mini, answers) == expected


def test_compare_runs(mini: Checklist) -> None:
    previous = {"a": "no", "b": "partly", "c": "yes", "d": "yes"}  # (0 + 1 + 1 + 1) / 5 = 60
    current = {"a": "yes", "b": "partly", "c": "partly", "d": "yes"}  # (1 + 1 + 0.5 + 1) / 5 = 70
    comparison = compare_runs(mini, previous, current)
    assert (comparison.previous_score, comparison.current_score, comparison.score_delta) == (60, 70, 10)
    summary = [(c.item_key, c.direction, c.before_label, c.after_label) for c in comparison.changes]
    assert summary == [
        ("a", Direction.IMPROVED, "Нет", "Да"),
        ("b", Direction.SAME, "Частично", "Частично"),
        ("c", Direction.WORSENED, "Да", "Частично"),
        ("d", Direction.SAME, "Да", "Да"),
    ]
    assert [c.item_key for c in comparison.improved] == ["a"]
    assert [c.item_key for c in comparison.worsened] == ["c"]
    assert comparison.changes[0].direction == "improved"  # a text key suffix for the views


def test_compare_runs_ignores_answers_the_content_no_longer_knows(mini: Checklist) -> None:
    previous = {"a": "no", "b": "maybe", "removed": "yes"}  # only a is still valid: score 0
    current = {"a": "partly", "b": "yes", "c": "yes", "d": "yes"}  # (0.5 + 2 + 1 + 1) / 5 = 90
    comparison = compare_runs(mini, previous, current)
    assert [(c.item_key, c.direction) for c in comparison.changes] == [("a", Direction.IMPROVED)]
    assert (comparison.previous_score, comparison.current_score, comparison.score_delta) == (0, 90, 90)


# --- the real checklists ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> dict[str, Checklist]:
    return load_content("ru").checklists


ARCH = ["numbers", "fair_plans", "funnels", "team_growth", "strategy"]


@pytest.mark.parametrize(
    ("answers", "score", "zone"),
    [
        (["yes"] * 5, 100, "ok"),
        (["yes", "yes", "yes", "yes", "partly"], 90, "ok"),
        (["yes", "no", "yes", "yes", "yes"], 80, "warning"),  # one "no" is a warning even at 80
        (["partly", "partly", "partly", "yes", "yes"], 70, "partly"),  # no "no", but three «частично»
        (["partly", "partly", "yes", "yes", "yes"], 80, "ok"),  # two «частично» are still fine
        (["no", "yes", "no", "yes", "yes"], 60, "rebuild"),  # the seed: "no" on 2-3 questions
        (["no", "no", "no", "partly", "yes"], 30, "rebuild"),
    ],
)
def test_arch_follows_the_seed_rule(real: dict[str, Checklist], answers: list[str], score: int, zone: str) -> None:
    result = score_run(real["arch"], dict(zip(ARCH, answers, strict=True)))
    assert (result.score, result.zone.key) == (score, zone)


KPI_TOXIC = ["t_plan_pct", "t_activity", "t_turnover", "t_crm", "t_avg_check", "m_calls", "m_meetings", "m_deals"]
KPI_RIGHT = ["r_over_plan", "r_margin", "r_lead_conv", "m_revenue", "m_support", "m_handover"]
KPI_HONEST = ["h_no_free", "h_above_plan", "h_money"]


def _kpi(toxic: str, right: str, honest: list[str]) -> dict[str, str]:
    return {
        **dict.fromkeys(KPI_TOXIC, toxic),
        **dict.fromkeys(KPI_RIGHT, right),
        **dict(zip(KPI_HONEST, honest, strict=True)),
    }


@pytest.mark.parametrize(
    ("answers", "score", "zone", "no_count"),
    [
        # toxic KPIs absent ("no" is worth 1), the right ones present, honest answers "yes": 17/17
        (_kpi("no", "yes", ["yes", "yes", "yes"]), 100, "money", 0),
        # the same with one honest "no": 16/17 = 94.1 -> 94, yet the seed rule wins
        (_kpi("no", "yes", ["yes", "no", "yes"]), 94, "losing", 1),
        # every toxic KPI in place ("yes" is worth 0), no right ones, honest "yes": 3/17 = 17.6
        (_kpi("yes", "no", ["yes", "yes", "yes"]), 18, "toxic", 14),
        # toxic partly (8 * 0.5) + right 6 + honest 3 = 13/17 = 76.5
        (_kpi("partly", "yes", ["yes", "yes", "yes"]), 76, "mixed", 0),
        # all honest "no": 14/17 = 82.4
        (_kpi("no", "yes", ["no", "no", "no"]), 82, "losing", 3),
    ],
)
def test_kpi_honest_question_rule(
    real: dict[str, Checklist], answers: dict[str, str], score: int, zone: str, no_count: int
) -> None:
    result = score_run(real["kpi"], answers)
    assert (result.score, result.zone.key, result.no_count) == (score, zone, no_count)
    if zone == "losing":  # the head hears about the company; the owner hears the seed's own words
        assert result.zone.title == "Компания теряет деньги каждый месяц"
        assert score_run(real["kpi"], answers, Role.OWNER).zone.title == "Вы теряете деньги каждый месяц"


def test_kpi_weak_items_put_toxic_kpis_first(real: dict[str, Checklist]) -> None:
    answers = {**_kpi("no", "yes", ["yes", "yes", "yes"]), "t_crm": "yes", "r_margin": "partly"}
    result = score_run(real["kpi"], answers)
    assert [(w.item_key, w.answer_label) for w in result.weak_items] == [("t_crm", "Да"), ("r_margin", "Частично")]
