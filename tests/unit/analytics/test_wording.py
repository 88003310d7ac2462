"""Issue 9, section 8 "Wording and charts": rounding half up, a month's change graded the same both ways, the
complete month, what the qualified conversion counts, the managers and clients charts, the XLSX's formats,
names and sheets. Small hand-made tables; every expected value is worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from analytics.charts import MAX_BARS, managers_shown, plan_revenue, render_charts
from analytics.metrics import compute_metrics
from analytics.metrics_time import grade
from analytics.render import month_notes, qualified_key
from analytics.render_format import Fmt, group
from analytics.report import build_report_xlsx
from analytics.rounding import round_half_up, shown_percent
from analytics.schema import AnalysisResult, DatasetKind, Field, ManagerStats, Metrics, Recognition
from content.loader import Content, load_content
from domain.spreadsheet import DATE_FORMAT, Sheet, build_xlsx
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import STAGES, base_rows

NB = "\u00a0"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def sale(amount: float, closed: str, client: str = "X", manager: str = "A") -> dict[str, Any]:
    return dict(status="won", manager=manager, amount=amount, closed=closed, client=client)


def sales(rows: list[dict[str, Any]], plans: dict[tuple[str, str], float] | None = None) -> Metrics:
    return compute_metrics(make_deals(rows), DatasetKind.SALES, plans)


# --- rounding ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12.5, 0, 13.0),  # Python's round() gives 12 (to even)
        (-12.5, 0, -13.0),  # halves away from zero both ways
        (0.145 * 100, 0, 15.0),  # 14.499999999999998 in floats, 14.5 as written
        (2.675, 2, 2.68),  # 2.67499999... in floats; round() gives 2.67
        (4.45, 1, 4.5),
        (1234567.5, 0, 1234568.0),
        (12.4, 0, 12.0),
    ],
)
def test_round_half_up(value: float, decimals: int, expected: float) -> None:
    assert round_half_up(value, decimals) == expected


def test_percentages_and_numbers_round_as_people_expect(content: Content) -> None:
    f = Fmt(content.t)
    assert f.pct(0.125) == f"13{NB}%"  # 12,5 % -> 13 % (was «12 %»)
    assert f.pct(0.0125) == f"1,3{NB}%"  # 1,25 % -> 1,3 %: one decimal under 10 %
    assert f.pct(0.045) == f"4,5{NB}%"
    assert f.pct(0.0995) == f"10{NB}%"  # 9,95 -> 10,0: whole, so no decimal
    assert f.pct(-0.125, signed=True) == f"\u221213{NB}%"
    assert f.pct(0.005, signed=True) == f"+0,5{NB}%"
    assert group(2.5) == "3" and group(0.5) == "1" and group(-0.4) == "0"
    assert shown_percent(0.125) == 13.0 and shown_percent(0.0494) == 4.9


# --- the month's change, graded the same both ways ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (-0.01, "flat"),  # was «спад»: within ±5 % either way is no change
        (0.053, "growth"),  # was «без изменений»: +5,3 % is past the same 5 % band
        (-0.053, "decline"),
        (0.0494, "flat"),  # shown «+4,9 %»
        (0.0495, "growth"),  # shown «+5 %» (4,95 rounds half up): the label follows the number shown
        (-0.0495, "decline"),
        (0.3049, "growth"),  # shown «+30 %»
        (0.305, "surge"),  # shown «+31 %»
        (-0.305, "plunge"),  # «резкий спад», the mirror of «резкий рост»
        (-0.30, "decline"),
    ],
)
def test_grade_is_symmetric(change: float, expected: str) -> None:
    assert grade(change, 1.0) == expected


def test_every_grade_has_a_text(content: Content) -> None:
    assert content.t("analytics.grades.plunge") == "резкий спад"
    assert all(content.has(f"analytics.grades.{g}") for g in ("decline", "flat", "growth", "surge", "plunge"))


# --- the complete month -------------------------------------------------------------------------------------


def test_an_export_ending_on_the_30th_counts_that_month(content: Content) -> None:
    # Last date 30.03.2024, one day before the month's end (COMPLETE_WITHIN_DAYS = 1): March is compared.
    # March 110 against February 100: +10 %, growth.
    m = sales([sale(100, "2024-02-10"), sale(110, "2024-03-30")])
    c = m.month
    assert c is not None
    assert (c.last_month, c.previous_month, c.days_short, c.cut_month) == ("2024-03", "2024-02", 1, None)
    assert c.change == pytest.approx(0.10) and c.grade == "growth"
    assert month_notes(m, Fmt(content.t), content.t) == [
        "Март 2024 считается полным: выгрузка заканчивается 30.03.2024, за 1 дн. до конца месяца."
    ]


def test_an_export_ending_days_before_the_month_end_says_why_that_month_is_left_out(content: Content) -> None:
    # Last date 28.03.2024: 3 days short of 31.03, so March is not complete; February (120) is compared with
    # January (100): +20 %, growth; the note says why March is not.
    m = sales([sale(100, "2024-01-10"), sale(120, "2024-02-10"), sale(50, "2024-03-28")])
    c = m.month
    assert c is not None
    assert (c.last_month, c.previous_month, c.days_short, c.cut_month) == ("2024-02", "2024-01", 3, "2024-03")
    (note,) = month_notes(m, Fmt(content.t), content.t)
    assert note.startswith("Март 2024 не сравнивается: выгрузка заканчивается 28.03.2024, до конца месяца ещё 3 дн.")


def test_an_export_ending_on_the_last_day_needs_no_note(content: Content) -> None:
    m = sales([sale(100, "2024-02-10"), sale(90, "2024-03-31")])  # -10 %: decline
    assert m.month is not None and (m.month.days_short, m.month.grade) == (0, "decline")
    assert month_notes(m, Fmt(content.t), content.t) == []


# --- what the qualified conversion counts -------------------------------------------------------------------


def test_qualified_conversion_says_what_it_counts(content: Content) -> None:
    # Flag column: qualified deals 1, 2, 3; won among them: 1 -> 1/3. Deal 4 is won but not qualified.
    flagged = [
        dict(stage="Успешно реализовано", status="won", amount=10, created="2024-01-01", qualified=True),
        dict(stage="Закрыто и не реализовано", status="lost", amount=10, created="2024-01-02", qualified=True),
        dict(stage="Новая", status="open", amount=10, created="2024-01-03", qualified=True),
        dict(stage="Успешно реализовано", status="won", amount=10, created="2024-01-04", qualified=False),
    ]
    m = compute_metrics(make_deals(flagged, STAGES), DatasetKind.DEALS)
    assert m.qualified_conversion == pytest.approx(1 / 3) and m.qualified_basis == "flag"
    line = content.t(qualified_key(m), value="33 %")
    assert line.startswith("Конверсия квалифицированных лидов в продажу: 33 % — доля успешных среди сделок с отметкой")
    # No flag, a source column and three open stages: qualified = known source and past the first stage.
    staged = compute_metrics(make_deals(base_rows(), STAGES), DatasetKind.DEALS)
    assert staged.qualified_basis == "stage"
    assert "прошедших первый этап воронки" in content.t(qualified_key(staged), value="50 %")
    none = compute_metrics(make_deals([{**r, "source": None} for r in base_rows()], STAGES), DatasetKind.DEALS)
    assert (none.qualified_conversion, none.qualified_basis) == (None, None)


# --- charts -------------------------------------------------------------------------------------------------


class Recorder:
    """content.t that remembers every chart text it formatted."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.texts: dict[str, list[str]] = {}

    def __call__(self, key: str, /, **values: object) -> str:
        text = self.content.t(key, **values)
        self.texts.setdefault(key.removeprefix("analytics.charts."), []).append(text)
        return text


