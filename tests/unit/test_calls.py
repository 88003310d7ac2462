"""Call listening, pure: the target, ISO weeks in the head's zone, the rotation (fair, stable within the week,
removed managers skipped), the scoring of a review and the week's count against the target."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bot.views.calls import review_criteria
from content import load_content
from domain.calls import (
    MAX_TARGET,
    CallHygiene,
    CriterionScore,
    IsoWeek,
    TargetNotANumber,
    TargetOutOfRange,
    TextTooLong,
    WeekTally,
    choose_lineup,
    clean_text,
    managers_per_week,
    parse_target,
    score_review,
    tally_weeks,
    week_of,
    weeks_touched,
)

CRITERIA = ("needs", "decision_maker", "value", "objections", "next_step", "close")
W49 = IsoWeek(2026, 49)  # Monday 30 November 2026


# --- the target ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "value"), [("4", 4), (" 10 ", 10), ("1", 1), (str(MAX_TARGET), MAX_TARGET)])
def test_a_typed_target_is_a_whole_number(typed: str, value: int) -> None:
    assert parse_target(typed) == value


@pytest.mark.parametrize("typed", ["пять", "4о", "3.5", "4 звонка", "", "-3", "1e3"])
def test_a_typo_is_not_a_number(typed: str) -> None:
    with pytest.raises(TargetNotANumber):
        parse_target(typed)


@pytest.mark.parametrize("typed", ["0", "00", str(MAX_TARGET + 1), "500", "999999999"])
def test_zero_or_an_absurd_target_is_refused_with_the_bounds(typed: str) -> None:
    with pytest.raises(TargetOutOfRange) as refused:
        parse_target(typed)
    assert refused.value.text_args == {"min": 1, "max": MAX_TARGET}


def test_notes_are_trimmed_and_bounded() -> None:
    assert clean_text("  хорошо  ", 10) == "хорошо"
    assert clean_text("", 10) == ""
    with pytest.raises(TextTooLong):
        clean_text("x" * 11, 10)


# --- weeks in the head's zone -------------------------------------------------------------------------------


def test_the_week_turns_at_local_midnight_on_monday() -> None:
    # Sunday 29 November 2026, 21:30 UTC: still Sunday in London, already Monday 00:30 in Moscow (UTC+3).
    moment = datetime(2026, 11, 29, 21, 30, tzinfo=UTC)
    assert week_of(moment, "Europe/London") == IsoWeek(2026, 48)
    assert week_of(moment, "Europe/Moscow") == W49
    # Vladivostok (UTC+10): Sunday 14:00 UTC is Monday 00:00 there.
    assert week_of(datetime(2026, 11, 29, 13, 59, tzinfo=UTC), "Asia/Vladivostok") == IsoWeek(2026, 48)
    assert week_of(datetime(2026, 11, 29, 14, 0, tzinfo=UTC), "Asia/Vladivostok") == W49


def test_iso_weeks_across_the_new_year() -> None:
    assert IsoWeek.of(date(2026, 12, 31)) == IsoWeek(2026, 53)  # 2026 has 53 ISO weeks
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).index == IsoWeek(2026, 53).index + 1
    assert IsoWeek.parse("2026-W49") == W49 and W49.key == "2026-W49"
    assert W49.monday() == date(2026, 11, 30) and W49.sunday() == date(2026, 12, 6)
    with pytest.raises(ValueError):
        IsoWeek.parse("2027-W53")  # 2027 has 52 weeks


def test_week_bounds_are_local_midnights_in_utc() -> None:
    start, end = W49.bounds("Europe/Moscow")
    assert start == datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 6, 21, 0, tzinfo=UTC)


def test_weeks_touched_by_a_period() -> None:
    start, end = W49.bounds("Europe/Moscow")
    assert weeks_touched(start, end, "Europe/Moscow") == (W49,)
    # Moscow's Monday 00:00 is Sunday 21:00 in London, and Monday 07:00 in Vladivostok.
    assert weeks_touched(start, end, "Europe/London") == (IsoWeek(2026, 48), W49)
    assert weeks_touched(start, end, "Asia/Vladivostok") == (W49, W49.next())
    assert weeks_touched(end, start, "Europe/Moscow") == ()


# --- whose calls this week ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "size", "places"), [(4, 5, 2), (1, 5, 1), (3, 5, 2), (10, 3, 3), (4, 0, 0)])
def test_about_two_calls_per_manager(target: int, size: int, places: int) -> None:
    assert managers_per_week(target, size) == places


def test_a_plain_rotation_takes_everyone_in_turn() -> None:
    roster = [11, 12, 13, 14, 15]
    weeks = [W49]
    week = W49
    for _ in range(4):
        week = week.next()
        weeks.append(week)
    picked = [choose_lineup(roster, w, target=4, last_reviewed={}) for w in weeks]
    assert all(len(p) == 2 for p in picked)
    # Consecutive weeks take consecutive managers: over five weeks (10 places) each of five is up exactly twice.
    assert Counter(m for p in picked for m in p) == {m: 2 for m in roster}
    assert picked[1][0] == roster[(roster.index(picked[0][-1]) + 1) % 5]


def test_the_lineup_is_deterministic_and_stable_within_the_week() -> None:
    roster = [1, 2, 3, 4]
    first = choose_lineup(roster, W49, 4, {})
    assert choose_lineup(roster, W49, 4, {}) == first
    # Announced lineup kept: a manager added mid-week does not push anyone out.
    assert choose_lineup([*roster, 5], W49, 4, {}, kept=first) == first


def test_those_listened_to_longest_ago_come_first() -> None:
    roster = [1, 2, 3, 4]
    last = {1: IsoWeek(2026, 48), 2: IsoWeek(2026, 47), 4: IsoWeek(2026, 48)}  # 3 never reviewed
    assert choose_lineup(roster, W49, 4, last) == (3, 2)


def test_a_removed_manager_leaves_and_the_next_in_turn_takes_the_place() -> None:
    roster = [1, 2, 3, 4]
    announced = choose_lineup(roster, W49, 4, {})
    gone = announced[0]
    remaining = [m for m in roster if m != gone]
    now = choose_lineup(remaining, W49, 4, {}, kept=announced)
    assert gone not in now
    assert now[0] == announced[1]  # the other one announced stays
    assert len(now) == 2


def test_nobody_to_listen_to() -> None:
    assert choose_lineup([], W49, 4, {}) == ()
    assert choose_lineup([7], W49, 10, {}, kept=[7, 8]) == (7,)


def test_a_smaller_target_trims_the_announced_lineup() -> None:
    assert choose_lineup([1, 2, 3], W49, 2, {}, kept=[3, 1]) == (3,)


# --- scoring a review ---------------------------------------------------------------------------------------


def _scores(*values: int | None) -> list[CriterionScore]:
    return [CriterionScore(key, value) for key, value in zip(CRITERIA, values, strict=True)]


def test_scores_add_up_and_name_the_weakest_and_strongest() -> None:
    total = score_review(CRITERIA, _scores(2, 0, 1, None, 2, 0))
    assert (total.points, total.max_points) == (5, 10)  # objections left out: not in this call
    assert total.percent == 50
    assert total.weakest == ("decision_maker", "close")
    assert total.strongest == ("needs", "next_step")


def test_a_review_with_nothing_applicable_has_no_percent() -> None:
    total = score_review(CRITERIA, _scores(None, None, None, None, None, None))
    assert (total.points, total.max_points, total.percent) == (0, 0, None)


@pytest.mark.parametrize(
    "scores",
    [
        _scores(2, 2, 2, 2, 2, 2)[:-1],  # a criterion missing
        [*_scores(2, 2, 2, 2, 2, 2), CriterionScore("needs", 1)],  # one twice
        [CriterionScore("charm", 2), *_scores(2, 2, 2, 2, 2, 2)[1:]],  # unknown
        _scores(3, 2, 2, 2, 2, 2),  # out of 0..2
    ],
)
def test_a_malformed_review_is_refused(scores: list[CriterionScore]) -> None:
    with pytest.raises(ValueError):
        score_review(CRITERIA, scores)


# --- the week against the target ----------------------------------------------------------------------------


def test_weekly_count_against_the_target() -> None:
    w50 = W49.next()
    tallies = tally_weeks([W49, w50], {W49: 5}, target=4)
    assert tallies == (WeekTally(W49, 5, 4), WeekTally(w50, 0, 4))
    assert tallies[0].met and tallies[0].left == 0
    assert not tallies[1].met and tallies[1].left == 4
    hygiene = CallHygiene(has_plan=True, weekly_target=4, weeks=tallies)
    assert (hygiene.listened, hygiene.target, hygiene.weeks_on_target) == (5, 8, 1)
    assert CallHygiene(has_plan=False, weekly_target=0, weeks=()).target == 0


# --- the checklist is content ---------------------------------------------------------------------------------


def test_the_review_checklist_is_the_six_skills_of_the_seeds_each_with_its_source() -> None:
    content = load_content("ru")
    assert review_criteria(content) == CRITERIA
    for key in CRITERIA:
        base = f"calls.review.criteria.{key}"
        assert content.t(f"{base}.title") and content.t(f"{base}.listen_for")
        source = content.t(f"{base}.source")
        assert "Стать" in source or source == "Общая практика", source  # a seed article, or marked general
