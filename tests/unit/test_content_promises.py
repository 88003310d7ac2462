"""No text promises what the bot does not do: the commands texts name are handled and open to that role, the
/remind examples they show are understood, and the buttons they send people to exist."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.commands import DEFAULT_COMMANDS, GROUP_COMMANDS, available_commands, commands_for, home_actions
from bot.config import Settings
from content import Content, load_content
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
