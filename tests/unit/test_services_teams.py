from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.models import Invite, Role
from services.teams import create_team
from storage import Store, open_store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HEAD = 1
TTL = timedelta(days=14)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "coach.db")
    await s.users.upsert_seen(HEAD, "Head", None, T0)
    yield s
    await s.close()


async def test_team_comes_with_both_invites_and_the_heads_timezone(store: Store) -> None:
    created = await create_team(store, HEAD, "Север", "Asia/Yekaterinburg", TTL, T0)
    assert (created.team.name, created.team.timezone, created.team.created_at) == ("Север", "Asia/Yekaterinburg", T0)
    assert [invite.role for invite in created.invites] == [Role.OWNER, Role.MEMBER]
    assert all(invite.expires_at == T0 + TTL for invite in created.invites)
    assert await store.invites.active(HEAD, created.team.id, T0) == sorted(
        created.invites, key=lambda invite: (invite.created_at, invite.code)
    )
    head = await store.users.get(HEAD)
    assert head is not None and (head.timezone, head.current_team_id) == ("Asia/Yekaterinburg", created.team.id)
    membership = await store.teams.current_membership(HEAD)
    assert membership is not None and membership.role is Role.HEAD


async def test_a_failure_half_way_leaves_no_team_behind(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Invite] = []
    create_invite = store.invites.create

    async def second_invite_fails(actor_id: int, team_id: int, role: Role, ttl: timedelta, now: datetime) -> Invite:
        if made:
            raise RuntimeError("disk full")
        made.append(await create_invite(actor_id, team_id, role, ttl, now))
        return made[-1]

    monkeypatch.setattr(store.invites, "create", second_invite_fails)
    with pytest.raises(RuntimeError, match="disk full"):
        await create_team(store, HEAD, "Север", "Asia/Yekaterinburg", TTL, T0)

    assert len(made) == 1  # the owner's invite was written before the failure, then rolled back
    assert await store.teams.current_membership(HEAD) is None
    assert await store.teams.memberships_of(HEAD) == []
    head = await store.users.get(HEAD)
    assert head is not None and (head.timezone, head.current_team_id) == (None, None)
    assert await store.db.fetchall("SELECT id FROM teams") == []
    assert await store.db.fetchall("SELECT code FROM invites") == []
    # the connection is usable again: the next attempt succeeds
    monkeypatch.undo()
    created = await create_team(store, HEAD, "Север", "Europe/Moscow", TTL, T0)
    assert len(created.invites) == 2
