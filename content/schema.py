"""Pydantic schema of a diagnostic checklist (content/<locale>/checklists/<key>.yaml).

Keys go into Telegram callback_data (64 bytes), so they are short ASCII: [a-z0-9_].
Checks that need other files (seed list, `mistake` links into another checklist) live in the loader.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

KEY_PATTERN = r"^[a-z0-9_]+$"

ChecklistKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN, min_length=1, max_length=12)]
ItemKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN, min_length=1, max_length=16)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A link to a section of another checklist: "<checklist key>:<group key>", e.g. "six:funnel".
MistakeRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,12}:[a-z0-9_]{1,16}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerOption(_Model):
    key: ItemKey
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    value: Annotated[float, Field(ge=0, le=1)]


def _check_options(options: tuple[AnswerOption, ...], where: str) -> None:
    keys = [o.key for o in options]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{where}: answer keys repeat: {keys}")
    values = {o.value for o in options}
    # The good answer is worth 1 and the worst 0: scoring and "no" counting rely on both existing.
    if 1 not in values or 0 not in values:
        raise ValueError(f"{where}: answers need one option with value 1 and one with value 0")


class Group(_Model):
    """A section of a checklist (e.g. one of the six mistakes); a `mistake` link points to one."""

    key: ItemKey
    title: Text


class ItemVoice(_Model):
    """The owner's wording of an item, for when an owner takes the checklist about their head of sales.

    The item's own fields speak to the person taking it (the head, «вы»); a field given here replaces
    its counterpart when the taker is an owner (domain.checklists.in_voice)."""

    question: Text | None = None
    looks_like: Text | None = None
    why: Text | None = None
    action: Text | None = None
    task: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None = None


class ZoneVoice(_Model):
    """The owner's wording of a zone (see ItemVoice)."""

    title: Text | None = None
    text: Text | None = None


class ChecklistVoice(_Model):
    """The owner's wording of the checklist's cards (see ItemVoice)."""

    description: Text | None = None
    intro: Text | None = None
    rule: Text | None = None


class Item(_Model):
    key: ItemKey
    question: Text  # phrased so that the good answer has the highest value
    seed: Text  # file name of the methodology article the item comes from
    group: ItemKey | None = None
    looks_like: Text | None = None  # "Как выглядит"
    why: Text  # "Почему это важно": the seed's explanation
    action: Text  # "Что делать"
    task: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    mistake: MistakeRef | None = None
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    answers: tuple[AnswerOption, ...] | None = None  # overrides the checklist's options
    owner: ItemVoice | None = None  # the owner's wording; the fields above speak to the head

    @model_validator(mode="after")
    def _answers_ok(self) -> Self:
        if self.answers is not None:
            _check_options(self.answers, f"item {self.key!r}")
        return self


class Zone(_Model):
    """A result band: an explicit range. All given conditions must hold.

    "no" means an answer worth 0 (the bad answer, whatever its label). `max_no` / `min_no` count
    them over `no_in` items if given, else over the whole checklist. The zones of a checklist are meant
    to be disjoint and to cover every possible set of answers, so that a zone's text can be read
    against its own conditions alone (tests/unit/test_checklist_zones.py enumerates every case); should
    two hold anyway, the first wins, and the last is the fallback.
    """

    key: ItemKey
    title: Text
    text: Text
    min_score: Annotated[int, Field(ge=0, le=100)] | None = None
    max_score: Annotated[int, Field(ge=0, le=100)] | None = None
    max_no: Annotated[int, Field(ge=0)] | None = None
    min_no: Annotated[int, Field(ge=1)] | None = None
    no_in: tuple[ItemKey, ...] | None = None
    owner: ZoneVoice | None = None  # the owner's wording; title and text speak to the head

    @property
    def is_catch_all(self) -> bool:
        return self.min_score is None and self.max_score is None and self.max_no is None and self.min_no is None

    @model_validator(mode="after")
    def _scope_ok(self) -> Self:
        if self.no_in is not None and self.max_no is None and self.min_no is None:
            raise ValueError(f"zone {self.key!r}: no_in is given without max_no or min_no")
        if self.max_no is not None and self.min_no is not None and self.min_no > self.max_no:
            raise ValueError(f"zone {self.key!r}: min_no > max_no, the zone can never match")
        if self.min_score is not None and self.max_score is not None and self.min_score > self.max_score:
            raise ValueError(f"zone {self.key!r}: min_score > max_score, the zone can never match")
        return self


class Checklist(_Model):
    key: ChecklistKey
    order: int
    title: Text
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    description: Text
    seeds: tuple[Text, ...] = Field(min_length=1)
    intro: Text
    rule: Text  # the seed's scoring rule, or what threshold we use when the seed gives none
    answers: tuple[AnswerOption, ...]
    groups: tuple[Group, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    zones: tuple[Zone, ...] = Field(min_length=1)
    owner: ChecklistVoice | None = None  # the owner's wording of description / intro / rule
    # Templates (content/<locale>/templates.yaml, `templates.<name>`) the result offers; the loader checks them.
    templates: tuple[ItemKey, ...] = ()

    def answers_for(self, item: Item) -> tuple[AnswerOption, ...]:
        return item.answers if item.answers is not None else self.answers

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"checklist {self.key!r} has no item {key!r}")

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(f"checklist {self.key!r} has no group {key!r}")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_options(self.answers, "checklist answers")
        _unique("item", [i.key for i in self.items])
        _unique("group", [g.key for g in self.groups])
        _unique("zone", [z.key for z in self.zones])
        group_keys = {g.key for g in self.groups}
        item_keys = {i.key for i in self.items}
        for item in self.items:
            if item.seed not in self.seeds:
                raise ValueError(f"item {item.key!r}: seed {item.seed!r} is not in the checklist's seeds")
            if item.group is not None and item.group not in group_keys:
                raise ValueError(f"item {item.key!r}: unknown group {item.group!r}")
            if self.groups and item.group is None:
                raise ValueError(f"item {item.key!r}: the checklist has groups, the item names none")
        for zone in self.zones:
            scope = zone.no_in if zone.no_in is not None else tuple(item_keys)
            unknown = [k for k in scope if k not in item_keys]
            if unknown:
                raise ValueError(f"zone {zone.key!r}: no_in names unknown items {unknown}")
            if zone.min_no is not None and zone.min_no > len(scope):
                raise ValueError(f"zone {zone.key!r}: min_no exceeds the number of items counted")
        for zone in self.zones[:-1]:
            if zone.is_catch_all:
                raise ValueError(f"zone {zone.key!r} has no conditions: only the last zone may be a catch-all")
        _unique("template", list(self.templates))
        return self


def _unique(kind: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{kind} key {key!r} repeats")
        seen.add(key)
