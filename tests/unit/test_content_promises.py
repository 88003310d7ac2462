"""No text promises what the bot does not do: the commands texts name are handled and open to that role, the
/remind examples they show are understood, and the buttons they send people to exist."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
import yaml

import bot.views.case_reviews as case_views
import bot.views.digest as digest_views
import handlers.start as start_handlers
from bot.commands import DEFAULT_COMMANDS, GROUP_COMMANDS, available_commands, commands_for, home_actions
from bot.config import Settings
from bot.views.case_reviews import action_step, decision_step, template_ask
from bot.views.common import Screen, error_text
from bot.views.digest import alerts_screen
from content import Content, load_content
from domain import case_reviews, digest, names, pdca, reminders, strategy
from domain.digest import AlertSettings
from domain.errors import DomainError
from domain.models import Role
from domain.reminder_phrases import parse_reminder
from domain.schedules import next_occurrence

REPO = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO / "content" / "ru"
# "/tasks", not "</b>", "CSV/TSV" or a path: a slash at a word's start, then a lowercase command name.
COMMAND = re.compile(r"(?<![\w<:/.])/([a-z][a-z_]*)\b")
REMIND_EXAMPLE = re.compile(r"<code>/remind ([^<]+)</code>")
# «кнопкой «Менеджеры»», «нажмите «Готово»», «/settings → «Приглашения»»: our own buttons, named by their label.
BUTTON_REFERENCE = re.compile(r"(?:кнопкой|нажмите|→) «([^»{}]+)»")
ROLE_TEXTS = ("help", "errors.access_denied_for", "menu.home", "start.joined")
NOT_OURS = ("texts.yaml.cli.",)  # the command-line messages name @BotFather's commands (/newbot, /mybots)


def _strings(node: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from _strings(value, f"{where}[{number}]")


@functools.cache
def _all_texts() -> list[tuple[str, str]]:
    """Every string of every content file (texts, checklists, training, templates), with file and key."""
    found = []
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.extend(_strings(data, str(path.relative_to(CONTENT_DIR))))
    return found


def _handled_commands() -> set[str]:
    """Commands some handler answers: Command("a", "b") anywhere in handlers/, and CommandStart as /start."""
    handled = set()
    for path in (REPO / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id == "Command":
                    handled.update(a.value for a in node.args if isinstance(a, ast.Constant))
                elif node.func.id == "CommandStart":
                    handled.add("start")
    return handled


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def _everyones_commands() -> set[str]:
    roles: list[Role | None] = [*Role, None]
    return {c for role in roles for c in available_commands(role)} | set(GROUP_COMMANDS) | set(DEFAULT_COMMANDS)


def test_every_command_a_text_names_is_open_to_some_role() -> None:
    known = _everyones_commands()
    unknown = [
        f"{where}: /{name}"
        for where, text in _all_texts()
        if not where.startswith(NOT_OURS)
        for name in COMMAND.findall(text)
        if name not in known
    ]
    assert unknown == []


def test_every_command_of_any_role_has_a_handler() -> None:
    assert _everyones_commands() - _handled_commands() == set()


def _usable_by(role: Role | None) -> set[str]:
    """A head also binds the team's group: /bind and /unbind are sent in the group, by them."""
    return set(available_commands(role)) | (set(GROUP_COMMANDS) if role is Role.HEAD else set())


@pytest.mark.parametrize("role", [*Role, None], ids=lambda r: "none" if r is None else r.value)
def test_help_lists_exactly_what_the_role_can_use(content: Content, role: Role | None) -> None:
    """/help names every command of the role's menu and typed ones, and nothing another role has."""
    text = content.t(f"help.{'none' if role is None else role.value}")
    named = set(COMMAND.findall(text))
    assert named - _usable_by(role) == set()
    assert set(available_commands(role)) - named - {"help"} == set()


