"""Content loading and validation: the real Russian content, and broken copies in a temporary folder."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from content import Content, ContentError, load_content
from content.schema import Checklist
from domain.checklists import score_run

REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO.parent / "shared" / "seeds"
SEED_FILES = {
    "000_6c6a9c488eba901c.txt",
    "001_79367cf3ee1d0318.txt",
    "002_7e12021964ffe395.txt",
    "003_d90d5428d633787a.txt",
}
KEY = re.compile(r"^[a-z0-9_]+$")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


# --- the real checklists ----------------------------------------------------------------------------


def test_all_checklists_present_in_display_order(content: Content) -> None:
    assert list(content.checklists) == ["arch", "six", "weak_rop", "kpi"]
    assert content.checklist("kpi").title == "KPI руководителя продаж"
    with pytest.raises(KeyError, match="nope"):
        content.checklist("nope")


def test_seed_list_matches_the_methodology_files(content: Content) -> None:
    assert set(content.seeds) == SEED_FILES
    if not SEEDS_DIR.is_dir():
        pytest.skip("shared seeds folder is absent")
    assert {p.name for p in SEEDS_DIR.glob("*.txt")} == SEED_FILES


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_every_item_is_complete_and_cites_a_seed(content: Content, key: str) -> None:
    checklist = content.checklist(key)
    assert len(checklist.short_title) <= 30
    for item in checklist.items:
        assert item.why and item.action and item.task, item.key
        assert len(item.task) <= 80
        assert item.seed in SEED_FILES
        assert KEY.match(item.key) and len(item.key) <= 16
        # What goes into callback data stays far below Telegram's 64 bytes.
        assert len(f"{checklist.key}:{item.key}".encode()) <= 30
        options = checklist.answers_for(item)
        assert max(o.value for o in options) == 1 and min(o.value for o in options) == 0


def test_mistake_links_point_to_existing_groups(content: Content) -> None:
    links = [(c, i) for c in content.checklists.values() for i in c.items if i.mistake]
    assert links, "arch links its questions to the six mistakes"
    for checklist, item in links:
        target, group = item.mistake.split(":") if item.mistake else ("", "")
        assert group in {g.key for g in content.checklist(target).groups}, (checklist.key, item.key)


def test_arch_is_the_five_questions_of_seed_000(content: Content) -> None:
    arch = content.checklist("arch")
    assert [i.seed for i in arch.items] == ["000_6c6a9c488eba901c.txt"] * 5
    assert [i.mistake for i in arch.items] == [
        "six:analytics",
        "six:plans",
        "six:funnel",
        "six:team",
        "six:strategy",
    ]
    assert "стратегия" in arch.items[4].question


def test_six_covers_each_mistake_with_two_to_five_items(content: Content) -> None:
    six = content.checklist("six")
    assert [g.key for g in six.groups] == ["funnel", "plans", "control", "analytics", "team", "strategy"]
    for group in six.groups:  # five where a bundled question was split into one condition each (issue 10)
        count = sum(1 for item in six.items if item.group == group.key)
        assert 2 <= count <= 5, group.key


def test_weak_rop_has_the_double_error_the_signs_and_three_motivation_principles(content: Content) -> None:
    checklist = content.checklist("weak_rop")
    groups = [item.group for item in checklist.items]
    # Nine signs besides motivation, some split into one condition a question (CRM: analytics and setup;
    # marketing: promotions, feedback, NPS; training: training and exchange of experience).
    assert [g.key for g in checklist.groups] == ["choice", "signs", "motivation"]
    assert groups.count("choice") == 1 and groups.count("signs") == 13 and groups.count("motivation") == 3
    assert {i.seed for i in checklist.items} == {"002_7e12021964ffe395.txt"}


def test_kpi_groups_and_inverted_answers(content: Content) -> None:
    kpi = content.checklist("kpi")
    by_group: dict[str, list[str]] = {}
    for item in kpi.items:
        by_group.setdefault(item.group or "", []).append(item.key)
    assert {g: len(keys) for g, keys in by_group.items()} == {
        "toxic": 5,
        "right": 3,
        "honest": 3,
        "managers": 4,
        "service": 2,
    }
    toxic_for_managers = ["m_calls", "m_meetings", "m_deals"]
    for key in by_group["toxic"] + toxic_for_managers:
        values = {o.key: o.value for o in kpi.answers_for(kpi.item(key))}
        assert values["yes"] == 0 and values["no"] == 1, key  # "the toxic KPI is there" is the bad answer
    for key in by_group["right"] + ["m_revenue"] + by_group["service"]:
        assert kpi.item(key).answers is None, key  # «Да» is good: money is the KPI, service is someone's job
    for key in by_group["honest"]:
        assert [o.key for o in kpi.answers_for(kpi.item(key))] == ["yes", "no"]
    managers_and_service = by_group["managers"] + by_group["service"]
    assert {kpi.item(k).seed for k in managers_and_service} == {"001_79367cf3ee1d0318.txt"}
    assert kpi.zones[0].no_in == tuple(by_group["honest"])


def _answer_sets(checklist: Checklist, rng: random.Random) -> list[dict[str, str]]:
    options = {i.key: [o.key for o in checklist.answers_for(i)] for i in checklist.items}

    def by_value(pick: Any) -> dict[str, str]:
        return {i.key: pick(checklist.answers_for(i), key=lambda o: o.value).key for i in checklist.items}

    best, worst = by_value(max), by_value(min)
    # «Частично» everywhere (the middle option; «Да» / «Нет» where there is none): no «Нет» and a low score.
    middle = {i.key: sorted(checklist.answers_for(i), key=lambda o: o.value)[1].key for i in checklist.items}
    sets = [best, worst, middle]
    for item in checklist.items:  # one bad answer at a time, and one good answer at a time
        sets.append({**best, item.key: worst[item.key]})
        sets.append({**worst, item.key: best[item.key]})
    for _ in range(3000):
        sets.append({key: rng.choice(choices) for key, choices in options.items()})
    return sets


@pytest.mark.parametrize("key", ["arch", "six", "weak_rop", "kpi"])
def test_every_zone_is_reachable(content: Content, key: str) -> None:
    checklist = content.checklist(key)
    reached = {score_run(checklist, answers).zone.key for answers in _answer_sets(checklist, random.Random(7))}
    assert reached == {zone.key for zone in checklist.zones}


# --- texts ------------------------------------------------------------------------------------------


def _mini_checklist() -> dict[str, Any]:
    answers = [
        {"key": "yes", "label": "Да", "value": 1},
        {"key": "partly", "label": "Частично", "value": 0.5},
        {"key": "no", "label": "Нет", "value": 0},
    ]
    item = {"key": "q1", "question": "Вопрос?", "seed": "a.txt", "why": "Потому", "action": "Сделать", "task": "Задача"}
    return {
        "key": "mini",
        "order": 1,
        "title": "Мини",
        "short_title": "Мини",
        "description": "Описание.",
        "seeds": ["a.txt"],
        "intro": "Вступление.",
        "rule": "Правило.",
        "answers": answers,
        "groups": [{"key": "g1", "title": "Группа"}],
        "items": [{**item, "group": "g1"}, {**item, "key": "q2", "group": "g1", "mistake": "mini:g1"}],
        "zones": [
            {"key": "good", "title": "Хорошо", "text": "Т", "min_score": 80},
            {"key": "bad", "title": "Плохо", "text": "Т"},
        ],
    }


def _write_content(
    root: Path, checklist: dict[str, Any] | None = None, text_files: dict[str, str] | None = None
) -> Path:
    (root / "ru" / "checklists").mkdir(parents=True)
    (root / "seeds.yaml").write_text("seeds: [a.txt, b.txt]\n", encoding="utf-8")
    files = {"texts": "menu:\n  title: 'Меню {name}'\n  braces: 'a {{b}}'\n", **(text_files or {})}
    for name, text in files.items():
        (root / "ru" / f"{name}.yaml").write_text(text, encoding="utf-8")
    data = checklist if checklist is not None else _mini_checklist()
    (root / "ru" / "checklists" / "mini.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def test_texts_are_flattened_across_files_and_formatted(tmp_path: Path) -> None:
    root = _write_content(
        tmp_path, None, {"other": "analytics:\n  synonyms:\n    amount: [сумма, бюджет]\n  plain: 'x'\n"}
    )
    content = load_content("ru", root)
    assert content.keys() == frozenset({"menu.title", "menu.braces", "analytics.synonyms.amount", "analytics.plain"})
    assert content.t("menu.title", name="Анна") == "Меню Анна"
    assert content.t("menu.braces") == "a {b}"  # always formatted: "{{" means a literal brace
    assert content.items("analytics.synonyms.amount") == ("сумма", "бюджет")
    assert content.has("analytics.plain") and not content.has("analytics")
    with pytest.raises(KeyError, match=r"menu\.missing"):
        content.t("menu.missing")
    with pytest.raises(KeyError, match="name"):
        content.t("menu.title")
    with pytest.raises(TypeError):
        content.t("analytics.synonyms.amount")
    assert list(content.checklists) == ["mini"]


def _drop(data: dict[str, Any], *path: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def _set(data: dict[str, Any], value: Any, *path: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _use_unlisted_seed(data: dict[str, Any]) -> None:
    data["seeds"] = ["c.txt"]
    for item in data["items"]:
        item["seed"] = "c.txt"


CHECKLIST_BREAKS = [
    (lambda d: _drop(d, "items", 1, "why"), r"items\[1\] \(q2\)\.why"),
    (lambda d: _set(d, "З" * 81, "items", 0, "task"), r"items\[0\] \(q1\)\.task"),
    (lambda d: _set(d, "b.txt", "items", 0, "seed"), "seed 'b.txt' is not in the checklist's seeds"),
    (_use_unlisted_seed, r"seeds \['c\.txt'\] are not in seeds\.yaml"),
    (lambda d: _set(d, "mini:nope", "items", 1, "mistake"), r"\(q2\)\.mistake.*no existing group"),
    (lambda d: _set(d, "six", "items", 1, "mistake"), r"items\[1\] \(q2\)\.mistake"),
    (lambda d: _drop(d, "zones", 0, "min_score"), "only the last zone may be a catch-all"),
    (lambda d: d["zones"][0].update(max_score=50), "min_score > max_score"),
    (lambda d: d.update(templates=["nope"]), r"template 'nope' lacks the texts"),
    (lambda d: _set(d, 1.5, "answers", 0, "value"), r"answers\[0\] \(yes\)\.value"),
    (lambda d: _set(d, 0.7, "answers", 2, "value"), "value 1 and one with value 0"),
    (lambda d: _set(d, "q1", "items", 1, "key"), "item key 'q1' repeats"),
    (lambda d: _set(d, "Q-1", "items", 0, "key"), r"items\[0\] \(Q-1\)\.key"),
    (lambda d: _set(d, "x" * 17, "items", 0, "key"), r"\.key"),
    (lambda d: _set(d, "other", "key"), "must equal the file name"),
    (lambda d: d["zones"][0].update(no_in=["zz"], max_no=0), "unknown items"),
    (lambda d: _set(d, "nope", "items", 0, "group"), "unknown group"),
    (lambda d: _set(d, "Слишком длинное название кнопки, больше 30", "short_title"), "short_title"),
    (lambda d: _set(d, "surprise", "items", 0, "colour"), r"items\[0\] \(q1\)\.colour"),
]


@pytest.mark.parametrize(("breaker", "message"), CHECKLIST_BREAKS)
def test_broken_checklist_is_named_in_the_error(tmp_path: Path, breaker: Any, message: str) -> None:
    data = copy.deepcopy(_mini_checklist())
    breaker(data)
    root = _write_content(tmp_path, data)
    with pytest.raises(ContentError, match=message) as caught:
        load_content("ru", root)
    assert "ru/checklists/mini.yaml" in str(caught.value)


TEXT_BREAKS = [
    ({"other": "menu:\n  title: 'again'\n"}, "ru/texts.yaml: key 'menu.title' is already defined in ru/other.yaml"),
    ({"other": "a: x\na: y\n"}, "key 'a' repeats"),
    ({"other": "answers:\n  yes: Да\n"}, "bad key 'answers.True'"),
    ({"other": "limits:\n  rows: 5\n"}, "'limits.rows' must be a string"),
    ({"other": "broken: 'a {b'\n"}, "'broken' is not a valid template"),
    ({"other": "a: [x\n"}, "ru/other.yaml: cannot read"),
    ({"other": "- just\n- a list\n"}, "top level must be a mapping"),
]


@pytest.mark.parametrize(("files", "message"), TEXT_BREAKS)
def test_broken_texts_are_named_in_the_error(tmp_path: Path, files: dict[str, str], message: str) -> None:
    root = _write_content(tmp_path, None, files)
    with pytest.raises(ContentError, match=re.escape(message)):
        load_content("ru", root)


def test_missing_seed_list_or_locale_is_an_error(tmp_path: Path) -> None:
    root = _write_content(tmp_path)
    with pytest.raises(ContentError, match="no content for locale 'en'"):
        load_content("en", root)
    (root / "seeds.yaml").unlink()
    with pytest.raises(ContentError, match=r"seeds\.yaml: missing"):
        load_content("ru", root)
