"""The monthly trend of a deals export, its own period against period (JSON `comparison`), and the trend chart.

tests/fixtures/trend/deals_trend.csv (amoCRM-style headers), 14 deals, worked out by hand by close month
(won deals by close date; lost ones by close date, else creation date; open deals never count):
  2024-01  won 1 (100 000, Альфа), 2 (50 000, Бета); lost 3                 -> 150 000, 2 won, 1 lost
  2024-02  nothing closed (deal 4 is open)                                  -> zeros, win rate unknown
  2024-03  won 5 (60 000, Альфа), 6 (0: unfilled budget, Бета); lost 7,
           lost 8 without a close date (created 04.03)                      -> 60 000, 2 won, 2 lost
  2024-04  won 9 (90 000, Альфа), 10 (30 000, Дельта), 11 (45 000, Эпсилон),
           13 (15 000, Альфа again); lost 12                                -> 180 000, 4 won, 1 lost
  2024-05  won 14 (20 000, Бета) on 15.05, the export's last date           -> incomplete (16 days short)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.charts import render_charts
from analytics.engine import analyze
from analytics.metrics import compute_metrics
from analytics.metrics_json import metrics_to_json
from analytics.report import build_report_xlsx
from analytics.schema import AnalysisResult, DatasetKind, Metrics
from content.loader import Content, load_content
from tests.unit.analytics.deals_factory import make_deals

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "trend" / "deals_trend.csv"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyze(FIXTURE, FIXTURE.name)


def test_months_by_close_date(result: AnalysisResult) -> None:
    trend = result.metrics.trend
    assert trend is not None
    rows = [(m.month, m.revenue, m.won, m.lost, m.incomplete) for m in trend.months]
    assert rows == [
        ("2024-01", 150000, 2, 1, False),
        ("2024-02", 0, 0, 0, False),  # the empty month is kept
        ("2024-03", 60000, 2, 2, False),
        ("2024-04", 180000, 4, 1, False),
        ("2024-05", 20000, 1, 0, True),  # ends on 15.05: 16 days short of the month's end
    ]
    # win rate = won / (won + lost) of the month: 2/3, none closed, 2/4, 4/5, 1/1
    assert [m.win_rate for m in trend.months] == [pytest.approx(2 / 3), None, 0.5, 0.8, 1.0]
    # average over positive amounts: Jan (100 000 + 50 000) / 2; Mar 60 000 alone (the 0 budget is no size);
    # Apr (90 000 + 30 000 + 45 000 + 15 000) / 4
    assert [m.avg_deal for m in trend.months] == [75000, None, 60000, 45000, 20000]
    # distinct clients with a won deal: Jan Альфа, Бета; Mar Альфа, Бета; Apr Альфа (twice), Дельта, Эпсилон
    assert [m.clients for m in trend.months] == [2, 0, 2, 3, 1]


def test_comparison_is_the_last_full_month_against_the_one_before(result: AnalysisResult, content: Content) -> None:
    # the export ends 15.05 (cut): April is the last complete month, March the one before
    data = metrics_to_json(result, content.t)
    c = data["comparison"]
    assert (c["current"], c["previous"]) == ("2024-04", "2024-03")
    assert c["won_revenue"] == {"now": 180000, "before": 60000, "change": 120000}
    assert c["win_rate"] == {"now": 0.8, "before": 0.5, "change": pytest.approx(0.3)}  # in shares
    assert c["avg_deal"] == {"now": 45000, "before": 60000, "change": -15000}
    assert c["active_clients"] == {"now": 3, "before": 2, "change": 1}
    assert [m["month"] for m in data["trend"]] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert data["trend"][4]["incomplete"] is True


def test_comparison_null_without_the_previous_month_and_unknowns_stay_null(
    result: AnalysisResult, content: Content
) -> None:
    # one month only (March, ending on its last day): no month before it in the export
    rows = [dict(status="won", amount=100, created="2024-03-01", closed="2024-03-31", client="К1")]
    one_month = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    assert one_month.trend is not None and one_month.trend.current is None
    data = _json(one_month, result, content)
    assert data["comparison"] is None and len(data["trend"]) == 1
    # March against February without a client column. February holds only a lost deal without a close date
    # (dated by its creation): win rate 0/1, revenue 0 (a known figure), average deal unknown and so its change
    rows = [dict(status="lost", amount=5, created="2024-02-01", closed=None),
            dict(status="won", amount=100, created="2024-03-01", closed="2024-03-31")]  # fmt: skip
    c = _json(compute_metrics(make_deals(rows), DatasetKind.DEALS), result, content)["comparison"]
    assert c["won_revenue"] == {"now": 100, "before": 0, "change": 100}
    assert c["win_rate"] == {"now": 1.0, "before": 0.0, "change": 1.0}  # the lost deal dated by its creation
    assert c["avg_deal"] == {"now": 100, "before": None, "change": None}
    assert c["active_clients"] == {"now": None, "before": None, "change": None}


def test_no_close_means_no_trend(result: AnalysisResult, content: Content) -> None:
    rows = [dict(status="open", amount=5, created="2024-01-10"), dict(status="open", amount=5, created="2024-03-31")]
    metrics = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    assert metrics.trend is not None and metrics.trend.months == ()
    assert _json(metrics, result, content)["trend"] is None
    assert compute_metrics(make_deals([]), DatasetKind.DEALS).trend is None


def test_trend_chart_for_deals_after_the_funnel(result: AnalysisResult, content: Content) -> None:
    charts = render_charts(result.metrics, content.t)
    names = [name for name, _ in charts]
    assert names[:2] == ["funnel", "trend"]
    assert dict(charts)["trend"].startswith(b"\x89PNG")


def test_no_trend_chart_for_sales_or_one_month(content: Content) -> None:
    sales = [dict(status="won", amount=100 * i, closed=f"2024-0{i}-10", client=f"X{i}") for i in range(1, 5)]
    names = [name for name, _ in render_charts(compute_metrics(make_deals(sales), DatasetKind.SALES), content.t)]
    assert "trend" not in names and "revenue" in names
    one = [dict(status="won", amount=100, created="2024-03-01", closed="2024-03-20"),
           dict(status="lost", amount=100, created="2024-03-01", closed="2024-03-21")]  # fmt: skip
    assert "trend" not in dict(render_charts(compute_metrics(make_deals(one), DatasetKind.DEALS), content.t))
    # two months but nothing won: no revenue to draw
    lost = [dict(status="lost", amount=100, created="2024-02-01", closed=f"2024-0{i}-20") for i in (2, 3)]
    assert "trend" not in dict(render_charts(compute_metrics(make_deals(lost), DatasetKind.DEALS), content.t))


def test_report_sheet_by_month(result: AnalysisResult, content: Content) -> None:
    book = load_workbook(io.BytesIO(build_report_xlsx(result, content.t)))
    assert "По месяцам" in book.sheetnames
    sheet = book["По месяцам"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("Месяц закрытия", "Выручка по успешным", "Успешных сделок", "Проигранных сделок",
                       "Конверсия в успешные, %", "Средний чек", "Клиентов с успешной сделкой", "Примечание")
    # the docstring's months: revenue, won, lost, win rate in % (2/3 -> 66.7), average over positive amounts,
    # distinct clients with a won deal; only May (the export ends on 15.05) carries the note
    assert rows[1:] == [
        ("январь 2024", 150000, 2, 1, 66.7, 75000, 2, None),
        ("февраль 2024", 0, 0, 0, None, None, 0, None),  # nothing closed: zeros, rate and average unknown
        ("март 2024", 60000, 2, 2, 50.0, 60000, 2, None),
        ("апрель 2024", 180000, 4, 1, 80.0, 45000, 3, None),
        ("май 2024", 20000, 1, 0, 100.0, 20000, 1, "Неполный месяц: выгрузка кончается 15.05.2024"),
    ]
    # the report's formats: money without a sign (the export names no currency), counts, percent numbers
    assert [c.number_format for c in sheet[2][1:7]] == ["#,##0", "#,##0", "#,##0", "0.0", "#,##0", "#,##0"]


def test_no_trend_sheet_for_sales_or_without_dates(result: AnalysisResult, content: Content) -> None:
    def sheets(metrics: Metrics) -> dict[str, list[tuple]]:
        data = build_report_xlsx(AnalysisResult(result.recognition, metrics), content.t)
        book = load_workbook(io.BytesIO(data))
        return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}

    # a sales export keeps revenue by month: two columns, 100 and 200 sold in January and February
    sales = [dict(status="won", amount=100 * i, closed=f"2024-0{i}-10", client=f"X{i}") for i in (1, 2)]
    by_month = sheets(compute_metrics(make_deals(sales), DatasetKind.SALES))["По месяцам"]
    assert by_month == [("Месяц", "Выручка"), ("январь 2024", 100), ("февраль 2024", 200)]
    # deals without any date: no trend (None), and no month sheet at all
    undated = [dict(status="won", amount=100), dict(status="lost", amount=50)]
    metrics = compute_metrics(make_deals(undated), DatasetKind.DEALS)
    assert metrics.trend is None and "По месяцам" not in sheets(metrics)


def test_a_report_over_more_than_two_years_keeps_every_months_revenue(
    result: AnalysisResult, content: Content
) -> None:
    # one won deal of 1 000 × n closed on the 10th of each of 26 months, Jan 2022 .. Feb 2024 (n = 1..26),
    # and the export's last date the 29th of February 2024, so February is complete
    rows = [
        dict(status="won", amount=1000 * (n + 1), closed=f"{2022 + n // 12}-{n % 12 + 1:02d}-10", client="A")
        for n in range(26)
    ] + [dict(status="lost", amount=5, closed="2024-02-29")]
    metrics = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    book = load_workbook(io.BytesIO(build_report_xlsx(AnalysisResult(result.recognition, metrics), content.t)))
    # the trend keeps the last 24 months (Mar 2022 .. Feb 2024); every month's revenue stays in its own sheet
    assert book.sheetnames.index("Выручка за все месяцы") == book.sheetnames.index("По месяцам") + 1
    trend_rows = list(book["По месяцам"].iter_rows(values_only=True))[1:]
    assert len(trend_rows) == 24 and trend_rows[0][:2] == ("март 2022", 3000)
    every = list(book["Выручка за все месяцы"].iter_rows(values_only=True))
    assert every[0] == ("Месяц", "Выручка") and len(every) == 1 + 26
    assert every[1] == ("январь 2022", 1000) and every[-1] == ("февраль 2024", 26000)
    # an export within two years has one month sheet
    short = load_workbook(io.BytesIO(build_report_xlsx(result, content.t)))
    assert "Выручка за все месяцы" not in short.sheetnames


def test_real_export_against_plain_pandas(shared_export: Callable[[str], Path]) -> None:
    path = shared_export("maven_crm_sales_pipeline.csv")
    trend = analyze(path, path.name).metrics.trend
    assert trend is not None
    by_month = {m.month: m for m in trend.months}
    raw = pd.read_csv(path, parse_dates=["close_date"])
    raw["month"] = raw["close_date"].dt.strftime("%Y-%m")
    for month in ("2017-06", "2017-12"):
        rows = raw[raw["month"] == month]
        won = rows[rows["deal_stage"] == "Won"]
        lost = rows[rows["deal_stage"] == "Lost"]
        m = by_month[month]
        assert (m.won, m.lost) == (len(won), len(lost))
        assert m.revenue == pytest.approx(won["close_value"].sum())
        assert m.win_rate == pytest.approx(len(won) / (len(won) + len(lost)))
        assert m.clients == won["account"].nunique()
    assert trend.current is not None and trend.current.month == "2017-12"  # ends 31.12.2017: a full month


def _json(metrics: Metrics, result: AnalysisResult, content: Content) -> dict[str, Any]:
    """The JSON of hand-built metrics, with the fixture's recognition (an amount column is mapped)."""
    return metrics_to_json(AnalysisResult(result.recognition, metrics), content.t)
