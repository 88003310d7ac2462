"""Recurrence rules in local wall-clock time (domain/schedules.py).

Every expected moment is written by hand. The offsets used:
    Europe/Moscow     UTC+3 all year
    Asia/Kolkata      UTC+5:30 all year
    Europe/Berlin     CET UTC+1; CEST UTC+2 from 2026-03-29 02:00 local (01:00 UTC) to 2026-10-25 03:00 local
                      (01:00 UTC): the last Sundays of March and October 2026
    America/New_York  EST UTC-5; EDT UTC-4 from 2026-03-08 02:00 local (07:00 UTC) to 2026-11-01 02:00 local
                      (06:00 UTC): the second Sunday of March and the first Sunday of November 2026
Weekdays of 2026 used below: 01-01 Thursday, 01-30 Friday, 01-31 Saturday, 02-27 Friday, 02-28 Saturday,
03-31 Tuesday, 04-30 Thursday, 05-29 Friday, 05-31 Sunday, 10-30 Friday, 10-31 Saturday, 11-30 Monday,
12-04 Friday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.schedules import Frequency, Rule, ScheduleError, next_occurrence, occurrences_between, to_utc

MOSCOW = "Europe/Moscow"
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def rule(frequency: Frequency, at: str, start: date, **kwargs: Any) -> Rule:
    return Rule(frequency, at=time.fromisoformat(at), start=start, **kwargs)


def between(r: Rule, zone: str, after: datetime, until: datetime) -> list[datetime]:
    return occurrences_between(r, zone, after, until)


def local_times(moments: list[datetime], zone: str) -> list[str]:
    return [m.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") for m in moments]


# --- every frequency, in zones without DST --------------------------------------------------------------------------


def test_daily_in_moscow_and_kolkata() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    assert between(daily, MOSCOW, utc(2026, 11, 29), utc(2026, 12, 2, 23)) == [
        utc(2026, 11, 30, 6),
        utc(2026, 12, 1, 6),
        utc(2026, 12, 2, 6),
    ]
    assert between(daily, KOLKATA, utc(2026, 11, 29), utc(2026, 12, 1, 23)) == [
        utc(2026, 11, 30, 3, 30),
        utc(2026, 12, 1, 3, 30),
    ]


def test_daily_never_fires_before_its_start() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 12, 10))
    assert next_occurrence(daily, MOSCOW, utc(2026, 11, 30)) == utc(2026, 12, 10, 6)


def test_next_occurrence_is_strictly_after() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    assert next_occurrence(daily, MOSCOW, utc(2026, 11, 30, 6)) == utc(2026, 12, 1, 6)
    assert next_occurrence(daily, MOSCOW, utc(2026, 11, 30, 5, 59)) == utc(2026, 11, 30, 6)


def test_after_may_be_given_in_any_zone() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    after = datetime(2026, 11, 30, 8, 59, tzinfo=ZoneInfo(MOSCOW))  # 05:59 UTC
    assert next_occurrence(daily, MOSCOW, after) == utc(2026, 11, 30, 6)
    after = datetime(2026, 11, 30, 10, 0, tzinfo=timezone(timedelta(hours=4)))  # 06:00 UTC, the moment itself
    assert next_occurrence(daily, MOSCOW, after) == utc(2026, 12, 1, 6)


def test_naive_after_is_refused() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(daily, MOSCOW, datetime(2026, 11, 30, 9))


def test_local_time_near_midnight_on_another_utc_date() -> None:
    # 00:15 in Kolkata is 18:45 UTC the day before.
    just_after_midnight = rule(Frequency.DAILY, "00:15", date(2026, 12, 1))
    assert next_occurrence(just_after_midnight, KOLKATA, utc(2026, 11, 30, 12)) == utc(2026, 11, 30, 18, 45)
    assert next_occurrence(just_after_midnight, KOLKATA, utc(2026, 12, 1, 18, 30)) == utc(2026, 12, 1, 18, 45)
    # 23:30 in New York (EST) is 04:30 UTC the next day.
    late = rule(Frequency.DAILY, "23:30", date(2026, 12, 1))
    assert next_occurrence(late, NEW_YORK, utc(2026, 12, 2, 4)) == utc(2026, 12, 2, 4, 30)
    assert next_occurrence(late, NEW_YORK, utc(2026, 12, 2, 4, 30)) == utc(2026, 12, 3, 4, 30)


def test_weekly_on_chosen_weekdays() -> None:
    mon_wed = rule(Frequency.WEEKLY, "10:00", date(2026, 11, 30), weekdays=(0, 2))
    assert between(mon_wed, MOSCOW, utc(2026, 11, 29), utc(2026, 12, 10)) == [
        utc(2026, 11, 30, 7),  # Monday
        utc(2026, 12, 2, 7),  # Wednesday
        utc(2026, 12, 7, 7),
        utc(2026, 12, 9, 7),
    ]


def test_weekly_on_fridays_in_kolkata() -> None:
    fridays = rule(Frequency.WEEKLY, "15:00", date(2026, 12, 1), weekdays=(4,))
    assert between(fridays, KOLKATA, utc(2026, 12, 1), utc(2026, 12, 12)) == [
        utc(2026, 12, 4, 9, 30),
        utc(2026, 12, 11, 9, 30),
    ]


def test_every_two_weeks_on_monday_and_thursday() -> None:
    # Weeks count from the week of the start (Monday 30 November): that week, skip one, and so on.
    biweekly = rule(Frequency.WEEKLY, "10:00", date(2026, 11, 30), weekdays=(0, 3), interval=2)
    assert between(biweekly, MOSCOW, utc(2026, 11, 29), utc(2027, 1, 1)) == [
        utc(2026, 11, 30, 7),
        utc(2026, 12, 3, 7),
        utc(2026, 12, 14, 7),
        utc(2026, 12, 17, 7),
        utc(2026, 12, 28, 7),
        utc(2026, 12, 31, 7),
    ]


def test_every_two_weeks_starting_midweek_keeps_the_start_week() -> None:
    # Start on Wednesday 2 December: Monday 30 November is before the start, Thursday 3 December is the first.
    biweekly = rule(Frequency.WEEKLY, "10:00", date(2026, 12, 2), weekdays=(0, 3), interval=2)
    assert between(biweekly, MOSCOW, utc(2026, 11, 1), utc(2026, 12, 20)) == [
        utc(2026, 12, 3, 7),
        utc(2026, 12, 14, 7),
        utc(2026, 12, 17, 7),
    ]


def test_every_three_weeks_on_friday() -> None:
    every_third = rule(Frequency.WEEKLY, "15:00", date(2026, 11, 30), weekdays=(4,), interval=3)
    assert between(every_third, MOSCOW, utc(2026, 11, 29), utc(2027, 1, 20)) == [
        utc(2026, 12, 4, 12),
        utc(2026, 12, 25, 12),
        utc(2027, 1, 15, 12),
    ]


def test_monthly_on_an_ordinary_day() -> None:
    fifth = rule(Frequency.MONTHLY, "10:00", date(2026, 11, 30), month_day=5)
    assert between(fifth, MOSCOW, utc(2026, 11, 1), utc(2027, 3, 1)) == [
        utc(2026, 12, 5, 7),
        utc(2027, 1, 5, 7),
        utc(2027, 2, 5, 7),
    ]


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    last = rule(Frequency.MONTHLY, "10:00", date(2026, 1, 1), month_day=31)
    assert local_times(between(last, MOSCOW, utc(2026, 1, 1), utc(2026, 7, 1)), MOSCOW) == [
        "2026-01-31 10:00",
        "2026-02-28 10:00",
        "2026-03-31 10:00",
        "2026-04-30 10:00",
        "2026-05-31 10:00",
        "2026-06-30 10:00",
    ]


def test_monthly_on_the_31st_in_a_leap_year() -> None:
    last = rule(Frequency.MONTHLY, "10:00", date(2028, 1, 15), month_day=31)
    assert between(last, MOSCOW, utc(2028, 1, 1), utc(2028, 4, 1)) == [
        utc(2028, 1, 31, 7),
        utc(2028, 2, 29, 7),
        utc(2028, 3, 31, 7),
    ]


def test_monthly_on_the_30th_and_29th_in_february() -> None:
    thirtieth = rule(Frequency.MONTHLY, "10:00", date(2026, 1, 1), month_day=30)
    assert local_times(between(thirtieth, MOSCOW, utc(2026, 1, 1), utc(2026, 4, 1)), MOSCOW) == [
        "2026-01-30 10:00",
        "2026-02-28 10:00",
        "2026-03-30 10:00",
    ]
    twenty_ninth = rule(Frequency.MONTHLY, "10:00", date(2027, 2, 1), month_day=29)
    assert local_times(between(twenty_ninth, MOSCOW, utc(2027, 1, 1), utc(2027, 4, 1)), MOSCOW) == [
        "2027-02-28 10:00",
        "2027-03-29 10:00",
    ]
    leap = rule(Frequency.MONTHLY, "10:00", date(2028, 2, 1), month_day=29)
    assert next_occurrence(leap, MOSCOW, utc(2028, 2, 1)) == utc(2028, 2, 29, 7)


def test_monthly_starting_after_this_months_day_begins_next_month() -> None:
    fifth = rule(Frequency.MONTHLY, "10:00", date(2026, 11, 6), month_day=5)
    assert next_occurrence(fifth, MOSCOW, utc(2026, 11, 1)) == utc(2026, 12, 5, 7)


def test_last_workday_of_months_ending_on_a_weekend() -> None:
    last_workday = rule(Frequency.LAST_WORKDAY, "17:00", date(2026, 1, 1))
    assert local_times(between(last_workday, MOSCOW, utc(2026, 1, 1), utc(2026, 6, 1)), MOSCOW) == [
        "2026-01-30 17:00",  # 31 January is a Saturday
        "2026-02-27 17:00",  # 28 February is a Saturday
        "2026-03-31 17:00",  # a Tuesday
        "2026-04-30 17:00",  # a Thursday
        "2026-05-29 17:00",  # 31 May is a Sunday
    ]
    assert next_occurrence(last_workday, MOSCOW, utc(2026, 10, 1)) == utc(2026, 10, 30, 14)  # 31 October: Saturday


def test_last_workday_starting_on_or_after_it() -> None:
    on_the_day = rule(Frequency.LAST_WORKDAY, "17:00", date(2026, 1, 30))
    assert next_occurrence(on_the_day, MOSCOW, utc(2026, 1, 1)) == utc(2026, 1, 30, 14)
    after_it = rule(Frequency.LAST_WORKDAY, "17:00", date(2026, 1, 31))
    assert next_occurrence(after_it, MOSCOW, utc(2026, 1, 1)) == utc(2026, 2, 27, 14)


def test_quarterly_follows_calendar_quarters() -> None:
    quarterly = rule(Frequency.QUARTERLY, "10:00", date(2026, 1, 15), month_day=1)
    # 1 January is before the start: the first is 1 April, then the first month of each quarter.
    assert between(quarterly, MOSCOW, utc(2026, 1, 1), utc(2027, 1, 2)) == [
        utc(2026, 4, 1, 7),
        utc(2026, 7, 1, 7),
        utc(2026, 10, 1, 7),
        utc(2027, 1, 1, 7),
    ]


def test_quarterly_set_up_mid_quarter_waits_for_the_next_quarter() -> None:
    # Set up on 30 November: the next quarter starts on 1 January, not on 1 February.
    quarterly = rule(Frequency.QUARTERLY, "10:00", date(2026, 11, 30), month_day=1)
    assert next_occurrence(quarterly, MOSCOW, utc(2026, 11, 30, 7)) == utc(2027, 1, 1, 7)


def test_quarterly_on_the_first_day_of_the_start_month() -> None:
    quarterly = rule(Frequency.QUARTERLY, "10:00", date(2026, 1, 1), month_day=1)
    assert next_occurrence(quarterly, MOSCOW, utc(2025, 12, 1)) == utc(2026, 1, 1, 7)


def test_quarterly_on_the_31st_uses_the_months_last_day() -> None:
    quarterly = rule(Frequency.QUARTERLY, "10:00", date(2026, 1, 1), month_day=31)
    assert local_times(between(quarterly, MOSCOW, utc(2026, 1, 1), utc(2027, 1, 1)), MOSCOW) == [
        "2026-01-31 10:00",
        "2026-04-30 10:00",
        "2026-07-31 10:00",
        "2026-10-31 10:00",
    ]


def test_once_yields_one_occurrence_then_none() -> None:
    once = rule(Frequency.ONCE, "16:00", date(2026, 12, 4))
    assert next_occurrence(once, MOSCOW, utc(2026, 11, 30)) == utc(2026, 12, 4, 13)
    assert next_occurrence(once, MOSCOW, utc(2026, 12, 4, 13)) is None
    assert next_occurrence(once, MOSCOW, utc(2027, 1, 1)) is None
    assert between(once, MOSCOW, utc(2026, 1, 1), utc(2028, 1, 1)) == [utc(2026, 12, 4, 13)]


def test_once_in_another_zone() -> None:
    once = rule(Frequency.ONCE, "09:30", date(2026, 12, 1))
    assert next_occurrence(once, KOLKATA, utc(2026, 11, 30)) == utc(2026, 12, 1, 4)
    assert next_occurrence(once, NEW_YORK, utc(2026, 11, 30)) == utc(2026, 12, 1, 14, 30)


def test_recurring_property() -> None:
    assert not rule(Frequency.ONCE, "09:00", date(2026, 1, 1)).recurring
    assert rule(Frequency.DAILY, "09:00", date(2026, 1, 1)).recurring


# --- DST: a 09:00 reminder stays 09:00 local ------------------------------------------------------------------------


def test_berlin_spring_forward_keeps_nine_local() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 3, 27))
    assert between(daily, BERLIN, utc(2026, 3, 26), utc(2026, 3, 31)) == [
        utc(2026, 3, 27, 8),  # CET
        utc(2026, 3, 28, 8),
        utc(2026, 3, 29, 7),  # CEST from this night
        utc(2026, 3, 30, 7),
    ]


def test_berlin_fall_back_keeps_nine_local() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 10, 24))
    assert between(daily, BERLIN, utc(2026, 10, 23), utc(2026, 10, 27)) == [
        utc(2026, 10, 24, 7),  # CEST
        utc(2026, 10, 25, 8),  # CET from this night
        utc(2026, 10, 26, 8),
    ]


def test_new_york_spring_forward_and_fall_back_keep_nine_local() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 3, 7))
    assert between(daily, NEW_YORK, utc(2026, 3, 7), utc(2026, 3, 10)) == [
        utc(2026, 3, 7, 14),  # EST
        utc(2026, 3, 8, 13),  # EDT
        utc(2026, 3, 9, 13),
    ]
    autumn = rule(Frequency.DAILY, "09:00", date(2026, 10, 31))
    assert between(autumn, NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 3)) == [
        utc(2026, 10, 31, 13),  # EDT
        utc(2026, 11, 1, 14),  # EST
        utc(2026, 11, 2, 14),
    ]


def test_weekly_across_both_berlin_changes_stays_nine_local() -> None:
    sundays = rule(Frequency.WEEKLY, "09:00", date(2026, 3, 1), weekdays=(6,))
    moments = between(sundays, BERLIN, utc(2026, 3, 1), utc(2026, 11, 2))
    assert len(moments) == 36  # every Sunday from 1 March to 1 November 2026: 245 days apart, 35 weeks + 1
    assert {m.astimezone(ZoneInfo(BERLIN)).strftime("%a %H:%M") for m in moments} == {"Sun 09:00"}
    assert moments[3] == utc(2026, 3, 22, 8) and moments[4] == utc(2026, 3, 29, 7)
    assert moments[-3] == utc(2026, 10, 18, 7) and moments[-2] == utc(2026, 10, 25, 8)


def test_monthly_across_new_york_changes_stays_nine_local() -> None:
    first = rule(Frequency.MONTHLY, "09:00", date(2026, 2, 1), month_day=10)
    assert between(first, NEW_YORK, utc(2026, 2, 1), utc(2026, 12, 1)) == [
        utc(2026, 2, 10, 14),
        utc(2026, 3, 10, 13),
        utc(2026, 4, 10, 13),
        utc(2026, 5, 10, 13),
        utc(2026, 6, 10, 13),
        utc(2026, 7, 10, 13),
        utc(2026, 8, 10, 13),
        utc(2026, 9, 10, 13),
        utc(2026, 10, 10, 13),
        utc(2026, 11, 10, 14),
    ]


# --- a time in the spring-forward gap -------------------------------------------------------------------------------


def test_to_utc_moves_a_gap_time_to_the_end_of_the_gap() -> None:
    assert to_utc(datetime(2026, 3, 29, 2, 30), ZoneInfo(BERLIN)) == utc(2026, 3, 29, 1)  # 03:00 CEST
    assert to_utc(datetime(2026, 3, 29, 2, 0), ZoneInfo(BERLIN)) == utc(2026, 3, 29, 1)
    assert to_utc(datetime(2026, 3, 8, 2, 30), ZoneInfo(NEW_YORK)) == utc(2026, 3, 8, 7)  # 03:00 EDT
    assert to_utc(datetime(2026, 3, 29, 3, 0), ZoneInfo(BERLIN)) == utc(2026, 3, 29, 1)  # exists


def test_to_utc_of_ordinary_and_ambiguous_times() -> None:
    assert to_utc(datetime(2026, 11, 30, 9, 0), ZoneInfo(MOSCOW)) == utc(2026, 11, 30, 6)
    assert to_utc(datetime(2026, 11, 30, 9, 0), ZoneInfo(KOLKATA)) == utc(2026, 11, 30, 3, 30)
    assert to_utc(datetime(2026, 10, 25, 2, 30), ZoneInfo(BERLIN)) == utc(2026, 10, 25, 0, 30)  # the first 02:30
    assert to_utc(datetime(2026, 11, 1, 1, 30), ZoneInfo(NEW_YORK)) == utc(2026, 11, 1, 5, 30)  # the first 01:30


def test_daily_time_in_the_gap_fires_once_at_the_first_valid_minute() -> None:
    daily = rule(Frequency.DAILY, "02:30", date(2026, 3, 28))
    assert local_times(between(daily, BERLIN, utc(2026, 3, 27, 12), utc(2026, 3, 30, 12)), BERLIN) == [
        "2026-03-28 02:30",
        "2026-03-29 03:00",
        "2026-03-30 02:30",
    ]
    assert between(daily, BERLIN, utc(2026, 3, 27, 12), utc(2026, 3, 30, 12)) == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1),
        utc(2026, 3, 30, 0, 30),
    ]


def test_once_in_the_gap_fires_once() -> None:
    once = rule(Frequency.ONCE, "02:30", date(2026, 3, 29))
    assert next_occurrence(once, BERLIN, utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)
    assert next_occurrence(once, BERLIN, utc(2026, 3, 29, 1)) is None


def test_new_york_gap() -> None:
    daily = rule(Frequency.DAILY, "02:15", date(2026, 3, 7))
    assert between(daily, NEW_YORK, utc(2026, 3, 7), utc(2026, 3, 10)) == [
        utc(2026, 3, 7, 7, 15),  # 02:15 EST
        utc(2026, 3, 8, 7),  # 02:15 does not exist: 03:00 EDT
        utc(2026, 3, 9, 6, 15),  # 02:15 EDT
    ]


# --- an ambiguous time at the autumn change -------------------------------------------------------------------------


def test_berlin_ambiguous_time_fires_exactly_once() -> None:
    daily = rule(Frequency.DAILY, "02:30", date(2026, 10, 24))
    assert between(daily, BERLIN, utc(2026, 10, 23, 12), utc(2026, 10, 26, 12)) == [
        utc(2026, 10, 24, 0, 30),  # 02:30 CEST
        utc(2026, 10, 25, 0, 30),  # the first 02:30 (CEST); not again at 01:30 UTC
        utc(2026, 10, 26, 1, 30),  # 02:30 CET
    ]
    # Asked right after the first 02:30, the next one is a day later, not the repeated hour.
    assert next_occurrence(daily, BERLIN, utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)
    assert next_occurrence(daily, BERLIN, utc(2026, 10, 25, 1)) == utc(2026, 10, 26, 1, 30)


def test_new_york_ambiguous_time_fires_exactly_once() -> None:
    once = rule(Frequency.ONCE, "01:30", date(2026, 11, 1))
    assert next_occurrence(once, NEW_YORK, utc(2026, 10, 31)) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert next_occurrence(once, NEW_YORK, utc(2026, 11, 1, 5, 30)) is None
    assert next_occurrence(once, NEW_YORK, utc(2026, 11, 1, 6)) is None  # not at 01:30 EST (06:30 UTC)
    daily = rule(Frequency.DAILY, "01:30", date(2026, 10, 31))
    assert between(daily, NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 3)) == [
        utc(2026, 10, 31, 5, 30),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
    ]


# --- occurrences_between --------------------------------------------------------------------------------------------


def test_occurrences_between_is_open_at_after_and_closed_at_until() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    assert between(daily, MOSCOW, utc(2026, 11, 30, 6), utc(2026, 12, 2, 6)) == [
        utc(2026, 12, 1, 6),
        utc(2026, 12, 2, 6),
    ]


def test_occurrences_between_empty_and_catch_up() -> None:
    daily = rule(Frequency.DAILY, "09:00", date(2026, 11, 30))
    assert between(daily, MOSCOW, utc(2026, 11, 30, 7), utc(2026, 12, 1, 5)) == []
    assert between(daily, MOSCOW, utc(2026, 12, 1), utc(2026, 11, 30)) == []
    # Downtime of a week: seven missed occurrences, oldest first.
    missed = between(daily, MOSCOW, utc(2026, 12, 1, 7), utc(2026, 12, 8, 7))
    assert missed == [utc(2026, 12, day, 6) for day in range(2, 9)]


# --- validation -----------------------------------------------------------------------------------------------------

BAD_RULES: list[tuple[dict[str, Any], str]] = [
    ({"frequency": Frequency.DAILY, "at": time(9, 0, tzinfo=UTC)}, "naive"),
    ({"frequency": Frequency.DAILY, "at": time(9, 0, 30)}, "whole minutes"),
    ({"frequency": Frequency.DAILY, "at": time(9, 0, 0, 5)}, "whole minutes"),
    ({"frequency": Frequency.WEEKLY}, "weekdays 0..6"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (7,)}, "weekdays 0..6"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (-1,)}, "weekdays 0..6"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (3, 1)}, "sorted and distinct"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (1, 1)}, "sorted and distinct"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (1,), "interval": 0}, "1..52"),
    ({"frequency": Frequency.WEEKLY, "weekdays": (1,), "interval": 53}, "1..52"),
    ({"frequency": Frequency.DAILY, "weekdays": (1,)}, "weekly rules only"),
    ({"frequency": Frequency.DAILY, "interval": 2}, "weekly rules only"),
    ({"frequency": Frequency.ONCE, "weekdays": (1,)}, "weekly rules only"),
    ({"frequency": Frequency.MONTHLY}, "need one"),
    ({"frequency": Frequency.QUARTERLY}, "need one"),
    ({"frequency": Frequency.DAILY, "month_day": 5}, "need one"),
    ({"frequency": Frequency.ONCE, "month_day": 5}, "need one"),
    ({"frequency": Frequency.LAST_WORKDAY, "month_day": 5}, "need one"),
    ({"frequency": Frequency.MONTHLY, "month_day": 0}, "1..31"),
    ({"frequency": Frequency.MONTHLY, "month_day": 32}, "1..31"),
    ({"frequency": Frequency.QUARTERLY, "month_day": 32}, "1..31"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_RULES)
def test_invalid_rules_are_refused(kwargs: dict[str, Any], message: str) -> None:
    kwargs = {"at": time(9, 0), "start": date(2026, 1, 1), **kwargs}
    with pytest.raises(ScheduleError, match=message):
        Rule(**kwargs)


def test_schedule_error_is_a_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)


# --- JSON -----------------------------------------------------------------------------------------------------------

ROUND_TRIP = [
    rule(Frequency.ONCE, "16:00", date(2026, 12, 4)),
    rule(Frequency.DAILY, "09:00", date(2026, 11, 30)),
    rule(Frequency.WEEKLY, "10:00", date(2026, 11, 30), weekdays=(0, 3), interval=2),
    rule(Frequency.WEEKLY, "09:00", date(2026, 11, 30), weekdays=(0, 1, 2, 3, 4)),
    rule(Frequency.MONTHLY, "10:00", date(2026, 11, 30), month_day=31),
    rule(Frequency.LAST_WORKDAY, "17:00", date(2026, 11, 30)),
    rule(Frequency.QUARTERLY, "00:05", date(2028, 2, 29), month_day=1),
]


@pytest.mark.parametrize("original", ROUND_TRIP, ids=lambda r: r.frequency.value)
def test_json_round_trip(original: Rule) -> None:
    assert Rule.from_json(original.to_json()) == original


def test_json_is_compact_and_omits_defaults() -> None:
    biweekly = rule(Frequency.WEEKLY, "10:00", date(2026, 11, 30), weekdays=(0, 3), interval=2)
    assert biweekly.to_json() == '{"f":"weekly","at":"10:00","start":"2026-11-30","wd":[0,3],"n":2}'
    assert (
        rule(Frequency.DAILY, "09:05", date(2026, 1, 2)).to_json() == '{"f":"daily","at":"09:05","start":"2026-01-02"}'
    )
    monthly = rule(Frequency.MONTHLY, "10:00", date(2026, 1, 2), month_day=5)
    assert monthly.to_json() == '{"f":"monthly","at":"10:00","start":"2026-01-02","md":5}'


def test_json_with_broken_values_is_refused() -> None:
    with pytest.raises(ScheduleError):
        Rule.from_json('{"f":"weekly","at":"10:00","start":"2026-11-30"}')
    with pytest.raises(ValueError):
        Rule.from_json('{"f":"yearly","at":"10:00","start":"2026-11-30"}')
