"""Training modules: the shipped ones load and follow the rules; the schema refuses broken ones at load, naming
the file and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from content import Content, ContentError, load_content
from content.training_schema import GENERAL, MAX_SCREENS, QUESTIONS

SEED = "000_6c6a9c488eba901c.txt"
REQUIRED = {"needs", "lpr", "closing", "objections", "plans", "funnels", "onboarding", "cases", "crm", "kpi_money"}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def test_all_modules_load_and_follow_the_rules(content: Content) -> None:
    assert set(content.training) >= REQUIRED
    for module in content.training.values():
        assert 1 <= len(module.screens) <= MAX_SCREENS
        assert len(module.questions) == QUESTIONS
        for screen in module.screens:
            assert screen.source == GENERAL or screen.source in content.seeds
        for question in module.questions:
            assert 2 <= len(question.options) <= 4
            assert sum(o.right for o in question.options) == 1
            assert all(o.why for o in question.options)


def test_modules_cite_the_seeds_the_issue_names(content: Content) -> None:
    cited = {key: set(m.sources) for key, m in content.training.items()}
    assert "002_7e12021964ffe395.txt" in cited["plans"]  # personal plans and the three motivation principles
    assert cited["funnels"] == {SEED}  # the four funnels
    assert SEED in cited["onboarding"] and SEED in cited["cases"]
    assert "002_7e12021964ffe395.txt" in cited["crm"]
    assert cited["kpi_money"] == {"001_79367cf3ee1d0318.txt"}


def test_every_cited_seed_has_a_readable_title(content: Content) -> None:
    for seed in content.seeds:
        assert content.has(f"learn.seeds.s{seed[:3]}"), seed


def test_module_keys_fit_in_callback_data(content: Content) -> None:
    from bot.callbacks import ModuleCb

    for key in content.training:
        assert len(ModuleCb(action="start", key=key).pack().encode()) <= 64


# --- broken modules are refused at load ---------------------------------------------------------------------------


def _valid() -> dict[str, Any]:
    option = {"text": "Вариант", "why": "Потому что"}
    return {
        "key": "mod",
        "order": 1,
        "title": "Модуль",
        "short_title": "Модуль",
        "summary": "О чём модуль",
        "screens": [{"text": "Экран", "source": SEED}, {"text": "Экран 2", "source": "general"}],
        "questions": [
            {"text": f"Вопрос {n}", "options": [{**option, "right": True}, dict(option)]} for n in range(QUESTIONS)
        ],
    }


def _load(tmp_path: Path, module: dict[str, Any], name: str = "mod.yaml") -> Content:
    (tmp_path / "seeds.yaml").write_text(yaml.safe_dump({"seeds": [SEED]}), encoding="utf-8")
    folder = tmp_path / "ru" / "training"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    return load_content("ru", root=tmp_path)


def test_a_valid_small_module_loads(tmp_path: Path) -> None:
    content = _load(tmp_path, _valid())
    assert list(content.training) == ["mod"]
    assert content.training["mod"].right_answers == (0, 0, 0)


def _broken(change: str) -> dict[str, Any]:
    module = copy.deepcopy(_valid())
    if change == "four_screens":
        module["screens"] = [{"text": f"Экран {n}", "source": SEED} for n in range(4)]
    elif change == "two_questions":
        module["questions"] = module["questions"][:2]
    elif change == "two_right":
        module["questions"][1]["options"][1]["right"] = True
    elif change == "no_right":
        module["questions"][2]["options"][0]["right"] = False
    elif change == "unknown_seed":
        module["screens"][0]["source"] = "999_unknown.txt"
    elif change == "no_explanation":
        del module["questions"][0]["options"][1]["why"]
    elif change == "five_options":
        module["questions"][0]["options"] += [{"text": f"Ещё {n}", "why": "нет"} for n in range(3)]
    return module


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("four_screens", "screens"),
        ("two_questions", "questions"),
        ("two_right", "questions[1]"),
        ("no_right", "questions[2]"),
        ("unknown_seed", "screens[0].source"),
        ("no_explanation", "questions[0].options[1].why"),
        ("five_options", "questions[0].options"),
    ],
)
def test_a_broken_module_is_refused_naming_the_file_and_field(tmp_path: Path, change: str, field: str) -> None:
    with pytest.raises(ContentError) as raised:
        _load(tmp_path, _broken(change))
    message = str(raised.value)
    assert message.startswith("ru/training/mod.yaml: "), message
    assert field in message, message


def test_unknown_seed_message_says_why(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"999_unknown\.txt.*neither a seed listed in seeds\.yaml nor 'general'"):
        _load(tmp_path, _broken("unknown_seed"))


def test_key_must_equal_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="must equal the file name 'other'"):
        _load(tmp_path, _valid(), name="other.yaml")
