"""The head changes the team's zone in /settings («Пояс команды»): what is on the team's clock moves to the new zone
at the same wall time (the case review, its nudge, escalation and agenda re-derived from the meeting; the quarterly
strategy review), through the real Dispatcher with a fake clock. People's own and one-off reminders stay, and so does
another team's. Expected moments worked out by hand: Moscow is UTC+3 and Yekaterinburg UTC+5 all year (no DST since
2014), so 15:00 in Yekaterinburg is 10:00 UTC where 15:00 in Moscow was 12:00 UTC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.callbacks import SettingsCb
from content import Content
from domain.case_reviews import AGENDA_KIND, ESCALATION_KIND, NUDGE_KIND, CaseSeries
from domain.models import Role
from domain.reminders import Reminder, ReminderState
from domain.schedules import Frequency, Rule, next_occurrence
from services import case_reviews, strategy
from services.reminders import NoWakeUp
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, RecordingEngine, onboard_head, telegram_on

MSK = "Europe/Moscow"
YEKT = "Asia/Yekaterinburg"
OTHER_HEAD = 601
START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 7 December 2026, 10:00 in Moscow
CHANGED_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # the same Monday, 15:00 in Moscow
THURSDAY = 3
TITLES = {NUDGE_KIND: "Кейс", ESCALATION_KIND: "Кейс!", AGENDA_KIND: "Повестка"}


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


async def _team(tg: FakeTelegram, head: int = HEAD, name: str = "Альфа") -> int:
    await onboard_head(tg, head, name)  # the team's zone and the head's own: Moscow
    membership = await tg.store.teams.current_membership(head)
    assert membership is not None
    return membership.team_id


async def _case_review(tg: FakeTelegram, head: int, team_id: int, interval: int = 1) -> CaseSeries:
    """Thursdays at 15:00 Moscow, set at START: the first review is Thursday 10 December."""
    return await case_reviews.schedule(
        tg.store, NoWakeUp(), head, team_id, THURSDAY, time(15, 0), interval, MSK, TITLES, START
    )


async def _reminders(tg: FakeTelegram, head: int, series: CaseSeries) -> dict[str, Reminder]:
    ids = {
        NUDGE_KIND: series.nudge_reminder_id,
        ESCALATION_KIND: series.escalation_reminder_id,
        AGENDA_KIND: series.agenda_reminder_id,
    }
    return {kind: await tg.store.reminders.get(head, rid) for kind, rid in ids.items() if rid is not None}


async def _move_team_to_yekaterinburg(tg: FakeTelegram, head: int = HEAD) -> None:
    await tg.tap(head, SettingsCb(action="ttz").pack())
    await tg.send(head, "Екатеринбург")


async def test_the_case_review_and_strategy_review_keep_their_wall_time_on_the_teams_new_clock(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    team_id = await _team(tg)
    series = await _case_review(tg, HEAD, team_id)
    review = await strategy.ensure_review(tg.store, NoWakeUp(), tg.content, HEAD, team_id, START)
    # The strategy review: the 10th of a quarter's first month at the head's workday start, 09:00 Moscow.
    assert (review.timezone, review.rule.at, review.next_due_at) == (
        MSK,
        time(9, 0),
        datetime(2027, 1, 10, 6, 0, tzinfo=UTC),
    )
    # A one-off to the team's heads (Friday 11 December, 12:00 Moscow = 09:00 UTC) and the head's own weekly one.
    once = Rule(Frequency.ONCE, at=time(12, 0), start=date(2026, 12, 11))
    one_off = await tg.store.reminders.create_for_role(HEAD, team_id, Role.HEAD, "custom", "Итоги", once, MSK, START)
    mondays = Rule(Frequency.WEEKLY, at=time(9, 0), start=date(2026, 12, 7), weekdays=(0,))
    own = await tg.store.reminders.create_personal(HEAD, team_id, "custom", "Планёрка", mondays, MSK, START)
    other_team = await _team(tg, OTHER_HEAD, "Бета")
    other_series = await _case_review(tg, OTHER_HEAD, other_team)
    other_before = await _reminders(tg, OTHER_HEAD, other_series)
    clock.set(CHANGED_AT)
    engine.woken.clear()

    await _move_team_to_yekaterinburg(tg)

    team = await tg.store.teams.get_for(HEAD, team_id)
    assert team.timezone == YEKT
    moved = await tg.store.cases.get_series(HEAD, series.id)
    assert (moved.timezone, moved.weekday, moved.at, moved.first_on) == (
        YEKT,
        THURSDAY,
        time(15, 0),
        date(2026, 12, 10),
    )
    # The meeting: Thursday 10 December 15:00 Yekaterinburg = 10:00 UTC (it was 12:00 UTC).
    assert case_reviews.review_at(moved, CHANGED_AT) == datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
    after = await _reminders(tg, HEAD, moved)
    assert {kind: (r.timezone, r.next_due_at) for kind, r in after.items()} == {
        # The day before at the meeting's time: Wednesday 15:00 Yekaterinburg.
        NUDGE_KIND: (YEKT, datetime(2026, 12, 9, 10, 0, tzinfo=UTC)),
        # Four hours before a 15:00 meeting (11:00 is after 08:00, so the same morning): 11:00 Yekaterinburg.
        ESCALATION_KIND: (YEKT, datetime(2026, 12, 10, 6, 0, tzinfo=UTC)),
        # An hour before: 14:00 Yekaterinburg.
        AGENDA_KIND: (YEKT, datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),
    }
    strategic = await tg.store.reminders.get(HEAD, review.id)
    # The same rule, 09:00 Yekaterinburg on 10 January = 04:00 UTC.
    assert (strategic.timezone, strategic.rule, strategic.next_due_at) == (
        YEKT,
        review.rule,
        datetime(2027, 1, 10, 4, 0, tzinfo=UTC),
    )
    assert sorted(engine.woken) == sorted([*(r.next_due_at for r in after.values()), strategic.next_due_at])
    assert await tg.store.reminders.get(HEAD, one_off.id) == one_off  # a moment, not a schedule
    assert await tg.store.reminders.get(HEAD, own.id) == own  # the head's own clock is still Moscow
    assert await tg.store.cases.get_series(OTHER_HEAD, other_series.id) == other_series
    assert await _reminders(tg, OTHER_HEAD, other_series) == other_before
    # Two schedules (the case review counted once, the strategy review): the CLDR "few" form.
    expected = tg.content.plural("settings.team_schedules_moved", 2)
    assert expected.startswith("2 расписания команды")
    assert any(expected in text for text in tg.texts(HEAD))


async def test_a_review_every_two_weeks_stays_on_its_weeks(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg)
    series = await _case_review(tg, HEAD, team_id, interval=2)  # Thursdays 10 and 24 December, 7 January ...
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # Friday 11 December: the first review is over

    await _move_team_to_yekaterinburg(tg)

    moved = await tg.store.cases.get_series(HEAD, series.id)
    now = clock.now()
    # Thursday 24 December 15:00 Yekaterinburg = 10:00 UTC; re-anchoring on "the next Thursday" would give the 17th.
    assert case_reviews.review_at(moved, now) == datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    # The companions: no engine ran in this test, so their first moments (the 9th and 10th) are still due and
    # kept for it to catch up; what follows in their re-derived rules is the review's week.
    after = await _reminders(tg, HEAD, moved)
    following = {kind: next_occurrence(r.rule, r.timezone, now) for kind, r in after.items()}
    assert following == {
        NUDGE_KIND: datetime(2026, 12, 23, 10, 0, tzinfo=UTC),  # Wednesday 23rd, 15:00 Yekaterinburg
        ESCALATION_KIND: datetime(2026, 12, 24, 6, 0, tzinfo=UTC),  # Thursday 24th, 11:00
        AGENDA_KIND: datetime(2026, 12, 24, 9, 0, tzinfo=UTC),  # Thursday 24th, 14:00
    }
    assert {r.timezone for r in after.values()} == {YEKT}


async def test_a_paused_case_review_moves_and_stays_paused(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg)
    series = await _case_review(tg, HEAD, team_id)
    await case_reviews.set_paused(tg.store, NoWakeUp(), HEAD, series.id, True, START)
    clock.set(CHANGED_AT)

    await _move_team_to_yekaterinburg(tg)

    moved = await tg.store.cases.get_series(HEAD, series.id)
    assert (moved.timezone, moved.paused) == (YEKT, True)
    after = await _reminders(tg, HEAD, moved)
    assert {r.state for r in after.values()} == {ReminderState.PAUSED}
    resumed = await case_reviews.set_paused(tg.store, NoWakeUp(), HEAD, series.id, False, CHANGED_AT)
    agenda = await tg.store.reminders.get(HEAD, resumed.agenda_reminder_id or 0)
    assert agenda.next_due_at == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # 14:00 Yekaterinburg


async def test_a_case_review_set_on_another_clock_stays_and_nothing_is_counted(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team_id = await _team(tg)
    # Set by a head whose own zone was Novosibirsk: not the team's clock.
    series = await case_reviews.schedule(
        tg.store, NoWakeUp(), HEAD, team_id, THURSDAY, time(15, 0), 1, "Asia/Novosibirsk", TITLES, START
    )
    before = await _reminders(tg, HEAD, series)
    clock.set(CHANGED_AT)

    await _move_team_to_yekaterinburg(tg)

    assert await tg.store.cases.get_series(HEAD, series.id) == series
    assert await _reminders(tg, HEAD, series) == before
    assert (await tg.store.teams.get_for(HEAD, team_id)).timezone == YEKT
    assert not any("расписани" in text for text in tg.texts(HEAD))
