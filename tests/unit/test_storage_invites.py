from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import InviteInvalid, NotFound
from domain.models import Role, Team
from storage import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    for uid in (1, 2, 3):
        await s.users.upsert_seen(uid, f"user{uid}", None)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(1, "T", "Europe/Moscow", T0)


async def test_created_invite_is_active_until_it_expires(store: Store, team: Team) -> None:
    invite = await store.invites.create(1, team.id, Role.MEMBER, 2 * DAY, T0)
    assert (invite.team_id, invite.role, invite.created_by) == (team.id, Role.MEMBER, 1)
    assert invite.expires_at == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    assert await store.invites.active(1, team.id, T0 + DAY) == [invite]
    assert await store.invites.active(1, team.id, T0 + 2 * DAY) == []


async def test_accept_joins_with_the_invites_role_and_sets_current_team(store: Store, team: Team) -> None:
    invite = await store.invites.create(1, team.id, Role.OWNER, DAY, T0)
    membership = await store.invites.accept(2, invite.code, T0 + timedelta(hours=1))
    assert (membership.team_id, membership.user_id, membership.role) == (team.id, 2, Role.OWNER)
    assert membership.joined_at == T0 + timedelta(hours=1)
    user = await store.users.get(2)
    assert user is not None and user.current_team_id == team.id
    # the link is for the whole team: a second person may use it too
    assert (await store.invites.accept(3, invite.code, T0)).role is Role.OWNER


async def test_existing_member_keeps_role_and_join_date(store: Store, team: Team) -> None:
    member_link = await store.invites.create(1, team.id, Role.MEMBER, DAY, T0)
    again = await store.invites.accept(1, member_link.code, T0 + timedelta(hours=5))  # the head clicks it
    assert (again.role, again.joined_at) == (Role.HEAD, T0)
    assert await store.teams.role_of(1, team.id) is Role.HEAD


@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "exactly_at_expiry"])
async def test_unusable_codes_are_refused(store: Store, team: Team, case: str) -> None:
    invite = await store.invites.create(1, team.id, Role.MEMBER, DAY, T0)
    code, when = invite.code, T0 + timedelta(hours=1)
    if case == "unknown":
        code = "NoSuchCode_123"
    elif case == "revoked":
        assert await store.invites.revoke(1, team.id, Role.MEMBER, T0) == 1
    elif case == "expired":
        when = T0 + 2 * DAY
    else:
        when = invite.expires_at
    with pytest.raises(InviteInvalid):
        await store.invites.accept(2, code, when)
    assert await store.teams.role_of(2, team.id) is None


async def test_accept_needs_a_known_user(store: Store, team: Team) -> None:
    invite = await store.invites.create(1, team.id, Role.MEMBER, DAY, T0)
    with pytest.raises(NotFound):
        await store.invites.accept(777, invite.code, T0)


async def test_regenerate_replaces_only_that_roles_codes(store: Store, team: Team) -> None:
    old_member = await store.invites.create(1, team.id, Role.MEMBER, DAY, T0)
    owner = await store.invites.create(1, team.id, Role.OWNER, DAY, T0)
    new_member = await store.invites.regenerate(1, team.id, Role.MEMBER, DAY, T0 + timedelta(hours=1))
    assert new_member.code not in {old_member.code, owner.code}
    active = await store.invites.active(1, team.id, T0 + timedelta(hours=2))
    assert {i.code for i in active} == {owner.code, new_member.code}
    with pytest.raises(InviteInvalid):
        await store.invites.accept(2, old_member.code, T0 + timedelta(hours=2))
    assert (await store.invites.accept(2, new_member.code, T0 + timedelta(hours=2))).role is Role.MEMBER


async def test_revoke_counts_only_live_codes_of_the_role(store: Store, team: Team) -> None:
    await store.invites.create(1, team.id, Role.MEMBER, DAY, T0)
    await store.invites.create(1, team.id, Role.MEMBER, 3 * DAY, T0)
    await store.invites.create(1, team.id, Role.OWNER, DAY, T0)
    # two days later the first member link has expired already: one live member code is left
    assert await store.invites.revoke(1, team.id, Role.MEMBER, T0 + 2 * DAY) == 1
    assert await store.invites.revoke(1, team.id, Role.MEMBER, T0 + 2 * DAY) == 0
    assert await store.invites.active(1, team.id, T0 + 2 * DAY) == []


async def test_non_positive_ttl_is_a_bug(store: Store, team: Team) -> None:
    with pytest.raises(ValueError):
        await store.invites.create(1, team.id, Role.MEMBER, timedelta(0), T0)