@pytest.mark.parametrize("family", ROLE_TEXTS)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_a_text_for_one_role_names_only_its_commands(content: Content, family: str, role: Role) -> None:
    key = f"{family}.{role.value}"
    raw = next(text for where, text in _all_texts() if where.endswith(f".{key}"))  # unformatted: no placeholders
    assert set(COMMAND.findall(raw)) - _usable_by(role) == set(), key


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER], ids=lambda r: r.value)
def test_the_home_screen_of_an_owner_or_member_names_each_of_their_sections(content: Content, role: Role) -> None:
    """Their home text is the whole story of what they get: every /menu button but settings has its line there."""
    raw = next(text for where, text in _all_texts() if where.endswith(f".menu.home.{role.value}"))
    assert set(home_actions(role)) - {"settings"} - set(COMMAND.findall(raw)) == set()


def test_the_command_menu_is_part_of_what_a_role_can_use() -> None:
    for role in Role:
        assert set(commands_for(role)) <= set(available_commands(role))


def test_every_remind_example_in_a_text_is_understood() -> None:
    """An example the bot shows must work when copied: it parses, has a title and happens after now. Now is
    1 June 2026, a Monday at 08:00 in Moscow, before every example's time of day and date."""
    zone = "Europe/Moscow"
    now = datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo(zone))
    examples = [(where, phrase) for where, text in _all_texts() for phrase in REMIND_EXAMPLE.findall(text)]
    assert len(examples) >= 20  # the examples in help, /reminders, /remind usage and the phrase errors
    for where, phrase in examples:
        parsed = parse_reminder(phrase, now)
        assert parsed.title, (where, phrase)
        assert next_occurrence(parsed.rule, zone, now) is not None, (where, phrase)


def test_every_button_a_text_sends_people_to_exists() -> None:
    """«нажмите «Готово»» needs some text that is exactly «Готово» (a button's label: an emoji before it and a
    number after it aside, as in «➕ В задачи: {number}»)."""
    labels = set()
    for _, text in _all_texts():
        cut = re.sub(r"(?::\s*|\s*\()?\{.*$", "", text).strip()
        labels.add(re.sub(r"^[^\w]+", "", cut))
    missing = [
        f"{where}: «{name}»"
        for where, text in _all_texts()
        for name in BUTTON_REFERENCE.findall(text)
        if name not in labels
    ]
    assert missing == []


# A number a setting decides, with the words a text would put after it: written into a text, it would stay when
# the setting changes. Units, not bare numbers: «20-е число» or «за 7 дней» are not these settings.
SETTING_UNITS = {
    "max_upload_mb": r"МБ",
    "invite_ttl_days": r"(?:день|дня|дней)",
    "report_retention_days": r"(?:день|дня|дней)",
    "reminder_grace_hours": r"(?:час|часа|часов)",
}


KNOWN_WRITTEN_IN: frozenset[str] = frozenset()


@pytest.mark.parametrize(("setting", "unit"), SETTING_UNITS.items())
def test_no_text_writes_in_a_number_a_setting_decides(setting: str, unit: str) -> None:
    default = Settings.model_fields[setting].default
    number = re.compile(rf"(?<![\d,.]){round(default)}\s*{unit}")
    written = {where for where, text in _all_texts() if number.search(text)}
    assert written - KNOWN_WRITTEN_IN == set()


def test_the_upload_limit_in_texts_is_the_settings_one(content: Content) -> None:
    """With a local Bot API server the limit is raised (MAX_UPLOAD_MB=200): the texts must say 200, not 20."""
    for key in ("exports.upload_prompt", "exports.too_large"):
        assert "до 200 МБ" in content.t(key, limit=200) or "больше 200 МБ" in content.t(key, limit=200), key


# --- numbers the code decides, passed into the texts ---------------------------------------------------------------

