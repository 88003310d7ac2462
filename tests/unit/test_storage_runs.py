import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import NotFound, RunNotInProgress
from domain.models import RunStatus, Team
from storage import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HEAD = 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    await s.users.upsert_seen(HEAD, "Head", None)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(HEAD, "T", "Europe/Moscow", T0)


async def test_start_is_idempotent_while_a_run_is_open(store: Store, team: Team) -> None:
    run = await store.runs.start(HEAD, team.id, "funnel", T0)
    assert (run.team_id, run.user_id, run.checklist_key, run.status) == (team.id, HEAD, "funnel", RunStatus.IN_PROGRESS)
    assert (run.started_at, run.finished_at, run.score, run.zone) == (T0, None, None, None)
    assert await store.runs.start(HEAD, team.id, "funnel", T0 + MIN) == run
    other = await store.runs.start(HEAD, team.id, "hiring", T0)
    assert other.id != run.id
    assert await store.runs.in_progress(HEAD, team.id, "funnel") == run
    assert await store.runs.in_progress(HEAD, team.id, "motivation") is None


async def test_answers_are_saved_one_by_one_and_can_change(store: Store, team: Team) -> None:
    run = await store.runs.start(HEAD, team.id, "funnel", T0)
    await store.runs.save_answer(HEAD, run.id, "q1", "yes", T0 + MIN)
    await store.runs.save_answer(HEAD, run.id, "q2", "no", T0 + 2 * MIN)
    await store.runs.save_answer(HEAD, run.id, "q1", "partly", T0 + 3 * MIN)
    assert await store.runs.answers(HEAD, run.id) == {"q1": "partly", "q2": "no"}


async def test_finish_is_idempotent_and_closes_the_run(store: Store, team: Team) -> None:
    run = await store.runs.start(HEAD, team.id, "funnel", T0)
    done = await store.runs.finish(HEAD, run.id, 72, "yellow", T0 + 10 * MIN)
    assert (done.status, done.score, done.zone, done.finished_at) == (RunStatus.FINISHED, 72, "yellow", T0 + 10 * MIN)
    assert await store.runs.finish(HEAD, run.id, 10, "red", T0 + 20 * MIN) == done
    with pytest.raises(RunNotInProgress):
        await store.runs.save_answer(HEAD, run.id, "q1", "yes", T0 + 30 * MIN)
    assert await store.runs.in_progress(HEAD, team.id, "funnel") is None
    assert await store.runs.get(HEAD, run.id) == done


async def test_unknown_run_is_not_found(store: Store, team: Team) -> None:
    with pytest.raises(NotFound):
        await store.runs.get(HEAD, 12345)
    with pytest.raises(NotFound):
        await store.runs.save_answer(HEAD, 12345, "q1", "yes", T0)


async def test_abandon_drops_an_open_run_with_answers(store: Store, team: Team) -> None:
    run = await store.runs.start(HEAD, team.id, "funnel", T0)
    await store.runs.save_answer(HEAD, run.id, "q1", "yes", T0)
    assert await store.runs.abandon(HEAD, run.id) is True
    with pytest.raises(NotFound):
        await store.runs.get(HEAD, run.id)
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM checklist_answers")
    assert row is not None and row["n"] == 0
    fresh = await store.runs.start(HEAD, team.id, "funnel", T0 + MIN)
    await store.runs.finish(HEAD, fresh.id, 50, "yellow", T0 + 2 * MIN)
    assert await store.runs.abandon(HEAD, fresh.id) is False  # finished runs are history


async def _finished(store: Store, team: Team, key: str, start: datetime, score: int) -> int:
    run = await store.runs.start(HEAD, team.id, key, start)
    await store.runs.finish(HEAD, run.id, score, "green", start + MIN)
    return run.id


async def test_history_is_own_finished_runs_newest_first(store: Store, team: Team) -> None:
    a = await _finished(store, team, "funnel", T0, 40)
    b = await _finished(store, team, "hiring", T0 + timedelta(days=1), 60)
    c = await _finished(store, team, "funnel", T0 + timedelta(days=2), 80)
    await store.runs.start(HEAD, team.id, "motivation", T0 + timedelta(days=3))  # open: not history
    assert [r.id for r in await store.runs.history(HEAD, team.id)] == [c, b, a]
    assert [r.id for r in await store.runs.history(HEAD, team.id, limit=2)] == [c, b]


async def test_previous_finished_run_of_the_same_checklist(store: Store, team: Team) -> None:
    a = await _finished(store, team, "funnel", T0, 40)
    await _finished(store, team, "hiring", T0 + timedelta(days=1), 60)
    c = await _finished(store, team, "funnel", T0 + timedelta(days=2), 80)
    previous = await store.runs.previous_finished(HEAD, team.id, "funnel", c)
    assert previous is not None and (previous.id, previous.score) == (a, 40)
    assert await store.runs.previous_finished(HEAD, team.id, "funnel", a) is None


async def test_tasks_are_not_duplicated_per_open_source(store: Store, team: Team) -> None:
    first = await store.tasks.add(HEAD, team.id, "Описать этапы воронки", "funnel", "q1", T0)
    same = await store.tasks.add(HEAD, team.id, "Другой текст", "funnel", "q1", T0 + MIN)
    assert same == first
    manual_a = await store.tasks.add(HEAD, team.id, "Позвонить Ивану", None, None, T0 + MIN)
    manual_b = await store.tasks.add(HEAD, team.id, "Позвонить Ивану", None, None, T0 + MIN)
    assert manual_a.id != manual_b.id  # no source: every manual task is its own
    done = await store.tasks.mark_done(HEAD, first.id, T0 + 2 * MIN)
    assert done.done_at == T0 + 2 * MIN
    assert await store.tasks.mark_done(HEAD, first.id, T0 + 9 * MIN) == done  # keeps the first time
    reopened = await store.tasks.add(HEAD, team.id, "Описать этапы воронки", "funnel", "q1", T0 + 3 * MIN)
    assert reopened.id not in {first.id, manual_a.id, manual_b.id}


async def test_task_list_open_first_then_done(store: Store, team: Team) -> None:
    t1 = await store.tasks.add(HEAD, team.id, "one", "funnel", "q1", T0)
    t2 = await store.tasks.add(HEAD, team.id, "two", "funnel", "q2", T0 + MIN)
    t3 = await store.tasks.add(HEAD, team.id, "three", "funnel", "q3", T0 + 2 * MIN)
    await store.tasks.mark_done(HEAD, t1.id, T0 + 5 * MIN)
    await store.tasks.mark_done(HEAD, t3.id, T0 + 6 * MIN)
    assert [t.id for t in await store.tasks.list(HEAD, team.id)] == [t2.id]
    assert [t.id for t in await store.tasks.list(HEAD, team.id, include_done=True)] == [t2.id, t3.id, t1.id]
    assert (await store.tasks.get(HEAD, t2.id)).title == "two"


async def test_two_simultaneous_starts_give_one_run(store: Store, team: Team) -> None:
    first, second = await asyncio.gather(
        store.runs.start(HEAD, team.id, "funnel", T0), store.runs.start(HEAD, team.id, "funnel", T0 + MIN)
    )
    assert first == second
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM checklist_runs")
    assert row is not None and row["n"] == 1
