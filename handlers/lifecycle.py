"""A user who blocks the bot is recorded, so nothing is sent to them until they come back.

Private chats only: in a group the same statuses mean the bot was removed or added (handlers/groups.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from domain.clock import Clock
from storage import Store


async def blocked(event: ChatMemberUpdated, store: Store, clock: Clock) -> None:
    await store.users.mark_blocked(event.from_user.id, clock.now())


async def unblocked(event: ChatMemberUpdated, store: Store) -> None:
    await store.users.mark_blocked(event.from_user.id, None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.filter(F.chat.type == "private")
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
