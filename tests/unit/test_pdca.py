"""The Deming cycle's pure logic: the plan's validation, typed numbers, the stages, plan against fact."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.pdca import (
    ActionsInvalid,
    Cycle,
    CycleAlreadyChecked,
    CycleClosed,
    CycleNotChecked,
    Decision,
    FactSource,
    GoalInvalid,
    Metric,
    NothingToImprove,
    NumberUnreadable,
    Origin,
    Phase,
    Plan,
    PlanIncomplete,
    ReviewDateInPast,
    ReviewDateToday,
    Stage,
    action_due_date,
    compare,
    decide,
    metric_value,
    next_target,
    parse_actions,
    parse_number,
    record_check,
    review_date_for,
    same_money,
    snapshot_currency,
    snapshot_signals,
    validate_goal,
    validate_plan,
    validate_review_date,
    validate_target,
)

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _cycle(**changes: object) -> Cycle:
    cycle = Cycle(
        id=1,
        team_id=1,
        user_id=1,
        origin=Origin.FREE,
        origin_ref=None,
        parent_id=None,
        goal="Вернуть спящих клиентов",
        metric=Metric.WON_REVENUE,
        metric_name=None,
        baseline=1_000_000,
        target=1_200_000,
        review_date=date(2026, 12, 15),
        stage=Stage.DO,
        created_at=NOW,
    )
    return replace(cycle, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 200 000", 1_200_000),
        ("1\u00a0200\u00a0000", 1_200_000),
        ("1,5 млн", 1_500_000),
        ("1.5 млн", 1_500_000),
        ("300 тыс", 300_000),
        ("300к", 300_000),
        ("15%", 15),
        ("15,5 %", 15.5),
        ("-20 000 ₽", -20_000),
        ("1 240 000 ₽", 1_240_000),
        ("1 200 000 руб.", 1_200_000),
        ("1,234,567", 1_234_567),
        ("1.234,5", 1234.5),
        ("0,5", 0.5),
        ("42", 42),
    ],
)
def test_numbers_as_people_type_them(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "абв", "12о000", "1 2OO 000", "15%%", "1,5 млн млн", "1e400", "--5"])
def test_a_typo_is_refused(text: str) -> None:
    with pytest.raises(NumberUnreadable):
        parse_number(text)


def test_goal_is_one_phrase() -> None:
    assert validate_goal("  Вернуть   спящих\nклиентов ") == "Вернуть спящих клиентов"
    with pytest.raises(GoalInvalid):
        validate_goal("   ")
    with pytest.raises(GoalInvalid):
        validate_goal("я" * 201)


def test_actions_one_a_line_bullets_dropped() -> None:
    assert parse_actions("- Обзвонить спящих\n\n2) Разобрать отказы\n• Скрипт возврата") == (
        "Обзвонить спящих",
        "Разобрать отказы",
        "Скрипт возврата",
    )
    with pytest.raises(ActionsInvalid):
        parse_actions("\n \n")
    with pytest.raises(ActionsInvalid):
        parse_actions("\n".join(f"шаг {n}" for n in range(11)))


def test_review_date_choices_and_limits() -> None:
    assert review_date_for("week", TODAY) == date(2026, 12, 8)
    assert review_date_for("two_weeks", TODAY) == date(2026, 12, 15)
    assert review_date_for("month", date(2027, 1, 31)) == date(2027, 2, 28)
    with pytest.raises(ReviewDateInPast):
        validate_review_date(date(2026, 11, 30), TODAY)
    with pytest.raises(ReviewDateToday):
        validate_review_date(TODAY, TODAY)
    assert validate_review_date(date(2026, 12, 2), TODAY) == date(2026, 12, 2)


def test_target_equal_to_today_is_nothing_to_improve() -> None:
    with pytest.raises(NothingToImprove):
        validate_target(15.0, 15.0)
    assert validate_target(15.0, 10.0) == 10.0  # fewer sleeping clients: going down is an improvement


def test_plan_validation() -> None:
    plan = Plan("Цель", Metric.CUSTOM, None, 1, 2, date(2026, 12, 8), ("шаг",))
    with pytest.raises(PlanIncomplete):
        validate_plan(plan, TODAY)
    assert validate_plan(replace(plan, metric_name="Встречи с ЛПР"), TODAY)
    with pytest.raises(ReviewDateInPast):
        validate_plan(replace(plan, metric_name="x", review_date=date(2026, 11, 1)), TODAY)


def test_actions_are_due_halfway_to_the_review() -> None:
    assert action_due_date(TODAY, date(2026, 12, 15)) == date(2026, 12, 8)
    assert action_due_date(TODAY, date(2026, 12, 2)) == date(2026, 12, 2)


def test_state_machine_do_check_act() -> None:
    cycle = _cycle()
    assert cycle.phase(date(2026, 12, 14)) is Phase.DO
    assert cycle.phase(date(2026, 12, 15)) is Phase.CHECK
    with pytest.raises(CycleNotChecked):
        decide(cycle, Decision.STANDARD, NOW)
    checked = record_check(cycle, 1_250_000, FactSource.EXPORT, 7, NOW)
    assert checked.stage is Stage.ACT and checked.phase(TODAY) is Phase.ACT
    assert checked.fact_snapshot_id == 7 and checked.checked_at == NOW
    with pytest.raises(CycleAlreadyChecked):
        record_check(checked, 1, FactSource.TYPED, None, NOW)
    closed = decide(checked, Decision.STANDARD, NOW)
    assert closed.stage is Stage.CLOSED and closed.decision is Decision.STANDARD
    with pytest.raises(CycleClosed):
        decide(closed, Decision.DROP, NOW)
    with pytest.raises(CycleClosed):
        record_check(closed, 1, FactSource.TYPED, None, NOW)


def test_drop_is_possible_before_the_check() -> None:
    assert decide(_cycle(), Decision.DROP, NOW).decision is Decision.DROP


def test_typed_fact_keeps_no_snapshot() -> None:
    assert record_check(_cycle(), 5, FactSource.TYPED, 7, NOW).fact_snapshot_id is None


def test_plan_against_fact_upwards() -> None:
    verdict = compare(1_000_000, 1_200_000, 1_100_000)
    assert verdict.change == 100_000
    assert verdict.change_share == pytest.approx(0.1)
    assert verdict.progress == pytest.approx(0.5)
    assert not verdict.reached and verdict.improved
    assert compare(1_000_000, 1_200_000, 1_300_000).reached


def test_plan_against_fact_downwards() -> None:
    """Sleeping clients 40 → 30: 28 reached, 45 went the wrong way."""
    assert compare(40, 30, 28).reached
    worse = compare(40, 30, 45)
    assert not worse.reached and worse.progress < 0 and not worse.improved
    assert compare(0, 5, 5).change_share is None


def test_next_target() -> None:
    assert next_target(compare(100, 120, 110)) == 120  # not reached: the same target from where we are
    assert next_target(compare(100, 120, 125)) == 145  # reached: the same step again


def _snapshot(**metrics: object) -> str:
    return json.dumps({"version": 1, "metrics": metrics})


def test_metric_values_from_a_snapshot() -> None:
    data = _snapshot(
        won_revenue=1_240_000.0,
        win_rate=0.25,
        avg_deal=None,
        qualified_conversion=0.1,
        clients={"active": 12, "sleeping": 5, "churned": 1},
        managers=[{"over_plan": 10_000.0}, {"over_plan": -4_000.0}, {"over_plan": None}],
        signals=[{"code": "sleeping_base", "seed": "000"}, {"code": "stale_deals"}],
    )
    assert metric_value(data, Metric.WON_REVENUE) == 1_240_000
    assert metric_value(data, Metric.WIN_RATE) == pytest.approx(25.0)
    assert metric_value(data, Metric.QUALIFIED_CONVERSION) == pytest.approx(10.0)
    assert metric_value(data, Metric.AVG_DEAL) is None
    assert metric_value(data, Metric.ACTIVE_CLIENTS) == 12
    assert metric_value(data, Metric.SLEEPING_CLIENTS) == 5
    assert metric_value(data, Metric.OVER_PLAN) == 6_000
    assert metric_value(data, Metric.CUSTOM) is None
    assert metric_value(_snapshot(managers=[{"over_plan": None}]), Metric.OVER_PLAN) is None
    assert metric_value("not json", Metric.WON_REVENUE) is None
    assert snapshot_signals(data) == ("sleeping_base", "stale_deals")
    assert snapshot_signals("{}") == ()


@pytest.mark.parametrize(
    ("stored", "currency"),
    [
        (json.dumps({"version": 1, "metrics": {"currency": "USD"}}), "USD"),
        (json.dumps({"version": 1, "metrics": {"currency": None}}), None),  # the export named none
        (json.dumps({"version": 1, "metrics": {}}), None),
        ("not json", None),
    ],
)
def test_the_currency_a_snapshot_names(stored: str, currency: str | None) -> None:
    assert snapshot_currency(stored) == currency


def test_money_is_compared_unless_two_currencies_are_named_and_differ() -> None:
    assert same_money("USD", "USD") and same_money(None, "USD") and same_money("RUB", None)
    assert not same_money("RUB", "USD")


def test_a_check_from_an_export_names_the_money_only_of_a_plan_that_named_none() -> None:
    assert record_check(_cycle(), 1, FactSource.EXPORT, 7, NOW, "EUR").currency == "EUR"
    assert record_check(_cycle(currency="USD"), 1, FactSource.EXPORT, 7, NOW, "EUR").currency == "USD"
    assert record_check(_cycle(), 1, FactSource.TYPED, None, NOW, "EUR").currency is None