# (text key, the number the code decides there): the text must take it as a placeholder, never write it in.
CODE_NUMBERS: tuple[tuple[str, int | time], ...] = (
    ("digest.alerts.title", digest.ALERTS_TIME),
    ("digest.alerts.plan", digest.PLAN_ALERT_DAY),
    ("pdca.errors.goal", pdca.MAX_GOAL_CHARS),
    ("pdca.errors.metric_name", pdca.MAX_METRIC_NAME_CHARS),
    ("pdca.errors.actions", pdca.MAX_ACTIONS),
    ("pdca.errors.actions", pdca.MAX_ACTION_CHARS),
    ("pdca.ask_actions", pdca.MAX_ACTIONS),
    ("cases.ask_template", case_reviews.MAX_QUESTIONS),
    ("cases.ask_template", case_reviews.QUESTION_LIMIT),
    ("cases.errors.template", case_reviews.MAX_QUESTIONS),
    ("cases.errors.template", case_reviews.QUESTION_LIMIT),
    ("cases.ask_decision", case_reviews.DECISION_LIMIT),
    ("cases.ask_action", case_reviews.DECISION_LIMIT),
    ("strategy.errors.too_far", strategy.MAX_YEARS_AHEAD),
    ("strategy.errors.bad_title", strategy.MAX_TITLE_CHARS),
    ("strategy.ask_milestone", strategy.MAX_TITLE_CHARS),
    ("reminders.errors.bad_title", reminders.MAX_TITLE_CHARS),
    ("reminders.ask_title", reminders.MAX_TITLE_CHARS),
    ("onboarding.ask_team_name", names.MAX_NAME_CHARS),
)


@pytest.mark.parametrize(("key", "value"), CODE_NUMBERS, ids=lambda v: str(v))
def test_no_text_writes_in_a_number_the_code_decides(content: Content, key: str, value: int | time) -> None:
    raw = content.texts[key]
    assert isinstance(raw, str)
    number = rf"{value.hour}:{value.minute:02d}" if isinstance(value, time) else str(value)
    assert re.search(rf"(?<![\d{{]){number}(?!\d)", raw) is None, raw
    assert "{" in raw  # it takes the number as a placeholder instead


