"""Reading a reminder from a plain Russian phrase: «завтра в 9:30 созвон с Иваном» → a schedule rule and a title.

A phrase starts with *when* and goes on with *what*: an optional time, one day part, an optional time, then the
title («в 9:30 завтра …» reads like «завтра в 9:30 …»). The day part is one of:

    сегодня · завтра · послезавтра · через N минут/часов/дней/недель · через час · через полчаса
    [в] пятницу · 30 декабря [2027] · 5.12 · 05.12.2026
    каждый день · ежедневно · по будням · по выходным · каждый понедельник · каждую среду и пятницу
    по понедельникам и четвергам · каждые 2 недели в пятницу · каждое 5 число · каждый месяц 5 числа
    ежемесячно 31 числа · в последний рабочий день месяца · каждый квартал 1 числа · ежеквартально 1 числа

A time is «в 9», «в 9:30», «в 09:30», «в 9.30», «в 9 утра», «в 7 вечера», «в 9 часов»; without «в» only «9:30» or
«9 утра» count as a time (a bare «9» or «9.30» would be a guess: a number of the title, or a date).

Decisions (nothing is guessed; what is not understood is UNKNOWN):
- No day, only a time («в 9:30 …»): today if that time is still ahead, otherwise tomorrow.
- No time: the default time (09:00) — also for «через 3 дня …», which means that day at the default time, like
  «послезавтра …». «Через N минут/часов» counts from now (to the minute) and takes no time of its own.
- A weekday («в пятницу»): today if it is that day and the time is still ahead, otherwise the next one.
- A date without a year: this year if still ahead, otherwise next year («29 февраля» when neither has one:
  BAD_DATE). A date with a year that has passed is PAST, and so is «сегодня в 8:00» at 9:00.
- Recurring rules start today (the local date of now) and are never past: they fire at their next occurrence.
  Quarterly rules count their months from that start (see Frequency.QUARTERLY).
- «в последний рабочий день» needs «месяца»; «каждые 2 недели», «каждый месяц», «ежеквартально» need a weekday
  or a day of the month: UNKNOWN otherwise.
- The title must not start with something that looks like a time: «завтра в 9 в 10 …», «завтра в 9 30 …»,
  «завтра в 9ч …», «через час в 10 …» are UNKNOWN rather than a reminder with the time in its title.
- A leading «/remind» (or «/remind@bot») and «напомни (мне)» are skipped.
- «через N часов» ending in the repeated hour of an autumn DST change cannot be a wall-clock rule (the rule fires
  at the first instance): it reads as PAST. A rare edge, left as is.

Errors are checked in this order: UNKNOWN / BAD_TIME / BAD_DATE while reading, then PAST, then NO_TITLE.
Pure: no aiogram, no storage, no clock (now is passed in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.schedules import WORKDAYS, Frequency, Rule, to_utc

MAX_WEEK_INTERVAL = 52


class PhraseErrorCode(StrEnum):
    UNKNOWN = "unknown"  # cannot read when
    NO_TITLE = "no_title"  # nothing after the time
    PAST = "past"  # the moment has already passed
    BAD_DATE = "bad_date"  # 30 февраля, 31 апреля, the 32nd
    BAD_TIME = "bad_time"  # 25:00, 9:75, «13 утра»


class PhraseError(DomainError):
    """A phrase the parser cannot turn into a reminder; the text (with examples) is `schedules.errors.<code>`."""

    text_key = "schedules.errors.unknown"

    def __init__(self, code: PhraseErrorCode) -> None:
        super().__init__(code.value)
        self.code = code
        self.text_key = f"schedules.errors.{code.value}"


@dataclass(frozen=True, slots=True)
class ParsedReminder:
    rule: Rule
    title: str  # as typed (case and «ё» kept), without the leading separators


# --- word tables (data for the grammar, not user-facing text) -----------------------------------------------------

_WEEKDAY_ONE = {  # «в пятницу», «каждую пятницу», «пятница»
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4, "пятница": 4,
    "субботу": 5, "суббота": 5, "воскресенье": 6, "воскресение": 6,
    "пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "вс": 6,
}  # fmt: skip
_WEEKDAY_MANY = {  # «по понедельникам»
    "понедельникам": 0, "вторникам": 1, "средам": 2, "четвергам": 3, "пятницам": 4, "субботам": 5,
    "воскресеньям": 6, "воскресениям": 6,
    "пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "вс": 6,
}  # fmt: skip
_MONTHS = {  # genitive, and the usual abbreviations
    "января": 1, "янв": 1, "февраля": 2, "фев": 2, "февр": 2, "марта": 3, "мар": 3, "апреля": 4, "апр": 4,
    "мая": 5, "июня": 6, "июн": 6, "июля": 7, "июл": 7, "августа": 8, "авг": 8, "сентября": 9, "сен": 9,
    "сент": 9, "октября": 10, "окт": 10, "ноября": 11, "ноя": 11, "нояб": 11, "декабря": 12, "дек": 12,
}  # fmt: skip
_NUMBERS = {
    "один": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10,
}  # fmt: skip
_UNITS = {  # «через N …»: the unit, by word form
    "минуту": "minutes", "минуты": "minutes", "минут": "minutes", "мин": "minutes",
    "час": "hours", "часа": "hours", "часов": "hours",
    "день": "days", "дня": "days", "дней": "days", "сутки": "days", "суток": "days",
    "неделю": "weeks", "недели": "weeks", "недель": "weeks",
}  # fmt: skip
_HALVES = {"полчаса": timedelta(minutes=30), "полтора часа": timedelta(minutes=90)}
_RELATIVE_DAYS = {"сегодня": 0, "завтра": 1, "послезавтра": 2}
_WEEKENDS = (5, 6)


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of words, longest first (so «пятницам» is not read as «пятница» + «м»)."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


def _days_list(words: str) -> str:
    """One or more weekdays: «среду и пятницу», «понедельникам, средам и пятницам», «пн, ср»."""
    sep = r"(?:\s*,\s*(?:и\s+)?|\s+и\s+)(?:кажд(?:ый|ую|ое)\s+)?"
    return rf"(?P<days>(?:{words})(?:{sep}(?:{words}))*)(?!\w)"


_END = r"(?!\w)"
_NUM = rf"(?:[0-9]{{1,3}}|{_alt(_NUMBERS)})"
_ONE_WORDS = _alt(_WEEKDAY_ONE)
_MANY_WORDS = _alt(_WEEKDAY_MANY)

# A time of day. `v` («в») or `sep` «:» or `part` («утра») make it a time inside a phrase; a bare «9» does not.
_TIME_CORE = (
    r"(?P<h>[0-9]{1,2})(?:(?P<sep>[:.])(?P<m>[0-9]{2})(?![0-9])|(?![:.]?[0-9]))"
    r"(?:\s+час(?:а|ов)?(?!\w))?(?:\s+(?P<part>утра|дня|вечера|ночи)(?!\w))?"
)
_TIME = re.compile(rf"(?:(?P<v>в)\s+)?{_TIME_CORE}{_END}")
_TIME_ALONE = re.compile(rf"(?:в\s+)?{_TIME_CORE}")
_MINUTES_APART = re.compile(r"[0-9]{2}(?!\w)")  # «в 9 30»: 9:30, or 9:00 and «30 …»?
_TIME_LEFT = re.compile(r"во?\s+[0-9]|[0-9]{1,2}[:.][0-9]")  # «в 9ч», «10.00», «в 2 …» after the when part

_LEAD = re.compile(r"(?:/remind(?:@\w+)?(?!\w))?\s*(?:напомни(?:те)?(?:\s+мне)?(?!\w))?")
_GAP = re.compile(r"[\s,]*")
_TITLE_LEAD = re.compile(r"^[\s,.:;!—–-]+")

_IN = re.compile(rf"через\s+(?:(?P<n>{_NUM})\s+)?(?P<unit>{_alt(_UNITS)}){_END}")
_IN_HALF = re.compile(rf"через\s+(?P<half>{_alt(_HALVES)}){_END}")
_RELATIVE_DAY = re.compile(rf"(?P<word>{_alt(_RELATIVE_DAYS)}){_END}")
_DATE_WORDS = re.compile(
    rf"(?P<d>[0-9]{{1,2}})(?:-?го|-?е)?\s+(?P<mon>{_alt(_MONTHS)})\.?(?:\s+(?P<y>[0-9]{{4}})(?:\s*(?:года|г)\.?)?)?{_END}"
)
_DATE_NUMBERS = re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})(?:\.(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9]|\.[0-9])")

_DAILY = re.compile(rf"(?:каждый\s+день|ежедневно){_END}")
_WORKDAYS_WORDS = re.compile(
    rf"(?:по\s+будн(?:ям|им\s+дням)|в\s+будни|кажд(?:ый|ого)\s+будн(?:ий|его)\s+(?:день|дня)"
    rf"|по\s+рабочим\s+дням|в\s+рабочие\s+дни|каждый\s+рабочий\s+день){_END}"
)
_WEEKENDS_WORDS = re.compile(rf"(?:по\s+выходным(?:\s+дням)?|в\s+выходные(?:\s+дни)?){_END}")
_EVERY_WEEKS = re.compile(
    rf"(?:кажд(?:ую|ая)\s+неделю|каждые\s+(?P<n>{_NUM})\s+недел[иь]|раз\s+в\s+(?:(?P<n2>{_NUM})\s+)?недел[июь]){_END}"
)
_EVERY_WEEKDAYS = re.compile(rf"кажд(?:ый|ую|ое)\s+{_days_list(_ONE_WORDS)}")
_ON_WEEKDAYS = re.compile(rf"(?:во?\s+)?{_days_list(_ONE_WORDS)}")
_BY_WEEKDAYS = re.compile(rf"по\s+{_days_list(_MANY_WORDS)}")
_MONTH_DAY = r"(?P<d>[0-9]{1,2})(?:(?:-?го)?\s+числа|-?го)"
_EVERY_MONTH_DAY = re.compile(
    rf"(?:каждое\s+(?P<day>[0-9]{{1,2}})(?:-?е)?\s+число(?:\s+месяца)?|{_MONTH_DAY}\s+каждого\s+месяца){_END}"
)
_EVERY_MONTH = re.compile(rf"(?:каждый\s+месяц|ежемесячно){_END}")
_EVERY_QUARTER = re.compile(rf"(?:каждый\s+квартал|ежеквартально|раз\s+в\s+квартал){_END}")
_MONTH_DAY_ONLY = re.compile(rf"{_MONTH_DAY}{_END}")
_LAST_WORKDAY = re.compile(rf"(?:в\s+)?(?:каждый\s+)?последний\s+рабочий\s+день\s+(?:каждого\s+)?месяца{_END}")


# --- what the day part reads as -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Recurrence:
    frequency: Frequency
    weekdays: tuple[int, ...] = ()
    interval: int = 1
    month_day: int | None = None


@dataclass(frozen=True, slots=True)
class _Days:
    candidates: tuple[date, ...]  # the first one whose moment is still ahead; none ahead: PAST


@dataclass(frozen=True, slots=True)
class _Exact:
    local: datetime  # naive local wall-clock time («через 2 часа»), takes no time of day of its own


_Spec = _Recurrence | _Days | _Exact


class _Cursor:
    """The normalised phrase and how far it has been read; commas and spaces between parts are skipped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        start = _GAP.match(self.text, self.pos)
        return pattern.match(self.text, start.end() if start else self.pos)

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        found = self.peek(pattern)
        if found is not None:
            self.pos = found.end()
        return found


