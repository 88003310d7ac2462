"""Issue 10, the content: one condition a question, the gaps against the seeds, the templates, what the score is,
one piece of advice on when to repeat, and typography."""

from __future__ import annotations

import re
import string
from typing import Any, get_args

import pytest

from bot.callbacks import TemplateName
from bot.views.checklist_table import signed
from content import Content, load_content
from content.loader import seed_stem
from content.schema import Checklist
from domain.checklists import score_run

SEEDS = {
    "000": "000_6c6a9c488eba901c.txt",
    "001": "001_79367cf3ee1d0318.txt",
    "002": "002_7e12021964ffe395.txt",
}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


# --- one condition per question ---------------------------------------------------------------------

# The bundles of issue 10 (marketing, an_flow, strat_focus, plan_motivates): each pair of conditions that one
# question used to hold. Now each condition has a question of its own and no question holds both.
SPLITS = [
    ("weak_rop", "акци", "обратная связь"),
    ("weak_rop", "акци", "NPS"),
    ("weak_rop", "обратная связь", "NPS"),
    ("six", "проект", "входящий поток"),
    ("six", "сегменты", "преимуществ"),
    ("six", "сгорает", "лояльн"),
    ("weak_rop", "аналитике CRM", "поле в карточке"),  # the CRM sign: analytics, and setting it up
    ("weak_rop", "обучаете", "обмен опытом"),  # the training sign: training, and exchange of experience
]


@pytest.mark.parametrize(("key", "first", "second"), SPLITS)
def test_bundled_conditions_are_separate_questions(content: Content, key: str, first: str, second: str) -> None:
    questions = [item.question for item in content.checklist(key).items]
    assert any(first.lower() in q.lower() for q in questions), first
    assert any(second.lower() in q.lower() for q in questions), second
    assert not [q for q in questions if first.lower() in q.lower() and second.lower() in q.lower()]


def test_kept_keys_stay_and_split_parts_have_their_own_advice(content: Content) -> None:
    """Stored runs refer to item keys: the kept condition keeps the key; new conditions get new keys."""
    pairs = {
        "weak_rop": ["marketing", "mkt_feedback", "mkt_nps", "crm", "crm_setup", "training", "exchange"],
        "six": ["an_flow", "an_projects", "strat_focus", "strat_edge", "plan_motivates", "plan_loyal"],
    }
    for key, items in pairs.items():
        checklist = content.checklist(key)
        found = [checklist.item(k) for k in items]
        for field in ("why", "action", "task"):
            values = [getattr(item, field) for item in found]
            assert len(set(values)) == len(values), (key, field)  # each its own, not a copy of the bundle's


# --- gaps against the seeds -------------------------------------------------------------------------


def test_001_service_quality_is_kept_by_support_and_handover(content: Content) -> None:
    kpi = content.checklist("kpi")
    support, handover = kpi.item("m_support"), kpi.item("m_handover")
    assert support.seed == handover.seed == SEEDS["001"]
    assert "сопровождени" in support.question and "сопровождени" in handover.question
    assert "отдел сопровождения" in support.why and "передачи клиента" in handover.why
    assert kpi.item("m_revenue").question == "KPI ваших менеджеров — один, сумма или объём продаж?"


def test_002_the_double_error_of_promoting_the_best_seller(content: Content) -> None:
    weak_rop = content.checklist("weak_rop")
    item = weak_rop.items[0]
    assert (item.key, item.group, item.seed) == ("organizer", "choice", SEEDS["002"])
    assert "двойную ошибку" in item.why
    assert "теряет лучшего продавца" in item.why and "неэффективного руководителя" in item.why


# --- templates --------------------------------------------------------------------------------------


def test_templates_are_content_and_the_callback_knows_each(content: Content) -> None:
    assert content.items("templates.order") == get_args(TemplateName)
    for name in get_args(TemplateName):
        for field in ("button", "title", "summary", "text"):
            assert content.t(f"templates.{name}.{field}")


def test_checklists_offer_the_templates_the_seeds_imply(content: Content) -> None:
    assert content.checklist("arch").templates == ("deal_review",)
    assert "bonus_formula" in content.checklist("weak_rop").templates  # the three motivation principles (002)
    assert "bonus_formula" in content.checklist("kpi").templates  # one KPI for a manager: money (001)


