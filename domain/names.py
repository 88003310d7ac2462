"""Names people type (a team's, their own): one line of visible text, nothing that garbles the text around it."""

from __future__ import annotations

import unicodedata

from domain.errors import Counted, DomainError

MAX_NAME_CHARS = 64  # a team's or a person's name: it heads screens and digests on one line

# Explicit direction changes (embeddings, overrides, isolates): they flip the text that follows the name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that render as nothing: the usual filling of an "invisible" name.
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories that show nothing on their own: format (zero-width and the like), separators, combining marks.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


class NameRefused(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.text_args = {"limit": Counted("limits.chars", limit)}


class NameLength(NameRefused):
    """Empty after trimming, or longer than the limit."""

    text_key = "errors.name_length"


class NameUnreadable(NameRefused):
    """Control characters, direction overrides, or nothing visible at all."""

    text_key = "errors.name_unreadable"


def clean_name(text: str, limit: int) -> str:
    """The name with its whitespace trimmed and runs of whitespace made one space; raises NameRefused."""
    name = " ".join(text.split())
    if any(_unsafe(char) for char in name) or (name and not any(_visible(char) for char in name)):
        raise NameUnreadable(limit)
    if not 0 < len(name) <= limit:
        raise NameLength(limit)
    return name


def _unsafe(char: str) -> bool:
    """NUL and other control characters, lone surrogates (not even UTF-8), direction overrides."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in BLANK_CHARACTERS