# --- public API ---------------------------------------------------------------------------------------------------


def parse_reminder(text: str, now_local: datetime, default_time: time = time(9, 0)) -> ParsedReminder:
    """Read «<when> <what>»; `now_local` is aware in the user's zone (a ZoneInfo). Raises PhraseError."""
    zone = now_local.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise ValueError("now_local must be aware in a ZoneInfo time zone")
    cursor = _Cursor(_normalize(text))
    cursor.take(_LEAD)
    first_time = _read_time(cursor)
    spec = _read_spec(cursor, now_local)
    if spec is None:
        if first_time is None:
            raise PhraseError(PhraseErrorCode.UNKNOWN)
        today = now_local.date()
        spec = _Days((today, today + timedelta(days=1)))
    if isinstance(spec, _Exact):
        if first_time is not None:
            raise PhraseError(PhraseErrorCode.UNKNOWN)
        _check_no_time_left(cursor)
        rule = Rule(Frequency.ONCE, at=spec.local.time(), start=spec.local.date())
        _check_ahead(rule, zone, now_local)
    else:
        second_time = _read_time(cursor)
        if first_time is not None and second_time is not None:
            raise PhraseError(PhraseErrorCode.UNKNOWN)
        _check_no_time_left(cursor)
        at = first_time if first_time is not None else second_time
        rule = _rule(spec, at if at is not None else default_time, zone, now_local)
    title = _TITLE_LEAD.sub("", text[cursor.pos :]).strip()
    if not title:
        raise PhraseError(PhraseErrorCode.NO_TITLE)
    return ParsedReminder(rule=rule, title=title)


