"""Schedules in words (bot/views/schedule_words.py) and the /remind error texts: exact Russian, written by hand."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.views import schedule_words
from bot.views.schedule_words import clock_time, describe_moment, describe_rule
from content import Content, load_content
from domain.reminder_phrases import PhraseError, PhraseErrorCode, parse_reminder, parse_time_of_day
from domain.schedules import Frequency, Rule

START = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def weekly(hh_mm: str, *weekdays: int, interval: int = 1) -> Rule:
    return Rule(Frequency.WEEKLY, at=time.fromisoformat(hh_mm), start=START, weekdays=weekdays, interval=interval)


def on_day(frequency: Frequency, hh_mm: str, day: int) -> Rule:
    return Rule(frequency, at=time.fromisoformat(hh_mm), start=START, month_day=day)


RULES = [
    (Rule(Frequency.DAILY, at=time(9, 0), start=START), "каждый день в 9:00"),
    (weekly("09:00", 0, 1, 2, 3, 4), "по будням в 9:00"),
    (weekly("10:00", 0), "по понедельникам в 10:00"),
    (weekly("10:00", 0, 2), "по понедельникам и средам в 10:00"),
    (weekly("10:00", 0, 2, 4), "по понедельникам, средам и пятницам в 10:00"),
    (weekly("08:45", 1, 3), "по вторникам и четвергам в 8:45"),
    (weekly("12:00", 5, 6), "по субботам и воскресеньям в 12:00"),
    (weekly("15:00", 4, interval=2), "каждые 2 недели по пятницам в 15:00"),
    (weekly("15:00", 4, interval=3), "каждые 3 недели по пятницам в 15:00"),
    (weekly("15:00", 4, interval=5), "каждые 5 недель по пятницам в 15:00"),
    (weekly("15:00", 4, interval=11), "каждые 11 недель по пятницам в 15:00"),
    (weekly("15:00", 4, interval=21), "каждую 21 неделю по пятницам в 15:00"),
    (weekly("15:00", 4, interval=22), "каждые 22 недели по пятницам в 15:00"),
    (weekly("09:00", 0, 1, 2, 3, 4, interval=2), "каждые 2 недели по будням в 9:00"),
    (weekly("10:00", 0, 3, interval=2), "каждые 2 недели по понедельникам и четвергам в 10:00"),
    (on_day(Frequency.MONTHLY, "10:00", 5), "каждый месяц 5-го числа в 10:00"),
    (on_day(Frequency.MONTHLY, "10:00", 28), "каждый месяц 28-го числа в 10:00"),
    (on_day(Frequency.MONTHLY, "10:00", 29), "каждый месяц 29-го (в коротких месяцах — в последний день) в 10:00"),
    (on_day(Frequency.MONTHLY, "10:00", 31), "каждый месяц 31-го (в коротких месяцах — в последний день) в 10:00"),
    (Rule(Frequency.LAST_WORKDAY, at=time(17, 0), start=START), "в последний рабочий день месяца в 17:00"),
    (on_day(Frequency.QUARTERLY, "10:00", 1), "раз в квартал, 1-го числа, в 10:00"),
    (
        on_day(Frequency.QUARTERLY, "10:00", 30),
        "раз в квартал, 30-го (в коротких месяцах — в последний день), в 10:00",
    ),
    (Rule(Frequency.ONCE, at=time(16, 0), start=date(2026, 12, 4)), "один раз"),
]


@pytest.mark.parametrize(("rule", "expected"), RULES, ids=[expected for _, expected in RULES])
def test_describe_rule(content: Content, rule: Rule, expected: str) -> None:
    assert describe_rule(content, rule) == expected


def test_week_plurals(content: Content) -> None:
    assert content.plural("schedules.every_weeks", 2) == "каждые 2 недели"
    assert content.plural("schedules.every_weeks", 5) == "каждые 5 недель"
    assert content.plural("schedules.every_weeks", 21) == "каждую 21 неделю"
    assert content.plural("schedules.every_weeks", 12) == "каждые 12 недель"
    assert content.plural("schedules.every_weeks", 52) == "каждые 52 недели"


def test_clock_time(content: Content) -> None:
    assert clock_time(content, time(9, 0)) == "9:00"
    assert clock_time(content, time(0, 0)) == "0:00"
    assert clock_time(content, time(17, 5)) == "17:05"
    assert clock_time(content, time(23, 59)) == "23:59"


MOMENTS = [
    (utc(2026, 11, 30, 6, 30), "Europe/Moscow", NOW, "сегодня в 9:30"),
    (utc(2026, 11, 30, 20), "Europe/Moscow", NOW, "сегодня в 23:00"),
    (utc(2026, 12, 1, 6, 30), "Europe/Moscow", NOW, "завтра в 9:30"),
    (utc(2026, 11, 30, 21), "Europe/Moscow", NOW, "завтра в 0:00"),
    (utc(2026, 12, 2, 6), "Europe/Moscow", NOW, "в среду, 2 декабря, в 9:00"),
    (utc(2026, 12, 4, 13), "Europe/Moscow", NOW, "в пятницу, 4 декабря, в 16:00"),
    (utc(2026, 12, 6, 6), "Europe/Moscow", NOW, "в воскресенье, 6 декабря, в 9:00"),
    (utc(2026, 12, 7, 6), "Europe/Moscow", NOW, "7 декабря в 9:00"),  # a week ahead: the date says it
    (utc(2026, 12, 8, 7), "Europe/Moscow", utc(2026, 12, 6, 6), "во вторник, 8 декабря, в 10:00"),
    (utc(2026, 12, 30, 6), "Europe/Moscow", NOW, "30 декабря в 9:00"),
    (utc(2027, 1, 2, 6), "Europe/Moscow", NOW, "2 января 2027 в 9:00"),
    (utc(2027, 12, 30, 6), "Europe/Moscow", NOW, "30 декабря 2027 в 9:00"),
    (utc(2026, 11, 29, 6), "Europe/Moscow", NOW, "29 ноября в 9:00"),  # yesterday: just the date
    (utc(2026, 5, 12, 6), "Europe/Moscow", NOW, "12 мая в 9:00"),
    # The same moment in another zone is another local day and time.
    (utc(2026, 11, 30, 20), "Asia/Kolkata", NOW, "завтра в 1:30"),
    (utc(2026, 12, 1, 14, 30), "America/New_York", NOW, "завтра в 9:30"),
    # In New York it is 01:00 on 30 November; 04:30 UTC on 1 December is still 30 November there.
    (utc(2026, 12, 1, 4, 30), "America/New_York", NOW, "сегодня в 23:30"),
    (utc(2026, 11, 30, 4, 30), "America/New_York", NOW, "29 ноября в 23:30"),
]


@pytest.mark.parametrize(("when", "zone", "now", "expected"), MOMENTS, ids=[m[3] for m in MOMENTS])
def test_describe_moment(content: Content, when: datetime, zone: str, now: datetime, expected: str) -> None:
    assert describe_moment(content, when, zone, now) == expected


def test_describe_moment_accepts_a_local_now(content: Content) -> None:
    local_now = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert describe_moment(content, utc(2026, 12, 1, 6, 30), "Europe/Moscow", local_now) == "завтра в 9:30"


def test_every_month_has_a_genitive_name(content: Content) -> None:
    names = [content.t(f"schedules.months.m{month:02d}") for month in range(1, 13)]
    assert names == [
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ]  # fmt: skip


# --- the words read back --------------------------------------------------------------------------------------------

READ_BACK = [
    Rule(Frequency.DAILY, at=time(9, 0), start=START),
    weekly("09:00", 0, 1, 2, 3, 4),
    weekly("10:00", 0),
    weekly("10:00", 0, 2),
    weekly("10:00", 0, 2, 4),
    weekly("15:00", 4, interval=2),
    weekly("15:00", 4, interval=5),
    on_day(Frequency.MONTHLY, "10:00", 5),
    Rule(Frequency.LAST_WORKDAY, at=time(17, 0), start=START),
    on_day(Frequency.QUARTERLY, "10:00", 1),
]


@pytest.mark.parametrize("rule", READ_BACK, ids=lambda r: r.to_json())
def test_a_described_rule_reads_back_as_the_same_rule(content: Content, rule: Rule) -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    parsed = parse_reminder(f"{describe_rule(content, rule)} планёрка", now)
    assert (parsed.rule, parsed.title) == (rule, "планёрка")


# --- error texts ----------------------------------------------------------------------------------------------------

CODE = re.compile(r"<code>(.*?)</code>")


@pytest.mark.parametrize("code", list(PhraseErrorCode))
def test_every_phrase_error_has_a_text_with_examples(content: Content, code: PhraseErrorCode) -> None:
    error = PhraseError(code)
    text = content.t(error.text_key)
    assert error.text_key == f"schedules.errors.{code.value}"
    assert 3 <= len(CODE.findall(text)) <= 5, text


@pytest.mark.parametrize("code", [c for c in PhraseErrorCode if c is not PhraseErrorCode.BAD_TIME])
def test_the_examples_are_phrases_the_parser_reads(content: Content, code: PhraseErrorCode) -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    for example in CODE.findall(content.t(f"schedules.errors.{code.value}")):
        assert example.startswith("/remind ")
        assert parse_reminder(example, now).title


def test_the_time_examples_are_times_the_parser_reads(content: Content) -> None:
    examples = CODE.findall(content.t("schedules.errors.bad_time"))
    assert [parse_time_of_day(example) for example in examples] == [time(9, 30), time(18), time(19), time(21, 5)]


def test_the_view_has_no_user_facing_words() -> None:
    """Russian words live in content/ru/schedules.yaml: string literals here (docstrings aside) hold none."""
    tree = ast.parse(Path(schedule_words.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    assert [text for text in literals if re.search("[а-яё]", text, re.IGNORECASE)] == []
