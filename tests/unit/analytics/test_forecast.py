"""Forecast of open deals (issue 9 §6) on fixtures worked out by hand.

tests/fixtures/forecast/probability.csv (Deal Name, Deal Owner, Amount, Stage, Status, Probability (%), Created
Date, Close Date): Pipedrive's default stages, so the funnel is Qualified, Contact Made, Demo Scheduled, Proposal
Made, Negotiations Started, then the won step.

    12 won   stage Won, 10 000 each, probability 100, closed 10.01-31.03.2024 (the export's last date: 31.03.2024)
     8 lost  probability 0, kept at the open stage they were lost at: Qualified 4, Contact Made 1, Proposal Made 3
     6 open:
       deal      owner       amount   stage          probability  expected close
       Open Q1   Anna Lang    10 000  Qualified      "10"         15.04.2024
       Open Q2   Klaus Berg   20 000  Qualified      "10"         -
       Open CM1  Anna Lang    40 000  Contact Made   "30,0"       10.03.2024 (before 31.03: overdue)
       Open CM2  Klaus Berg        -  Contact Made   "30"         20.05.2024
       Open PM1  Klaus Berg   50 000  Proposal Made  "70%"        30.04.2024
       Open PM2  Anna Lang   100 000  Proposal Made  "70"         01.08.2024

(a) The column (one cell says "%": a percent column): Qualified 0.1, Contact Made 0.3, Proposal Made 0.7.
    Weighted: 30 000 x 0.1 = 3 000; 40 000 x 0.3 = 12 000 (CM2 has no amount: counted, not summed);
    150 000 x 0.7 = 105 000; total 120 000 of 220 000 in open amounts, 6 open deals, 1 without an amount.
    Months: 2024-04 Q1 + PM1 = 1 000 + 35 000 = 36 000 (2 deals, 60 000); 2024-05 CM2: 0 (1 deal, 0);
    2024-08 PM2: 70 000 (1 deal, 100 000); overdue CM1 12 000 (40 000); no date Q2 2 000 (20 000).
    Check: 36 000 + 0 + 70 000 + 12 000 + 2 000 = 120 000.
    Managers: Anna 1 000 + 12 000 + 70 000 = 83 000 (150 000); Klaus 2 000 + 0 + 35 000 = 37 000 (70 000).
(b) history.csv, the same deals without the column. Closed deals: 12 won + 8 lost = 20 (the minimum). Lost deals
    that reached a stage = lost there or later: Qualified 4 + 1 + 3 = 8, Contact Made 1 + 3 = 4, Proposal Made 3.
    Probability = won / (won + lost that reached it): 12/20 = 0.6, 12/16 = 0.75, 12/15 = 0.8.
    Weighted: 30 000 x 0.6 = 18 000; 40 000 x 0.75 = 30 000; 150 000 x 0.8 = 120 000; total 168 000.
    Months: 2024-04 6 000 + 40 000 = 46 000; 2024-05 0; 2024-08 80 000; overdue 30 000; no date 12 000
    (sum 168 000). Managers: Anna 6 000 + 30 000 + 80 000 = 116 000; Klaus 12 000 + 0 + 40 000 = 52 000.
(c) probability_falling.csv: the column says Qualified 70, Contact Made 30, Proposal Made 10, falling along the
    pipeline (all three pairs out of order): not credible, so the history of (b) again.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.engine import analyze
from analytics.metrics import compute_metrics
from analytics.metrics_json import metrics_to_json, snapshot_json
from analytics.normalize import parse_probabilities
from analytics.render import render_summary, render_text
from analytics.report import build_report_xlsx
from analytics.schema import AnalysisResult, DatasetKind, Field, Forecast, Recognition
from content.loader import load_content
from tests.unit.analytics.deals_factory import make_deals

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "forecast"
NB = "\u00a0"


@pytest.fixture(scope="module")
def t() -> Callable[..., str]:
    return load_content("ru").t


def rows_of(items: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Dataclasses or tuples as tuples, floats rounded to 6 places (the sums are of decimal shares)."""
    plain = [dataclasses.astuple(x) if dataclasses.is_dataclass(x) else tuple(x) for x in items]
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in plain]


def forecast_of(path: Path) -> Forecast:
    forecast = analyze(path, path.name).metrics.forecast
    assert forecast is not None
    return forecast