def parse_time_of_day(text: str) -> time:
    """A typed time: «9:30», «09:30», «9», «9.30», «21:05», also «в 9», «7 вечера». Raises PhraseError(BAD_TIME)."""
    found = _TIME_ALONE.fullmatch(_normalize(text).strip())
    if found is None:
        raise PhraseError(PhraseErrorCode.BAD_TIME)
    return _time_of(found)


# --- reading ------------------------------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    """Lower case, «ё» as «е», character for character (so a position in it is a position in the original)."""
    out = []
    for char in text:
        low = char.lower()
        out.append(("е" if low == "ё" else low) if len(low) == 1 else char)
    return "".join(out)


def _read_time(cursor: _Cursor) -> time | None:
    found = cursor.peek(_TIME)
    if found is None or not (found["v"] or found["sep"] == ":" or found["part"]):
        return None
    cursor.take(_TIME)
    if not (found["sep"] or found["part"]) and cursor.peek(_MINUTES_APART):
        raise PhraseError(PhraseErrorCode.UNKNOWN)
    return _time_of(found)


def _check_no_time_left(cursor: _Cursor) -> None:
    """What follows the when part must not look like a time: «завтра в 9 в 10 …» (which one?), «завтра в 9ч …»,
    «через час в 10 …» would otherwise put a time the user meant into the title."""
    if _read_time(cursor) is not None or cursor.peek(_TIME_LEFT):
        raise PhraseError(PhraseErrorCode.UNKNOWN)