def manager(name: str, revenue: float) -> ManagerStats:
    return ManagerStats(name, 1, 1, revenue, 1.0, revenue, None)


def test_many_managers_show_the_top_and_the_bottom() -> None:
    team = tuple(manager(f"M{i:02d}", 2000.0 - i) for i in range(1, 21))  # 20, sorted by revenue
    shown, hidden = managers_shown(team)
    # MAX_BARS = 15: the 7 best (M01-M07) and the 7 worst (M14-M20); 6 left out of the middle.
    assert MAX_BARS == 15 and hidden == 6
    assert [m.manager for m in shown] == [f"M{i:02d}" for i in (*range(1, 8), *range(14, 21))]
    assert managers_shown(team[:15]) == (team[:15], 0)


def test_plan_revenue_is_the_money_counted_against_the_plan() -> None:
    planned = dataclasses.replace(manager("A", 500.0), plan=100.0, attainment=0.8, over_plan=-20.0)
    assert plan_revenue(planned) == 80.0  # plan 100 + over_plan -20: the plan's months only
    assert plan_revenue(manager("B", 500.0)) == 500.0


def test_managers_chart_shows_money_against_plan_for_every_manager(content: Content) -> None:
    # Whole-period plans: A 400 against 300 sold (75 %), B 100 against 100 (100 %); C has no plan: 50.
    rows = [sale(300, "2024-03-10", "X1", "A"), sale(100, "2024-03-11", "X2", "B"), sale(50, "2024-03-12", "X3", "C")]
    m = sales(rows, {("A", "*"): 400.0, ("B", "*"): 100.0})
    t = Recorder(content)
    assert "managers" in dict(render_charts(m, t))
    assert t.texts["managers_against_plan"] == [f"300 из 400 (75{NB}%)", f"100 из 100 (100{NB}%)"]
    assert t.texts["managers_without_plan"] == ["50 · без плана"]
    assert "managers_shown" not in t.texts  # three managers fit


