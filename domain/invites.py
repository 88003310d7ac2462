"""Invite codes and deep links. Pure: no aiogram, no storage."""

from __future__ import annotations

import secrets
from datetime import timedelta

DEFAULT_INVITE_TTL = timedelta(days=14)

# 18 random bytes -> 24 url-safe characters, 144 bits: unguessable and well inside Telegram's
# 64-character `start` parameter, which allows only [A-Za-z0-9_-].
_CODE_BYTES = 18


def new_invite_code() -> str:
    """A fresh random code; never derived from a team or user id, so it cannot be forged."""
    return secrets.token_urlsafe(_CODE_BYTES)


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