def test_the_alerts_screen_says_the_check_time_and_the_plan_day(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today: the check at 10:00 and the plan alert from the 20th; moved to 9:05 and the 15th, the screen follows."""
    screen = alerts_screen(content, AlertSettings(plan_below_pct=80))
    assert "каждый день в 10:00 " in screen.text
    assert "План ниже 80\u00a0% на 20-е" in _labels(screen)
    monkeypatch.setattr(digest_views, "ALERTS_TIME", time(9, 5))
    monkeypatch.setattr(digest_views, "PLAN_ALERT_DAY", 15)
    screen = alerts_screen(content, AlertSettings(plan_below_pct=80))
    assert "каждый день в 9:05 " in screen.text
    assert "План ниже 80\u00a0% на 15-е" in _labels(screen)


def _labels(screen: Screen) -> str:
    assert screen.markup is not None
    return "\n".join(button.text for row in screen.markup.inline_keyboard for button in row)


# Russian genitive after «до»: 1, 21 → «символа» (one); 2–4, 22 → «символов» (few); 5–20, 200 → «символов» (many).
@pytest.mark.parametrize(("limit", "words"), [(200, "до 200 символов"), (21, "до 21 символа"), (3, "до 3 символов")])
def test_a_refused_goal_names_the_goal_limit(
    content: Content, monkeypatch: pytest.MonkeyPatch, limit: int, words: str
) -> None:
    monkeypatch.setattr(pdca, "MAX_GOAL_CHARS", limit)
    assert pdca.validate_goal("ц" * limit) == "ц" * limit
    with pytest.raises(pdca.GoalInvalid) as refused:
        pdca.validate_goal("ц" * (limit + 1))
    assert words in error_text(content, refused.value)


def test_refused_metric_names_and_actions_name_their_limits(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(pdca.MetricNameInvalid) as refused:
        pdca.validate_metric_name("м" * 61)
    assert "до 60 символов" in error_text(content, refused.value)
    monkeypatch.setattr(pdca, "MAX_ACTIONS", 2)
    monkeypatch.setattr(pdca, "MAX_ACTION_CHARS", 31)  # 31: «one», like 1 and 21
    with pytest.raises(pdca.ActionsInvalid) as too_many:
        pdca.parse_actions("Позвонить\nНаписать\nВстретиться")
    assert "не больше 2, каждый — отдельной строкой, до 31 символа." in error_text(content, too_many.value)


def test_the_case_template_texts_name_its_limits(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today 1..8 questions of up to 200 characters; set to 4 and 22 (both «few»), the prompt and refusal follow."""
    assert "от 1 до 8 вопросов, каждый до 200 символов." in template_ask(content).text
    monkeypatch.setattr(case_views, "MAX_QUESTIONS", 4)
    monkeypatch.setattr(case_views, "QUESTION_LIMIT", 22)
    assert "от 1 до 4 вопросов, каждый до 22 символов." in template_ask(content).text
    monkeypatch.setattr(case_reviews, "MAX_QUESTIONS", 1)  # 1: «one» — «до 1 вопроса»
    with pytest.raises(case_reviews.CaseTemplateInvalid) as refused:
        case_reviews.parse_template("Сделка\nЧто пошло не так")
    assert (
        error_text(content, refused.value)
        == "Нужно от 1 до 1 вопроса, каждый с новой строки и не длиннее 200 символов."
    )


def test_the_decision_and_action_prompts_name_their_limit(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    assert decision_step(content).text == "Напишите решение команды (до 500 символов)."
    monkeypatch.setattr(case_views, "DECISION_LIMIT", 301)  # 301: «one»
    assert decision_step(content).text == "Напишите решение команды (до 301 символа)."
    assert action_step(content, "Иван").text == "Что должен сделать Иван? Напишите задачу (до 301 символа)."


@pytest.mark.parametrize(("years", "words"), [(5, "не дальше 5 лет"), (1, "не дальше 1 года"), (2, "не дальше 2 лет")])
def test_a_too_far_milestone_names_the_years(
    content: Content, monkeypatch: pytest.MonkeyPatch, years: int, words: str
) -> None:
    """Years in the genitive: 1 → «года» (one), 2 → «лет» (few), 5 → «лет» (many)."""
    monkeypatch.setattr(strategy, "MAX_YEARS_AHEAD", years)
    today = date(2026, 6, 1)
    with pytest.raises(strategy.DueDateTooFar) as refused:
        strategy.validate_due(date(2026 + years + 1, 6, 1), today)
    assert words in error_text(content, refused.value)


@pytest.mark.parametrize(
    ("module", "refusal"),
    [(strategy, strategy.MilestoneTitleInvalid), (reminders, reminders.ReminderTitleInvalid)],
    ids=["milestone", "reminder"],
)
def test_a_refused_title_names_its_limit(
    content: Content, monkeypatch: pytest.MonkeyPatch, module: ModuleType, refusal: type[DomainError]
) -> None:
    """Today 200 (milestone) and 1000 (reminder) characters, both «many»; set to 41, «до 41 символа»."""
    today = "до 200 символов" if module is strategy else "до 1000 символов"
    limit = module.MAX_TITLE_CHARS
    with pytest.raises(refusal) as refused:
        module.validate_title("в" * (limit + 1))
    assert today in error_text(content, refused.value)
    monkeypatch.setattr(module, "MAX_TITLE_CHARS", 41)
    with pytest.raises(refusal) as refused:
        module.validate_title("в" * 42)
    assert "от 1 до 41 символа." in error_text(content, refused.value)


def test_the_team_name_question_names_the_name_limit(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "(до 64 символов)" in start_handlers.ask_team_name(content)
    monkeypatch.setattr(start_handlers, "MAX_NAME_CHARS", 32)  # 32: «few»
    assert "(до 32 символов)" in start_handlers.ask_team_name(content)
    monkeypatch.setattr(start_handlers, "MAX_NAME_CHARS", 51)  # 51: «one»
    assert "(до 51 символа)" in start_handlers.ask_team_name(content)


@pytest.mark.parametrize(
    ("key", "group"),
    [
        ("settings.ask_name", "limits.chars"),
        ("settings.ask_rename", "limits.chars"),
        ("errors.name_length", "limits.chars"),
        ("calls.ask_names", "limits.chars"),
        ("calls.errors.too_long", "limits.chars"),
        ("reminders.ask_title", "limits.chars"),
        ("pdca.ask_actions", "limits.steps"),
    ],
)
def test_a_limit_reads_with_its_noun_in_the_right_form(content: Content, key: str, group: str) -> None:
    """«до 21 символа», «до 64 символов», «до 1 шага»: the noun comes with the number, never written after it."""
    for count, words in ((21, "21 символа"), (64, "64 символов")) if group == "limits.chars" else ((1, "1 шага"),):
        text = content.t(key, limit=content.plural(group, count))
        assert words in text, (key, text)
        assert not re.search(r"\d+ (символ|шаг)\w* (символ|шаг)", text), text
