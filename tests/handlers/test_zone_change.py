"""A person's time zone change in /settings moves their recurring reminders to the new zone at the same wall time,
through the real Dispatcher with a fake clock; one-off reminders, other people's reminders and the team's case review
stay where they were; a training assignment and a call-listening plan follow their reminder. Expected moments are
worked out by hand: Moscow is UTC+3 and Novosibirsk UTC+7 all year (neither has had DST since 2014 / 2016)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.callbacks import SettingsCb
from content import Content
from domain.case_reviews import AGENDA_KIND, ESCALATION_KIND, NUDGE_KIND
from domain.reminders import ReminderState, plan_catch_up
from domain.schedules import Frequency, Rule
from services import calls, case_reviews, strategy, training
from services.reminders import NoWakeUp
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, RecordingEngine, onboard_head, telegram_on

# Wednesday 2 December 2026, 10:00 in Moscow: the owner's digest is due on Monday 7 December.
START = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
MONDAY_9_MSK = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 09:00 - 3 h
MONDAY_9_NSK = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 09:00 - 7 h
MONDAY_10_MSK = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 10:00 - 3 h
NSK = "Asia/Novosibirsk"
MSK = "Europe/Moscow"
MONDAYS_9 = Rule(Frequency.WEEKLY, at=time(9, 0), start=date(2026, 12, 2), weekdays=(0,))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
async def tg(
    store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine
) -> AsyncIterator[FakeTelegram]:
    telegram = telegram_on(store, content, tmp_path, clock, engine)
    yield telegram
    await telegram.dispatcher.storage.close()


async def _team_with_owner(tg: FakeTelegram) -> int:
    owner_code, _ = await onboard_head(tg)  # the team's zone: Moscow
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    membership = await tg.store.teams.current_membership(OWNER)
    assert membership is not None
    return membership.team_id


async def _move_to_novosibirsk(tg: FakeTelegram, user_id: int) -> None:
    await tg.tap(user_id, SettingsCb(action="tz").pack())
    await tg.send(user_id, "Новосибирск")


async def test_the_owners_digest_keeps_monday_9_on_the_new_clock(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    team_id = await _team_with_owner(tg)
    digest = await tg.store.digests.setting(OWNER, team_id)
    assert digest is not None and digest.timezone == MSK and digest.next_due_at == MONDAY_9_MSK
    weekly = await tg.store.reminders.create_personal(OWNER, team_id, "custom", "Планёрка", MONDAYS_9, MSK, START)
    # A one-off for 11:00 Moscow today (08:00 UTC), whose time has passed by the zone change at 12:00 UTC.
    once = Rule(Frequency.ONCE, at=time(11, 0), start=date(2026, 12, 2))
    past = await tg.store.reminders.create_personal(OWNER, team_id, "custom", "Позвонить", once, MSK, START)
    heads = await tg.store.reminders.create_personal(HEAD, team_id, "custom", "Отчёт", MONDAYS_9, MSK, START)
    clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    engine.woken.clear()

    await _move_to_novosibirsk(tg, OWNER)

    moved = await tg.store.digests.setting(OWNER, team_id)
    assert moved is not None
    assert (moved.timezone, moved.next_due_at, moved.rule) == (NSK, MONDAY_9_NSK, digest.rule)
    own = await tg.store.reminders.get(OWNER, weekly.id)
    assert (own.timezone, own.next_due_at) == (NSK, MONDAY_9_NSK)
    assert engine.woken == [MONDAY_9_NSK, MONDAY_9_NSK]  # the engine hears of both moves
    untouched = await tg.store.reminders.get(OWNER, past.id)
    assert (untouched.timezone, untouched.next_due_at) == (MSK, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    others = await tg.store.reminders.get(HEAD, heads.id)
    assert (others.timezone, others.next_due_at) == (MSK, MONDAY_9_MSK)
    # Two moved: the CLDR "few" form («2 напоминания»).
    expected = tg.content.t("settings.reminders_moved.few", count=2)
    assert "2 повторяющихся напоминания" in expected
    assert any(expected in text for text in tg.texts(OWNER))
    owner = await tg.store.users.get(OWNER)
    assert owner is not None and owner.timezone == NSK


async def test_a_paused_reminder_moves_and_stays_paused(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team_with_owner(tg)
    weekly = await tg.store.reminders.create_personal(OWNER, team_id, "custom", "Планёрка", MONDAYS_9, MSK, START)
    await tg.store.reminders.pause(OWNER, weekly.id)
    await _move_to_novosibirsk(tg, OWNER)
    paused = await tg.store.reminders.get(OWNER, weekly.id)
    assert (paused.state, paused.timezone) == (ReminderState.PAUSED, NSK)
    resumed = await tg.store.reminders.resume(OWNER, weekly.id, clock.now())
    assert resumed.next_due_at == MONDAY_9_NSK


async def test_a_reminder_due_and_not_yet_sent_keeps_its_moment_and_goes_on_in_the_new_zone(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team_id = await _team_with_owner(tg)
    weekly = await tg.store.reminders.create_personal(OWNER, team_id, "custom", "Планёрка", MONDAYS_9, MSK, START)
    clock.set(MONDAY_9_MSK + timedelta(seconds=30))  # due half a minute ago; the engine has not ticked yet
    await _move_to_novosibirsk(tg, OWNER)
    kept = await tg.store.reminders.get(OWNER, weekly.id)
    assert (kept.timezone, kept.next_due_at) == (NSK, MONDAY_9_MSK)
    # What the engine does next: sends this one, then Monday 14 December 09:00 Novosibirsk = 02:00 UTC.
    plan = plan_catch_up(kept.rule, kept.timezone, MONDAY_9_MSK, clock.now(), timedelta(hours=6))
    assert (plan.deliver, plan.next_due) == (MONDAY_9_MSK, MONDAY_9_NSK + timedelta(days=7))


async def test_the_heads_strategy_review_moves_and_the_teams_case_review_stays(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    await onboard_head(tg)
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    team_id = membership.team_id
    review = await strategy.ensure_review(tg.store, NoWakeUp(), tg.content, HEAD, team_id, START)
    assert review.timezone == MSK
    titles = {NUDGE_KIND: "Кейс", ESCALATION_KIND: "Кейс!", AGENDA_KIND: "Повестка"}
    series = await case_reviews.schedule(tg.store, NoWakeUp(), HEAD, team_id, 4, time(11, 0), 1, MSK, titles, START)
    before = {rid: await tg.store.reminders.get(HEAD, rid) for rid in series.reminder_ids if rid is not None}
    assert len(before) == 3

    await _move_to_novosibirsk(tg, HEAD)

    moved = await tg.store.reminders.get(HEAD, review.id)
    assert moved.timezone == NSK
    assert moved.rule == review.rule
    # The same local wall time, four hours earlier in UTC (Novosibirsk is 4 h ahead of Moscow).
    assert review.next_due_at is not None and moved.next_due_at == review.next_due_at - timedelta(hours=4)
    for rid, reminder in before.items():  # the team's review: one moment for everyone, still in Moscow
        assert await tg.store.reminders.get(HEAD, rid) == reminder
    assert any(tg.content.t("settings.reminders_moved.one", count=1) in text for text in tg.texts(HEAD))


async def test_a_training_assignment_follows_its_reminder_to_the_new_zone(tg: FakeTelegram, clock: FakeClock) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")  # the member's zone: the team's, Moscow
    membership = await tg.store.teams.current_membership(MEMBER)
    assert membership is not None
    team_id = membership.team_id
    keys = list(tg.content.training)[:2]
    # Mondays at 10:00 Moscow from Wednesday 2 December: 7 December 07:00 UTC, then 14 December 07:00 UTC.
    [assigned] = await training.assign_modules(
        tg.store, NoWakeUp(), HEAD, team_id, MEMBER, keys, 0, time(10, 0), "Модуль недели", START
    )
    assert assigned.assignment is not None and assigned.reminder is not None
    assert [i.due_at for i in assigned.assignment.items] == [MONDAY_10_MSK, MONDAY_10_MSK + timedelta(days=7)]
    clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))  # Tuesday: the first module was given on Monday

    await _move_to_novosibirsk(tg, MEMBER)

    reminder = await tg.store.reminders.get(MEMBER, assigned.reminder.id)
    assignment = await tg.store.training.active_assignment(MEMBER, team_id)
    assert assignment is not None and assignment.id == assigned.assignment.id
    assert (reminder.timezone, assignment.timezone) == (NSK, NSK)
    # The one given keeps its moment; the next is Monday 14 December 10:00 Novosibirsk = 03:00 UTC.
    assert [i.due_at for i in assignment.items] == [MONDAY_10_MSK, datetime(2026, 12, 14, 3, 0, tzinfo=UTC)]
    # The head's second tap on the same plan changes nothing: the record is in the member's zone now.
    [again] = await training.assign_modules(
        tg.store, NoWakeUp(), HEAD, team_id, MEMBER, keys, 0, time(10, 0), "Модуль недели", clock.now()
    )
    assert again.already


async def test_a_call_listening_plan_counts_weeks_in_the_zone_its_reminder_moved_to(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    await onboard_head(tg)
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    team_id = membership.team_id
    plan, _ = await calls.set_target(tg.store, NoWakeUp(), HEAD, team_id, 3, MSK, "Послушать звонки", START)
    assert plan.timezone == MSK and plan.reminder_id is not None

    await _move_to_novosibirsk(tg, HEAD)

    moved = await tg.store.calls.plan_for(HEAD, team_id)
    assert moved is not None and moved.timezone == NSK
    assert (await tg.store.reminders.get(HEAD, plan.reminder_id)).timezone == NSK
    # Monday 7 December 00:00 Novosibirsk (6 December 17:00 UTC) for seven days is one ISO week there (50); in
    # Moscow it would start on Sunday 6 December 20:00, in week 49, and touch two.
    since = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    hygiene = await tg.store.calls.hygiene(team_id, since, since + timedelta(days=7))
    assert [(w.week.year, w.week.week) for w in hygiene.weeks] == [(2026, 50)]
