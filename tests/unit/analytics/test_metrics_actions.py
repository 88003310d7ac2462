"""Lists to act on, lost reasons and sources (issue 9 §1 and §3), on a fixture worked out by hand.

tests/fixtures/actions/deals_actions.csv (Bitrix24/amoCRM-style Russian headers, `;`):

    id title              amount  stage          manager created     modified    closed      client      source
    1  Окна для офиса     100000  Переговоры     Иванов  01.01.2024  10.01.2024  -           ООО Альфа   Сайт
    2  Двери склад         50000  Перв. контакт  Петров  01.02.2024  25.03.2024  -           ООО Бета    Звонок
    3  Ворота                  -  Переговоры     Петров  05.01.2024  -           -           ООО Гамма   Сайт
    4  Забор              200000  lost           Иванов  01.01.2024  15.02.2024  15.02.2024  ООО Дельта  Сайт
    5  Навес               80000  lost           Петров  10.01.2024  20.02.2024  20.02.2024  ООО Альфа   Звонок
    6  Шлагбаум            30000  lost           Петров  10.01.2024  01.03.2024  01.03.2024  ООО Бета    Выставка
    7  Калитка             10000  lost           Иванов  15.01.2024  05.03.2024  05.03.2024  ООО Гамма   Сайт
    8  Ворота откатные    120000  won            Иванов  01.10.2023  01.11.2023  01.11.2023  ООО Альфа   Сайт
    9  Ворота секционные   60000  won            Петров  01.12.2023  20.12.2023  20.12.2023  ООО Бета    Звонок
    10 Автоматика          40000  won            Иванов  01.03.2024  31.03.2024  30.03.2024  ООО Дельта  Выставка
    11 Пульты               5000  won            Петров  01.06.2023  15.06.2023  15.06.2023  ООО Эпсилон Звонок

won / lost: amoCRM's system stages «Успешно реализовано» / «Закрыто и не реализовано».
Lost reasons («Причина отказа»): deals 4 and 5 «Дорого», deal 6 «Выбрали конкурента», deal 7 none.

Stale deals: the export's last date with the change dates is 31.03.2024 (deal 10's change). Deal 1 last moved
10.01 → 21 days to 31.01 + 29 (February 2024) + 31 = 81 days; deal 2: 25.03 → 6 days (not stale); deal 3 has no
change date, so its creation 05.01 counts: 26 + 29 + 31 = 86 days. Stale (> 30): deals 1 and 3, largest first
(deal 3 has no amount, so it comes last); 2 deals, 100 000 in total.

Lost deals, largest first: 4 (200 000, «Дорого», Иванов), 5 (80 000), 6 (30 000), 7 (10 000, no reason): 4 deals,
320 000.

Sleeping clients: the client base counts to the last creation/close date, 30.03.2024. Альфа's last won deal
01.11.2023 → 29 + 31 + 31 + 29 + 30 = 150 days (sleeping, 91–180); Бета 20.12.2023 → 11 + 31 + 29 + 30 = 101
(sleeping); Эпсилон 15.06.2023 → 15 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 29 + 30 = 289 (churned); Дельта 0
(active). By revenue: Альфа 120 000, Бета 60 000, Эпсилон 5 000 = 185 000.

Lost reasons over the 4 lost deals (320 000): «Дорого» 2 (0.5), 280 000 (0.875); «Выбрали конкурента» 1 (0.25),
30 000 (0.09375); no reason 1 (0.25), 10 000 (0.03125). Иванов: 2 lost, 210 000 («Дорого» 200 000, none 10 000);
Петров: 2 lost, 110 000 («Дорого» 80 000 = 8/11 of it, «Выбрали конкурента» 30 000).

Sources: Сайт deals 1, 3, 4, 7, 8 → 5 deals, won 1, lost 2, revenue 120 000; Звонок 2, 5, 9, 11 → 4 deals, won 2,
lost 1, revenue 65 000; Выставка 6, 10 → 2 deals, won 1, lost 1, revenue 40 000. Revenue with a source 225 000:
shares 120/225 = 0.5333, 65/225 = 0.2889, 40/225 = 0.1778; conversion won / deals 0.2, 0.5, 0.5; win rate
won / (won + lost) 1/3, 2/3, 1/2.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analytics.engine import analyze
from analytics.metrics import compute_metrics
from analytics.metrics_actions import LIST_LIMIT
from analytics.metrics_json import metrics_to_json, snapshot_json
from analytics.render import render_summary, render_text
from analytics.report import build_report_xlsx
from analytics.schema import AnalysisResult, DatasetKind, Field, Recognition
from content.loader import load_content
from tests.unit.analytics.deals_factory import make_deals

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "actions" / "deals_actions.csv"


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyze(FIXTURE, FIXTURE.name)


@pytest.fixture(scope="module")
def t() -> Callable[..., str]:
    return load_content("ru").t


def test_columns_recognised(result: AnalysisResult) -> None:
    mapping = result.recognition.mapping
    assert mapping[Field.MODIFIED] == "Дата изменения"
    assert mapping[Field.LOST_REASON] == "Причина отказа"
    assert mapping[Field.SOURCE] == "Источник"
    assert mapping[Field.TITLE] == "Название сделки"
    assert mapping[Field.CLIENT] == "Компания"


def test_stale_deals_from_the_change_date(result: AnalysisResult) -> None:
    r = result.metrics.revival
    assert r is not None and r.stale is not None
    assert r.stale_basis == "modified"
    assert [(d.deal, d.amount, d.days, d.last_moved) for d in r.stale] == [
        ("Окна для офиса", 100000.0, 81, date(2024, 1, 10)),
        ("Ворота", None, 86, date(2024, 1, 5)),
    ]
    first = r.stale[0]
    assert (first.client, first.manager, first.stage) == ("ООО Альфа", "Иванов", "Переговоры")
    assert (r.stale_count, r.stale_amount) == (2, 100000.0)


def test_largest_lost_deals(result: AnalysisResult) -> None:
    r = result.metrics.revival
    assert r is not None and r.lost is not None
    assert [(d.deal, d.amount, d.reason, d.manager) for d in r.lost] == [
        ("Забор", 200000.0, "Дорого", "Иванов"),
        ("Навес", 80000.0, "Дорого", "Петров"),
        ("Шлагбаум", 30000.0, "Выбрали конкурента", "Петров"),
        ("Калитка", 10000.0, None, "Иванов"),
    ]
    assert (r.lost_count, r.lost_amount) == (4, 320000.0)


def test_sleeping_clients_by_revenue(result: AnalysisResult) -> None:
    r = result.metrics.revival
    assert r is not None and r.sleeping is not None
    assert [(c.client, c.revenue, c.last_deal, c.days, c.group) for c in r.sleeping] == [
        ("ООО Альфа", 120000.0, date(2023, 11, 1), 150, "sleeping"),
        ("ООО Бета", 60000.0, date(2023, 12, 20), 101, "sleeping"),
        ("ООО Эпсилон", 5000.0, date(2023, 6, 15), 289, "churned"),
    ]
    assert (r.sleeping_count, r.sleeping_revenue) == (3, 185000.0)


def test_lost_reasons_overall_and_per_manager(result: AnalysisResult) -> None:
    lr = result.metrics.lost_reasons
    assert lr is not None
    assert (lr.lost, lr.with_reason, lr.amount) == (4, 3, 320000.0)
    assert [(s.reason, s.count, s.amount, s.share, s.amount_share) for s in lr.reasons] == [
        ("Дорого", 2, 280000.0, 0.5, 0.875),
        ("Выбрали конкурента", 1, 30000.0, 0.25, 0.09375),
        (None, 1, 10000.0, 0.25, 0.03125),
    ]
    ivanov, petrov = lr.by_manager
    assert (ivanov.manager, ivanov.lost, ivanov.amount) == ("Иванов", 2, 210000.0)
    assert [(s.reason, s.count, s.amount) for s in ivanov.reasons] == [("Дорого", 1, 200000.0), (None, 1, 10000.0)]
    assert (petrov.manager, petrov.lost, petrov.amount) == ("Петров", 2, 110000.0)
    assert petrov.reasons[0].reason == "Дорого"
    assert petrov.reasons[0].amount_share == pytest.approx(8 / 11)


def test_sources_revenue_and_conversion(result: AnalysisResult) -> None:
    s = result.metrics.sources
    assert s is not None
    assert [(x.source, x.deals, x.won, x.lost, x.revenue) for x in s.items] == [
        ("Сайт", 5, 1, 2, 120000.0),
        ("Звонок", 4, 2, 1, 65000.0),
        ("Выставка", 2, 1, 1, 40000.0),
    ]
    assert [x.revenue_share for x in s.items] == pytest.approx([120 / 225, 65 / 225, 40 / 225])
    assert [x.conversion for x in s.items] == pytest.approx([0.2, 0.5, 0.5])
    assert [x.win_rate for x in s.items] == pytest.approx([1 / 3, 2 / 3, 1 / 2])
    assert s.without_source == 0


def test_summary_shows_the_lists(result: AnalysisResult, t: Callable[..., str]) -> None:
    text = render_summary(result, t)
    assert "Зависшие сделки" in text and "Окна для офиса (ООО Альфа)" in text
    assert "«Дата изменения»" in text  # says which date the days count from
    assert "Забор (ООО Дельта)" in text and "Дорого" in text
    assert "ООО Эпсилон" in text and "15.06.2023" in text
    assert "Причины отказов" in text and "Источники сделок" in text
    plain = render_text(result, t)
    assert "без движения 81" in plain


def test_report_sheets(result: AnalysisResult, t: Callable[..., str]) -> None:
    book = load_workbook(io.BytesIO(build_report_xlsx(result, t)), read_only=True)
    names = book.sheetnames
    for sheet in ("Зависшие сделки", "Проигранные сделки", "Спящие клиенты", "Причины отказов", "Источники"):
        assert sheet in names
    rows = list(book["Зависшие сделки"].iter_rows(values_only=True))
    assert rows[1][:5] == ("Окна для офиса", "ООО Альфа", "Иванов", "Переговоры", 100000)
    assert rows[1][6] == 81
    by_manager = list(book["Причины по менеджерам"].iter_rows(values_only=True))
    assert len(by_manager) == 1 + 4  # header + two reasons for each of the two managers


def test_json_keys_and_snapshot_without_names(result: AnalysisResult, t: Callable[..., str]) -> None:
    data = metrics_to_json(result, t)
    assert data["revival"]["stale"][0]["deal"] == "Окна для офиса"
    assert data["lost_reasons"]["reasons"][0] == {
        "reason": "Дорого",
        "count": 2,
        "amount": 280000.0,
        "share": 0.5,
        "amount_share": 0.875,
    }
    assert data["sources"]["items"][0]["source"] == "Сайт"
    json.dumps(data)
    snapshot = snapshot_json(result.metrics)
    assert "revival" not in json.loads(snapshot)["metrics"]
    assert "ООО Альфа" not in snapshot and "Окна для офиса" not in snapshot


def _recognition() -> Recognition:
    return Recognition(DatasetKind.DEALS, {Field.AMOUNT: "amount"}, ("amount",))


def test_without_change_dates_or_reasons_or_sources() -> None:
    # End 2024-03-31 (the won deal). Open deal created 2024-02-01: 29 + 31 = 59 days > 30 → stale, counted from
    # the creation date. No lost-reason or source column: those breakdowns are unknown (None), not empty.
    deals = make_deals(
        [
            {"title": "A", "amount": 10, "status": "open", "created": "2024-02-01"},
            {"title": "B", "amount": 20, "status": "won", "created": "2024-03-01", "closed": "2024-03-31"},
            {"title": "C", "status": "lost", "created": "2024-03-01", "closed": "2024-03-10"},
        ]
    )
    m = compute_metrics(deals, DatasetKind.DEALS)
    assert m.revival is not None and m.revival.stale is not None and m.revival.lost is not None
    assert m.revival.stale_basis == "created"
    assert [(d.deal, d.days) for d in m.revival.stale] == [("A", 59)]
    assert [(d.deal, d.amount) for d in m.revival.lost] == [("C", None)]
    assert m.revival.lost_amount is None
    assert m.revival.sleeping is None  # no client column
    assert m.lost_reasons is None and m.sources is None
    summary = render_summary(AnalysisResult(_recognition(), m), load_content("ru").t)
    assert "от даты создания" in summary and "Причины отказов" not in summary


def test_sales_export_has_no_deal_lists() -> None:
    deals = make_deals(
        [
            {"amount": 100, "client": "X", "closed": "2024-01-01", "source": "Сайт"},
            {"amount": 50, "client": "Y", "closed": "2024-06-30", "source": "Сайт"},
        ]
    )
    m = compute_metrics(deals, DatasetKind.SALES)
    assert m.revival is not None
    assert m.revival.stale is None and m.revival.lost is None
    # X: 01.01 → 30.06.2024 = 30 + 29 + 31 + 30 + 31 + 30 = 181 days > 180 → churned
    assert m.revival.sleeping is not None
    assert [(c.client, c.days, c.group) for c in m.revival.sleeping] == [("X", 181, "churned")]
    assert m.sources is not None
    assert [(x.source, x.deals, x.revenue, x.conversion) for x in m.sources.items] == [("Сайт", 2, 150.0, None)]


def test_lists_are_cut_but_counted() -> None:
    # 150 stale open deals with amounts 1..150, all created 60 days before the last date: the list keeps the
    # 100 largest (150 down to 51), the count and sum cover all 150 (150 * 151 / 2 = 11 325).
    rows = [{"amount": i, "status": "open", "created": "2024-01-01"} for i in range(1, 151)]
    rows.append({"amount": 1, "status": "won", "created": "2024-03-01"})
    m = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    r = m.revival
    assert r is not None and r.stale is not None
    assert len(r.stale) == LIST_LIMIT
    assert [d.amount for d in r.stale[:3]] == [150.0, 149.0, 148.0]
    assert r.stale[-1].amount == 51.0
    assert (r.stale_count, r.stale_amount) == (150, 11325.0)


def test_real_amocrm_export_smoke(shared_export: Callable[[str], Path]) -> None:
    path = shared_export("amocrm_leads_export.csv")
    res = analyze(path, path.name)
    assert res.recognition.mapping[Field.MODIFIED] == "Дата редактирования"
    r = res.metrics.revival
    assert r is not None and r.stale_basis == "modified" and r.stale is not None
    assert all(d.days > 30 for d in r.stale)
    assert res.metrics.sources is not None and res.metrics.sources.items


def test_real_maven_export_smoke(shared_export: Callable[[str], Path]) -> None:
    path = shared_export("maven_crm_sales_pipeline.csv")
    res = analyze(path, path.name)
    r = res.metrics.revival
    assert r is not None and r.stale_basis == "created"
    assert r.lost_count == res.metrics.deals.lost
    assert res.metrics.lost_reasons is None  # the export has no lost-reason column
