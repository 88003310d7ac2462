"""Zone texts agree with the counts: every possible set of answers of every checklist, enumerated.

Items that score alike (same options, weight, and membership in each zone's `no_in`) are interchangeable, so
a set of answers is a count per option per such class. For each one: exactly one zone's own conditions hold
(the zones are explicit, disjoint ranges), and the claim its text makes («Большинство…», «Ни одного «нет»»,
«меньше чем на половине») is true. CLAIMS is the reading of each zone's text as a condition on the counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from content import Content, load_content
from content.schema import Checklist, Item
from domain.checklists import matching_zones, score_run
from domain.models import Role


@dataclass(frozen=True)
class Counts:
    total: int
    best: int  # answers worth 1 («Да», or «Нет» to a toxic KPI)
    partly: int  # worth between 0 and 1
    no: int  # worth 0
    honest_no: int  # worth 0 among kpi's three honest questions
    score: int


Claim = Callable[[Counts], bool]

CLAIMS: dict[str, dict[str, Claim]] = {
    "arch": {
        # «Ни одного «нет», «частично» — не больше чем на двух вопросах»
        "ok": lambda c: c.no == 0 and c.partly <= 2,
        # «„Нет“ ни одного, но «частично» — на трёх вопросах и больше»
        "partly": lambda c: c.no == 0 and c.partly >= 3,
        "warning": lambda c: c.no == 1,  # «Одно «нет»»
        "rebuild": lambda c: c.no >= 2,  # «„Нет“ на двух вопросах и больше» (the seed: «хотя бы на 2–3»)
    },
    "six": {
        "strong": lambda c: c.best > c.total / 2,  # «Большинство ответов — «Да»»
        "gaps": lambda c: c.best < c.total and c.score >= 50,  # «Основа есть, но часть пунктов — «Нет» или «Частично»»
        "manual": lambda c: c.best < c.total / 2,  # «„Да“ — меньше чем на половине вопросов»
    },
    "weak_rop": {
        "effective": lambda c: c.no == 0,  # «Ни одного «Нет»»
        "partly": lambda c: c.no == 0 and c.partly >= c.total / 3,  # «…но «Частично» — на многих вопросах»
        "fix": lambda c: 1 <= c.no < c.total / 2,  # «„Нет“ — меньше чем на половине вопросов»
        "brake": lambda c: c.no > c.total / 2,  # «„Нет“ — на большинстве вопросов: большинство признаков налицо»
    },
    "kpi": {
        "losing": lambda c: c.honest_no >= 1,  # «Хотя бы на один честный вопрос ответ «нет»»
        "money": lambda c: c.honest_no == 0,  # «На все три честных вопроса ответ «да»»
        "mixed": lambda c: c.honest_no == 0 and c.best < c.total,  # «…но в части пунктов ответ не лучший»
        "toxic": lambda c: c.honest_no == 0 and c.best < c.total / 2,  # «лучший ответ — меньше чем в половине»
    },
}
HONEST = ("h_no_free", "h_above_plan", "h_money")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def _class_key(checklist: Checklist, item: Item) -> tuple[object, ...]:
    options = tuple((o.key, o.value) for o in checklist.answers_for(item))
    scopes = tuple(item.key in zone.no_in for zone in checklist.zones if zone.no_in is not None)
    return options, item.weight, scopes, item.key in HONEST


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to split `total` items among `parts` options (a count per option)."""
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *bars, total + parts - 1)
        yield tuple(edges[i + 1] - edges[i] - 1 for i in range(parts))


def all_answer_sets(checklist: Checklist) -> Iterator[dict[str, str]]:
    classes: dict[tuple[object, ...], list[Item]] = {}
    for item in checklist.items:
        classes.setdefault(_class_key(checklist, item), []).append(item)
    groups = list(classes.values())
    per_class = [list(_compositions(len(items), len(checklist.answers_for(items[0])))) for items in groups]
    for choice in itertools.product(*per_class):
        answers: dict[str, str] = {}
        for items, counts in zip(groups, choice, strict=True):
            keys = [o.key for o in checklist.answers_for(items[0])]
            picks = [key for key, count in zip(keys, counts, strict=True) for _ in range(count)]
            answers.update({item.key: pick for item, pick in zip(items, picks, strict=True)})
        yield answers


