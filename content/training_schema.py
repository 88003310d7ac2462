"""Pydantic schema of a training mini-module (content/<locale>/training/<key>.yaml).

A module is at most three short screens and a check of exactly three questions; each question has 2-4 options,
exactly one of them right, and every option explains why it is right or why not. Every screen names its source:
a seed file listed in content/seeds.yaml (validated through the `seeds` validation context) or `general` where
the seeds are silent and the screen gives general sales practice.

Keys go into Telegram callback_data, so they are short ASCII: [a-z0-9_], at most 12 characters.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

GENERAL = "general"  # a screen's source when the seeds say nothing on the point
MAX_SCREENS = 3
QUESTIONS = 3
MAX_OPTIONS = 4

ModuleKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=12)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ScreenText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=900)]  # phone-sized
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]  # a button label
OptionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
Why = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Screen(_Model):
    text: ScreenText
    source: Text  # a seed file name from content/seeds.yaml, or "general"

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str, info: ValidationInfo) -> str:
        seeds = info.context.get("seeds") if isinstance(info.context, dict) else None
        if seeds is None:
            raise ValueError("validate with context={'seeds': [...]} (the seed list of content/seeds.yaml)")
        if value != GENERAL and value not in seeds:
            raise ValueError(f"source {value!r} is neither a seed listed in seeds.yaml nor {GENERAL!r}")
        return value

    @property
    def is_general(self) -> bool:
        return self.source == GENERAL


class Option(_Model):
    text: OptionText
    right: bool = False
    why: Why  # why this option is right, or why not


class Question(_Model):
    text: Text
    options: tuple[Option, ...] = Field(min_length=2, max_length=MAX_OPTIONS)

    @model_validator(mode="after")
    def _one_right(self) -> Self:
        right = sum(1 for option in self.options if option.right)
        if right != 1:
            raise ValueError(f"a question needs exactly one right option, found {right}")
        return self

    @property
    def right_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.right)


class TrainingModule(_Model):
    key: ModuleKey
    order: int
    title: Text
    short_title: Short
    summary: Text  # one or two lines for the list and the intro card
    screens: tuple[Screen, ...] = Field(min_length=1, max_length=MAX_SCREENS)
    questions: tuple[Question, ...] = Field(min_length=QUESTIONS, max_length=QUESTIONS)

    @property
    def sources(self) -> tuple[str, ...]:
        """The seeds the module cites, in order of first use (without "general")."""
        return tuple(dict.fromkeys(s.source for s in self.screens if not s.is_general))

    @property
    def right_answers(self) -> tuple[int, ...]:
        return tuple(q.right_index for q in self.questions)
