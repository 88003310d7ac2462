"""Every text key the code asks for exists in the Russian content (literal keys and f-string key families), and
every text in the content is asked for somewhere (no dead text left to drift from what the bot does)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from content import Content, load_content

REPO = Path(__file__).resolve().parents[2]
CODE_DIRS = ("bot", "handlers", "analytics", "domain", "services", "scheduling", "storage", "content")
PLURAL_FORMS = ("one", "few", "many", "other")  # Russian CLDR categories (content/loader.py checks each family)
KNOWN_UNUSED: frozenset[str] = frozenset()


def _code_files() -> list[Path]:
    return [p for folder in CODE_DIRS for p in sorted((REPO / folder).rglob("*.py"))] + [REPO / "main.py"]


def _part(node: ast.expr) -> ast.expr:
    return node if isinstance(node, ast.Constant) else ast.FormattedValue(value=node, conversion=-1)


def _calls() -> list[tuple[str, ast.expr]]:
    """content.t / .items / .plural calls; a plural's key is its family, so its `.other` form is what must exist."""
    found: list[tuple[str, ast.expr]] = []
    for path in _code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("t", "items", "plural")
                and node.args
            ):
                key = node.args[0]
                if node.func.attr == "plural":
                    parts = key.values if isinstance(key, ast.JoinedStr) else [_part(key)]
                    key = ast.JoinedStr([*parts, ast.Constant(".other")])
                    if all(isinstance(v, ast.Constant) for v in key.values):
                        key = ast.Constant("".join(str(v.value) for v in key.values if isinstance(v, ast.Constant)))
                found.append((f"{path.relative_to(REPO)}:{node.lineno}", key))
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


def _key_pattern(node: ast.JoinedStr, constants: dict[str, str]) -> str | None:
    """f"pdca.letters.{phase}" as a regular expression; None when nothing in it names a key family ("{a}.{b}")."""
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(re.escape(str(value.value)))
        elif (
            isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name) and value.value.id in constants
        ):
            parts.append(re.escape(constants[value.value.id]))  # K = "analytics.actions." then f"{K}groups.{g}"
        else:
            parts.append(r"[^.]+(\.[^.]+)*?")
    fixed = "".join(p for p in parts if not p.startswith("[^."))
    return "".join(parts) if re.search(r"[a-z_]\\?\.|\.[a-z_]", fixed) else None


def _used_in_code() -> tuple[set[str], list[str], set[str], set[tuple[str, str]]]:
    """Every string literal of the code (a key, a key prefix ending in ".", or a module constant plus a literal),
    every f-string that names a key family, the suffixes added to a key at run time (f"{key}_plain") and the
    renames of one key into another (key.replace(".summary.", ".report.notes."))."""
    literals: set[str] = set()
    patterns: list[str] = []
    suffixes: set[str] = set()
    renames: set[tuple[str, str]] = set()
    for path in _code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.left, ast.Name)
                and node.left.id in constants
                and isinstance(node.right, ast.Constant)
            ):
                literals.add(f"{constants[node.left.id]}{node.right.value}")  # K + "no_reason"
            elif isinstance(node, ast.JoinedStr) and (pattern := _key_pattern(node, constants)) is not None:
                patterns.append(pattern)
            if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
                first, last = node.values
                if isinstance(first, ast.FormattedValue) and isinstance(last, ast.Constant) and "." not in last.value:
                    suffixes.add(str(last.value))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and len(node.args) == 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
            ):
                old, new = (str(a.value) for a in node.args if isinstance(a, ast.Constant))
                renames.add((old, new))
    return literals, patterns, suffixes, renames


def test_every_text_is_asked_for_by_the_code(content: Content) -> None:
    """A text no code shows is dead: it drifts from what the bot does and misleads whoever reads the content."""
    literals, patterns, suffixes, renames = _used_in_code()
    compiled = [re.compile(p) for p in patterns]

    def used(key: str, depth: int = 0) -> bool:
        if depth < 2 and any(key.endswith(s) and used(key.removesuffix(s), depth + 1) for s in suffixes if s):
            return True  # "…axis_plain" from f"{key}_plain"
        if depth < 2 and any(new in key and used(key.replace(new, old), depth + 1) for old, new in renames if new):
            return True
        parts = key.split(".")
        family = ".".join(parts[:-1]) if parts[-1] in PLURAL_FORMS else None
        names = [key] if family is None else [key, family]
        if any(name in literals for name in names):
            return True
        if any(".".join(parts[:i]) + "." in literals for i in range(1, len(parts))):
            return True  # a prefix the code completes at run time
        return any(p.fullmatch(name) for p in compiled for name in names)

    assert sorted(k for k in content.keys() if not used(k)) == sorted(KNOWN_UNUSED)  # noqa: SIM118