def test_managers_chart_with_many_managers_says_who_is_shown(content: Content) -> None:
    rows = [sale(1000 - i, "2024-03-10", f"X{i}", f"M{i:02d}") for i in range(20)]
    t = Recorder(content)
    assert "managers" in dict(render_charts(sales(rows), t))
    assert t.texts["managers_shown"] == [
        "Показаны 7 с наибольшей и 7 с наименьшей выручкой из 20; все менеджеры — в XLSX-отчёте"
    ]


def test_clients_chart_is_skipped_when_every_client_is_in_one_group(content: Content) -> None:
    # All three clients bought within 90 days of 31.03.2024: every one active, nothing to compare.
    rows = [sale(100, "2024-03-01", "X1"), sale(100, "2024-02-01", "X2"), sale(100, "2024-03-31", "X3")]
    assert [name for name, _ in render_charts(sales(rows), content.t)] == ["revenue", "managers"]


def test_clients_chart_labels_carry_their_ranges(content: Content) -> None:
    # End 31.03.2024. X1 last bought 31.03 (0 days: active), X2 on 01.12.2023 (121 days: sleeping),
    # X3 on 01.09.2023 (212 days: churned).
    rows = [sale(100, "2024-03-31", "X1"), sale(100, "2023-12-01", "X2"), sale(100, "2023-09-01", "X3")]
    t = Recorder(content)
    assert "clients" in dict(render_charts(sales(rows), t))
    assert (t.texts["clients_active"], t.texts["clients_sleeping"], t.texts["clients_churned"]) == (
        ["Активные, 0–90 дн."],
        ["Спящие, 91–180 дн."],
        ["Ушедшие, больше 180 дн."],
    )


# --- the XLSX -----------------------------------------------------------------------------------------------