def test_the_bonus_formula_example_keeps_the_three_principles(content: Content) -> None:
    """Principle 1 (002): those who meet the plan get at least three times more than those who do not."""
    text = content.t("templates.bonus_formula.text")
    salary, low, high, plan = 20_000, 0.01, 0.08, 1_000_000
    assert "оклад — 20 000 ₽" in text and "1% от продаж" in text and "8% от всех продаж" in text
    just_below = salary + low * (plan - 10_000)
    at_plan = salary + high * plan
    assert at_plan >= 3 * just_below
    for principle in ("в три раза больше", "считает свою зарплату сам", "на что менеджер влияет сам"):
        assert principle in text
    assert "один — сумма или объём продаж" in text  # 001


def test_the_deal_review_agenda_is_short_and_daily(content: Content) -> None:
    text = content.t("templates.deal_review.text")
    minutes = [int(m) for m in re.findall(r"\((\d+) минут", text)]
    assert sum(minutes) <= 15 and len(minutes) == 5
    assert "Каждый день, с каждым менеджером" in text


# --- the score ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_equal_weights_are_not_called_weighted(content: Content, key: str) -> None:
    checklist = content.checklist(key)
    assert len({item.weight for item in checklist.items}) == 1
    for text in (checklist.rule, checklist.intro, checklist.description):
        assert "взвеш" not in text.lower()
    assert "«Частично» — 1" in checklist.rule and "2 очка" in checklist.rule


def test_what_the_score_is_made_of(content: Content) -> None:
    from bot.views.checklist_table import points_line

    arch = content.checklist("arch")
    keys = [item.key for item in arch.items]
    result = score_run(arch, dict(zip(keys, ["yes", "yes", "yes", "partly", "no"], strict=True)))
    assert result.score == 70
    assert points_line(content, result.points) == "Балл: 7 из 10 (Да — 2, Частично — 1, Нет — 0)."
    kpi = content.checklist("kpi")
    line = points_line(content, score_run(kpi, {item.key: "partly" for item in kpi.items}).points)
    # partly everywhere; the honest questions have no «Частично»: "partly" is no answer there, 14 items count
    assert line == "Балл: 14 из 28 (Да — 2, Частично — 1, Нет — 0; где «Да» — плохой ответ, наоборот)."


def test_weighted_is_said_only_where_weights_differ(content: Content) -> None:
    from bot.views.checklist_table import points_line

    base: dict[str, Any] = {
        "key": "w",
        "order": 1,
        "title": "W",
        "short_title": "W",
        "description": "D",
        "seeds": ["s.txt"],
        "intro": "I",
        "rule": "R",
        "answers": [{"key": "yes", "label": "Да", "value": 1}, {"key": "no", "label": "Нет", "value": 0}],
        "zones": [{"key": "any", "title": "T", "text": "T"}],
    }
    item = {"question": "Q?", "seed": "s.txt", "why": "W", "action": "A", "task": "T"}
    heavy = Checklist.model_validate({**base, "items": [{**item, "key": "a", "weight": 3}, {**item, "key": "b"}]})
    line = points_line(content, score_run(heavy, {"a": "yes", "b": "no"}).points)
    assert line == "Взвешенный балл: 3 из 4 (Да — 1, Нет — 0; у вопросов разный вес)."


# --- when to repeat: one piece of advice ----------------------------------------------------------------

REPEAT = re.compile(r"\b(снова|заново|повтор\w*)\b", re.I)


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_one_piece_of_advice_on_when_to_repeat(content: Content, key: str) -> None:
    """The arch result said «раз в квартал проходите проверку заново» and «Пройдите его снова через месяц»."""
    assert not REPEAT.search(content.t("checklists.all_good"))
    for zone in content.checklist(key).zones:
        assert len(REPEAT.findall(zone.text)) <= 1, zone.key


# --- result file sources and typography -----------------------------------------------------------------


def test_every_seed_has_an_article_title(content: Content) -> None:
    for seed in content.seeds:
        title = content.t(f"sources.{seed_stem(seed)}")
        assert title and ".txt" not in title


def test_a_negative_change_has_a_minus_sign() -> None:
    assert (signed(-20), signed(5), signed(0), signed(-1200)) == ("\u221220", "+5", "0", "\u22121\u00a0200")
    assert "-" not in signed(-20)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_no_colon_after_a_question(content: Content) -> None:
    """«Вопрос?: Да → Нет» — a question's own «?» is its end; no text puts a colon after it."""
    for key, value in content.texts.items():
        if not isinstance(value, str) or "question" not in _fields(value):
            continue
        rendered = value.format_map({name: "Вопрос?" if name == "question" else "x" for name in _fields(value)})
        assert "?:" not in rendered, key
    for checklist in content.checklists.values():
        for item in checklist.items:
            for text in (item.why, item.action, item.looks_like or ""):
                assert "?:" not in text, item.key
