"""UserRepo.seen: the sender and their current membership in one read, on every update, never cached; the user row
is written only when something changed."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.models import Role
from services.teams import create_team
from storage import Store, open_store
from storage.users import UserRepo

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
HEAD, MEMBER = 100, 200


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


def _no_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the user row was written although nothing changed")

    monkeypatch.setattr(UserRepo, "upsert_seen", refuse)


async def test_first_contact_creates_the_user_without_a_team(store: Store) -> None:
    seen = await store.users.seen(HEAD, "Ирина", "irina", NOW)
    assert (seen.user.id, seen.user.display_name, seen.user.username, seen.user.created_at) == (
        HEAD,
        "Ирина",
        "irina",
        NOW,
    )
    assert seen.membership is None
    assert await store.users.get(HEAD) == seen.user


async def test_nothing_changed_means_nothing_written(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await store.users.seen(HEAD, "Ирина", "irina", NOW)
    _no_writes(monkeypatch)
    assert await store.users.seen(HEAD, "Ирина", "irina", NOW + timedelta(minutes=1)) == first


async def test_a_new_telegram_name_or_username_is_saved_at_once(store: Store) -> None:
    await store.users.seen(HEAD, "Ирина", "irina", NOW)
    renamed = await store.users.seen(HEAD, "Ирина Петрова", "irina", NOW)
    assert renamed.user.display_name == "Ирина Петрова"
    moved = await store.users.seen(HEAD, "Ирина Петрова", None, NOW)
    assert moved.user.username is None
    assert await store.users.get(HEAD) == moved.user


async def test_a_name_the_user_chose_is_kept_without_writing_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.users.seen(HEAD, "Irina", "irina", NOW)
    await store.users.set_display_name(HEAD, "Ирина (РОП)")
    _no_writes(monkeypatch)  # the Telegram name differs, but it is not the one shown
    seen = await store.users.seen(HEAD, "Irina", "irina", NOW)
    assert seen.user.display_name == "Ирина (РОП)"


async def test_a_person_who_blocked_the_bot_and_writes_again_is_reachable(store: Store) -> None:
    await store.users.seen(HEAD, "Ирина", None, NOW)
    await store.users.mark_blocked(HEAD, NOW)
    seen = await store.users.seen(HEAD, "Ирина", None, NOW + timedelta(days=1))
    assert seen.user.blocked_at is None
    user = await store.users.get(HEAD)
    assert user is not None and user.blocked_at is None


async def test_membership_follows_the_current_team_and_removal_takes_effect_on_the_next_read(store: Store) -> None:
    await store.users.seen(HEAD, "Ирина", None, NOW)
    await store.users.seen(MEMBER, "Олег", None, NOW)
    first = await create_team(store, HEAD, "Север", "Europe/Moscow", timedelta(days=14), NOW)
    second = await create_team(store, HEAD, "Юг", "Europe/Moscow", timedelta(days=14), NOW + timedelta(hours=1))
    seen = await store.users.seen(HEAD, "Ирина", None, NOW)
    assert seen.membership is not None
    assert (seen.membership.team_id, seen.membership.role) == (second.team.id, Role.HEAD)  # the newest is current
    await store.users.set_current_team(HEAD, first.team.id)
    seen = await store.users.seen(HEAD, "Ирина", None, NOW)
    assert seen.membership is not None and seen.membership.team_id == first.team.id

    joined = await store.invites.accept(MEMBER, first.invites[1].code, NOW)
    assert joined.team_id == first.team.id
    seen = await store.users.seen(MEMBER, "Олег", None, NOW)
    assert seen.membership is not None and seen.membership.role is Role.MEMBER
    assert seen.membership == await store.teams.current_membership(MEMBER)
    assert await store.teams.remove_member(HEAD, first.team.id, MEMBER)
    assert (await store.users.seen(MEMBER, "Олег", None, NOW)).membership is None