def _time_of(found: re.Match[str]) -> time:
    hour, minute, part = int(found["h"]), int(found["m"] or 0), found["part"]
    if part is not None:
        hour = _hour_of_day(hour, part)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise PhraseError(PhraseErrorCode.BAD_TIME)
    return time(hour, minute)


def _hour_of_day(hour: int, part: str) -> int:
    """«9 утра» 9, «3 дня» 15, «7 вечера» 19, «11 ночи» 23, «12 ночи» 0, «2 ночи» 2; a 24-hour clock hour that
    agrees is kept («19 вечера»); anything else («13 утра», «7 ночи») is BAD_TIME."""
    if part == "утра" and 1 <= hour <= 11:
        return hour
    if part == "дня" and (hour == 12 or 1 <= hour <= 5 or 13 <= hour <= 17):
        return hour + 12 if hour <= 5 else hour
    if part == "вечера" and (4 <= hour <= 11 or 16 <= hour <= 23):
        return hour + 12 if hour <= 11 else hour
    if part == "ночи" and (hour in (9, 10, 11, 12, 21, 22, 23) or 0 <= hour <= 5):
        return {9: 21, 10: 22, 11: 23, 12: 0}.get(hour, hour)
    raise PhraseError(PhraseErrorCode.BAD_TIME)


def _read_spec(cursor: _Cursor, now: datetime) -> _Spec | None:
    if found := cursor.take(_IN):
        return _relative(found, now)
    if found := cursor.take(_IN_HALF):
        return _Exact(_after(now, _HALVES[" ".join(found["half"].split())]))
    return _read_recurrence(cursor) or _read_day(cursor, now.date())


def _read_recurrence(cursor: _Cursor) -> _Recurrence | None:
    if cursor.take(_DAILY):
        return _Recurrence(Frequency.DAILY)
    if cursor.take(_WORKDAYS_WORDS):
        return _Recurrence(Frequency.WEEKLY, weekdays=WORKDAYS)
    if cursor.take(_WEEKENDS_WORDS):
        return _Recurrence(Frequency.WEEKLY, weekdays=_WEEKENDS)
    if found := cursor.take(_EVERY_WEEKS):
        interval = _number(found["n"] or found["n2"] or "1")
        listed = cursor.take(_ON_WEEKDAYS) or cursor.take(_BY_WEEKDAYS)
        if listed is None or not 1 <= interval <= MAX_WEEK_INTERVAL:
            raise PhraseError(PhraseErrorCode.UNKNOWN)
        return _Recurrence(Frequency.WEEKLY, weekdays=_weekdays(listed["days"]), interval=interval)
    if found := cursor.take(_EVERY_WEEKDAYS) or cursor.take(_BY_WEEKDAYS):
        return _Recurrence(Frequency.WEEKLY, weekdays=_weekdays(found["days"]))
    if found := cursor.take(_EVERY_MONTH_DAY):
        return _Recurrence(Frequency.MONTHLY, month_day=_month_day(found["day"] or found["d"]))
    for keyword, frequency in ((_EVERY_MONTH, Frequency.MONTHLY), (_EVERY_QUARTER, Frequency.QUARTERLY)):
        if cursor.take(keyword):
            day = cursor.take(_MONTH_DAY_ONLY)
            if day is None:
                raise PhraseError(PhraseErrorCode.UNKNOWN)
            return _Recurrence(frequency, month_day=_month_day(day["d"]))
    if cursor.take(_LAST_WORKDAY):
        return _Recurrence(Frequency.LAST_WORKDAY)
    return None


