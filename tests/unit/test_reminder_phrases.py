"""Reading /remind phrases (domain/reminder_phrases.py): every expected rule and title is written by hand.

Calendar used: 2026-11-30 is a Monday, 2026-12-04 a Friday, 2026-12-27 a Sunday, 2026-12-30 a Wednesday,
2027-03-01 a Monday. Berlin moves to summer time on 2026-03-29 at 02:00 (→ 03:00), New York on 2026-03-08.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.reminder_phrases import (
    ParsedReminder,
    PhraseError,
    PhraseErrorCode,
    parse_reminder,
    parse_time_of_day,
)
from domain.schedules import Frequency, Rule


def at(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone))


MONDAY = at("Europe/Moscow", 2026, 11, 30, 9)  # the main base: Monday 30 November 2026, 09:00 in Moscow
FRIDAY_BERLIN = at("Europe/Berlin", 2026, 12, 4, 12)  # Friday noon
SUNDAY_NIGHT_KOLKATA = at("Asia/Kolkata", 2026, 12, 27, 23, 30)  # Sunday, half an hour before midnight
DEC30_MOSCOW = at("Europe/Moscow", 2026, 12, 30, 10)  # Wednesday 30 December, 10:00
BERLIN_DST_NIGHT = at("Europe/Berlin", 2026, 3, 29, 1, 30)  # half an hour before the clocks jump 02:00 → 03:00
NEW_YORK_SATURDAY = at("America/New_York", 2026, 3, 7, 12)  # the day before the clocks jump
MARCH_2027 = at("Europe/Moscow", 2027, 3, 1, 9)  # Monday 1 March 2027


def once(day: date, hh_mm: str) -> Rule:
    return Rule(Frequency.ONCE, at=time.fromisoformat(hh_mm), start=day)


def weekly(start: date, hh_mm: str, *weekdays: int, interval: int = 1) -> Rule:
    return Rule(Frequency.WEEKLY, at=time.fromisoformat(hh_mm), start=start, weekdays=weekdays, interval=interval)


def daily(start: date, hh_mm: str) -> Rule:
    return Rule(Frequency.DAILY, at=time.fromisoformat(hh_mm), start=start)


def monthly(start: date, hh_mm: str, day: int) -> Rule:
    return Rule(Frequency.MONTHLY, at=time.fromisoformat(hh_mm), start=start, month_day=day)


def quarterly(start: date, hh_mm: str, day: int) -> Rule:
    return Rule(Frequency.QUARTERLY, at=time.fromisoformat(hh_mm), start=start, month_day=day)


def last_workday(start: date, hh_mm: str) -> Rule:
    return Rule(Frequency.LAST_WORKDAY, at=time.fromisoformat(hh_mm), start=start)


NOV30 = date(2026, 11, 30)

# (now, phrase, rule, title)
PHRASES: list[tuple[datetime, str, Rule, str]] = [
    # days relative to today
    (MONDAY, "завтра в 9:30 созвон с Иваном", once(date(2026, 12, 1), "09:30"), "созвон с Иваном"),
    (MONDAY, "послезавтра в 18 отправить КП", once(date(2026, 12, 2), "18:00"), "отправить КП"),
    (MONDAY, "сегодня в 17:00 планёрка", once(NOV30, "17:00"), "планёрка"),
    (MONDAY, "завтра созвон", once(date(2026, 12, 1), "09:00"), "созвон"),
    # only a time: today if still ahead, otherwise tomorrow
    (MONDAY, "в 9:30 разбор звонков", once(NOV30, "09:30"), "разбор звонков"),
    (MONDAY, "в 8:30 разбор звонков", once(date(2026, 12, 1), "08:30"), "разбор звонков"),
    (MONDAY, "в 9:00 разбор звонков", once(date(2026, 12, 1), "09:00"), "разбор звонков"),  # now is not ahead
    (MONDAY, "в 3 дня созвон", once(NOV30, "15:00"), "созвон"),
    (MONDAY, "в 12 ночи выгрузить отчёт", once(date(2026, 12, 1), "00:00"), "выгрузить отчёт"),
    (SUNDAY_NIGHT_KOLKATA, "в 9:30 стендап", once(date(2026, 12, 28), "09:30"), "стендап"),
    # «через»: minutes and hours from now; days and weeks at the default time unless a time is given
    (MONDAY, "через 2 часа перезвонить клиенту", once(NOV30, "11:00"), "перезвонить клиенту"),
    (MONDAY, "через 2 минуты проверить почту", once(NOV30, "09:02"), "проверить почту"),
    (MONDAY, "через 5 мин. позвонить", once(NOV30, "09:05"), "позвонить"),
    (MONDAY, "через 30 минут созвон", once(NOV30, "09:30"), "созвон"),
    (MONDAY, "через час отчёт", once(NOV30, "10:00"), "отчёт"),
    (MONDAY, "через минуту тест", once(NOV30, "09:01"), "тест"),
    (MONDAY, "через полчаса созвон", once(NOV30, "09:30"), "созвон"),
    (MONDAY, "через полтора часа созвон", once(NOV30, "10:30"), "созвон"),
    (MONDAY, "через два часа созвон", once(NOV30, "11:00"), "созвон"),
    (MONDAY, "через 3 дня сверить оплату", once(date(2026, 12, 3), "09:00"), "сверить оплату"),
    (MONDAY, "через 3 дня в 15:00 сверить оплату", once(date(2026, 12, 3), "15:00"), "сверить оплату"),
    (MONDAY, "через день проверить", once(date(2026, 12, 1), "09:00"), "проверить"),
    (MONDAY, "через неделю разбор", once(date(2026, 12, 7), "09:00"), "разбор"),
    (MONDAY, "через 2 недели разбор", once(date(2026, 12, 14), "09:00"), "разбор"),
    (at("Europe/Moscow", 2026, 11, 30, 9, 0, 45), "через 2 минуты звонок", once(NOV30, "09:02"), "звонок"),
    (SUNDAY_NIGHT_KOLKATA, "через час созвон", once(date(2026, 12, 28), "00:30"), "созвон"),
    (SUNDAY_NIGHT_KOLKATA, "через 45 минут созвон", once(date(2026, 12, 28), "00:15"), "созвон"),
    (BERLIN_DST_NIGHT, "через 2 часа созвон", once(date(2026, 3, 29), "04:30"), "созвон"),  # 2 real hours
    (BERLIN_DST_NIGHT, "через 30 минут созвон", once(date(2026, 3, 29), "03:00"), "созвон"),
    (NEW_YORK_SATURDAY, "через 24 часа созвон", once(date(2026, 3, 8), "13:00"), "созвон"),
    # weekdays: the next one; today when it is that day and the time is still ahead
    (MONDAY, "в пятницу в 16:00 итоги недели", once(date(2026, 12, 4), "16:00"), "итоги недели"),
    (MONDAY, "в понедельник позвонить в банк", once(date(2026, 12, 7), "09:00"), "позвонить в банк"),
    (at("Europe/Moscow", 2026, 11, 30, 8), "в понедельник позвонить", once(NOV30, "09:00"), "позвонить"),
    (MONDAY, "во вторник в 11:00 встреча", once(date(2026, 12, 1), "11:00"), "встреча"),
    (MONDAY, "в пт в 16:00 итоги", once(date(2026, 12, 4), "16:00"), "итоги"),
    (MONDAY, "в воскресенье в 20:00 план недели", once(date(2026, 12, 6), "20:00"), "план недели"),
    (FRIDAY_BERLIN, "в пятницу в 16:00 итоги недели", once(date(2026, 12, 4), "16:00"), "итоги недели"),
    (FRIDAY_BERLIN, "в пятницу в 11:00 итоги недели", once(date(2026, 12, 11), "11:00"), "итоги недели"),
    (FRIDAY_BERLIN, "в пятницу итоги недели", once(date(2026, 12, 11), "09:00"), "итоги недели"),
    (SUNDAY_NIGHT_KOLKATA, "в понедельник отчёт", once(date(2026, 12, 28), "09:00"), "отчёт"),
    # dates
    (MONDAY, "30 декабря подвести итоги года", once(date(2026, 12, 30), "09:00"), "подвести итоги года"),
    (MONDAY, "30 декабря в 15:00 корпоратив", once(date(2026, 12, 30), "15:00"), "корпоратив"),
    (MONDAY, "5.12 в 10:00 разбор воронки", once(date(2026, 12, 5), "10:00"), "разбор воронки"),
    (MONDAY, "05.12.2026 10:00 разбор воронки", once(date(2026, 12, 5), "10:00"), "разбор воронки"),
    (MONDAY, "05.12.26 в 10:00 разбор", once(date(2026, 12, 5), "10:00"), "разбор"),
    (MONDAY, "15 января 2027 в 10:00 планы на год", once(date(2027, 1, 15), "10:00"), "планы на год"),
    (MONDAY, "1 марта в 10:00 сверка", once(date(2027, 3, 1), "10:00"), "сверка"),  # 1 March 2026 is past
    (MONDAY, "30 ноября в 10:00 сверка", once(NOV30, "10:00"), "сверка"),
    (MONDAY, "30 ноября в 8:00 сверка", once(date(2027, 11, 30), "08:00"), "сверка"),
    (MONDAY, "3 дек. в 10:00 сверка", once(date(2026, 12, 3), "10:00"), "сверка"),
    (SUNDAY_NIGHT_KOLKATA, "30 декабря созвон", once(date(2026, 12, 30), "09:00"), "созвон"),
    (DEC30_MOSCOW, "30 декабря подвести итоги", once(date(2027, 12, 30), "09:00"), "подвести итоги"),
    (DEC30_MOSCOW, "30 декабря в 15:00 корпоратив", once(date(2026, 12, 30), "15:00"), "корпоратив"),
    (DEC30_MOSCOW, "30.12 в 9:00 итоги", once(date(2027, 12, 30), "09:00"), "итоги"),
    (MARCH_2027, "29 февраля отчёт", once(date(2028, 2, 29), "09:00"), "отчёт"),
    (MARCH_2027, "28 февраля отчёт", once(date(2028, 2, 28), "09:00"), "отчёт"),
    # recurring: they start today and are never "past"
    (MONDAY, "каждый понедельник в 10:00 планёрка", weekly(NOV30, "10:00", 0), "планёрка"),
    (MONDAY, "каждую среду и пятницу в 11 разбор звонков", weekly(NOV30, "11:00", 2, 4), "разбор звонков"),
    (MONDAY, "по понедельникам и четвергам в 10:00 планёрка", weekly(NOV30, "10:00", 0, 3), "планёрка"),
    (MONDAY, "по будням в 9:00 утренняя планёрка", weekly(NOV30, "09:00", 0, 1, 2, 3, 4), "утренняя планёрка"),
    (MONDAY, "по будням планёрка", weekly(NOV30, "09:00", 0, 1, 2, 3, 4), "планёрка"),
    (MONDAY, "по выходным в 12:00 отдых", weekly(NOV30, "12:00", 5, 6), "отдых"),
    (MONDAY, "в будни в 9 обзор", weekly(NOV30, "09:00", 0, 1, 2, 3, 4), "обзор"),
    (MONDAY, "каждый будний день в 9 обзор", weekly(NOV30, "09:00", 0, 1, 2, 3, 4), "обзор"),
    (MONDAY, "по рабочим дням обзор", weekly(NOV30, "09:00", 0, 1, 2, 3, 4), "обзор"),
    (MONDAY, "каждый понедельник, среду и пятницу в 10 звонки", weekly(NOV30, "10:00", 0, 2, 4), "звонки"),
    (MONDAY, "по пятницам, понедельникам в 8:00 отчёт", weekly(NOV30, "08:00", 0, 4), "отчёт"),
    (MONDAY, "каждый день в 9 проверить CRM", daily(NOV30, "09:00"), "проверить CRM"),
    (MONDAY, "ежедневно в 8:30 зарядка для отдела", daily(NOV30, "08:30"), "зарядка для отдела"),
    (MONDAY, "ежедневно обзор сделок", daily(NOV30, "09:00"), "обзор сделок"),
    (MONDAY, "каждые 2 недели в пятницу в 15:00 one-to-one", weekly(NOV30, "15:00", 4, interval=2), "one-to-one"),
    (MONDAY, "каждые 2 недели по пятницам в 15:00 встреча 1:1", weekly(NOV30, "15:00", 4, interval=2), "встреча 1:1"),
    (
        MONDAY,
        "раз в 3 недели в понедельник и среду в 10 обучение",
        weekly(NOV30, "10:00", 0, 2, interval=3),
        "обучение",
    ),
    (MONDAY, "каждую неделю в четверг в 12:00 отчёт", weekly(NOV30, "12:00", 3), "отчёт"),
    (MONDAY, "каждое 5 число в 10:00 отчёт по плану", monthly(NOV30, "10:00", 5), "отчёт по плану"),
    (MONDAY, "каждый месяц 5 числа в 10:00 отчёт по плану", monthly(NOV30, "10:00", 5), "отчёт по плану"),
    (MONDAY, "каждый месяц 5-го числа в 10:00 отчёт", monthly(NOV30, "10:00", 5), "отчёт"),
    (MONDAY, "ежемесячно 31 числа закрыть месяц", monthly(NOV30, "09:00", 31), "закрыть месяц"),
    (MONDAY, "10 числа каждого месяца в 12:00 зарплата", monthly(NOV30, "12:00", 10), "зарплата"),
    (DEC30_MOSCOW, "ежемесячно 31 числа закрыть месяц", monthly(date(2026, 12, 30), "09:00", 31), "закрыть месяц"),
    (MONDAY, "в последний рабочий день месяца в 17:00 итоги месяца", last_workday(NOV30, "17:00"), "итоги месяца"),
    (
        MONDAY,
        "каждый квартал 1 числа в 10:00 стратегическая сессия",
        quarterly(NOV30, "10:00", 1),
        "стратегическая сессия",
    ),
    (MONDAY, "ежеквартально 1 числа пересмотр KPI", quarterly(NOV30, "09:00", 1), "пересмотр KPI"),
    (MONDAY, "раз в квартал, 1-го числа, в 10:00 сессия", quarterly(NOV30, "10:00", 1), "сессия"),
    (FRIDAY_BERLIN, "каждую пятницу в 10:00 итоги", weekly(date(2026, 12, 4), "10:00", 4), "итоги"),
    # time forms, case, «ё», punctuation, a leading command
    (MONDAY, "завтра в 9 утра созвон", once(date(2026, 12, 1), "09:00"), "созвон"),
    (MONDAY, "завтра в 7 вечера созвон", once(date(2026, 12, 1), "19:00"), "созвон"),
    (MONDAY, "завтра в 11 ночи выгрузка", once(date(2026, 12, 1), "23:00"), "выгрузка"),
    (MONDAY, "завтра в 2 ночи выгрузка", once(date(2026, 12, 1), "02:00"), "выгрузка"),
    (MONDAY, "завтра в 09:30 созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "завтра в 9.30 созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "завтра в 10 часов созвон", once(date(2026, 12, 1), "10:00"), "созвон"),
    (MONDAY, "завтра 9:30 созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "завтра 7 вечера созвон", once(date(2026, 12, 1), "19:00"), "созвон"),
    (MONDAY, "завтра 9 созвонов", once(date(2026, 12, 1), "09:00"), "9 созвонов"),  # a bare number is the title's
    (MONDAY, "завтра в 10:00 15 звонков", once(date(2026, 12, 1), "10:00"), "15 звонков"),
    (MONDAY, "в 9:30 завтра созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "в 10:00 каждый понедельник планёрка", weekly(NOV30, "10:00", 0), "планёрка"),
    (MONDAY, "ЗАВТРА В 9:30 Созвон с Иваном", once(date(2026, 12, 1), "09:30"), "Созвон с Иваном"),
    (MONDAY, "Ежеднёвно в 8:30 Зарядка", daily(NOV30, "08:30"), "Зарядка"),  # «ё» reads as «е»
    (MONDAY, "Завтра, в 9:30: созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "  завтра в 9:30 — созвон  \nи почта", once(date(2026, 12, 1), "09:30"), "созвон  \nи почта"),
    (MONDAY, "/remind завтра в 9:30 созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    (MONDAY, "напомни мне завтра в 9:30 созвон", once(date(2026, 12, 1), "09:30"), "созвон"),
    # DST: the rule is wall-clock; 02:30 today in Berlin fires at 03:00, which is still ahead
    (BERLIN_DST_NIGHT, "сегодня в 2:30 выгрузка", once(date(2026, 3, 29), "02:30"), "выгрузка"),
    (NEW_YORK_SATURDAY, "завтра в 9:30 созвон", once(date(2026, 3, 8), "09:30"), "созвон"),
]


@pytest.mark.parametrize(("now", "text", "rule", "title"), PHRASES, ids=[p[1] for p in PHRASES])
def test_phrase(now: datetime, text: str, rule: Rule, title: str) -> None:
    assert parse_reminder(text, now) == ParsedReminder(rule=rule, title=title)


def test_default_time_is_used_when_no_time_is_given() -> None:
    ten = time(10, 0)
    assert parse_reminder("завтра созвон", MONDAY, ten).rule == once(date(2026, 12, 1), "10:00")
    assert parse_reminder("через 3 дня созвон", MONDAY, ten).rule == once(date(2026, 12, 3), "10:00")
    assert parse_reminder("по будням планёрка", MONDAY, ten).rule == weekly(NOV30, "10:00", 0, 1, 2, 3, 4)
    assert parse_reminder("в понедельник звонок", MONDAY, ten).rule == once(NOV30, "10:00")  # 10:00 is ahead
    assert parse_reminder("завтра в 9:30 созвон", MONDAY, ten).rule == once(date(2026, 12, 1), "09:30")


def test_now_must_carry_a_zone() -> None:
    with pytest.raises(ValueError):
        parse_reminder("завтра в 9:30 созвон", datetime(2026, 11, 30, 9))


# --- errors ---------------------------------------------------------------------------------------------------------

ERRORS: list[tuple[datetime, str, PhraseErrorCode]] = [
    (MONDAY, "", PhraseErrorCode.UNKNOWN),
    (MONDAY, "   ", PhraseErrorCode.UNKNOWN),
    (MONDAY, "/remind", PhraseErrorCode.UNKNOWN),
    (MONDAY, "созвон с Иваном завтра в 9:30", PhraseErrorCode.UNKNOWN),
    (MONDAY, "когда-нибудь позвонить", PhraseErrorCode.UNKNOWN),
    (MONDAY, "в следующую пятницу созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждый месяц отчёт", PhraseErrorCode.UNKNOWN),
    (MONDAY, "ежеквартально отчёт", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждые 2 недели созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждую неделю созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждые 60 недель в пятницу созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждые 0 недель в пятницу созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "каждые 2 дня созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "через 2 часа в 10:00 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "в 10:00 через 2 часа созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "через 0 дней созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "через месяц созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтра в 9 в 10 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "в 9 в 10 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтра в 18:00 в 2 переговорке", PhraseErrorCode.UNKNOWN),  # «в 2» reads as a second time
    (MONDAY, "в последний рабочий день отчёт", PhraseErrorCode.UNKNOWN),
    (MONDAY, "в среду и пятницу в 11 созвон", PhraseErrorCode.UNKNOWN),  # once each, or every week?
    (MONDAY, "завтра в 9 30 созвон", PhraseErrorCode.UNKNOWN),  # 9:30, or 9:00 and «30 созвон»?
    (MONDAY, "завтра в 9ч созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтра в 9:30созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "10.12.2026 10.00 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "через час в 10 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "9 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтра9:30 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "в 9:305 созвон", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтрак с клиентом", PhraseErrorCode.UNKNOWN),
    (MONDAY, "завтра в 9:30", PhraseErrorCode.NO_TITLE),
    (MONDAY, "завтра в 9:30 — ", PhraseErrorCode.NO_TITLE),
    (MONDAY, "каждый день в 9", PhraseErrorCode.NO_TITLE),
    (MONDAY, "через час", PhraseErrorCode.NO_TITLE),
    (MONDAY, "по будням", PhraseErrorCode.NO_TITLE),
    (MONDAY, "/remind в 9:30", PhraseErrorCode.NO_TITLE),
    (MONDAY, "30 декабря,", PhraseErrorCode.NO_TITLE),
    (MONDAY, "сегодня в 8:00 созвон", PhraseErrorCode.PAST),
    (MONDAY, "сегодня в 9:00 созвон", PhraseErrorCode.PAST),  # exactly now is not ahead
    (MONDAY, "сегодня созвон", PhraseErrorCode.PAST),  # the default 09:00
    (MONDAY, "сегодня в 8:00", PhraseErrorCode.PAST),  # PAST is reported before NO_TITLE
    (MONDAY, "05.12.2025 10:00 разбор", PhraseErrorCode.PAST),
    (MONDAY, "30 ноября 2026 в 8:00 разбор", PhraseErrorCode.PAST),
    (MONDAY, "29.11.2026 разбор", PhraseErrorCode.PAST),
    (FRIDAY_BERLIN, "сегодня в 11:00 итоги", PhraseErrorCode.PAST),
    (MONDAY, "30 февраля созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "31 апреля созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "31.04 в 10:00 созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "29.02.2027 созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "29 февраля созвон", PhraseErrorCode.BAD_DATE),  # neither 2026 nor 2027 has one
    (MONDAY, "5.13 созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "0.12 созвон", PhraseErrorCode.BAD_DATE),
    (MONDAY, "каждое 32 число отчёт", PhraseErrorCode.BAD_DATE),
    (MONDAY, "каждый месяц 0 числа отчёт", PhraseErrorCode.BAD_DATE),
    (MONDAY, "ежеквартально 35 числа отчёт", PhraseErrorCode.BAD_DATE),
    (MONDAY, "завтра в 25:00 созвон", PhraseErrorCode.BAD_TIME),
    (MONDAY, "завтра в 9:75 созвон", PhraseErrorCode.BAD_TIME),
    (MONDAY, "в 24:00 созвон", PhraseErrorCode.BAD_TIME),
    (MONDAY, "завтра в 13 утра созвон", PhraseErrorCode.BAD_TIME),
    (MONDAY, "завтра в 7 ночи созвон", PhraseErrorCode.BAD_TIME),
    (MONDAY, "каждый день в 30:00 созвон", PhraseErrorCode.BAD_TIME),
]


@pytest.mark.parametrize(("now", "text", "code"), ERRORS, ids=[f"{e[2].value}:{e[1]}" for e in ERRORS])
def test_phrase_error(now: datetime, text: str, code: PhraseErrorCode) -> None:
    with pytest.raises(PhraseError) as caught:
        parse_reminder(text, now)
    assert caught.value.code is code


def test_every_error_code_is_exercised() -> None:
    assert {code for _, _, code in ERRORS} == set(PhraseErrorCode)


def test_phrase_error_names_its_text() -> None:
    error = PhraseError(PhraseErrorCode.BAD_DATE)
    assert isinstance(error, DomainError)
    assert error.text_key == "schedules.errors.bad_date"
    assert [code.value for code in PhraseErrorCode] == ["unknown", "no_title", "past", "bad_date", "bad_time"]


# --- typed times ----------------------------------------------------------------------------------------------------

TIMES = [
    ("9:30", time(9, 30)),
    ("09:30", time(9, 30)),
    ("9", time(9, 0)),
    ("9.30", time(9, 30)),
    ("21:05", time(21, 5)),
    ("0:00", time(0, 0)),
    ("23:59", time(23, 59)),
    (" 18 ", time(18, 0)),
    ("в 9", time(9, 0)),
    ("7 вечера", time(19, 0)),
    ("9 утра", time(9, 0)),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_parse_time_of_day(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "9:60", "9:5", "930", "", "абв", "9:30 утра завтра", "-1", "9,30"])
def test_parse_time_of_day_refuses(text: str) -> None:
    with pytest.raises(PhraseError) as caught:
        parse_time_of_day(text)
    assert caught.value.code is PhraseErrorCode.BAD_TIME
