"""Load and validate content: UI texts and checklists of one locale, plus the list of methodology seeds.

Layout under `root` (the content package folder by default):
    seeds.yaml                    `seeds: [file names]` - the articles the checklists cite (data, not read at runtime)
    <locale>/*.yaml               texts: nested mappings flattened to dotted keys; file names are not part of keys
    <locale>/checklists/*.yaml    one checklist a file, schema in content/schema.py; the key equals the file stem
    <locale>/training/*.yaml      one training module a file, schema in content/training_schema.py; key = file stem

Text values are str.format templates or lists of strings. `Content.t` always formats (even without
arguments), so a literal brace is written "{{" / "}}" everywhere; templates are checked at load.
"""

from __future__ import annotations

import string
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.plural import PluralRule
from pydantic import ValidationError

from content.schema import Checklist
from content.training_schema import TrainingModule

TextValue = str | tuple[str, ...]


class ContentError(Exception):
    """Broken content: the message names the file and the field."""


@dataclass(frozen=True)
class Content:
    locale: str
    texts: dict[str, TextValue]
    checklists: dict[str, Checklist]  # in display order
    seeds: tuple[str, ...]
    training: dict[str, TrainingModule] = field(default_factory=dict)  # training modules, in display order

    def t(self, key: str, /, **kwargs: Any) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise TypeError(f"text {key!r} is a list; use Content.items()")
        try:
            return value.format_map(kwargs)
        except KeyError as exc:
            raise KeyError(f"text {key!r} needs the argument {exc.args[0]!r}") from None

    def plural(self, key: str, count: int, /, **kwargs: Any) -> str:
        """The CLDR plural form of `key` for `count` («1 звонок, 3 звонка, 5 звонков»): the texts hold
        `key.one`, `key.few`, `key.many`, `key.other` (the locale's categories); `{count}` is passed too."""
        return self.t(f"{key}.{plural_rule(self.locale)(count)}", count=count, **kwargs)

    def items(self, key: str) -> tuple[str, ...]:
        """A list value, verbatim (not formatted)."""
        value = self._get(key)
        if isinstance(value, str):
            raise TypeError(f"text {key!r} is a string; use Content.t()")
        return value

    def has(self, key: str) -> bool:
        return key in self.texts

    def keys(self) -> frozenset[str]:
        return frozenset(self.texts)

    def checklist(self, key: str) -> Checklist:
        try:
            return self.checklists[key]
        except KeyError:
            raise KeyError(f"unknown checklist {key!r}") from None

    def _get(self, key: str) -> TextValue:
        try:
            return self.texts[key]
        except KeyError:
            raise KeyError(f"unknown text key {key!r} (locale {self.locale!r})") from None


@cache
def plural_rule(locale: str) -> PluralRule:
    return Locale.parse(locale).plural_form


def load_content(locale: str = "ru", root: Path | None = None) -> Content:
    root = root if root is not None else Path(__file__).parent
    locale_dir = root / locale
    if not locale_dir.is_dir():
        raise ContentError(f"no content for locale {locale!r}: {locale_dir} is not a folder")
    seeds = _load_seeds(root)
    texts = _load_texts(root, locale_dir)
    _check_plurals(locale, texts)
    checklists = _load_checklists(root, locale_dir / "checklists", seeds)
    _check_checklist_texts(locale, checklists, texts)
    training = _load_training(root, locale_dir / "training", seeds)
    return Content(locale=locale, texts=texts, checklists=checklists, seeds=seeds, training=training)


# --- YAML reading -----------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            continue  # construct_mapping reports an unhashable key itself
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} repeats", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(root: Path, path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # a SafeLoader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{_rel(root, path)}: cannot read: {exc}") from exc


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- seeds and texts --------------------------------------------------------------------------------


def _load_seeds(root: Path) -> tuple[str, ...]:
    path = root / "seeds.yaml"
    if not path.is_file():
        raise ContentError(f"{_rel(root, path)}: missing (the list of methodology seed files)")
    data = _read_yaml(root, path)
    seeds = data.get("seeds") if isinstance(data, dict) else None
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, str) and s for s in seeds):
        raise ContentError(f"{_rel(root, path)}: 'seeds' must be a non-empty list of file names")
    if len(set(seeds)) != len(seeds):
        raise ContentError(f"{_rel(root, path)}: a seed file is listed twice")
    return tuple(seeds)


