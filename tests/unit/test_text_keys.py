"""Every text key the code asks for exists in the Russian content (literal keys and f-string key families)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from content import Content, load_content

REPO = Path(__file__).resolve().parents[2]
CODE_DIRS = ("bot", "handlers", "analytics", "domain")


def _calls() -> list[tuple[str, ast.expr]]:
    found = []
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "t"
                    and node.args
                ):
                    found.append((f"{path.relative_to(REPO)}:{node.lineno}", node.args[0]))
    return found


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def test_literal_keys_exist(content: Content) -> None:
    missing = [
        f"{where}: {arg.value}"
        for where, arg in _calls()
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and not content.has(arg.value)
    ]
    assert missing == []


def test_every_fstring_key_family_has_members(content: Content) -> None:
    """f"menu.buttons.{action}" must match at least one key: catches a renamed family."""
    missing = []
    for where, arg in _calls():
        if not isinstance(arg, ast.JoinedStr):
            continue
        pattern = "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else r"[^.]+(\.[^.]+)*?" for part in arg.values
        )
        if not any(re.fullmatch(pattern, key) for key in content.keys()):  # noqa: SIM118
            missing.append(f"{where}: {ast.unparse(arg)}")
    assert missing == []


def test_error_classes_have_texts(content: Content) -> None:
    import domain.errors as errors

    classes = [obj for obj in vars(errors).values() if isinstance(obj, type) and issubclass(obj, errors.DomainError)]
    assert [cls.__name__ for cls in classes if not content.has(cls.text_key)] == []


def test_role_and_timezone_keys_are_complete(content: Content) -> None:
    from domain.models import Role
    from domain.timezones import RUSSIAN_TIMEZONES

    for role in Role:
        assert content.has(f"roles.{role.value}")
        assert content.has(f"start.role_buttons.{role.value}")
        assert content.has(f"menu.home.{role.value}")
    for name in RUSSIAN_TIMEZONES:
        assert content.has(f"timezones.{name.replace('/', '_')}")
