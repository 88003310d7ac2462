"""One voice: the checklists speak to the person taking them («вы»); the owner's wording is kept for owners."""

from __future__ import annotations

import re

import pytest

from content import Content, load_content
from content.schema import Checklist
from domain.checklists import compare_runs, in_voice, score_run
from domain.models import Role

KEYS = ["arch", "six", "weak_rop", "kpi"]
# «я», «мой», «мне», «меня»… as words (the head is «вы»; tasks are infinitives).
FIRST_PERSON = re.compile(r"\b(я|мне|меня|мной|мой|моя|моё|мои|моих|моим|моей|моего)\b", re.I)
# «у нас», «наши» in what the head answers or is told to do (the old «У нас есть стратегия?»). The rules may
# say «мы считаем», «пороги наши»: that is the coach explaining its scoring, not the head.
FIRST_PLURAL = re.compile(r"\b(мы|нас|нам|наш|наша|наше|наши|наших)\b", re.I)
# «РОП», «РОПа», «РОПу»… — the head is not spoken of in the third person.
ROP = re.compile(r"\bРОП")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def _head_texts(checklist: Checklist) -> list[tuple[str, str]]:
    """What speaks to the person taking the checklist: the cards, the questions, the advice, the zones."""
    texts = [("intro", checklist.intro), ("rule", checklist.rule)]
    for item in checklist.items:
        texts += [(f"{item.key}.question", item.question), (f"{item.key}.action", item.action)]
        texts.append((f"{item.key}.task", item.task))
    for zone in checklist.zones:
        texts += [(f"zone {zone.key}.title", zone.title), (f"zone {zone.key}.text", zone.text)]
    return texts


@pytest.mark.parametrize("key", KEYS)
def test_no_first_person_and_no_head_in_the_third_person(content: Content, key: str) -> None:
    for where, text in _head_texts(content.checklist(key)):
        assert not FIRST_PERSON.search(text), (where, text)
        assert where in {"intro", "rule"} or not FIRST_PLURAL.search(text), (where, text)
        assert not ROP.search(text), (where, text)


@pytest.mark.parametrize("key", KEYS)
def test_every_question_addresses_the_taker_or_the_team(content: Content, key: str) -> None:
    """«Вы…», «Ваш…», «У вас…», «У ваших менеджеров…» — or a fact about the department, never «я»."""
    for item in content.checklist(key).items:
        assert item.question.endswith("?"), item.key
        assert (
            re.search(r"\b(вы|вас|ваш\w*|вам)\b", item.question, re.I)
            or "Никто" in item.question
            or ("отдел" in item.question or "Обратная связь" in item.question)
        ), (item.key, item.question)


def test_the_owners_texts_are_kept_for_the_owner(content: Content) -> None:
    weak_rop, kpi = content.checklist("weak_rop"), content.checklist("kpi")
    head_fix = next(z for z in weak_rop.zones if z.key == "fix")
    owner_fix = next(z for z in in_voice(weak_rop, Role.OWNER).zones if z.key == "fix")
    assert "Укажите на них РОПу — пусть исправляет" in owner_fix.text
    assert "РОП" not in head_fix.text and "Исправьте" in head_fix.text
    head_losing = next(z for z in kpi.zones if z.key == "losing")
    owner_losing = next(z for z in in_voice(kpi, Role.OWNER).zones if z.key == "losing")
    assert "Вы платите за имитацию" in owner_losing.text and "Вы платите" not in head_losing.text
    owner_kpi = in_voice(kpi, Role.OWNER)
    assert owner_kpi.item("t_plan_pct").question == "Премия РОПа зависит от процента выполнения плана?"
    assert kpi.item("t_plan_pct").question == "Ваша премия зависит от процента выполнения плана?"
    assert owner_kpi.intro.startswith("Откройте текущую схему премии РОПа")
    # Where the content has no owner's wording, the owner reads the common one.
    assert owner_kpi.item("m_calls").question == kpi.item("m_calls").question


@pytest.mark.parametrize("role", [Role.HEAD, Role.MEMBER, None])
def test_the_head_voice_is_the_content_itself(content: Content, role: Role | None) -> None:
    checklist = content.checklist("weak_rop")
    assert in_voice(checklist, role) is checklist
    assert in_voice(checklist, Role.OWNER) is in_voice(checklist, Role.OWNER)  # built once


def test_the_owner_voice_keeps_keys_answers_and_order(content: Content) -> None:
    for checklist in content.checklists.values():
        owner = in_voice(checklist, Role.OWNER)
        assert [i.key for i in owner.items] == [i.key for i in checklist.items]
        assert [checklist.answers_for(i) for i in checklist.items] == [owner.answers_for(i) for i in owner.items]
        assert [(z.key, z.min_score, z.max_score, z.min_no, z.max_no) for z in owner.zones] == [
            (z.key, z.min_score, z.max_score, z.min_no, z.max_no) for z in checklist.zones
        ]
        for item in owner.items:
            assert len(item.task) <= 80


def test_score_run_and_compare_runs_speak_in_the_takers_voice(content: Content) -> None:
    weak_rop = content.checklist("weak_rop")
    answers = {item.key: "yes" for item in weak_rop.items} | {"plan": "no"}
    head = score_run(weak_rop, answers)
    owner = score_run(weak_rop, answers, Role.OWNER)
    assert (head.score, head.zone.key) == (owner.score, owner.zone.key) == (head.score, "fix")
    assert head.weak_items[0].question.startswith("Вы ") and head.weak_items[0].task.startswith("Составить")
    assert owner.weak_items[0].question.startswith("РОП ") and "РОПа" in owner.weak_items[0].action
    before = {**answers, "plan": "yes"}
    assert compare_runs(weak_rop, before, answers, Role.OWNER).changes[1].question.startswith("РОП ")
    assert compare_runs(weak_rop, before, answers).changes[1].question.startswith("Вы ")