def _counts(checklist: Checklist, answers: dict[str, str], score: int) -> Counts:
    values = {
        item.key: next(o.value for o in checklist.answers_for(item) if o.key == answers[item.key])
        for item in checklist.items
    }
    return Counts(
        total=len(values),
        best=sum(1 for v in values.values() if v == 1),
        partly=sum(1 for v in values.values() if 0 < v < 1),
        no=sum(1 for v in values.values() if v == 0),
        honest_no=sum(1 for key in HONEST if key in values and values[key] == 0),
        score=score,
    )


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_every_zone_has_a_reading_of_its_text(content: Content, key: str) -> None:
    assert set(CLAIMS[key]) == {zone.key for zone in content.checklist(key).zones}


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_zone_texts_hold_for_every_possible_set_of_answers(content: Content, key: str) -> None:
    checklist = content.checklist(key)
    reached: set[str] = set()
    cases = 0
    for answers in all_answer_sets(checklist):
        cases += 1
        holding = matching_zones(checklist, answers)
        assert len(holding) == 1, (holding, answers)  # explicit ranges: disjoint and covering
        result = score_run(checklist, answers)
        assert result.zone.key == holding[0]
        counts = _counts(checklist, answers, result.score)
        assert CLAIMS[key][result.zone.key](counts), (result.zone.key, counts)
        # The owner's wording is about the same zone: only the voice differs.
        assert score_run(checklist, answers, Role.OWNER).zone.key == result.zone.key
        reached.add(result.zone.key)
    assert cases > len(checklist.items)
    assert reached == {zone.key for zone in checklist.zones}  # and every zone can be reached


def test_the_reported_case_five_no_of_twelve_is_not_called_most(content: Content) -> None:
    """Issue 10: «Большинство признаков… налицо» with 5 «Нет» of 12. Now «Нет» on fewer than half is `fix`."""
    checklist = content.checklist("weak_rop")
    keys = [item.key for item in checklist.items]
    half = len(keys) // 2  # 8 of 17: fewer than half
    fewer = {**dict.fromkeys(keys, "partly"), **dict.fromkeys(keys[:half], "no")}
    result = score_run(checklist, fewer)
    assert result.no_count == half and result.score < 50
    assert result.zone.key == "fix" and "Большинство" not in result.zone.text
    most = {**fewer, keys[half]: "no"}  # 9 of 17
    assert score_run(checklist, most).zone.key == "brake"


@pytest.mark.parametrize(
    ("answers", "zone"),
    [
        (["yes", "yes", "yes", "partly", "partly"], "ok"),  # 80, the lower edge of `ok`
        (["yes", "yes", "partly", "partly", "partly"], "partly"),  # 70, no «нет»
        (["no", "yes", "yes", "yes", "yes"], "warning"),  # 80, but one «нет»
        (["no", "no", "yes", "yes", "yes"], "rebuild"),  # the seed: «нет» on 2–3 questions
    ],
)
def test_arch_boundaries(content: Content, answers: list[str], zone: str) -> None:
    arch = content.checklist("arch")
    keys = [item.key for item in arch.items]
    assert score_run(arch, dict(zip(keys, answers, strict=True))).zone.key == zone


def test_six_score_boundaries(content: Content) -> None:
    six = content.checklist("six")
    zones = {zone.key: zone for zone in six.zones}
    assert (zones["strong"].min_score, zones["strong"].max_score) == (80, None)
    assert (zones["gaps"].min_score, zones["gaps"].max_score) == (50, 79)
    assert (zones["manual"].min_score, zones["manual"].max_score) == (None, 49)
