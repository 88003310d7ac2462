"""Access rules as the storage enforces them: who may touch what, whatever ids are forged."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied, DomainError, NotFound
from domain.models import Role, RunStatus
from storage import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(days=14)
HEAD, OWNER, MEMBER, CO_HEAD, OTHER_HEAD, STRANGER = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True)
class Ids:
    team: int  # team A: HEAD, OWNER, MEMBER, CO_HEAD
    other_team: int  # team B: OTHER_HEAD
    finished_run: int  # HEAD's, with answers
    open_run: int  # HEAD's
    task: int  # HEAD's


@dataclass(frozen=True)
class World(Ids):
    store: Store


async def _build(path: Path) -> Ids:
    store = await open_store(path)
    for uid in (HEAD, OWNER, MEMBER, CO_HEAD, OTHER_HEAD, STRANGER):
        await store.users.upsert_seen(uid, f"user{uid}", None)
    team = await store.teams.create(HEAD, "A", "Europe/Moscow", T0)
    other = await store.teams.create(OTHER_HEAD, "B", "Asia/Omsk", T0)
    for uid, role in ((OWNER, Role.OWNER), (MEMBER, Role.MEMBER), (CO_HEAD, Role.HEAD)):
        invite = await store.invites.create(HEAD, team.id, role, TTL, T0)
        await store.invites.accept(uid, invite.code, T0)
    finished = await store.runs.start(HEAD, team.id, "funnel", T0)
    await store.runs.save_answer(HEAD, finished.id, "q1", "no", T0)
    await store.runs.finish(HEAD, finished.id, 30, "red", T0)
    open_run = await store.runs.start(HEAD, team.id, "hiring", T0)
    await store.runs.save_answer(HEAD, open_run.id, "q1", "yes", T0)
    task = await store.tasks.add(HEAD, team.id, "Fix the funnel", "funnel", "q1", T0)
    await store.plans.set(HEAD, team.id, "Иванов", "2024-05", 100.0)
    await store.snapshots.save(HEAD, team.id, None, None, json.dumps({"revenue": 1}), T0)
    await store.mappings.save(HEAD, team.id, "sig", {"amount": "Сумма"}, T0)
    await store.close()  # closing checkpoints the WAL: the main file holds everything
    return Ids(team.id, other.id, finished.id, open_run.id, task.id)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ids]:
    """The world is built once; each test gets its own copy of the file (fast, fully isolated)."""
    path = tmp_path_factory.mktemp("access") / "template.sqlite3"
    return path, asyncio.run(_build(path))


@pytest.fixture
async def world(template: tuple[Path, Ids], tmp_path: Path) -> AsyncIterator[World]:
    source, ids = template
    copy = tmp_path / "bot.sqlite3"
    copy.write_bytes(source.read_bytes())
    store = await open_store(copy)
    yield World(**vars(ids), store=store)
    await store.close()


Call = Callable[[World, int], Awaitable[object]]
NOW = T0 + timedelta(hours=1)

# Every team-scoped operation, aimed at team A.
TEAM_CALLS: dict[str, Call] = {
    "runs.start": lambda w, a: w.store.runs.start(a, w.team, "funnel", NOW),
    "runs.in_progress": lambda w, a: w.store.runs.in_progress(a, w.team, "hiring"),
    "runs.history": lambda w, a: w.store.runs.history(a, w.team),
    "runs.previous_finished": lambda w, a: w.store.runs.previous_finished(a, w.team, "funnel", 10**9),
    "tasks.add": lambda w, a: w.store.tasks.add(a, w.team, "x", None, None, NOW),
    "tasks.list": lambda w, a: w.store.tasks.list(a, w.team, include_done=True),
    "invites.create": lambda w, a: w.store.invites.create(a, w.team, Role.HEAD, TTL, NOW),
    "invites.active": lambda w, a: w.store.invites.active(a, w.team, NOW),
    "invites.regenerate": lambda w, a: w.store.invites.regenerate(a, w.team, Role.MEMBER, TTL, NOW),
    "invites.revoke": lambda w, a: w.store.invites.revoke(a, w.team, Role.OWNER, NOW),
    "teams.rename": lambda w, a: w.store.teams.rename(a, w.team, "Hijacked"),
    "teams.set_timezone": lambda w, a: w.store.teams.set_timezone(a, w.team, "Asia/Tokyo"),
    "teams.members": lambda w, a: w.store.teams.members(a, w.team),
    "teams.remove_member": lambda w, a: w.store.teams.remove_member(a, w.team, MEMBER),
    "plans.set": lambda w, a: w.store.plans.set(a, w.team, "Иванов", "2024-05", 1.0),
    "plans.for_team": lambda w, a: w.store.plans.for_team(a, w.team),
    "plans.delete": lambda w, a: w.store.plans.delete(a, w.team, "Иванов", "2024-05"),
    "snapshots.save": lambda w, a: w.store.snapshots.save(a, w.team, None, None, "{}", NOW),
    "snapshots.latest": lambda w, a: w.store.snapshots.latest(a, w.team),
    "mappings.get": lambda w, a: w.store.mappings.get(a, w.team, "sig"),
    "mappings.save": lambda w, a: w.store.mappings.save(a, w.team, "sig", {"amount": "x"}, NOW),
}

# Operations on the head's own objects by id: for anyone else the object does not exist.
OBJECT_CALLS: dict[str, Call] = {
    "runs.get": lambda w, a: w.store.runs.get(a, w.finished_run),
    "runs.answers": lambda w, a: w.store.runs.answers(a, w.finished_run),
    "runs.save_answer": lambda w, a: w.store.runs.save_answer(a, w.open_run, "q1", "no", NOW),
    "runs.finish": lambda w, a: w.store.runs.finish(a, w.open_run, 99, "green", NOW),
    "runs.abandon": lambda w, a: w.store.runs.abandon(a, w.open_run),
    "tasks.get": lambda w, a: w.store.tasks.get(a, w.task),
    "tasks.mark_done": lambda w, a: w.store.tasks.mark_done(a, w.task, NOW),
    "teams.get_for": lambda w, a: w.store.teams.get_for(a, w.team),
}

# What each role may do in team A, besides what every member may (teams.get_for).
# Owners read aggregates, and their own runs of the checklists written for owners (issue 8): only their own, and
# they start none but those (runs.start of "funnel" is refused).
OWNER_MAY = {"snapshots.latest", "runs.in_progress", "runs.history", "runs.previous_finished"}
OUTSIDERS = [MEMBER, OWNER, OTHER_HEAD, STRANGER]


@pytest.mark.parametrize("actor", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(TEAM_CALLS))
async def test_team_operations_are_denied_to_all_but_heads(world: World, actor: int, name: str) -> None:
    call = TEAM_CALLS[name]
    if actor == OWNER and name in OWNER_MAY:
        await call(world, actor)
        return
    with pytest.raises(AccessDenied):
        await call(world, actor)


@pytest.mark.parametrize("actor", [*OUTSIDERS, CO_HEAD])
@pytest.mark.parametrize("name", sorted(OBJECT_CALLS))
async def test_the_heads_runs_and_tasks_are_invisible_to_everyone_else(world: World, actor: int, name: str) -> None:
    if name == "teams.get_for" and actor in (MEMBER, OWNER, CO_HEAD):
        assert (await world.store.teams.get_for(actor, world.team)).name == "A"
        return
    with pytest.raises(NotFound):
        await OBJECT_CALLS[name](world, actor)


async def test_denied_calls_change_nothing(world: World) -> None:
    store = world.store
    for actor in [*OUTSIDERS, CO_HEAD]:
        for name, call in {**TEAM_CALLS, **OBJECT_CALLS}.items():
            if actor == CO_HEAD and name in TEAM_CALLS:
                continue  # a co-head is allowed these
            with suppress(DomainError):
                await call(world, actor)
    assert (await store.teams.get_for(HEAD, world.team)).name == "A"
    assert (await store.teams.get_for(HEAD, world.team)).timezone == "Europe/Moscow"
    assert await store.teams.role_of(MEMBER, world.team) is Role.MEMBER
    assert await store.runs.answers(HEAD, world.open_run) == {"q1": "yes"}
    assert (await store.runs.get(HEAD, world.open_run)).status is RunStatus.IN_PROGRESS
    assert (await store.tasks.get(HEAD, world.task)).done_at is None
    assert await store.plans.for_team(HEAD, world.team) == {("Иванов", "2024-05"): 100.0}
    assert await store.mappings.get(HEAD, world.team, "sig") == {"amount": "Сумма"}
    assert len(await store.snapshots.latest(HEAD, world.team)) == 1
    roles = sorted(i.role for i in await store.invites.active(HEAD, world.team, NOW))
    assert roles == sorted([Role.OWNER, Role.MEMBER, Role.HEAD])


async def test_a_co_head_sees_only_their_own_diagnostics_and_tasks(world: World) -> None:
    store = world.store
    assert await store.runs.history(CO_HEAD, world.team) == []
    assert await store.runs.in_progress(CO_HEAD, world.team, "hiring") is None
    assert await store.runs.previous_finished(CO_HEAD, world.team, "funnel", 10**9) is None
    assert await store.tasks.list(CO_HEAD, world.team, include_done=True) == []
    own = await store.runs.start(CO_HEAD, world.team, "hiring", NOW)
    assert own.id != world.open_run and own.user_id == CO_HEAD


async def test_a_removed_person_loses_access_even_to_their_own_runs(world: World) -> None:
    store = world.store
    run = await store.runs.start(CO_HEAD, world.team, "funnel", NOW)
    task = await store.tasks.add(CO_HEAD, world.team, "mine", None, None, NOW)
    assert await store.teams.remove_member(HEAD, world.team, CO_HEAD) is True
    await store.teams.remove_member(HEAD, world.team, MEMBER)
    for denied in (
        store.runs.history(CO_HEAD, world.team),
        store.runs.start(CO_HEAD, world.team, "funnel", NOW),
        store.tasks.list(CO_HEAD, world.team),
        store.invites.active(CO_HEAD, world.team, NOW),
        store.plans.for_team(CO_HEAD, world.team),
        store.snapshots.latest(CO_HEAD, world.team),
    ):
        with pytest.raises(AccessDenied):
            await denied
    for hidden in (
        store.runs.get(CO_HEAD, run.id),
        store.runs.save_answer(CO_HEAD, run.id, "q1", "yes", NOW),
        store.tasks.get(CO_HEAD, task.id),
        store.teams.get_for(CO_HEAD, world.team),
        store.teams.get_for(MEMBER, world.team),
    ):
        with pytest.raises(NotFound):
            await hidden
    assert await store.teams.current_membership(MEMBER) is None


async def test_the_other_teams_head_keeps_full_rights_in_their_own_team(world: World) -> None:
    store = world.store
    run = await store.runs.start(OTHER_HEAD, world.other_team, "funnel", NOW)
    assert (await store.runs.get(OTHER_HEAD, run.id)).team_id == world.other_team
    assert [m.user_id for m in await store.teams.members(OTHER_HEAD, world.other_team)] == [OTHER_HEAD]
    # ...and nothing of team A leaks into team B's lists
    assert await store.plans.for_team(OTHER_HEAD, world.other_team) == {}
    assert await store.snapshots.latest(OTHER_HEAD, world.other_team) == []
    assert await store.mappings.get(OTHER_HEAD, world.other_team, "sig") is None