def _load_texts(root: Path, locale_dir: Path) -> dict[str, TextValue]:
    texts: dict[str, TextValue] = {}
    origin: dict[str, str] = {}
    for path in sorted(locale_dir.glob("*.yaml")):
        name = _rel(root, path)
        data = _read_yaml(root, path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ContentError(f"{name}: the top level must be a mapping of keys")
        for key, value in _flatten(name, data, ""):
            if key in texts:
                raise ContentError(f"{name}: key {key!r} is already defined in {origin[key]}")
            texts[key] = value
            origin[key] = name
    return texts


def _check_plurals(locale: str, texts: Mapping[str, TextValue]) -> None:
    """A group with an `other` key is a plural group: it must have every category the locale's CLDR rule uses."""
    needed = set(plural_rule(locale).tags) | {"other"}
    for key in texts:
        if not key.endswith(".other"):
            continue
        base = key[: -len(".other")]
        missing = sorted(tag for tag in needed if f"{base}.{tag}" not in texts)
        if missing:
            raise ContentError(f"plural text {base!r} lacks the forms {missing} for locale {locale!r}")


def _flatten(name: str, data: dict[Any, Any], prefix: str) -> list[tuple[str, TextValue]]:
    out: list[tuple[str, TextValue]] = []
    for raw_key, value in data.items():
        where = f"{prefix}{raw_key}"
        if not isinstance(raw_key, str) or not raw_key or "." in raw_key:
            hint = " (quote yes/no/on/off and numbers)" if not isinstance(raw_key, str) else ""
            raise ContentError(f"{name}: bad key {where!r} - keys are non-empty strings without dots{hint}")
        key = f"{prefix}{raw_key}"
        if isinstance(value, dict):
            out.extend(_flatten(name, value, key + "."))
        elif isinstance(value, str):
            _check_template(name, key, value)
            out.append((key, value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.append((key, tuple(value)))
        else:
            raise ContentError(
                f"{name}: {key!r} must be a string or a list of strings, got {type(value).__name__}"
                " (quote values such as yes/no/numbers)"
            )
    return out


def _check_template(name: str, key: str, value: str) -> None:
    try:
        list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ContentError(
            f"{name}: {key!r} is not a valid template ({exc}); write a literal brace as {{{{ }}}}"
        ) from None


# --- training modules (schema in content/training_schema.py) ----------------------------------------


def _load_training(root: Path, folder: Path, seeds: tuple[str, ...]) -> dict[str, TrainingModule]:
    """One module a file; the key equals the file stem; screens cite a seed of seeds.yaml or "general"."""
    loaded: list[tuple[str, TrainingModule]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = _rel(root, path)
        data = _read_yaml(root, path)
        if not isinstance(data, dict):
            raise ContentError(f"{name}: the top level must be a mapping (a training module)")
        try:
            module = TrainingModule.model_validate(data, context={"seeds": seeds})
        except ValidationError as exc:
            raise ContentError(f"{name}: {_describe(exc, data)}") from None
        if module.key != path.stem:
            raise ContentError(f"{name}: key {module.key!r} must equal the file name {path.stem!r}")
        loaded.append((name, module))
    orders: dict[int, str] = {}
    for name, module in loaded:
        if module.order in orders:
            raise ContentError(f"{name}: order {module.order} is already used by {orders[module.order]}")
        orders[module.order] = name
    return {m.key: m for _, m in sorted(loaded, key=lambda pair: pair[1].order)}


# --- checklists -------------------------------------------------------------------------------------


def _load_checklists(root: Path, folder: Path, seeds: tuple[str, ...]) -> dict[str, Checklist]:
    loaded: list[tuple[str, Checklist]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = _rel(root, path)
        data = _read_yaml(root, path)
        if not isinstance(data, dict):
            raise ContentError(f"{name}: the top level must be a mapping (a checklist)")
        try:
            checklist = Checklist.model_validate(data)
        except ValidationError as exc:
            raise ContentError(f"{name}: {_describe(exc, data)}") from None
        if checklist.key != path.stem:
            raise ContentError(f"{name}: key {checklist.key!r} must equal the file name {path.stem!r}")
        unknown = [s for s in checklist.seeds if s not in seeds]
        if unknown:
            raise ContentError(f"{name}: seeds {unknown} are not in seeds.yaml")
        loaded.append((name, checklist))
    orders: dict[int, str] = {}
    for name, checklist in loaded:
        if checklist.order in orders:
            raise ContentError(f"{name}: order {checklist.order} is already used by {orders[checklist.order]}")
        orders[checklist.order] = name
    by_key = {c.key: c for _, c in sorted(loaded, key=lambda pair: pair[1].order)}
    for name, checklist in loaded:
        _check_mistake_links(name, checklist, by_key)
    return by_key


def _check_checklist_texts(locale: str, checklists: Mapping[str, Checklist], texts: Mapping[str, TextValue]) -> None:
    """Every template a checklist offers exists (templates.yaml). Seed titles (sources.yaml) are optional
    here, a test holds the real content to them; a missing one shows the file name."""
    for checklist in checklists.values():
        for name in checklist.templates:
            missing = [f"templates.{name}.{f}" for f in TEMPLATE_FIELDS if f"templates.{name}.{f}" not in texts]
            if missing:
                raise ContentError(
                    f"{locale}/checklists/{checklist.key}.yaml: template {name!r} lacks the texts {missing}"
                )


TEMPLATE_FIELDS = ("button", "title", "summary", "text")


def seed_stem(seed: str) -> str:
    """The key of a seed file in texts: `sources.<stem>` is its title."""
    return seed.removesuffix(".txt")


def _check_mistake_links(name: str, checklist: Checklist, by_key: Mapping[str, Checklist]) -> None:
    for index, item in enumerate(checklist.items):
        if item.mistake is None:
            continue
        target_key, group_key = item.mistake.split(":")
        target = by_key.get(target_key)
        if target is None or group_key not in {g.key for g in target.groups}:
            raise ContentError(f"{name}: items[{index}] ({item.key}).mistake: {item.mistake!r} names no existing group")


def _describe(exc: ValidationError, data: Any) -> str:
    parts = []
    for error in exc.errors():
        parts.append(f"{_loc_path(error['loc'], data) or '(checklist)'}: {error['msg']}")
    return "; ".join(parts)


def _loc_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render ("items", 3, "task") as "items[3] (h_money).task", naming the item by its key."""
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("key"), str):
                path += f" ({node['key']})"
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return path
