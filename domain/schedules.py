"""When a reminder falls due: recurrence rules (RFC 5545 through dateutil's rrule) in the recipient's local time.

Times are local wall-clock times, so a 09:00 reminder stays at 09:00 across a DST change. A local time that does
not exist (a spring-forward gap) fires at the first valid minute after the gap; an ambiguous one (fall-back
overlap) fires once, at its first instance. Pure: no aiogram, no storage, no clock of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

WORKDAYS = (0, 1, 2, 3, 4)  # Monday..Friday, Python's weekday numbers
QUARTER_MONTHS = (1, 4, 7, 10)
_RRULE_DAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class Frequency(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"  # on chosen weekdays, every `interval` weeks (1 = every week)
    MONTHLY = "monthly"  # on `month_day`; 29-31 mean the month's last day when the month is shorter
    LAST_WORKDAY = "last_workday"  # the last Monday-Friday of each month
    QUARTERLY = "quarterly"  # on `month_day` of the first month of each calendar quarter


class ScheduleError(ValueError):
    """A rule that cannot describe any reminder (e.g. no weekdays for a weekly rule)."""


@dataclass(frozen=True, slots=True)
class Rule:
    frequency: Frequency
    at: time  # local wall-clock time of day (minutes precision)
    start: date  # the first local date the rule may fire on (for ONCE: the date it fires)
    weekdays: tuple[int, ...] = field(default=())  # WEEKLY: 0 = Monday
    interval: int = 1  # WEEKLY: every N weeks
    month_day: int | None = None  # MONTHLY / QUARTERLY: 1..31

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ScheduleError("a rule's time is a naive wall-clock time in whole minutes")
        if self.frequency is Frequency.WEEKLY:
            if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
                raise ScheduleError("a weekly rule needs weekdays 0..6")
            if len(set(self.weekdays)) != len(self.weekdays) or tuple(sorted(self.weekdays)) != self.weekdays:
                raise ScheduleError("weekdays must be sorted and distinct")
            if not 1 <= self.interval <= 52:
                raise ScheduleError("a weekly interval is 1..52 weeks")
        elif self.weekdays or self.interval != 1:
            raise ScheduleError("weekdays and interval belong to weekly rules only")
        needs_day = self.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY)
        if needs_day != (self.month_day is not None):
            raise ScheduleError("a month day belongs to monthly and quarterly rules, and they need one")
        if self.month_day is not None and not 1 <= self.month_day <= 31:
            raise ScheduleError("a month day is 1..31")

    @property
    def recurring(self) -> bool:
        return self.frequency is not Frequency.ONCE

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "f": self.frequency.value,
            "at": self.at.strftime("%H:%M"),
            "start": self.start.isoformat(),
        }
        if self.weekdays:
            data["wd"] = list(self.weekdays)
        if self.interval != 1:
            data["n"] = self.interval
        if self.month_day is not None:
            data["md"] = self.month_day
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Rule:
        data = json.loads(text)
        return cls(
            frequency=Frequency(data["f"]),
            at=time.fromisoformat(data["at"]),
            start=date.fromisoformat(data["start"]),
            weekdays=tuple(data.get("wd", ())),
            interval=int(data.get("n", 1)),
            month_day=data.get("md"),
        )


def _local_candidates(rule: Rule, from_day: date) -> Iterator[datetime]:
    """Naive local datetimes of the rule, in order, on or after `from_day` (and never before `rule.start`)."""
    dtstart = datetime.combine(rule.start, rule.at)
    if rule.frequency is Frequency.ONCE:
        if rule.start >= from_day:
            yield dtstart
        return
    common: dict[str, Any] = {"dtstart": dtstart, "byhour": rule.at.hour, "byminute": rule.at.minute, "bysecond": 0}
    if rule.frequency is Frequency.DAILY:
        rr = rrule.rrule(rrule.DAILY, **common)
    elif rule.frequency is Frequency.WEEKLY:
        days = [_RRULE_DAYS[d] for d in rule.weekdays]
        rr = rrule.rrule(rrule.WEEKLY, interval=rule.interval, byweekday=days, wkst=rrule.MO, **common)
    elif rule.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        day = rule.month_day or 1
        # "The 31st" is the last day of a shorter month: the last of days 28..31 that exists in the month.
        by_day = list(range(28, day + 1)) if day >= 29 else [day]
        setpos = -1 if day >= 29 else None
        # Quarters are calendar quarters, as accounting and plans count them.
        months = QUARTER_MONTHS if rule.frequency is Frequency.QUARTERLY else None
        dtstart_month = datetime.combine(rule.start.replace(day=1), rule.at)
        rr = rrule.rrule(
            rrule.MONTHLY,
            bymonth=months,
            bymonthday=by_day,
            bysetpos=setpos,
            **{**common, "dtstart": dtstart_month},
        )
    elif rule.frequency is Frequency.LAST_WORKDAY:
        rr = rrule.rrule(rrule.MONTHLY, byweekday=[_RRULE_DAYS[d] for d in WORKDAYS], bysetpos=-1, **common)
    else:  # pragma: no cover - every Frequency is handled above
        raise ScheduleError(f"unknown frequency {rule.frequency}")
    begin = max(datetime.combine(from_day, time.min), dtstart)
    for moment in rr.xafter(begin, inc=True):
        if moment.date() >= rule.start:
            yield moment


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall-clock time as an aware UTC moment: a time in a DST gap moves to the first valid minute
    after the gap; an ambiguous time takes its first instance."""
    aware = local.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:  # it does not exist: walk forward to the end of the gap
        probe = local
        for _ in range(24 * 60):
            probe += timedelta(minutes=1)
            candidate = probe.replace(tzinfo=zone, fold=0)
            if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == probe:
                return candidate.astimezone(UTC)
        raise ScheduleError(f"no valid local time after {local}")  # pragma: no cover - gaps last hours
    return aware.astimezone(UTC)


def next_occurrence(rule: Rule, timezone: str, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after` (aware), as aware UTC; None when the rule has no more."""
    if after.tzinfo is None:
        raise ValueError("`after` must be aware")
    zone = ZoneInfo(timezone)
    # Start a day early: a local time near midnight may map to an earlier UTC date.
    from_day = after.astimezone(zone).date() - timedelta(days=1)
    for local in _local_candidates(rule, from_day):
        moment = to_utc(local, zone)
        if moment > after:
            return moment
    return None


def occurrences_between(rule: Rule, timezone: str, after: datetime, until: datetime) -> list[datetime]:
    """Occurrences in (after, until], oldest first (for catching up after downtime)."""
    found: list[datetime] = []
    cursor = after
    while True:
        moment = next_occurrence(rule, timezone, cursor)
        if moment is None or moment > until:
            return found
        found.append(moment)
        cursor = moment