def rewritten(
    tmp_path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]], name: str = "probability.csv"
) -> Path:
    """A fixture with its rows changed by `change`, written to tmp_path."""
    with (FIXTURES / name).open(newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    out = tmp_path / "changed.csv"
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(change(rows))
    return out


# --- (a) the export's probability column ------------------------------------------------------------------------


def test_credible_probability_column() -> None:
    fc = forecast_of(FIXTURES / "probability.csv")
    assert fc.basis == "probability_column"
    assert rows_of([(fc.weighted, fc.amount, fc.deals, fc.without_amount)]) == [(120_000, 220_000, 6, 1)]
    assert fc.history_deals == 0
    assert rows_of(fc.stages) == [
        ("Qualified", 2, 30_000, 0.1, 3_000),
        ("Contact Made", 2, 40_000, 0.3, 12_000),
        ("Proposal Made", 2, 150_000, 0.7, 105_000),
    ]
    assert rows_of(fc.months) == [("2024-04", 2, 60_000, 36_000), ("2024-05", 1, 0, 0), ("2024-08", 1, 100_000, 70_000)]
    assert rows_of([fc.overdue, fc.no_date]) == [(1, 40_000, 12_000), (1, 20_000, 2_000)]
    assert rows_of(fc.managers) == [("Anna Lang", 3, 150_000, 83_000), ("Klaus Berg", 3, 70_000, 37_000)]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["60", "60%", "60,0", "5"], [0.6, 0.6, 0.6, 0.05]),  # a "%" anywhere: the column is in percent
        (["0.6", "1", "0"], [0.6, 1.0, 0.0]),  # nothing above 1: shares
        (["0.6", "60"], [0.006, 0.6]),  # one scale per column: 60 makes it percent, so "0.6" is 0.6 %
        ([" 10 % ", None, "", "n/a"], [0.1, np.nan, np.nan, np.nan]),
    ],
)
def test_probability_cells(cells: list[str | None], expected: list[float]) -> None:
    values = parse_probabilities(pd.Series(cells, dtype=object))
    np.testing.assert_allclose(values, expected)


# --- (b) the export's own history, (c) a column that is no evidence --------------------------------------------


HISTORY_STAGES = [
    ("Qualified", 2, 30_000, 0.6, 18_000),
    ("Contact Made", 2, 40_000, 0.75, 30_000),
    ("Proposal Made", 2, 150_000, 0.8, 120_000),
]


def assert_history_of_fixture(fc: Forecast) -> None:
    assert fc.basis == "history"
    assert rows_of([(fc.weighted, fc.amount, fc.deals, fc.without_amount)]) == [(168_000, 220_000, 6, 1)]
    assert (fc.history_deals, fc.lost_stage_unknown) == (20, 0)
    assert rows_of(fc.stages) == HISTORY_STAGES
    assert rows_of(fc.months) == [("2024-04", 2, 60_000, 46_000), ("2024-05", 1, 0, 0), ("2024-08", 1, 100_000, 80_000)]
    assert rows_of([fc.overdue, fc.no_date]) == [(1, 40_000, 30_000), (1, 20_000, 12_000)]
    assert rows_of(fc.managers) == [("Anna Lang", 3, 150_000, 116_000), ("Klaus Berg", 3, 70_000, 52_000)]


def test_history_without_probability_column() -> None:
    assert_history_of_fixture(forecast_of(FIXTURES / "history.csv"))


def test_falling_probability_column_falls_back_to_history() -> None:
    assert_history_of_fixture(forecast_of(FIXTURES / "probability_falling.csv"))


def test_one_probability_for_all_falls_back_to_history(tmp_path: Path) -> None:
    def all_fifty(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{**r, "Probability (%)": "50"} if r["Status"] == "Open" else r for r in rows]

    assert_history_of_fixture(forecast_of(rewritten(tmp_path, all_fifty)))


