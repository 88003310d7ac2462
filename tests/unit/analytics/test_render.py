"""The Telegram summary and the plain report: Russian number formats, escaping, the 4096 limit."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from analytics.metrics import compute_metrics
from analytics.render import SUMMARY_LIMIT, TELEGRAM_LIMIT, render_summary, render_text
from analytics.render_format import Fmt, group
from analytics.schema import (
    AnalysisResult,
    DatasetKind,
    Field,
    ManagerStats,
    Recognition,
    Signal,
)
from content.loader import Content, load_content
from devtools.botapi_html import html_error, strip_html
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import STAGES, base_rows

NB = "\u00a0"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def fake_t(key: str, /, **kwargs: object) -> str:
    return key + "|" + ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))


def result_of(rows: list[dict], kind: DatasetKind = DatasetKind.DEALS, **changes: Any) -> AnalysisResult:
    metrics = dataclasses.replace(compute_metrics(make_deals(rows, STAGES), kind), **changes)
    recognition = Recognition(kind, {Field.AMOUNT: "Бюджет"}, ("Бюджет",))
    return AnalysisResult(recognition, metrics)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(1234567.4, 0, f"1{NB}234{NB}567"), (999, 0, "999"), (1000, 0, f"1{NB}000"), (-1500, 0, f"\u22121{NB}500"),
     (4.56, 1, "4,6"), (-0.4, 0, "0"), (1234.5, 1, f"1{NB}234,5")],
)
def test_group(value: float, decimals: int, expected: str) -> None:
    assert group(value, decimals) == expected


def test_formats(content: Content) -> None:
    f = Fmt(content.t)
    assert f.money(1234567) == f"1{NB}234{NB}567"  # currency unknown: a plain number, no ₽ guessed
    assert Fmt(content.t, "RUB").money(1234567) == f"1{NB}234{NB}567{NB}₽"
    assert Fmt(content.t, "USD").money(1200) == f"1{NB}200{NB}$"
    assert Fmt(content.t, "XYZ").money(5) == f"5{NB}XYZ"
    assert f.pct(0.42) == f"42{NB}%"
    assert f.pct(0.045) == f"4,5{NB}%"
    assert f.pct(0.05) == f"5{NB}%"
    assert f.pct(1.2, signed=True) == f"+120{NB}%"
    assert f.pct(-0.2, signed=True) == f"\u221220{NB}%"
    assert f.money(None) == f.pct(None) == "нет данных"
    assert f.month("2024-03") == "март 2024"
    assert f.days(14.0) == "14 дн." and f.days(2.5) == "2,5 дн."


def test_summary_shows_the_figures(content: Content) -> None:
    text = render_summary(result_of(base_rows()), content.t)
    assert html_error(text) is None
    plain = strip_html(text)
    assert f"Выручка по успешным сделкам: 60{NB}000\n" in plain  # no currency in the export: no sign
    assert f"Конверсия в успешные (успешные / закрытые): 67{NB}%" in plain
    assert "Всего 10 · успешных 4 · проигранных 2 · в работе 4" in plain
    # reached 6 of 10, 5 of them went on (5 / 6 = 83 %), 1 open deal sits there now; the 2 lost stand apart
    assert f"• Квалификация — дошли 6 (60{NB}%) → дальше 83{NB}%; сейчас на этапе 1" in plain
    assert f"Проиграно (вне воронки): 2 (20{NB}%)" in plain
    assert f"• Успешно реализовано — 4 (40{NB}%)" in plain
    assert f"март 2024: 30{NB}000 · февраль 2024: 20{NB}000 · +50{NB}% (резкий рост)" in plain
    assert "Период: 01.01.2024 — 31.03.2024" in plain
    assert "В работе дольше 30 дн.: 2 из 4 открытых сделок" in plain
    assert "<b>Воронка</b>" in text


def test_summary_of_a_sales_export_skips_the_funnel(content: Content) -> None:
    rows = [dict(status="won", manager="A", amount=100, closed="2024-01-10")]
    plain = strip_html(render_summary(result_of(rows, DatasetKind.SALES), content.t))
    assert "Воронка не строится" in plain and "Продаж: 1" in plain
    assert "Конверсия в успешные" not in plain


def test_unknown_values_are_left_out_not_invented(content: Content) -> None:
    rows = [dict(stage="Новая", status="open", amount=None, created="2024-01-01")]
    plain = strip_html(render_summary(result_of(rows), content.t))
    assert "Средний чек" not in plain and "Маржа" not in plain and "Клиентская база" not in plain


def test_html_in_names_is_escaped(content: Content) -> None:
    rows = base_rows()
    rows[0]["manager"] = "<b>Иван</b> & Co"
    rows[1]["stage"] = "<i>Этап"
    text = render_summary(result_of(rows), content.t)
    assert html_error(text) is None
    assert "&lt;b&gt;Иван&lt;/b&gt; &amp; Co" in text
    assert "&lt;i&gt;Этап" in text


def test_500_long_manager_names_stay_under_the_limit(content: Content) -> None:
    managers = tuple(
        ManagerStats(f"<b>{i:03d}</b> " + "Константинопольский-Длинноимённый " * 6, 10, 5, 1_000_000.0 - i, 0.5,
                     200_000.0, 12.0, plan=900_000.0, attainment=1.05, over_plan=50_000.0)
        for i in range(500)
    )
    signals = tuple(Signal("one_plan_for_all", "000_6c6a9c488eba901c.txt",
                           {"planned_n": 500, "plan_money": 1e6, "low_manager": m.manager, "low_pct": 0.1,
                            "high_manager": m.manager, "high_pct": 2.0}) for m in managers[:20])
    text = render_summary(result_of(base_rows(), managers=managers, signals=signals), content.t)
    assert len(text.encode("utf-16-le")) // 2 <= SUMMARY_LIMIT < TELEGRAM_LIMIT
    assert html_error(text) is None
    assert "… и ещё" in text
    assert "&lt;b&gt;000&lt;/b&gt;" in text and "<b>000" not in text


def test_plain_report_lists_everything(content: Content) -> None:
    managers = tuple(ManagerStats(f"M{i}", 1, 1, 10.0, 1.0, 10.0, None) for i in range(30))
    text = render_text(result_of(base_rows(), managers=managers), content.t)
    assert "<b>" not in text and "M29" in text and "… и ещё" not in text


def test_render_takes_any_text_function() -> None:
    text = render_summary(result_of(base_rows()), fake_t)
    assert "analytics.summary.revenue|value=60" in text


MY_MODULES = ("render.py", "render_format.py", "charts.py", "report.py", "cli.py", "engine.py", "metrics_json.py")


def test_every_analytics_text_key_exists(content: Content) -> None:
    """Literal keys and f-string key families in the analytics views (they call t via a parameter, which the
    project-wide key test cannot see)."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "analytics"
    missing = []
    for name in MY_MODULES:
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        in_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstring:
                if re.fullmatch(r"analytics(\.[a-z_0-9]+)+", node.value) and not content.has(node.value):
                    missing.append(f"{name}: {node.value}")
            elif isinstance(node, ast.JoinedStr):
                parts = node.values
                if parts and isinstance(parts[0], ast.Constant) and str(parts[0].value).startswith("analytics."):
                    pattern = "".join(
                        re.escape(str(p.value)) if isinstance(p, ast.Constant) else r"[^.]+" for p in parts
                    )
                    if not any(re.fullmatch(pattern, key) for key in content.texts):
                        missing.append(f"{name}: {ast.unparse(node)}")
    assert missing == []


def test_every_read_error_has_a_text(content: Content) -> None:
    from analytics.schema import DatasetKind, ReadErrorCode

    assert [c.value for c in ReadErrorCode if not content.has(f"analytics.errors.{c.value}")] == []
    assert all(content.has(f"analytics.kinds.{k.value}") for k in DatasetKind)
    assert all(content.has(f"analytics.fields.{f.value}") for f in Field)
    assert all(content.has(f"analytics.grades.{g}") for g in ("decline", "flat", "growth", "surge"))
