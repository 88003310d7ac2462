"""A member's standing against their plan: money only, and exactly what is missing when it cannot be told."""

from __future__ import annotations

from datetime import date

import pytest

from domain.my_plan import ExportFacts, ManagerLine, Missing, OwnPlanFacts, month_revenue, standing

NOVEMBER = "2026-11"


def _export(start: date | None, end: date | None, line: ManagerLine | None) -> ExportFacts:
    return ExportFacts(period_start=start, period_end=end, currency="RUB", line=line)


def _facts(plan: float | None, export: ExportFacts | None, manager: str | None = "Мария") -> OwnPlanFacts:
    return OwnPlanFacts(visible=True, manager=manager, month=NOVEMBER, plan=plan, export=export)


LINE = ManagerLine(revenue=1_200_000.0, plan=None, over_plan=None)


def test_over_plan_is_revenue_minus_plan() -> None:
    result = standing(_facts(1_000_000.0, _export(date(2026, 11, 1), date(2026, 11, 24), LINE)))
    assert (result.plan, result.revenue, result.over_plan, result.missing) == (1_000_000.0, 1_200_000.0, 200_000.0, ())


def test_short_of_plan_is_negative() -> None:
    result = standing(_facts(1_500_000.0, _export(date(2026, 11, 3), date(2026, 11, 20), LINE)))
    assert result.over_plan == -300_000.0


def test_off_and_unlinked_say_only_that() -> None:
    off = OwnPlanFacts(visible=False, manager="Мария", month=NOVEMBER, plan=1.0, export=None)
    assert standing(off).missing == (Missing.OFF,) and standing(off).plan is None
    assert standing(_facts(1.0, None, manager=None)).missing == (Missing.NOT_LINKED,)


def test_no_plan_and_no_export_are_both_listed() -> None:
    result = standing(_facts(None, None))
    assert result.missing == (Missing.NO_PLAN, Missing.NO_EXPORT) and result.over_plan is None


@pytest.mark.parametrize(
    ("export", "expected"),
    [
        (_export(date(2026, 9, 1), date(2026, 10, 31), LINE), Missing.EXPORT_OLD),
        (_export(None, None, LINE), Missing.EXPORT_OLD),
        (_export(date(2026, 11, 1), date(2026, 11, 24), None), Missing.NOT_IN_EXPORT),
        (_export(date(2026, 11, 1), date(2026, 11, 24), ManagerLine(None, None, None)), Missing.NO_AMOUNTS),
        (_export(date(2026, 10, 1), date(2026, 11, 24), LINE), Missing.MIXED_MONTHS),
    ],
)
def test_why_revenue_cannot_be_told(export: ExportFacts, expected: Missing) -> None:
    assert month_revenue(export, NOVEMBER, 1_000_000.0) == expected


def test_a_longer_export_counts_this_month_when_its_plan_is_this_months_alone() -> None:
    line = ManagerLine(revenue=3_000_000.0, plan=1_000_000.0, over_plan=-100_000.0)  # 900 000 sold in November
    export = _export(date(2026, 9, 1), date(2026, 11, 24), line)
    assert month_revenue(export, NOVEMBER, 1_000_000.0) == 900_000.0
    assert month_revenue(export, NOVEMBER, 2_000_000.0) == Missing.MIXED_MONTHS  # plans of other months mixed in
