"""PdcaRepo on a real SQLite file: actor scope, Check and Act stop the review reminder, hygiene for the digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.views.pdca import cycle_card
from content import load_content
from domain.errors import AccessDenied, NotFound
from domain.models import Role, Team
from domain.pdca import CycleAlreadyChecked, Decision, FactSource, Metric, Origin, PdcaHygiene, Plan, Stage
from domain.reminders import ReminderState
from domain.schedules import Frequency, Rule
from services import reminders as use
from storage import Store, open_store
from storage.db import MIGRATIONS_DIR, Database, to_db_time
from storage.teams import TeamRepo
from storage.users import UserRepo

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
HEAD = 1
OTHER_HEAD = 2


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    await s.users.upsert_seen(HEAD, "Head", None)
    await s.users.upsert_seen(OTHER_HEAD, "Other", None)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(HEAD, "T", "Europe/Moscow", NOW)


def _plan(review: date, goal: str = "Цель") -> Plan:
    return Plan(goal, Metric.WON_REVENUE, None, 100.0, 120.0, review, ("шаг 1", "шаг 2"))


async def test_a_forged_cycle_id_reads_as_missing(store: Store, team: Team) -> None:
    await store.teams.create(OTHER_HEAD, "U", "Europe/Moscow", NOW)
    cycle = await store.pdca.create(HEAD, team.id, _plan(date(2026, 12, 8)), Origin.FREE, None, None, NOW)
    assert [a.text for a in await store.pdca.actions(HEAD, cycle.id)] == ["шаг 1", "шаг 2"]
    with pytest.raises(NotFound):
        await store.pdca.get(OTHER_HEAD, cycle.id)
    with pytest.raises(NotFound):
        await store.pdca.record_check(OTHER_HEAD, cycle.id, 1, FactSource.TYPED, None, NOW)


async def test_check_stops_the_review_reminder_and_is_recorded_once(store: Store, team: Team) -> None:
    cycle = await store.pdca.create(HEAD, team.id, _plan(date(2026, 12, 8)), Origin.FREE, None, None, NOW)
    rule = Rule(Frequency.WEEKLY, at=time(9, 0), start=date(2026, 12, 8), weekdays=(1,))
    reminder = await use.create_ritual_reminder(
        store, use.NoWakeUp(), HEAD, team.id, "pdca", cycle.id, "Проверка", rule, "Europe/Moscow", NOW
    )
    await store.reminders.pause(HEAD, reminder.id)  # paused: the check still works
    checked = await store.pdca.record_check(HEAD, cycle.id, 130, FactSource.TYPED, None, NOW)
    assert checked.fact == 130 and checked.verdict is not None and checked.verdict.reached
    assert (await store.reminders.get(HEAD, reminder.id)).state is ReminderState.FINISHED
    with pytest.raises(CycleAlreadyChecked):
        await store.pdca.record_check(HEAD, cycle.id, 1, FactSource.TYPED, None, NOW)
    closed = await store.pdca.decide(HEAD, cycle.id, Decision.STANDARD, NOW)
    assert [c.id for c in await store.pdca.history(HEAD, team.id)] == [closed.id]
    assert await store.pdca.open_cycles(HEAD, team.id) == []


async def test_hygiene_counts_reviews_scheduled_and_held(store: Store, team: Team) -> None:
    repo = store.pdca
    held = await repo.create(HEAD, team.id, _plan(date(2026, 12, 8), "held"), Origin.FREE, None, None, NOW)
    missed = await repo.create(HEAD, team.id, _plan(date(2026, 12, 9), "missed"), Origin.FREE, None, None, NOW)
    later = await repo.create(HEAD, team.id, _plan(date(2026, 12, 20), "later"), Origin.FREE, None, None, NOW)
    dropped = await repo.create(HEAD, team.id, _plan(date(2026, 12, 10), "dropped"), Origin.FREE, None, None, NOW)
    await repo.record_check(HEAD, held.id, 125, FactSource.TYPED, None, NOW + timedelta(days=7))
    await repo.decide(HEAD, held.id, Decision.ADJUST, NOW + timedelta(days=7))
    await repo.decide(HEAD, dropped.id, Decision.DROP, NOW + timedelta(days=2))  # before its review: none due
    week = await repo.hygiene(team.id, date(2026, 12, 7), date(2026, 12, 14))
    assert week == PdcaHygiene(reviews_scheduled=2, reviews_held=1, active=2, finished=1)
    assert week.reviews_missed == 1
    assert missed.id and later.id
    empty = await repo.hygiene(team.id, date(2027, 1, 1), date(2027, 1, 8))
    assert empty == PdcaHygiene(reviews_scheduled=0, reviews_held=0, active=2, finished=0)


async def test_only_a_head_runs_cycles(store: Store, team: Team) -> None:
    member = 3
    await store.users.upsert_seen(member, "M", None)
    invite = await store.invites.create(HEAD, team.id, Role.MEMBER, timedelta(days=1), NOW)
    await store.invites.accept(member, invite.code, NOW)
    with pytest.raises(AccessDenied):
        await store.pdca.create(member, team.id, _plan(date(2026, 12, 8)), Origin.FREE, None, None, NOW)


async def test_the_plans_currency_is_kept_and_a_typed_plan_takes_its_export_facts(store: Store, team: Team) -> None:
    dollars = replace(_plan(date(2026, 12, 8)), currency="USD")
    cycle = await store.pdca.create(HEAD, team.id, dollars, Origin.FREE, None, None, NOW)
    assert (await store.pdca.get(HEAD, cycle.id)).currency == "USD"
    checked = await store.pdca.record_check(HEAD, cycle.id, 130, FactSource.EXPORT, None, NOW, "EUR")
    assert checked.currency == "USD"  # the plan's money stays; services.pdca offers no fact in another currency
    typed = await store.pdca.create(HEAD, team.id, _plan(date(2026, 12, 8)), Origin.FREE, None, None, NOW)
    assert typed.currency is None
    assert (await store.pdca.record_check(HEAD, typed.id, 130, FactSource.EXPORT, None, NOW, "EUR")).currency == "EUR"
    again = await store.pdca.create(HEAD, team.id, _plan(date(2026, 12, 8)), Origin.FREE, None, None, NOW)
    assert (await store.pdca.record_check(HEAD, again.id, 130, FactSource.TYPED, None, NOW, "EUR")).currency is None


async def test_a_cycle_saved_before_0016_shows_its_money_without_a_sign(tmp_path: Path) -> None:
    """Old cycles came from typed numbers or exports whose currency was not kept: no sign rather than a wrong ₽."""
    before = tmp_path / "migrations"
    before.mkdir()
    for migration in MIGRATIONS_DIR.glob("*.sql"):
        if int(migration.name[:4]) < 16:
            (before / migration.name).write_text(migration.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path, before)
    await UserRepo(db).upsert_seen(HEAD, "Head", None)
    team = await TeamRepo(db).create(HEAD, "T", "Europe/Moscow", NOW)
    cycle_id = await db.insert(
        "INSERT INTO pdca_cycles(team_id, user_id, origin, goal, metric, baseline, target, review_date, stage, "
        "created_at) VALUES (?, ?, 'free', 'Выручка', 'won_revenue', 1000000, 1200000, '2026-12-08', 'do', ?)",
        (team.id, HEAD, to_db_time(NOW)),
    )
    await db.close()
    store = await open_store(path)  # applies 0016
    try:
        cycle = await store.pdca.get(HEAD, cycle_id)
    finally:
        await store.close()
    assert cycle.currency is None and cycle.stage is Stage.DO
    card = cycle_card(load_content("ru"), cycle, [], date(2026, 12, 1), "Europe/Moscow").text
    assert "1\u00a0000\u00a0000 → 1\u00a0200\u00a0000\n" in card and "₽" not in card
