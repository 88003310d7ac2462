from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import (
    AccessDenied,
    CannotRemoveSelf,
    InvalidTimezone,
    InviteInvalid,
    LastHeadCannotLeave,
    NotFound,
    RemovedFromTeam,
)
from domain.models import Role, User
from storage import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(days=14)


async def _user(store: Store, user_id: int) -> User:
    user = await store.users.get(user_id)
    assert user is not None
    return user


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    for uid, name in [(1, "Head"), (2, "Owner"), (3, "Manager"), (4, "Co-head")]:
        await s.users.upsert_seen(uid, name, None)
    yield s
    await s.close()


async def _join(store: Store, head_id: int, team_id: int, user_id: int, role: Role, at: datetime) -> None:
    invite = await store.invites.create(head_id, team_id, role, TTL, at)
    await store.invites.accept(user_id, invite.code, at)


async def test_creator_becomes_head_and_team_becomes_current(store: Store) -> None:
    team = await store.teams.create(1, "Отдел продаж", "europe/moscow", T0)
    assert (team.name, team.timezone, team.created_by, team.created_at) == ("Отдел продаж", "Europe/Moscow", 1, T0)
    assert await store.teams.role_of(1, team.id) is Role.HEAD
    assert (await _user(store, 1)).current_team_id == team.id
    membership = await store.teams.current_membership(1)
    assert membership is not None and (membership.team_id, membership.role) == (team.id, Role.HEAD)
    assert await store.teams.get_for(1, team.id) == team


