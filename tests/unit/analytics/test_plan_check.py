"""Plans against revenue of the same months (issue 9, §4): every expected figure is worked out by hand below."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analytics.metrics import compute_metrics
from analytics.metrics_people import closest_names
from analytics.render import render_summary
from analytics.render_format import Fmt
from analytics.schema import AnalysisResult, DatasetKind, Field, Metrics, Recognition
from content.loader import Content, load_content
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import LOST, STAGES, WON, _deal

NB = "\u00a0"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def rows() -> list[dict]:
    """The export runs 01.01.2024 (deal 1 created) to 20.03.2024 (deal 7 closed): March is covered in part."""
    return [
        _deal("Новая", "open", "Анна", 1000, "2024-01-01"),  # 1
        _deal(WON, "won", "Анна", 1_000_000, "2024-01-02", "2024-01-15"),  # 2: January
        _deal(WON, "won", "Анна", 119_000, "2024-02-01", "2024-02-10"),  # 3: February
        _deal(WON, "won", "Анна", 34_214, "2024-03-01", "2024-03-05"),  # 4: March
        _deal(WON, "won", "Борис", 82_011, "2024-02-03", "2024-02-20"),  # 5: February
        _deal(WON, "won", "Борис", 12_000, "2024-01-10", "2024-01-20"),  # 6: January
        _deal(LOST, "lost", "Иванов Иван", 7000, "2024-01-03", "2024-03-20"),  # 7
    ]


def metrics(plans: dict[tuple[str, str], float]) -> Metrics:
    return compute_metrics(make_deals(rows(), STAGES), DatasetKind.DEALS, plans)


def money(value: float) -> str:
    """The summary's money format (the currency sign, when the export's currency is known, is not ours)."""
    return Fmt(load_content("ru").t).money(value)


def summary(m: Metrics, content: Content) -> str:
    """The managers' part of the summary (the funnel, month and clients sections are other tests' business)."""
    managers_only = replace(m, month=None, funnel=(), clients=None)
    result = AnalysisResult(Recognition(DatasetKind.DEALS, {Field.AMOUNT: "Бюджет"}, ()), managers_only)
    return render_summary(result, content.t)


def test_a_month_plan_stands_against_that_months_revenue_only() -> None:
    m = metrics({("Анна", "2024-02"): 100_000, ("Борис", "2024-02"): 100_000})
    anna = next(s for s in m.managers if s.manager == "Анна")
    boris = next(s for s in m.managers if s.manager == "Борис")
    # Anna sold 1 000 000 + 119 000 + 34 214 = 1 153 214 in the export, but only deal 3 (119 000) in February.
    assert anna.revenue == 1_153_214
    assert (anna.plan, anna.plan_revenue, anna.over_plan) == (100_000, 119_000, 19_000)
    assert anna.attainment == pytest.approx(1.19)
    # Boris: February is deal 5 only, 82 011; 100 000 - 82 011 = 17 989 short.
    assert (boris.plan, boris.plan_revenue, boris.over_plan) == (100_000, 82_011, -17_989)
    assert boris.attainment == pytest.approx(0.82011)
    # The team: plan 200 000, revenue 119 000 + 82 011 = 201 011, over plan 1 011.
    assert m.plans is not None
    assert (m.plans.months, m.plans.plan, m.plans.revenue, m.plans.over_plan) == (("2024-02",), 200_000, 201_011, 1011)
    assert m.plans.months_outside == () and m.plans.months_partial == () and m.plans.unknown == ()
    assert m.plan_spread == pytest.approx(1.19 - 0.82011)  # 36,989 points -> «37 п. п.»


def test_wording_leads_with_money_and_says_short_not_negative(content: Content) -> None:
    text = summary(metrics({("Анна", "2024-02"): 100_000, ("Борис", "2024-02"): 100_000}), content)
    team = f"Команда за февраль 2024: сверх плана {money(1011)} — выручка {money(201011)} при плане {money(200000)}"
    assert team in text
    assert f"сверх плана {money(19000)} · выручка {money(119000)} при плане {money(100000)} (119{NB}%)" in text
    assert f"не хватило {money(17989)} · выручка {money(82011)} при плане {money(100000)} (82{NB}%)" in text
    assert "−17" not in text and "\u221217" not in text
    assert f"Разброс выполнения плана между менеджерами: 37{NB}п.{NB}п." in text


def test_team_short_of_plan(content: Content) -> None:
    # January: Anna 1 000 000 against 1 500 000 (short 500 000), Boris 12 000 against 12 000 (over 0);
    # the team: plan 1 512 000, revenue 1 012 000, short 500 000.
    m = metrics({("Анна", "2024-01"): 1_500_000, ("Борис", "2024-01"): 12_000})
    assert m.plans is not None and m.plans.over_plan == -500_000
    text = summary(m, content)
    assert f"Команда за январь 2024: не хватило {money(500000)}" in text
    assert f"сверх плана {money(0)} · выручка {money(12000)}" in text  # exactly on plan


def test_months_outside_the_export_and_in_part(content: Content) -> None:
    # March is in the export only up to the 20th; May is not in it at all.
    m = metrics({("Анна", "2024-03"): 50_000, ("Анна", "2024-05"): 60_000})
    anna = next(s for s in m.managers if s.manager == "Анна")
    assert (anna.plan, anna.plan_revenue, anna.over_plan) == (50_000, 34_214, -15_786)  # May left out
    assert m.plans is not None
    assert (m.plans.months, m.plans.months_outside) == (("2024-03",), ("2024-05",))
    assert m.plans.months_partial == ("2024-03",)
    text = summary(m, content)
    assert "Месяц плана не целиком в выгрузке (01.01.2024–20.03.2024): март 2024 — выручка за него неполная." in text
    assert "не с чем сравнить" not in text  # March is compared; May is simply later


def test_nothing_to_compare_is_said(content: Content) -> None:
    m = metrics({("Анна", "2026-11"): 100_000})
    assert all(s.plan is None for s in m.managers)
    assert m.plans is not None
    assert (m.plans.months, m.plans.plan, m.plans.months_outside) == ((), None, ("2026-11",))
    text = summary(m, content)
    assert "Планы за ноябрь 2026 не с чем сравнить: выгрузка за 01.01.2024–20.03.2024" in text
    assert "Команда" not in text


def test_plan_names_missing_from_the_export_come_with_the_closest_names(content: Content) -> None:
    m = metrics(
        {
            ("Анна", "2024-02"): 100_000,
            ("иванов", "2024-02"): 5000,
            ("Борсі", "2024-02"): 5000,
            ("Петрова", "2024-02"): 5000,
            ("Старый", "2023-01"): 5000,
        }
    )
    assert m.plans is not None
    # «иванов» holds all its words in «Иванов Иван»; «Борсі» is a typo of «Борис» (difflib ratio 0.8);
    # «Петрова» looks like nobody; «Старый»'s plan is for a month outside the export, so it is not checked.
    assert m.plans.unknown == (("Борсі", ("Борис",)), ("Петрова", ()), ("иванов", ("Иванов Иван",)))
    assert m.plans.plan == 100_000  # only Anna's plan is compared
    text = summary(m, content)
    names = "«Борсі» (похоже: «Борис»); «Петрова»; «иванов» (похоже: «Иванов Иван»)"
    assert f"Нет в выгрузке имён из планов: {names}." in text


def test_closest_names() -> None:
    names = ["Иванов Иван", "Иванова Анна", "Петров Пётр"]
    assert closest_names("Иванов", names)[0] == "Иванов Иван"
    assert closest_names("Петров  пётр", names) == ("Петров Пётр",)
    assert closest_names("Сидоров", names) == ()
    assert closest_names("Петров Пётр Ильич", names) == ("Петров Пётр",)  # the export has a shorter name