def test_column_covering_under_half_of_open_deals_falls_back(tmp_path: Path) -> None:
    # 4 of the 6 open deals lose their value: 2 of 6 < half.
    def sparse(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        keep = {"Open Q1", "Open PM1"}
        return [
            {**r, "Probability (%)": ""} if r["Status"] == "Open" and r["Deal Name"] not in keep else r for r in rows
        ]

    assert_history_of_fixture(forecast_of(rewritten(tmp_path, sparse)))


# --- (e) too little history, (f) sales, no amounts ----------------------------------------------------------


def test_too_little_history_gives_no_forecast(tmp_path: Path) -> None:
    # history.csv less one lost deal: 19 closed deals, one under the minimum of 20.
    def fewer(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [r for r in rows if r["Deal Name"] != "Lost 1"]

    path = rewritten(tmp_path, fewer, "history.csv")
    m = analyze(path, path.name).metrics
    assert (m.deals.won, m.deals.lost, m.deals.open) == (12, 7, 6)
    assert m.forecast is None


def test_credible_column_needs_no_history(tmp_path: Path) -> None:
    # only the open deals and one won deal left: no history, the column alone carries the forecast of (a)
    def open_only(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [r for r in rows if r["Status"] == "Open" or r["Deal Name"] == "Won 12"]

    fc = forecast_of(rewritten(tmp_path, open_only))
    assert (fc.basis, fc.weighted) == ("probability_column", pytest.approx(120_000))


def test_sales_export_has_no_forecast(fixtures_dir: Path) -> None:
    result = analyze(fixtures_dir / "onec_sales.csv", "onec_sales.csv")
    assert result.metrics.kind is DatasetKind.SALES
    assert result.metrics.forecast is None


def test_open_deals_without_amounts_give_no_forecast() -> None:
    rows = [dict(status="won", stage="Won", amount=100.0)] * 20 + [dict(status="open", stage="A")] * 3
    assert compute_metrics(make_deals(rows, ("A", "Won")), DatasetKind.DEALS).forecast is None


def test_maven_open_deals_have_no_amount(shared_export: Callable[[str], Path]) -> None:
    # Maven's open deals (Engaging, Prospecting) have an empty close_value: nothing to weigh.
    path = shared_export("maven_crm_sales_pipeline.csv")
    result = analyze(path, path.name)
    frame = pd.read_csv(path)
    open_rows = frame["deal_stage"].isin(["Engaging", "Prospecting"])
    assert result.metrics.deals.open == int(open_rows.sum()) > 0
    assert frame.loc[open_rows, "close_value"].isna().all()
    assert result.metrics.forecast is None


# --- history when the export does not keep the stage of lost deals ---------------------------------------------


def closed_rows(won: int, lost_at: dict[str, int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [dict(status="won", stage="Closed Won", amount=10.0)] * won
    for stage, count in lost_at.items():
        rows += [dict(status="lost", stage=stage, amount=5.0)] * count
    return rows


OPEN = [dict(status="open", stage="A", amount=100.0), dict(status="open", stage="B", amount=300.0)]
ORDER = ("A", "B", "Closed Won", "Closed Lost")


def test_lost_stage_unknown_gives_every_stage_the_win_rate() -> None:
    # 5 won, 15 lost in "Closed Lost" (their stage unknown): 5/20 = 0.25 for A and B; 400 x 0.25 = 100.
    fc = compute_metrics(make_deals(closed_rows(5, {"Closed Lost": 15}) + OPEN, ORDER), DatasetKind.DEALS).forecast
    assert fc is not None
    assert (fc.basis, fc.lost_stage_unknown, fc.history_deals) == ("history", 15, 20)
    assert [(s.stage, s.probability) for s in fc.stages] == [("A", 0.25), ("B", 0.25)]
    assert fc.weighted == pytest.approx(100)


def test_lost_stage_partly_known_counts_unknown_against_every_stage() -> None:
    # 12 won; 4 lost at A, 4 of unknown stage. A: 12 / (12 + 4 + 4) = 0.6; B: 12 / (12 + 0 + 4) = 0.75.
    # 100 x 0.6 + 300 x 0.75 = 60 + 225 = 285.
    rows = closed_rows(12, {"A": 4, "Closed Lost": 4}) + OPEN
    fc = compute_metrics(make_deals(rows, ORDER), DatasetKind.DEALS).forecast
    assert fc is not None
    assert fc.lost_stage_unknown == 4
    assert [(s.stage, s.probability) for s in fc.stages] == [("A", 0.6), ("B", 0.75)]
    assert fc.weighted == pytest.approx(285)


# --- the views ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_result() -> AnalysisResult:
    return analyze(FIXTURES / "history.csv", "history.csv")


def test_summary_block(history_result: AnalysisResult, t: Callable[..., str]) -> None:
    text = render_summary(history_result, t)
    # the export names no currency: no sign. Months from the export's last date (March 2024): March to May are
    # shown (April and May hold deals), August goes into "June and later".
    expected = [
        "Прогноз по открытым сделкам",
        f"168{NB}000 — взвешено по вероятности этапа; в работе 6 сделок на 220{NB}000",
        "доля выигранных среди закрытых сделок, дошедших до этапа (в выгрузке 20 закрытых сделок).",
        "Не вошли в прогноз (нет суммы): 1 сделка.",
        f"• апрель 2024: 46{NB}000 (2 сделки)",
        "• май 2024: 0 (1 сделка)",
        f"• июнь 2024 и позже: 80{NB}000 (1 сделка)",
        f"• просрочены (дата закрытия раньше 31.03.2024): 30{NB}000 (1 сделка)",
        f"• без даты закрытия: 12{NB}000 (1 сделка)",
    ]
    for piece in expected:
        assert piece in text
    assert text.index("Прогноз по открытым") > text.index("Воронка")


def test_summary_names_the_column_basis(t: Callable[..., str]) -> None:
    text = render_text(analyze(FIXTURES / "probability.csv", "probability.csv"), t)
    assert "Вероятность этапа — из колонки вероятности в выгрузке" in text
    assert f"120{NB}000 — взвешено" in text


def test_summary_without_forecast_has_no_block(fixtures_dir: Path, t: Callable[..., str]) -> None:
    assert "Прогноз" not in render_text(analyze(fixtures_dir / "onec_sales.csv", "onec_sales.csv"), t)


def test_json_and_snapshot(history_result: AnalysisResult, t: Callable[..., str]) -> None:
    data = json.loads(json.dumps(metrics_to_json(history_result, t)))
    fc = data["forecast"]
    assert (fc["basis"], fc["weighted"], fc["without_amount"]) == ("history", 168_000, 1)
    assert fc["stages"][0] == {
        "stage": "Qualified",
        "deals": 2,
        "amount": 30_000,
        "probability": 0.6,
        "weighted": 18_000,
    }
    assert fc["overdue"] == {"deals": 1, "amount": 40_000, "weighted": 30_000}
    assert json.loads(snapshot_json(history_result.metrics))["metrics"]["forecast"]["weighted"] == 168_000


def test_json_null_for_sales(fixtures_dir: Path, t: Callable[..., str]) -> None:
    result = analyze(fixtures_dir / "onec_sales.csv", "onec_sales.csv")
    assert metrics_to_json(result, t)["forecast"] is None


def test_xlsx_forecast_sheet(history_result: AnalysisResult, t: Callable[..., str]) -> None:
    book = load_workbook(io.BytesIO(build_report_xlsx(history_result, t)))
    assert book.sheetnames.index("Прогноз") == book.sheetnames.index("Воронка") + 1
    rows = list(book["Прогноз"].iter_rows(values_only=True))
    assert rows[1][0] == "По этапам"
    assert rows[2] == ("Qualified", 2, 30_000, 60, 18_000)
    assert rows[5] == ("Итого", 6, 220_000, None, 168_000)
    by_close = rows.index(("По ожидаемой дате закрытия", None, None, None, None))
    assert rows[by_close + 1] == ("Просрочены (дата закрытия раньше 31.03.2024)", 1, 40_000, None, 30_000)
    assert rows[by_close + 2] == ("апрель 2024", 2, 60_000, None, 46_000)
    assert ("Без даты закрытия", 1, 20_000, None, 12_000) in rows
    assert ("Anna Lang", 3, 150_000, None, 116_000) in rows


def test_xlsx_has_no_forecast_sheet_for_sales(fixtures_dir: Path, t: Callable[..., str]) -> None:
    result = analyze(fixtures_dir / "onec_sales.csv", "onec_sales.csv")
    assert "Прогноз" not in load_workbook(io.BytesIO(build_report_xlsx(result, t))).sheetnames


@pytest.mark.parametrize(
    ("lost_at", "expected"),
    [
        # every lost deal in "Closed Lost": one probability for all stages, said so
        ({"Closed Lost": 15}, "на каком этапе проиграны сделки, она не хранит"),
        # 4 of 8 lost deals of unknown stage: the second line names them
        ({"A": 4, "Closed Lost": 4}, "Проигранные с неизвестным этапом (4 сделки) считаются против каждого этапа"),
    ],
)
def test_summary_says_how_lost_deals_of_unknown_stage_count(
    lost_at: dict[str, int], expected: str, t: Callable[..., str]
) -> None:
    won = 20 - sum(lost_at.values())
    metrics = compute_metrics(make_deals(closed_rows(won, lost_at) + OPEN, ORDER), DatasetKind.DEALS)
    result = AnalysisResult(Recognition(DatasetKind.DEALS, {Field.AMOUNT: "Amount"}, ("Amount",)), metrics)
    assert expected in render_text(result, t)
    book = load_workbook(io.BytesIO(build_report_xlsx(result, t)))
    notes = [row[0] for row in book["Прогноз"].iter_rows(values_only=True)]
    assert (
        "Вероятность этапа — доля выигранных среди закрытых сделок выгрузки (20 закрытых сделок), дошедших до этапа"
        in notes
    )
