"""The .ics file: parsed back with icalendar, its occurrences expanded with dateutil must be the bot's own
(domain.schedules.next_occurrence) for every frequency, in zones with and without DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from domain.calendar_file import CalendarTexts, build_calendar, recurrence, uid
from domain.reminders import Reminder, ReminderState
from domain.schedules import Frequency, Rule, next_occurrence

TEXTS = CalendarTexts(name="Ритуалы РОПа", description="Отметить «Сделано» — в боте.")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COUNT = 14  # occurrences compared per rule: crosses DST changes and short months


def _reminder(rule: Rule, timezone: str, reminder_id: int = 7, state: ReminderState = ReminderState.ACTIVE) -> Reminder:
    return Reminder(
        id=reminder_id,
        team_id=1,
        user_id=501,
        audience_role=None,
        kind="strategy",
        title="Планёрка отдела",
        rule=rule,
        timezone=timezone,
        next_due_at=next_occurrence(rule, timezone, NOW),
        state=state,
        task_id=None,
        created_by=501,
        created_at=NOW,
    )


def _events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def _expanded(event: Any, after: datetime, count: int) -> list[datetime]:
    start = event.decoded("dtstart")
    if event.get("rrule") is None:
        return [start.astimezone(UTC)] if start > after else []
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    found = []
    for moment in rule.xafter(after):
        found.append(moment.astimezone(UTC))
        if len(found) == count:
            break
    return found


def _bots(rule: Rule, timezone: str, after: datetime, count: int) -> list[datetime]:
    found: list[datetime] = []
    cursor = after
    while len(found) < count:
        moment = next_occurrence(rule, timezone, cursor)
        if moment is None:
            break
        found.append(moment)
        cursor = moment
    return found


ZONES = ("Europe/Moscow", "Europe/Berlin", "America/New_York", "Australia/Sydney")
RULES = {
    "once": Rule(Frequency.ONCE, at=time(9, 30), start=date(2026, 3, 30)),
    "daily": Rule(Frequency.DAILY, at=time(9, 0), start=date(2026, 3, 20)),
    "daily_late_evening": Rule(Frequency.DAILY, at=time(23, 30), start=date(2026, 3, 25)),
    "weekly": Rule(Frequency.WEEKLY, at=time(10, 0), start=date(2026, 2, 18), weekdays=(0, 2)),
    "biweekly": Rule(Frequency.WEEKLY, at=time(15, 0), start=date(2026, 2, 10), weekdays=(4,), interval=2),
    "every_3_weeks": Rule(Frequency.WEEKLY, at=time(8, 0), start=date(2026, 1, 7), weekdays=(1, 3), interval=3),
    "monthly_15": Rule(Frequency.MONTHLY, at=time(9, 0), start=date(2026, 1, 20), month_day=15),
    "monthly_29": Rule(Frequency.MONTHLY, at=time(9, 0), start=date(2026, 1, 1), month_day=29),
    "monthly_30": Rule(Frequency.MONTHLY, at=time(9, 0), start=date(2026, 1, 1), month_day=30),
    "monthly_31": Rule(Frequency.MONTHLY, at=time(17, 0), start=date(2026, 1, 1), month_day=31),
    "last_workday": Rule(Frequency.LAST_WORKDAY, at=time(17, 0), start=date(2026, 2, 1)),
    "quarterly_10": Rule(Frequency.QUARTERLY, at=time(9, 0), start=date(2026, 2, 15), month_day=10),
    "quarterly_31": Rule(Frequency.QUARTERLY, at=time(9, 0), start=date(2026, 1, 1), month_day=31),
    "quarterly_30": Rule(Frequency.QUARTERLY, at=time(9, 0), start=date(2026, 5, 2), month_day=30),
}


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("name", list(RULES))
def test_occurrences_from_the_file_are_the_bots(name: str, zone: str) -> None:
    rule = RULES[name]
    [event] = _events(build_calendar([_reminder(rule, zone)], TEXTS, NOW))
    assert _expanded(event, NOW, COUNT) == _bots(rule, zone, NOW, COUNT)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_an_ambiguous_time_on_the_fall_back_night_fires_once_at_its_first_instance(zone: str) -> None:
    rule = Rule(Frequency.DAILY, at=time(1, 30), start=date(2026, 10, 20))
    [event] = _events(build_calendar([_reminder(rule, zone)], TEXTS, NOW))
    after = datetime(2026, 10, 20, tzinfo=UTC)
    assert _expanded(event, after, 30) == _bots(rule, zone, after, 30)


def test_the_time_of_day_stays_across_dst() -> None:
    rule = RULES["daily"]
    [event] = _events(build_calendar([_reminder(rule, "Europe/Berlin")], TEXTS, NOW))
    moments = _expanded(event, NOW, 15)
    assert {m.hour for m in moments} == {8, 7}  # 09:00 CET is 08:00 UTC, 09:00 CEST is 07:00 UTC


@pytest.mark.parametrize(
    ("name", "rrule"),
    [
        ("once", None),
        ("daily", b"FREQ=DAILY"),
        ("weekly", b"FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO"),
        ("biweekly", b"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;WKST=MO"),
        ("monthly_15", b"FREQ=MONTHLY;BYMONTHDAY=15"),
        ("monthly_30", b"FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
        ("monthly_31", b"FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("last_workday", b"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        ("quarterly_10", b"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10"),
    ],
)
def test_rrules_as_written(name: str, rrule: bytes | None) -> None:
    [event] = _events(build_calendar([_reminder(RULES[name], "Europe/Moscow")], TEXTS, NOW))
    written = event.get("rrule")
    assert (None if written is None else written.to_ical()) == rrule
    assert (recurrence(RULES[name]) is None) is (rrule is None)


def test_quarterly_is_anchored_in_a_quarters_first_month() -> None:
    [event] = _events(build_calendar([_reminder(RULES["quarterly_10"], "Europe/Moscow")], TEXTS, NOW))
    assert event.decoded("dtstart").replace(tzinfo=None) == datetime(2026, 4, 10, 9, 0)


def test_the_event_carries_the_zone_a_stable_uid_the_title_and_where_to_mark_it() -> None:
    reminders = [
        _reminder(RULES["weekly"], "Europe/Berlin", reminder_id=7),
        _reminder(RULES["daily"], "Asia/Yekaterinburg", reminder_id=8),
    ]
    data = build_calendar(reminders, TEXTS, NOW)
    assert data == build_calendar(reminders, TEXTS, NOW)  # the same reminders, the same file
    calendar = Calendar.from_ical(data)
    assert calendar["X-WR-CALNAME"] == TEXTS.name
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Berlin", "Asia/Yekaterinburg"}
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == uid(7) == "reminder-7@rop-coach.bot"
    assert str(second["UID"]) == uid(8)
    assert first["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(first["SUMMARY"]) == "Планёрка отдела"
    assert str(first["DESCRIPTION"]) == TEXTS.description
    assert b"DTSTART;TZID=Europe/Berlin:20260218T100000" in data


def test_paused_and_finished_reminders_are_left_out() -> None:
    reminders = [
        _reminder(RULES["daily"], "Europe/Moscow", 1, ReminderState.PAUSED),
        _reminder(RULES["daily"], "Europe/Moscow", 2, ReminderState.FINISHED),
        _reminder(RULES["daily"], "Europe/Moscow", 3),
    ]
    assert [str(e["UID"]) for e in _events(build_calendar(reminders, TEXTS, NOW))] == [uid(3)]