def _read_day(cursor: _Cursor, today: date) -> _Days | None:
    if found := cursor.take(_RELATIVE_DAY):
        return _Days((today + timedelta(days=_RELATIVE_DAYS[found["word"]]),))
    if found := cursor.take(_ON_WEEKDAYS):
        weekdays = _weekdays(found["days"])
        if len(weekdays) != 1:  # «в среду и пятницу»: once on each, or every week? Not a guess to make.
            raise PhraseError(PhraseErrorCode.UNKNOWN)
        first = today + timedelta(days=(weekdays[0] - today.weekday()) % 7)
        return _Days((first, first + timedelta(days=7)))
    if found := cursor.take(_DATE_WORDS):
        return _date(today, int(found["d"]), _MONTHS[found["mon"]], found["y"])
    if found := cursor.take(_DATE_NUMBERS):
        return _date(today, int(found["d"]), int(found["m"]), found["y"])
    return None


def _relative(found: re.Match[str], now: datetime) -> _Spec:
    count = _number(found["n"] or "1")
    if count < 1:
        raise PhraseError(PhraseErrorCode.UNKNOWN)
    unit = _UNITS[found["unit"]]
    if unit == "minutes":
        return _Exact(_after(now, timedelta(minutes=count)))
    if unit == "hours":
        return _Exact(_after(now, timedelta(hours=count)))
    days = count * 7 if unit == "weeks" else count
    return _Days((now.date() + timedelta(days=days),))


def _after(now: datetime, delta: timedelta) -> datetime:
    """Naive local wall-clock time `delta` of real time after `now` (to the minute)."""
    moment = now.astimezone(UTC).replace(second=0, microsecond=0) + delta
    return moment.astimezone(now.tzinfo).replace(tzinfo=None)


def _number(token: str) -> int:
    return _NUMBERS[token] if token in _NUMBERS else int(token)


def _weekdays(words: str) -> tuple[int, ...]:
    found = re.findall(rf"(?<!\w)(?:{_MANY_WORDS}|{_ONE_WORDS})(?!\w)", words)
    return tuple(sorted({_WEEKDAY_ONE.get(word, _WEEKDAY_MANY.get(word, -1)) for word in found}))


def _month_day(token: str) -> int:
    day = int(token)
    if not 1 <= day <= 31:
        raise PhraseError(PhraseErrorCode.BAD_DATE)
    return day


def _date(today: date, day: int, month: int, year_token: str | None) -> _Days:
    if year_token is not None:
        year = int(year_token) + (2000 if len(year_token) == 2 else 0)
        try:
            return _Days((date(year, month, day),))
        except ValueError:
            raise PhraseError(PhraseErrorCode.BAD_DATE) from None
    candidates = []
    for year in (today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 30 февраля never exists; 29 февраля only in a leap year
    if not candidates:
        raise PhraseError(PhraseErrorCode.BAD_DATE)
    return _Days(tuple(candidates))


def _rule(spec: _Recurrence | _Days, at: time, zone: ZoneInfo, now: datetime) -> Rule:
    if isinstance(spec, _Recurrence):
        return Rule(
            spec.frequency,
            at=at,
            start=now.date(),
            weekdays=spec.weekdays,
            interval=spec.interval,
            month_day=spec.month_day,
        )
    for day in spec.candidates:
        if to_utc(datetime.combine(day, at), zone) > now:
            return Rule(Frequency.ONCE, at=at, start=day)
    raise PhraseError(PhraseErrorCode.PAST)


def _check_ahead(rule: Rule, zone: ZoneInfo, now: datetime) -> None:
    if to_utc(datetime.combine(rule.start, rule.at), zone) <= now:
        raise PhraseError(PhraseErrorCode.PAST)