async def test_create_is_atomic(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.teams.create(999, "Ghost", "Europe/Moscow", T0)
    with pytest.raises(InvalidTimezone):
        await store.teams.create(1, "Bad tz", "Moscow", T0)
    assert await store.teams.memberships_of(1) == []
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM teams")
    assert row is not None and row["n"] == 0


async def test_a_person_can_be_in_several_teams(store: Store) -> None:
    first = await store.teams.create(1, "First", "Europe/Moscow", T0)
    second = await store.teams.create(4, "Second", "Asia/Omsk", T0)
    await _join(store, 4, second.id, 1, Role.OWNER, T0 + timedelta(hours=1))
    memberships = await store.teams.memberships_of(1)
    assert [(m.team_id, m.role) for m in memberships] == [(first.id, Role.HEAD), (second.id, Role.OWNER)]
    current = await store.teams.current_membership(1)  # accepting an invite switched the current team
    assert current is not None and current.team_id == second.id
    await store.users.set_current_team(1, None)
    fallback = await store.teams.current_membership(1)  # no current team: the earliest membership
    assert fallback is not None and fallback.team_id == first.id


async def test_no_membership_means_no_current_membership(store: Store) -> None:
    assert await store.teams.current_membership(3) is None


async def test_head_renames_and_moves_the_team(store: Store) -> None:
    team = await store.teams.create(1, "Old", "Europe/Moscow", T0)
    assert (await store.teams.rename(1, team.id, "New")).name == "New"
    assert (await store.teams.set_timezone(1, team.id, "asia/vladivostok")).timezone == "Asia/Vladivostok"
    assert (await store.teams.get_for(1, team.id)).name == "New"


async def test_members_are_listed_heads_first(store: Store) -> None:
    team = await store.teams.create(1, "T", "Europe/Moscow", T0)
    await _join(store, 1, team.id, 3, Role.MEMBER, T0 + timedelta(minutes=1))
    await _join(store, 1, team.id, 2, Role.OWNER, T0 + timedelta(minutes=2))
    await _join(store, 1, team.id, 4, Role.HEAD, T0 + timedelta(minutes=3))
    members = await store.teams.members(1, team.id)
    assert [(m.user_id, m.role, m.display_name) for m in members] == [
        (1, Role.HEAD, "Head"),
        (4, Role.HEAD, "Co-head"),
        (2, Role.OWNER, "Owner"),
        (3, Role.MEMBER, "Manager"),
    ]
    assert await store.teams.user_ids_with_role(team.id, Role.HEAD) == [1, 4]
    assert await store.teams.user_ids_with_role(team.id, Role.OWNER) == [2]


async def test_head_removes_a_member_but_not_self(store: Store) -> None:
    team = await store.teams.create(1, "T", "Europe/Moscow", T0)
    await _join(store, 1, team.id, 3, Role.MEMBER, T0)
    assert await store.teams.remove_member(1, team.id, 3) is True
    assert await store.teams.remove_member(1, team.id, 3) is False
    assert await store.teams.role_of(3, team.id) is None
    assert (await _user(store, 3)).current_team_id is None
    with pytest.raises(CannotRemoveSelf):
        await store.teams.remove_member(1, team.id, 1)
    assert await store.teams.role_of(1, team.id) is Role.HEAD


async def test_last_head_cannot_leave_but_others_can(store: Store) -> None:
    team = await store.teams.create(1, "T", "Europe/Moscow", T0)
    await _join(store, 1, team.id, 2, Role.OWNER, T0)
    with pytest.raises(LastHeadCannotLeave):
        await store.teams.leave(1, team.id)
    await store.teams.leave(2, team.id)
    assert await store.teams.role_of(2, team.id) is None
    await _join(store, 1, team.id, 4, Role.HEAD, T0)
    await store.teams.leave(1, team.id)  # a second head remains
    assert await store.teams.user_ids_with_role(team.id, Role.HEAD) == [4]
    with pytest.raises(LastHeadCannotLeave):
        await store.teams.leave(4, team.id)


async def test_leaving_moves_the_current_team_to_another_membership(store: Store) -> None:
    own = await store.teams.create(4, "Own", "Europe/Moscow", T0)
    other = await store.teams.create(1, "Other", "Europe/Moscow", T0)
    await _join(store, 1, other.id, 4, Role.MEMBER, T0 + timedelta(hours=1))
    assert (await _user(store, 4)).current_team_id == other.id
    await store.teams.leave(4, other.id)
    assert (await _user(store, 4)).current_team_id == own.id


async def test_leaving_a_team_one_is_not_in_is_denied(store: Store) -> None:
    team = await store.teams.create(1, "T", "Europe/Moscow", T0)
    with pytest.raises(AccessDenied):
        await store.teams.leave(3, team.id)


async def test_a_removed_person_is_shut_out_by_the_teams_links_of_then_not_by_new_ones(store: Store) -> None:
    team = await store.teams.create(1, "T", "Europe/Moscow", T0)
    member_link = await store.invites.create(1, team.id, Role.MEMBER, TTL, T0)
    owner_link = await store.invites.create(1, team.id, Role.OWNER, TTL, T0)
    await store.invites.accept(3, member_link.code, T0)
    await store.invites.accept(4, member_link.code, T0)
    assert await store.teams.remove_member(1, team.id, 3) is True
    for code in (member_link.code, owner_link.code):
        with pytest.raises(RemovedFromTeam):
            await store.invites.accept(3, code, T0)
    assert await store.teams.role_of(3, team.id) is None
    await store.invites.accept(2, member_link.code, T0)  # the link itself still works for others
    assert await store.teams.role_of(2, team.id) is Role.MEMBER
    await store.teams.leave(4, team.id)
    await store.invites.accept(4, member_link.code, T0)  # who left on their own may come back
    fresh = await store.invites.create(1, team.id, Role.MEMBER, TTL, T0)  # the head's explicit new invitation
    await store.invites.accept(3, fresh.code, T0)
    assert await store.teams.role_of(3, team.id) is Role.MEMBER
    await store.invites.accept(3, member_link.code, T0)  # back in: an old link just says "already a member"


async def test_switching_teams_and_listing_them(store: Store) -> None:
    own = await store.teams.create(4, "Own", "Europe/Moscow", T0)
    other = await store.teams.create(1, "Other", "Europe/Moscow", T0)
    await _join(store, 1, other.id, 4, Role.OWNER, T0 + timedelta(hours=1))
    choices = await store.teams.teams_of(4)
    assert [(c.team.name, c.role, c.current) for c in choices] == [
        ("Own", Role.HEAD, False),
        ("Other", Role.OWNER, True),
    ]
    membership = await store.teams.switch_to(4, own.id)
    assert (membership.team_id, membership.role) == (own.id, Role.HEAD)
    assert (await _user(store, 4)).current_team_id == own.id
    lone = await store.teams.create(2, "Lone", "Europe/Moscow", T0)
    with pytest.raises(NotFound):  # a team one is not in: nothing changes
        await store.teams.switch_to(4, lone.id)
    assert (await _user(store, 4)).current_team_id == own.id


async def test_an_invite_preview_names_the_team_and_refuses_dead_links(store: Store) -> None:
    team = await store.teams.create(1, "Альфа", "Europe/Moscow", T0)
    invite = await store.invites.create(1, team.id, Role.OWNER, TTL, T0)
    preview = await store.invites.preview(invite.code, T0)
    assert (preview.team_id, preview.team_name, preview.role) == (team.id, "Альфа", Role.OWNER)
    with pytest.raises(InviteInvalid):
        await store.invites.preview(invite.code, T0 + TTL)
    with pytest.raises(InviteInvalid):
        await store.invites.preview("nope", T0)
