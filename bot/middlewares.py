"""Per-update middlewares: who is acting, in which team, with which role (re-read on every update)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from domain.clock import Clock
from storage import Store


class ActorMiddleware(BaseMiddleware):
    """Registers the sender and puts `actor` (domain User) and `membership` into handler data.

    A person who has not chosen a time zone yet is shown dates in DEFAULT_TIMEZONE."""

    def __init__(self, default_timezone: str) -> None:
        self._default_timezone = default_timezone

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        store: Store = data["store"]
        if tg_user is None or tg_user.is_bot:
            return await handler(event, data)
        clock: Clock = data["clock"]
        # One read; written only when new, renamed, or back after blocking the bot (they write to us again: in
        # their private chat, not in a group, where a person who blocked the bot may still send /bind).
        chat: Chat | None = data.get("event_chat")
        reachable = chat is None or chat.type == "private"
        seen = await store.users.seen(tg_user.id, tg_user.full_name, tg_user.username, clock.now(), reachable)
        actor = seen.user
        data["actor"] = actor if actor.timezone else replace(actor, timezone=self._default_timezone)
        data["membership"] = seen.membership  # re-read on every update: access is never cached
        return await handler(event, data)