def workbook(metrics: Metrics, content: Content) -> Any:
    recognition = Recognition(metrics.kind, {Field.AMOUNT: "Сумма"}, ("Сумма",))
    return load_workbook(io.BytesIO(build_report_xlsx(AnalysisResult(recognition, metrics), content.t)))


def test_xlsx_has_money_and_date_formats_and_no_empty_sheets(content: Content) -> None:
    # A sales export: no funnel, no signals -> no «Воронка» and no «Сигналы» sheets.
    rows = [sale(1000.5, "2024-01-10", "X1"), sale(2000, "2024-02-10", "X2"), sale(500, "2024-03-31", "X3")]
    m = dataclasses.replace(sales(rows), currency="RUB")
    book = workbook(m, content)
    assert "Воронка" not in book.sheetnames and "Сигналы" not in book.sheetnames
    assert all(ws.max_row >= 2 for ws in book.worksheets)
    summary = {row[0].value: row[1] for row in book["Сводка"].iter_rows(min_row=2)}
    start = summary["Начало периода"]
    assert start.value.date() == date(2024, 1, 10) and start.number_format == DATE_FORMAT
    revenue = summary["Выручка по успешным сделкам"]
    assert revenue.value == 3500.5 and revenue.number_format == '#,##0 "₽"'
    assert summary["Сделок всего"].number_format == "#,##0"
    assert summary["Последний полный месяц"].value == "март 2024"  # 31.03 is the month's last day
    managers = list(book["Менеджеры"].iter_rows(min_row=2))
    assert managers[0][3].value == 3500.5 and managers[0][3].number_format == '#,##0 "₽"'
    months = list(book["По месяцам"].iter_rows(min_row=2, values_only=True))
    assert months == [("январь 2024", 1000.5), ("февраль 2024", 2000), ("март 2024", 500)]
    groups = [row[0] for row in book["Клиенты"].iter_rows(min_row=2, values_only=True)]
    # every group is listed with its range, empty or not (X1..X3 are all active: 81, 50 and 0 days)
    assert groups == [
        "Активные (0–90 дн. с последней успешной сделки)",
        "Спящие (91–180 дн.)",
        "Ушедшие (больше 180 дн.)",
    ]


def test_xlsx_money_without_a_known_currency_has_no_sign(content: Content) -> None:
    book = workbook(sales([sale(100, "2024-03-10")]), content)
    summary = {row[0].value: row[1] for row in book["Сводка"].iter_rows(min_row=2)}
    assert summary["Выручка по успешным сделкам"].number_format == "#,##0"


def test_xlsx_summary_explains_the_qualified_conversion_and_the_grade(content: Content) -> None:
    m = compute_metrics(make_deals(base_rows(), STAGES), DatasetKind.DEALS)
    book = workbook(m, content)
    rows = {row[0]: row[1:] for row in book["Сводка"].iter_rows(min_row=2, values_only=True)}
    assert rows["Конверсия квалифицированных лидов, %"][1].startswith("Успешные / сделки с известным источником")
    # base_rows end 31.03.2024: March compared with February, 30 000 against 20 000: +50 %, a surge
    assert rows["Последний полный месяц"][0] == "март 2024"
    assert rows["Оценка изменения"] == ("резкий рост", content.t("analytics.report.notes.grade"))


def test_spreadsheet_formats_by_column_and_by_row() -> None:
    sheet = Sheet(
        "Лист",
        ["a", "b"],
        [[date(2024, 3, 1), 1234.5], ["текст", 0.5], [True, 7]],
        formats=[None, "#,##0"],
        row_formats=[None, "0.0"],
    )
    ws = load_workbook(io.BytesIO(build_xlsx([sheet]))).active
    assert ws["A2"].number_format == DATE_FORMAT  # a date reads 01.03.2024 by default
    assert ws["B2"].number_format == "#,##0"  # the column's format
    assert ws["B3"].number_format == "0.0"  # the row's format wins
    assert ws["A4"].number_format == "General"  # a bool is no number
