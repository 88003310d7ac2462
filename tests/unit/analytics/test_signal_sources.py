"""A signal in the chat summary names its article by title (content/ru/sources.yaml, as the XLSX report does),
never by the seed file's number."""

from __future__ import annotations

import dataclasses

import pytest

from analytics.metrics import compute_metrics
from analytics.render import render_summary, render_text
from analytics.schema import AnalysisParams, AnalysisResult, DatasetKind, Field, Recognition
from analytics.signals import find_signals
from content.loader import Content, load_content
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import STAGES
from tests.unit.analytics.test_signals import SIGNAL_SEEDS, small_deals_table


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def _small_deals_result() -> AnalysisResult:
    """One manager closing many small deals: the many_small_deals signal of article 001 (as test_report uses)."""
    deals = make_deals([{**r, "closed": "2024-01-10"} for r in small_deals_table(1000)], STAGES)
    metrics = compute_metrics(deals, DatasetKind.DEALS)
    metrics = dataclasses.replace(metrics, signals=find_signals(metrics, deals, AnalysisParams()))
    return AnalysisResult(Recognition(DatasetKind.DEALS, {Field.AMOUNT: "Бюджет"}, ("Бюджет",)), metrics)


def test_the_chat_summary_names_the_signals_article_by_title(content: Content) -> None:
    result = _small_deals_result()
    assert [s.code for s in result.metrics.signals] == ["many_small_deals"]
    # The title of 001_79367cf3ee1d0318 in content/ru/sources.yaml, then the place in it the rule quotes.
    expected = (
        "Источник: „KPI менеджера должен быть один — деньги“, "
        "ошибка №3 «Закрытые сделки»: «Мелкие сделки ради количества»"
    )
    for text in (render_summary(result, content.t), render_text(result, content.t)):
        assert expected in text
        assert "статья 00" not in text


@pytest.mark.parametrize("code", sorted(SIGNAL_SEEDS))
def test_no_signal_source_text_names_an_article_by_number(code: str, content: Content) -> None:
    assert "статья" not in content.t(f"analytics.signals.{code}.source")
