"""The XLSX report opens in openpyxl, holds the figures as numbers and never a live formula."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook

from analytics.metrics import compute_metrics
from analytics.report import build_report_xlsx
from analytics.schema import AnalysisParams, AnalysisResult, DatasetKind, Field, Recognition
from analytics.signals import find_signals
from content.loader import Content, load_content
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import STAGES, base_rows
from tests.unit.analytics.test_signals import small_deals_table


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def report(rows: list[dict], content: Content, plans: dict | None = None) -> dict[str, list[tuple]]:
    deals = make_deals(rows, STAGES)
    metrics = compute_metrics(deals, DatasetKind.DEALS, plans)
    metrics = dataclasses.replace(metrics, signals=find_signals(metrics, deals, AnalysisParams()))
    recognition = Recognition(DatasetKind.DEALS, {Field.AMOUNT: "Бюджет", Field.MANAGER: "=Ответственный"},
                              ("Бюджет", "=Ответственный"))
    book = load_workbook(io.BytesIO(build_report_xlsx(AnalysisResult(recognition, metrics), content.t)))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def test_sheets_and_figures(content: Content) -> None:
    sheets = report(base_rows(), content, {("Анна", "*"): 40000.0})
    assert list(sheets) == [
        "Сводка",
        "Воронка",
        "Менеджеры",
        "Клиенты",
        "По месяцам",
        "Зависшие сделки",  # lists to act on (analytics.report_actions), then sources: base_rows have some
        "Проигранные сделки",
        "Источники",
        "Колонки",
    ]
    summary = {row[0]: row[1] for row in sheets["Сводка"][1:]}  # a third column explains some rows
    assert summary["Выручка по успешным сделкам"] == 60000
    assert summary["Конверсия в успешные (успешные / закрытые), %"] == 66.7
    assert summary["Сделок всего"] == 10
    assert summary["Маржа"] is None  # unknown stays empty
    # stage, reached, reached %, went on % (5 / 6), open now, lost here; then the won step and the lost apart
    assert sheets["Воронка"][2] == ("Квалификация", 6, 60.0, 83.3, 1, 0)
    assert sheets["Воронка"][4] == ("Успешно реализовано", 4, 40.0, None, 4, None)
    assert sheets["Воронка"][5] == ("Проигранные (вне воронки)", 2, 20.0, None, None, None)
    anna = next(row for row in sheets["Менеджеры"] if row[0] == "Анна")
    # plan 40 000 for the whole period: revenue counted against it is all of Anna's 30 000
    assert anna == ("Анна", 5, 2, 30000, 66.7, 15000, 15, 40000, 30000, 75.0, -10000)
    assert sheets["Клиенты"][1] == ("Активные (0–90 дн. с последней успешной сделки)", 3, 100.0)
    # by close month (a deal export: the trend): Jan won 4 (10 000, К1) and lost 8, 1/2; Feb won 5 (20 000, К1);
    # Mar won 6 (30 000, К4) and 7 (0: no deal size, К5), lost 9, 2/3; the export ends on 31.03: no cut month
    assert sheets["По месяцам"][1:] == [
        ("январь 2024", 10000, 1, 1, 50.0, 10000, 1, None),
        ("февраль 2024", 20000, 1, 0, 100.0, 20000, 1, None),
        ("март 2024", 30000, 2, 1, 66.7, 30000, 2, None),
    ]


def test_formula_injection_is_escaped(content: Content) -> None:
    rows = base_rows()
    for row in rows:
        if row["manager"] == "Анна":
            row["manager"] = "=HYPERLINK(\"http://evil\",\"x\")"
    rows[1]["stage"] = "+cmd|' /C calc'!A0"
    sheets = report(rows, content)
    names = [row[0] for row in sheets["Менеджеры"][1:]]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in names
    assert "'+cmd|' /C calc'!A0" in [row[0] for row in sheets["Воронка"]]
    assert ("менеджер", "'=Ответственный") in sheets["Колонки"]


def test_signals_sheet(content: Content) -> None:
    rows = [{**r, "closed": "2024-01-10"} for r in small_deals_table(1000)]
    sheets = report(rows, content)
    (name, text, source, article), = sheets["Сигналы"][1:]
    # the signal's name in Russian and the article's title (content/ru/sources.yaml), not code and file name
    assert name == "Мелкие сделки ради количества" and article == "KPI менеджера должен быть один — деньги"
    assert text.startswith("A: 6 успешных сделок") and "«Мелкие сделки ради количества»" in source
