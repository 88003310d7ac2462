"""The head's rituals as an iCalendar file (RFC 5545) to import into Google Calendar or Outlook. Pure: no
aiogram, no storage; written with the icalendar library.

One VEVENT per reminder: DTSTART is the rule's first occurrence as a local wall-clock time with the recipient's
TZID (a VTIMEZONE is added for each zone), RRULE is translated from `domain.schedules.Rule`, the UID is stable
(the reminder's id and our domain: importing the file again updates the events instead of doubling them).

How each rule is written (the calendar fires on the same local days and times as the bot):
- once: no RRULE;
- daily: FREQ=DAILY;
- weekly on chosen days every N weeks: FREQ=WEEKLY;INTERVAL=N;BYDAY=MO,WE;WKST=MO (DTSTART is the first
  occurrence, so "every other week" keeps the bot's weeks);
- monthly on day D: BYMONTHDAY=D for D <= 28. The product reads 29-31 as "that day, or the month's last day
  when the month is shorter", so 31 is BYMONTHDAY=-1 (always the last day) and 29 / 30 are
  BYMONTHDAY=28,29(,30);BYSETPOS=-1 (the last of those days the month has) — never BYMONTHDAY=-1, which would
  move a "30th" to the 31st in long months;
- last working day: FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;
- quarterly (day D of the first month of each calendar quarter): FREQ=MONTHLY;INTERVAL=3 with the same
  BYMONTHDAY, anchored by a DTSTART in January, April, July or October.

VTIMEZONE components come from icalendar's `add_missing_timezones()` (built from the zoneinfo database; they
describe the zone's transitions up to 2038, which is as far as anyone imports a ritual calendar).

Known difference: a time that does not exist locally (inside a spring-forward gap) fires in the bot at the first
valid minute after the gap, while calendars apply RFC 5545's reading (the offset before the gap: 02:30 becomes
03:30). Reminders are set at working hours, where no zone has a gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from domain.reminders import Reminder, ReminderState
from domain.schedules import Frequency, Rule, next_occurrence

UID_DOMAIN = "rop-coach.bot"
PRODID = "-//rop-coach//rituals//RU"
EVENT_LENGTH = timedelta(minutes=15)  # a reminder is a moment; calendars show a short slot
FILE_NAME = "rituals.ics"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class CalendarTexts:
    name: str  # the calendar's name (X-WR-CALNAME)
    description: str  # each event's DESCRIPTION: done / skipped is marked in the bot


def recurrence(rule: Rule) -> dict[str, Any] | None:
    """The RRULE parts for a rule (see the module's docstring); None for a one-off."""
    if rule.frequency is Frequency.ONCE:
        return None
    if rule.frequency is Frequency.DAILY:
        return {"FREQ": "DAILY"}
    if rule.frequency is Frequency.WEEKLY:
        parts: dict[str, Any] = {"FREQ": "WEEKLY"}
        if rule.interval != 1:
            parts["INTERVAL"] = rule.interval
        parts["BYDAY"] = [_BYDAY[d] for d in rule.weekdays]
        parts["WKST"] = "MO"
        return parts
    if rule.frequency is Frequency.LAST_WORKDAY:
        return {"FREQ": "MONTHLY", "BYDAY": list(_BYDAY[:5]), "BYSETPOS": -1}
    day = rule.month_day or 1
    parts = {"FREQ": "MONTHLY"}
    if rule.frequency is Frequency.QUARTERLY:
        parts["INTERVAL"] = 3
    if day <= 28:
        parts["BYMONTHDAY"] = day
    elif day == 31:
        parts["BYMONTHDAY"] = -1
    else:
        parts["BYMONTHDAY"] = list(range(28, day + 1))
        parts["BYSETPOS"] = -1
    return parts


def first_local(rule: Rule, timezone: str) -> datetime | None:
    """The rule's first occurrence as an aware local wall-clock time (the rule's own time of day)."""
    zone = ZoneInfo(timezone)
    before_start = datetime.combine(rule.start - timedelta(days=1), time.min, tzinfo=zone)
    first = next_occurrence(rule, timezone, before_start)
    if first is None:
        return None
    return datetime.combine(first.astimezone(zone).date(), rule.at, tzinfo=zone)


def uid(reminder_id: int, domain: str = UID_DOMAIN) -> str:
    return f"reminder-{reminder_id}@{domain}"


def build_calendar(reminders: Iterable[Reminder], texts: CalendarTexts, now: datetime) -> bytes:
    """The .ics bytes: one event per active reminder (paused and finished ones are left out)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", texts.name)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for reminder in reminders:
        if reminder.state is not ReminderState.ACTIVE:
            continue
        start = first_local(reminder.rule, reminder.timezone)
        if start is None:
            continue
        event = Event()
        event.add("uid", uid(reminder.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("duration", EVENT_LENGTH)
        event.add("summary", reminder.title)
        event.add("description", texts.description)
        parts = recurrence(reminder.rule)
        if parts is not None:
            event.add("rrule", parts)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
