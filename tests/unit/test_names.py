from __future__ import annotations

import pytest

from bot.views.common import error_text
from content import load_content
from domain.errors import Counted
from domain.names import NameLength, NameRefused, NameUnreadable, clean_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Альфа", "Альфа"),
        ("  Гамма \n\t продажи  ", "Гамма продажи"),
        ("\u00a0Отдел\u00a0B2B\u00a0", "Отдел B2B"),  # no-break spaces are whitespace too
        ("Команда 👨\u200d👩\u200d👧", "Команда 👨\u200d👩\u200d👧"),  # a joiner inside an emoji is fine
        ("שלום Sales", "שלום Sales"),  # right-to-left letters are fine; overriding the direction is not
        ("Café", "Café"),
        ("x" * 64, "x" * 64),
    ],
)
def test_names_people_really_use_are_kept(text: str, expected: str) -> None:
    assert clean_name(text, 64) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\u200b",  # zero-width space
        "\u200b\u200c\u200d\u2060\ufeff",  # zero-width everything
        " \u200b \u200b ",
        "\u3164\u3164",  # Hangul filler: a "letter" that draws nothing
        "\u2800",  # Braille blank
        "\u0301\u0301",  # combining marks with nothing to sit on
        "Альфа\x00",  # NUL
        "Аль\x07фа",  # other control characters
        "Alpha\u202egnp.exe",  # right-to-left override
        "\u202aAlpha\u202c",  # embedding
        "\u2067Alpha\u2069",  # isolate
        "Alpha\ud800",  # a lone surrogate: not even UTF-8
    ],
)
def test_invisible_or_garbling_names_are_refused(text: str) -> None:
    with pytest.raises(NameUnreadable):
        clean_name(text, 64)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * 65])
def test_empty_or_too_long_names_are_refused(text: str) -> None:
    with pytest.raises(NameLength) as caught:
        clean_name(text, 64)
    assert caught.value.text_args == {"limit": Counted("limits.chars", 64)}


@pytest.mark.parametrize("error", [NameLength(64), NameUnreadable(64)])
def test_each_refusal_has_a_text(error: NameRefused) -> None:
    text = error_text(load_content("ru"), error)
    assert text and "{" not in text and "Counted" not in text
