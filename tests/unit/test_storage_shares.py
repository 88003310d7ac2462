"""Shares and members' plan links as storage enforces them: forged ids are NotFound, answers only in full."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied, NotFound
from domain.models import Role
from storage import Store, open_store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HEAD, OWNER, MEMBER, OTHER_HEAD, OTHER_OWNER = 1, 2, 3, 4, 5


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Store, int, int]]:
    store = await open_store(tmp_path / "coach.db")
    for uid in (HEAD, OWNER, MEMBER, OTHER_HEAD, OTHER_OWNER):
        await store.users.upsert_seen(uid, f"user{uid}", None)
    team = await store.teams.create(HEAD, "A", "Europe/Moscow", T0)
    other = await store.teams.create(OTHER_HEAD, "B", "Europe/Moscow", T0)
    for uid, team_id, role, by in ((OWNER, team.id, Role.OWNER, HEAD), (MEMBER, team.id, Role.MEMBER, HEAD),
                                   (OTHER_OWNER, other.id, Role.OWNER, OTHER_HEAD)):  # fmt: skip
        invite = await store.invites.create(by, team_id, role, timedelta(days=1), T0)
        await store.invites.accept(uid, invite.code, T0)
    yield store, team.id, other.id
    await store.close()


async def _finished(store: Store, user_id: int, team_id: int, key: str = "six", owners: bool = False) -> int:
    run = await store.runs.start(user_id, team_id, key, T0, worded_for_owners=owners)
    await store.runs.save_answer(user_id, run.id, "q1", "no", T0)
    await store.runs.finish(user_id, run.id, 40, "red", T0)
    return run.id


async def test_share_is_recorded_once_and_read_by_the_teams_owners(world: tuple[Store, int, int]) -> None:
    store, team, _ = world
    run_id = await _finished(store, HEAD, team)
    share, created = await store.shares.share(HEAD, run_id, False, ("q1",), T0)
    again, created_again = await store.shares.share(HEAD, run_id, False, ("q1",), T0 + timedelta(minutes=1))
    assert created and not created_again and again.id == share.id
    opened, answers = await store.shares.open(OWNER, share.id)
    assert (opened.score, opened.zone, opened.plan, answers) == (40, "red", ("q1",), None)
    full, _ = await store.shares.share(HEAD, run_id, True, ("q1",), T0)
    assert (await store.shares.open(OWNER, full.id))[1] == {"q1": "no"}
    rows = await store.shares.for_team(team, T0)
    assert [(r.checklist_key, r.score, r.zone, r.full) for r in rows] == [
        ("six", 40, "red", False),
        ("six", 40, "red", True),
    ]
    assert await store.shares.for_team(team, T0 + timedelta(days=1)) == []


@pytest.mark.parametrize("reader", [MEMBER, OTHER_OWNER, OTHER_HEAD, HEAD])
async def test_a_share_is_not_found_by_anyone_else(world: tuple[Store, int, int], reader: int) -> None:
    store, team, _ = world
    share, _ = await store.shares.share(HEAD, await _finished(store, HEAD, team), True, (), T0)
    with pytest.raises(NotFound):
        await store.shares.open(reader, share.id)


async def test_only_the_taker_shares_and_only_a_heads_run(world: tuple[Store, int, int]) -> None:
    store, team, _ = world
    head_run = await _finished(store, HEAD, team)
    owner_run = await _finished(store, OWNER, team, "weak_rop", owners=True)
    for actor, run_id in ((OWNER, head_run), (OTHER_HEAD, head_run), (OWNER, owner_run), (HEAD, owner_run)):
        with pytest.raises(NotFound):
            await store.shares.share(actor, run_id, True, (), T0)


async def test_an_owner_starts_only_checklists_worded_for_owners(world: tuple[Store, int, int]) -> None:
    store, team, _ = world
    with pytest.raises(AccessDenied):
        await store.runs.start(OWNER, team, "six", T0)
    with pytest.raises(AccessDenied):
        await store.runs.start(MEMBER, team, "weak_rop", T0, worded_for_owners=True)
    run_id = await _finished(store, OWNER, team, "weak_rop", owners=True)
    with pytest.raises(NotFound):
        await store.runs.get(HEAD, run_id)
    assert [r.id for r in await store.runs.history(OWNER, team)] == [run_id]
    assert await store.runs.history(HEAD, team) == []


async def test_a_member_reads_only_their_own_line(world: tuple[Store, int, int]) -> None:
    store, team, _ = world
    await store.plans.set(HEAD, team, "Мария  петрова", "2026-11", 100.0)
    await store.plans.set(HEAD, team, "Иван", "2026-11", 50.0)
    managers = [{"manager": "Иван", "revenue": 70.0}, {"manager": "Мария Петрова", "revenue": 120.0}]
    data = json.dumps({"metrics": {"managers": managers, "revenue_by_month": {"2026-11": 190.0}}})
    await store.snapshots.save(HEAD, team, date(2026, 11, 1), date(2026, 11, 20), data, T0)
    await store.member_plans.set_visible(HEAD, team, True)
    await store.member_plans.link(HEAD, team, MEMBER, "Мария Петрова")
    facts = await store.member_plans.own(MEMBER, team, "2026-11")
    assert facts.plan == 100.0 and facts.export is not None and facts.export.line is not None
    assert facts.export.line.revenue == 120.0
    assert "Иван" not in repr(facts)
    with pytest.raises(NotFound):
        await store.member_plans.link(HEAD, team, OWNER, "Иван")
    with pytest.raises(AccessDenied):
        await store.member_plans.own(OWNER, team, "2026-11")
    with pytest.raises(AccessDenied):
        await store.member_plans.link(MEMBER, team, MEMBER, "Иван")


async def test_latest_before_is_the_previous_share_of_the_checklist_in_the_team(world: tuple[Store, int, int]) -> None:
    store, team, other = world
    first = await _finished(store, HEAD, team)  # «six», shared on day 0
    arch = await _finished(store, HEAD, team, key="arch")  # another checklist, day 1
    second = await _finished(store, HEAD, team)  # «six» again: a summary on day 2, in full on day 3
    theirs = await _finished(store, OTHER_HEAD, other)  # another team's «six», day 4
    await store.shares.share(HEAD, first, False, (), T0)
    await store.shares.share(HEAD, arch, False, (), T0 + timedelta(days=1))
    await store.shares.share(HEAD, second, False, (), T0 + timedelta(days=2))
    full, _ = await store.shares.share(HEAD, second, True, (), T0 + timedelta(days=3))
    await store.shares.share(OTHER_HEAD, theirs, False, (), T0 + timedelta(days=4))

    later = T0 + timedelta(days=10)
    latest = await store.shares.latest_before(team, "six", later)
    assert latest is not None and latest.id == full.id  # the newest share of «six» in this team
    previous = await store.shares.latest_before(team, "six", later, other_than_run=second)
    assert previous is not None and (previous.run_id, previous.shared_at) == (first, T0)  # not its own summary
    assert await store.shares.latest_before(team, "six", T0) is None  # strictly before
    assert await store.shares.latest_before(team, "arch", T0 + timedelta(days=1)) is None
    theirs_latest = await store.shares.latest_before(other, "six", later)
    assert theirs_latest is not None and theirs_latest.run_id == theirs
