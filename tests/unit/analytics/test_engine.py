"""The engine end to end: bytes of an export in, metrics, signals and the bot's reply parts out."""

from __future__ import annotations

import csv
import json
import pickle
from datetime import date
from pathlib import Path

import pytest

from analytics.engine import BotAnalysis, analyze, analyze_for_bot, metrics_to_json
from analytics.schema import AnalysisParams, DatasetKind, ExportReadError, Field, ReadErrorCode, ReadLimits
from content.loader import load_content

REPO = Path(__file__).resolve().parents[3]
EXPORTS = REPO.parent / "shared" / "exports"
NB = "\u00a0"

# amoCRM-style, Windows-1251, ';': a padded header, an NBSP amount, "не закрыта" for open deals.
AMO_CSV = (
    "ID;Название сделки;Бюджет ;Этап сделки;Ответственный;Дата создания;Дата закрытия;Компания;Источник\r\n"
    "1;Сделка 1;10 000,00;Успешно реализовано;Анна Смирнова;01.01.2024 10:00:00;11.01.2024 10:00:00;"
    "ООО «Альфа»;Сайт\r\n"
    f"2;Сделка 2;20{NB}000,00;Успешно реализовано;Анна Смирнова;01.02.2024 10:00:00;21.02.2024 10:00:00;"
    "ООО «Альфа»;Сайт\r\n"
    "3;Сделка 3;30 000,00;Успешно реализовано;Борис Петров;10.02.2024 10:00:00;11.03.2024 10:00:00;ООО «Бета»;\r\n"
    "4;Сделка 4;5 000,00;Закрыто и не реализовано;Анна Смирнова;05.01.2024 10:00:00;25.01.2024 10:00:00;"
    "ООО «Гамма»;Сайт\r\n"
    "5;Сделка 5;1 000,00;Первичный контакт;Анна Смирнова;20.03.2024 10:00:00;не закрыта;ООО «Альфа»;Сайт\r\n"
    "6;Сделка 6;2 000,00;Переговоры;Борис Петров;10.01.2024 10:00:00;не закрыта;ООО «Дельта»;\r\n"
    "7;Сделка 7;;Закрыто и не реализовано;Борис Петров;01.03.2024 10:00:00;31.03.2024 10:00:00;;\r\n"
).encode("cp1251")


def test_analyze_amocrm_style_export() -> None:
    result = analyze(AMO_CSV, "amo.csv")
    m = result.metrics
    assert result.recognition.kind is DatasetKind.DEALS
    assert result.recognition.mapping[Field.AMOUNT] == "Бюджет"
    assert (m.deals.total, m.deals.won, m.deals.lost, m.deals.open) == (7, 3, 2, 2)
    assert m.won_revenue == 60000 and m.win_rate == pytest.approx(0.6)
    assert (m.avg_deal, m.avg_deal_new, m.avg_deal_existing) == (20000, 20000, 20000)
    assert m.period.start == date(2024, 1, 1) and m.period.end == date(2024, 3, 31)
    # open stages: Первичный контакт (deal 5, and the two lost with unknown last stage), Переговоры (6 + won)
    funnel = {s.stage: (s.count, s.reached_share) for s in m.funnel}
    assert funnel["Первичный контакт"] == (1, 1.0)
    assert funnel["Переговоры"] == (1, pytest.approx(4 / 7))
    assert funnel["Успешно реализовано"] == (3, pytest.approx(3 / 7))
    assert [s.stage for s in m.funnel][:2] == ["Первичный контакт", "Переговоры"]
    anna, boris = m.managers
    assert (anna.manager, anna.deals, anna.won, anna.revenue) == ("Анна Смирнова", 4, 2, 30000)
    assert (boris.manager, boris.deals, boris.won, boris.win_rate) == ("Борис Петров", 3, 1, 0.5)
    assert m.clients is not None and (m.clients.active, m.clients.sleeping, m.clients.churned) == (2, 0, 0)
    assert m.cycle_days_median == 20 and m.stale_open_deals == 1
    assert m.qualified_conversion == pytest.approx(2 / 3)
    assert m.month is not None and (m.month.last_revenue, m.month.previous_revenue, m.month.grade) == (
        30000, 20000, "surge"
    )


def test_plans_reach_the_metrics() -> None:
    m = analyze(AMO_CSV, "amo.csv", plans={("Анна Смирнова", "*"): 25000.0}).metrics
    assert (m.managers[0].plan, m.managers[0].attainment, m.managers[0].over_plan) == (25000, 1.2, 5000)


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", ReadErrorCode.EMPTY), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, ReadErrorCode.NOT_TABLE)],
)
def test_unreadable_files_raise_their_code(data: bytes, code: ReadErrorCode) -> None:
    with pytest.raises(ExportReadError) as caught:
        analyze(data, "x.csv")
    assert caught.value.code is code


