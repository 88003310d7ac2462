"""Schedules in plain Russian: «по понедельникам и средам в 10:00», «завтра в 9:30». Words live in
content/ru/schedules.yaml; this module only chooses and assembles them."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from content import Content
from domain.schedules import WORKDAYS, Frequency, Rule

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # Python's weekday() order
_SHORT_MONTH_FROM = 29  # a month day from here on falls on the last day of shorter months
_WEEKDAY_SPAN = range(2, 7)  # days ahead for which a moment is named by its weekday («в пятницу, 4 декабря»)


def describe_rule(content: Content, rule: Rule) -> str:
    """How often a rule fires, e.g. «каждые 2 недели по пятницам в 15:00»; «один раз» for a one-off."""
    at = clock_time(content, rule.at)
    if rule.frequency is Frequency.ONCE:
        return content.t("schedules.rule.once")
    if rule.frequency is Frequency.DAILY:
        return content.t("schedules.rule.daily", time=at)
    if rule.frequency is Frequency.WEEKLY:
        days = _weekday_list(content, rule.weekdays)
        if rule.interval == 1:
            return content.t("schedules.rule.weekly", days=days, time=at)
        every = content.plural("schedules.every_weeks", rule.interval)
        return content.t("schedules.rule.weekly_every", every=every, days=days, time=at)
    if rule.frequency is Frequency.LAST_WORKDAY:
        return content.t("schedules.rule.last_workday", time=at)
    day = _month_day(content, rule.month_day or 1)
    if rule.frequency is Frequency.QUARTERLY:
        return content.t("schedules.rule.quarterly", day=day, time=at)
    return content.t("schedules.rule.monthly", day=day, time=at)


def describe_moment(content: Content, when: datetime, timezone: str, now: datetime) -> str:
    """An aware moment in the user's zone, relative to `now`: «сегодня в 9:30», «завтра в 9:30»,
    «в пятницу, 4 декабря, в 16:00» within the week ahead, otherwise «30 декабря в 9:00» (the year only
    when it is not the current one)."""
    zone = ZoneInfo(timezone)
    local = when.astimezone(zone)
    today = now.astimezone(zone).date()
    at = clock_time(content, local.time())
    ahead = (local.date() - today).days
    if ahead == 0:
        return content.t("schedules.moment.today", time=at)
    if ahead == 1:
        return content.t("schedules.moment.tomorrow", time=at)
    month = content.t(f"schedules.months.m{local.month:02d}")
    if ahead in _WEEKDAY_SPAN:
        weekday = content.t(f"schedules.weekdays.on_day.{_DAY_KEYS[local.weekday()]}")
        return content.t("schedules.moment.this_week", weekday=weekday, day=local.day, month=month, time=at)
    if local.year == today.year:
        return content.t("schedules.moment.date", day=local.day, month=month, time=at)
    return content.t("schedules.moment.date_year", day=local.day, month=month, year=local.year, time=at)


def clock_time(content: Content, at: time) -> str:
    """«9:00», «17:05»."""
    return content.t("schedules.time", hour=at.hour, minute=at.minute)


def _weekday_list(content: Content, weekdays: tuple[int, ...]) -> str:
    """The words after «по»: «будням», «понедельникам», «понедельникам и средам», «понедельникам, средам и …»."""
    if weekdays == WORKDAYS:
        return content.t("schedules.days.workdays")
    names = [content.t(f"schedules.weekdays.by.{_DAY_KEYS[day]}") for day in weekdays]
    if len(names) == 1:
        return names[0]
    head = names[0]
    for name in names[1:-1]:
        head = content.t("schedules.days.more", first=head, next=name)
    return content.t("schedules.days.pair", first=head, last=names[-1])


def _month_day(content: Content, day: int) -> str:
    key = "schedules.month_day.last" if day >= _SHORT_MONTH_FROM else "schedules.month_day.plain"
    return content.t(key, day=day)
