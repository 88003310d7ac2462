"""The actor is read on every update (one query) and written only when something changed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head


async def test_a_person_who_blocked_the_bot_and_writes_again_is_reachable_again(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.store.users.mark_blocked(HEAD, datetime(2024, 5, 1, tzinfo=UTC))
    await tg.send(HEAD, "/menu")
    user = await tg.store.users.get(HEAD)
    assert user is not None and user.blocked_at is None


async def test_a_new_telegram_name_is_saved_with_the_next_update(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/menu", name="Анна Петровна")
    user = await tg.store.users.get(HEAD)
    assert user is not None and user.display_name == "Анна Петровна"