def test_too_large_by_limit() -> None:
    with pytest.raises(ExportReadError) as caught:
        analyze(AMO_CSV, "amo.csv", limits=ReadLimits(max_bytes=100))
    assert caught.value.code is ReadErrorCode.TOO_LARGE


def test_analyze_for_bot_is_picklable_and_complete() -> None:
    pickle.dumps(analyze_for_bot)  # the pool sends it by reference
    bot = analyze_for_bot(AMO_CSV, "amo.csv", None, None, ReadLimits(), AnalysisParams())
    assert isinstance(pickle.loads(pickle.dumps(bot)), BotAnalysis)
    assert len(bot.summary_html) <= 4096 and "60" in bot.summary_html
    # both clients bought within 90 days of 31.03.2024: one group, nothing a clients chart could show;
    # deals won in January, February and March: three months for the trend
    assert [name for name, _ in bot.charts] == ["funnel", "trend", "managers"]
    assert all(png.startswith(b"\x89PNG") for _, png in bot.charts)
    assert bot.report_xlsx.startswith(b"PK")
    snapshot = json.loads(bot.snapshot_json)
    assert snapshot["metrics"]["won_revenue"] == 60000
    assert "Альфа" not in bot.snapshot_json and "Сделка" not in bot.snapshot_json  # no clients, no rows


def test_metrics_to_json_keys() -> None:
    data = metrics_to_json(analyze(AMO_CSV, "amo.csv"), load_content("ru").t)
    for key in ("rows", "columns", "deals", "won_revenue", "win_rate", "avg_deal", "avg_deal_new",
                "avg_deal_existing", "funnel", "managers", "clients", "cycle_days_median", "signals", "kind",
                "period", "currency", "margin", "qualified_conversion", "month"):
        assert key in data
    assert data["columns"]["amount"] == "Бюджет"
    assert data["deals"] == {"total": 7, "won": 3, "lost": 2, "open": 2}
    assert data["margin"] is None  # unknown, not 0
    assert set(data["managers"][0]) >= {"manager", "deals", "won", "revenue", "win_rate", "plan", "attainment",
                                        "over_plan"}
    json.dumps(data)


def _read_csv(name: str) -> list[dict[str, str]]:
    path = EXPORTS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/exports")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_maven_export_against_an_independent_count() -> None:
    rows = _read_csv("maven_crm_sales_pipeline.csv")
    won = [r for r in rows if r["deal_stage"] == "Won"]
    lost = [r for r in rows if r["deal_stage"] == "Lost"]
    revenue = sum(float(r["close_value"]) for r in won if r["close_value"])
    m = analyze(EXPORTS / "maven_crm_sales_pipeline.csv").metrics
    assert (m.deals.total, m.deals.won, m.deals.lost) == (len(rows), len(won), len(lost))
    assert m.won_revenue == pytest.approx(revenue)
    assert m.win_rate == pytest.approx(len(won) / (len(won) + len(lost)))
    assert {s.manager for s in m.managers} == {r["sales_agent"] for r in rows}


def test_amocrm_export_zero_budgets_are_not_deal_sizes() -> None:
    rows = _read_csv("amocrm_leads_export.csv")
    stages = [r["Этап сделки"] for r in rows]
    m = analyze(EXPORTS / "amocrm_leads_export.csv").metrics
    assert m.deals.total == len(rows) == 20
    assert m.deals.won == stages.count("Успешно реализовано")
    assert m.deals.lost == stages.count("Закрыто и не реализовано")
    assert m.won_revenue == 0 and m.avg_deal is None  # budgets are 0 or empty: unknown, not 0 ₽
    assert {s.manager for s in m.managers} == {r["Ответственный"] for r in rows}


def test_amount_not_chosen_yet_means_revenue_unknown() -> None:
    """Two money-like columns and no amount header: the bot asks; until then revenue is unknown, not 0."""
    data = ("Название;Этап сделки;Поле 1;Поле 2\n" + "".join(
        f"Сделка {i};Успешно реализовано;{i * 1000} ₽;{i * 10} ₽\n" for i in range(1, 8)
    )).encode()
    result = analyze(data, "x.csv")
    assert Field.AMOUNT in result.recognition.ambiguous
    assert result.recognition.candidates[Field.AMOUNT] == ("Поле 1", "Поле 2")
    assert result.metrics.deals.won == 7 and result.metrics.month is None
    t = load_content("ru").t
    assert metrics_to_json(result, t)["won_revenue"] is None
    from analytics.render import render_summary

    summary = render_summary(result, t)
    assert "Выручка по успешным сделкам: нет данных" in summary and "Колонки определены неуверенно: сумма" in summary
    chosen = analyze(data, "x.csv", overrides={Field.AMOUNT: "Поле 1"}).metrics
    assert chosen.won_revenue == 28000  # 1000 + ... + 7000
