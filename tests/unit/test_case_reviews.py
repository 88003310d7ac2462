"""Case reviews, pure: the review's rule and its companions (nudge the day before, escalation, agenda an hour
before; every 2 weeks in step), which review a case goes to, the template, the agenda, who is escalated."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.case_reviews import (
    Case,
    CaseAnswerEmpty,
    CaseAnswerTooLong,
    CaseTemplateInvalid,
    TeamMember,
    build_agenda,
    clean_text,
    current_review,
    escalation_offset,
    first_review,
    last_held,
    needs_escalation,
    parse_template,
    series_rules,
)
from domain.schedules import next_occurrence

MSK = "Europe/Moscow"
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow


def test_the_first_review_is_the_next_such_weekday_strictly_after_now() -> None:
    assert first_review(1, time(11, 0), MSK, NOW) == datetime(2026, 12, 1, 11, 0)  # Tuesday
    assert first_review(0, time(10, 0), MSK, NOW) == datetime(2026, 12, 7, 10, 0)  # this very minute: next week
    assert first_review(0, time(10, 30), MSK, NOW) == datetime(2026, 11, 30, 10, 30)


@pytest.mark.parametrize(
    ("at", "before"),
    [
        (time(15, 0), timedelta(hours=4)),  # 11:00, three hours before the 14:00 cut-off
        (time(12, 0), timedelta(hours=4)),  # 8:00
        (time(11, 0), timedelta(hours=17)),  # 7:00 is too early: 18:00 the evening before
        (time(1, 0), timedelta(hours=7)),  # would cross midnight: 18:00 the evening before
    ],
)
def test_the_escalation_comes_hours_before_the_cut_off_but_never_at_dawn(at: time, before: timedelta) -> None:
    assert escalation_offset(at) == before


def test_companions_fall_the_day_before_hours_before_and_an_hour_before() -> None:
    rules = series_rules(1, time(15, 0), 1, MSK, NOW)  # Tuesdays 15:00
    review = next_occurrence(rules.review, MSK, NOW)
    assert review == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert next_occurrence(rules.nudge, MSK, NOW) == review - timedelta(days=1)
    assert next_occurrence(rules.escalation, MSK, NOW) == review - timedelta(hours=4)
    assert next_occurrence(rules.agenda, MSK, NOW) == review - timedelta(hours=1)


def test_every_two_weeks_keeps_the_companions_in_step_also_across_the_week_boundary() -> None:
    rules = series_rules(0, time(10, 0), 2, MSK, NOW)  # Mondays 10:00; the nudge is on Sunday, the week before
    cursor = NOW
    reviews = []
    for _ in range(4):
        moment = next_occurrence(rules.review, MSK, cursor)
        assert moment is not None
        reviews.append(moment)
        cursor = moment
    assert [r - reviews[0] for r in reviews] == [timedelta(weeks=2 * n) for n in range(4)]
    for review in reviews:
        assert next_occurrence(rules.nudge, MSK, review - timedelta(days=2)) == review - timedelta(days=1)
        assert next_occurrence(rules.agenda, MSK, review - timedelta(days=2)) == review - timedelta(hours=1)
        # and nothing in the off week
        assert next_occurrence(rules.nudge, MSK, review - timedelta(days=9)) == review - timedelta(days=1)


def test_a_companion_whose_first_moment_passed_starts_with_the_next_review() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 15:00; review Tuesday 11:00, nudge was Monday 11:00
    rules = series_rules(1, time(11, 0), 2, MSK, now)
    first = next_occurrence(rules.review, MSK, now)
    assert first == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert next_occurrence(rules.nudge, MSK, now) == first + timedelta(weeks=2) - timedelta(days=1)


def test_cases_go_to_the_coming_review_and_late_ones_during_it_still_count() -> None:
    rules = series_rules(1, time(11, 0), 1, MSK, NOW)
    review = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert current_review(rules.review, MSK, NOW) == review
    assert current_review(rules.review, MSK, review + timedelta(hours=2)) == review
    assert current_review(rules.review, MSK, review + timedelta(hours=4)) == review + timedelta(weeks=1)
    assert last_held(rules.review, MSK, NOW) == review  # none held yet: the first
    assert last_held(rules.review, MSK, review + timedelta(days=2)) == review


def test_template_lines_lose_their_numbers_and_bullets() -> None:
    assert parse_template("1. Сегмент\n• Этап\n\n- Вопрос к команде ") == ("Сегмент", "Этап", "Вопрос к команде")
    with pytest.raises(CaseTemplateInvalid):
        parse_template("   \n")
    with pytest.raises(CaseTemplateInvalid):
        parse_template("\n".join(f"Вопрос {n}" for n in range(9)))
    with pytest.raises(CaseTemplateInvalid):
        parse_template("x" * 201)


def test_answers_are_trimmed_and_checked() -> None:
    assert clean_text("  Проиграли   \n  по цене ", 100) == "Проиграли\nпо цене"
    with pytest.raises(CaseAnswerEmpty):
        clean_text(" \n ", 100)
    with pytest.raises(CaseAnswerTooLong):
        clean_text("x" * 101, 100)


def _case(case_id: int, author: int, minute: int) -> Case:
    return Case(
        case_id,
        1,
        date(2026, 12, 1),
        author,
        f"m{author}",
        ("Сегмент", "Вопрос"),
        (f"сегмент {author}", "вопрос"),
        datetime(2026, 11, 30, 12, minute, tzinfo=UTC),
    )


def test_the_agenda_lists_cases_of_current_members_in_order_and_who_is_missing() -> None:
    members = [TeamMember(1, "Иван"), TeamMember(2, "Пётр"), TeamMember(3, "Мария")]
    review = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    agenda = build_agenda(review, members, [_case(11, 3, 30), _case(10, 1, 40), _case(12, 9, 10)])
    assert [c.author_id for c in agenda.cases] == [3, 1]  # 9 left the team: left out
    assert agenda.missing == (TeamMember(2, "Пётр"),)
    assert not agenda.empty
    empty = build_agenda(review, members, [])
    assert empty.empty and len(empty.missing) == 3


def test_only_members_who_owe_a_case_are_escalated() -> None:
    assert needs_escalation(2, [1, 2], [1])
    assert not needs_escalation(1, [1, 2], [1])  # sent one
    assert not needs_escalation(3, [1, 2], [])  # left the team
