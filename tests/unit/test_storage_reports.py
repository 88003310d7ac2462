from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied, NotFound
from domain.models import Role
from storage import Store, open_store

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
HEAD, OTHER_HEAD, MEMBER = 1, 2, 3


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    for user in (HEAD, OTHER_HEAD, MEMBER):
        await s.users.upsert_seen(user, f"u{user}", None)
    yield s
    await s.close()


async def _snapshot(store: Store) -> int:
    team = await store.teams.create(HEAD, "T", "Europe/Moscow", T0)
    invite = await store.invites.create(HEAD, team.id, Role.MEMBER, timedelta(days=1), T0)
    await store.invites.accept(MEMBER, invite.code, T0)
    await store.teams.create(OTHER_HEAD, "Other", "Europe/Moscow", T0)
    return await store.snapshots.save(HEAD, team.id, None, None, "{}", T0)


async def test_report_round_trip_for_the_head(store: Store) -> None:
    snapshot_id = await _snapshot(store)
    await store.reports.save(HEAD, snapshot_id, b"PK\x03\x04xlsx", T0)
    assert await store.reports.get(HEAD, snapshot_id) == b"PK\x03\x04xlsx"


async def test_report_is_hidden_from_members_and_other_teams(store: Store) -> None:
    snapshot_id = await _snapshot(store)
    await store.reports.save(HEAD, snapshot_id, b"x", T0)
    for actor in (MEMBER, OTHER_HEAD):
        with pytest.raises(NotFound):
            await store.reports.get(actor, snapshot_id)
    with pytest.raises(AccessDenied):
        await store.reports.save(OTHER_HEAD, snapshot_id, b"y", T0)
    assert await store.reports.get(HEAD, snapshot_id) == b"x"


async def test_old_reports_are_pruned(store: Store) -> None:
    snapshot_id = await _snapshot(store)
    await store.reports.save(HEAD, snapshot_id, b"x", T0)
    assert await store.reports.prune(T0 + timedelta(days=31)) == 1
    with pytest.raises(NotFound):
        await store.reports.get(HEAD, snapshot_id)
