from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.errors import AccessDenied, InvalidTimezone, NotFound
from domain.models import Role, User
from storage import Store, open_store

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


async def _user(store: Store, user_id: int) -> User:
    user = await store.users.get(user_id)
    assert user is not None
    return user


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


async def test_first_contact_creates_a_user(store: Store) -> None:
    assert await store.users.get(100) is None
    user = await store.users.upsert_seen(100, "Ирина Петрова", "irina", now=NOW)
    assert (user.id, user.display_name, user.username) == (100, "Ирина Петрова", "irina")
    assert (user.timezone, user.chosen_role, user.current_team_id, user.blocked_at) == (None, None, None, None)
    assert user.created_at == NOW
    assert await store.users.get(100) == user


async def test_later_contact_refreshes_telegram_name_and_username(store: Store) -> None:
    await store.users.upsert_seen(100, "Irina", "irina", now=NOW)
    user = await store.users.upsert_seen(100, "Irina P.", None)
    assert (user.display_name, user.username, user.created_at) == ("Irina P.", None, NOW)


async def test_a_name_the_user_chose_is_kept(store: Store) -> None:
    await store.users.upsert_seen(100, "Irina", "irina")
    await store.users.set_display_name(100, "Ирина (РОП)")
    user = await store.users.upsert_seen(100, "Irina Telegram", "irina_new")
    assert (user.display_name, user.username) == ("Ирина (РОП)", "irina_new")


async def test_settings_are_saved(store: Store) -> None:
    await store.users.upsert_seen(100, "Irina", None)
    assert (await store.users.set_chosen_role(100, Role.HEAD)).chosen_role is Role.HEAD
    assert (await store.users.set_timezone(100, " asia/novosibirsk ")).timezone == "Asia/Novosibirsk"
    with pytest.raises(InvalidTimezone):
        await store.users.set_timezone(100, "Novosibirsk")
    user = await store.users.get(100)
    assert user is not None and (user.chosen_role, user.timezone) == (Role.HEAD, "Asia/Novosibirsk")


async def test_blocking_is_recorded_and_cleared(store: Store) -> None:
    await store.users.upsert_seen(100, "Irina", None)
    await store.users.mark_blocked(100, NOW)
    assert (await _user(store, 100)).blocked_at == NOW
    await store.users.mark_blocked(100, None)
    assert (await _user(store, 100)).blocked_at is None
    await store.users.mark_blocked(-100500, NOW)  # a group chat id is no user: nothing to do, no error


async def test_unknown_user_cannot_be_updated(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.users.set_chosen_role(1, Role.OWNER)
    with pytest.raises(NotFound):
        await store.users.set_display_name(1, "x")


async def test_current_team_must_be_one_of_the_users_teams(store: Store) -> None:
    await store.users.upsert_seen(1, "Head", None)
    await store.users.upsert_seen(2, "Other", None)
    own = await store.teams.create(1, "Own", "Europe/Moscow", NOW)
    foreign = await store.teams.create(2, "Foreign", "Europe/Moscow", NOW)
    with pytest.raises(AccessDenied):
        await store.users.set_current_team(1, foreign.id)
    assert (await store.users.set_current_team(1, None)).current_team_id is None
    assert (await store.users.set_current_team(1, own.id)).current_team_id == own.id
