"""Telegram's HTML parse mode: strict enough to catch unescaped user text, as Telegram would."""

from __future__ import annotations

import html
import re

# The tags Telegram's HTML parse mode accepts (Bot API "Formatting options").
ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "code", "pre", "blockquote", "tg-emoji", "tg-time",
    }
)  # fmt: skip
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)?([^<>]*)>")
_ANY_TAG = re.compile(r"<[^<>]*>")


def strip_html(text: str) -> str:
    """Text as shown to a person: tags removed, entities unescaped."""
    return html.unescape(_ANY_TAG.sub("", text))


def html_error(text: str) -> str | None:
    """Telegram's "can't parse entities" reason for this HTML text, or None when it is valid."""
    stack: list[str] = []
    pos = 0
    while (lt := text.find("<", pos)) != -1:
        offset = len(text[:lt].encode())
        match = _TAG.match(text, lt)
        if match is None or match.group(2) is None:
            return f'Unsupported start tag "" at byte offset {offset}'
        closing, name = match.group(1) == "/", match.group(2).lower()
        if closing:
            if not stack:
                return f'Unexpected end tag at byte offset {offset}'
            expected = stack.pop()
            if expected != name:
                return (
                    f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", '
                    f'found "</{name}>"'
                )
        elif name not in ALLOWED_TAGS:
            return f'Unsupported start tag "{name}" at byte offset {offset}'
        else:
            stack.append(name)
        pos = match.end()
    if stack:
        return f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return None
