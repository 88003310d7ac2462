"""An upload against the team's previous one (domain/upload_comparison.py) and its block in the summary
(bot/views/crm_upload.py). Expected values are worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.views.crm_upload import comparison_text, summary_with_comparison
from content import Content, load_content
from domain.upload_comparison import FigureChange, UploadFigures, compare_uploads, upload_figures

NB = "\u00a0"
MINUS = "\u2212"
BEFORE = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 01.04.2026 in Moscow
NOW = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def snapshot(**metrics: Any) -> str:
    """A stored snapshot (analytics.metrics_json.snapshot_json); revenue counts only with the amounts known."""
    return json.dumps({"version": 1, "metrics": {"revenue_by_month": {"2026-03": 1.0}, **metrics}})


def figures(
    revenue: float | None, win_rate: float | None, avg_deal: float | None, active: int | None, currency: str | None
) -> UploadFigures:
    return UploadFigures(NOW, currency, revenue, win_rate, avg_deal, active)


def test_a_snapshot_is_read_as_its_four_figures() -> None:
    stored = snapshot(
        currency="RUB",
        won_revenue=1_000_000,
        win_rate=0.4,
        avg_deal=50_000,
        clients={"active": 20, "sleeping": 5, "churned": 3},
    )
    assert upload_figures(stored, BEFORE) == UploadFigures(BEFORE, "RUB", 1_000_000.0, 0.4, 50_000.0, 20)


def test_without_an_amounts_column_revenue_and_average_deal_are_unknown_not_zero() -> None:
    stored = json.dumps({"version": 1, "metrics": {"won_revenue": 0, "avg_deal": None, "win_rate": 0.5}})
    assert upload_figures(stored, BEFORE) == UploadFigures(BEFORE, None, None, 0.5, None, None)


def test_the_first_upload_has_nothing_to_compare_with() -> None:
    assert compare_uploads(figures(850_000, 0.45, 56_000, 23, "RUB"), None) is None


def test_changes_are_now_minus_before() -> None:
    previous = upload_figures(
        snapshot(
            currency="RUB",
            won_revenue=1_000_000,
            win_rate=0.4,
            avg_deal=50_000,
            clients={"active": 20, "sleeping": 0, "churned": 0},
        ),
        BEFORE,
    )
    comparison = compare_uploads(figures(850_000, 0.45, 56_000, 23, "RUB"), previous)
    assert comparison is not None
    assert comparison.previous_at == BEFORE
    assert comparison.won_revenue == FigureChange(850_000, -150_000)
    assert comparison.win_rate.now == 0.45
    assert comparison.win_rate.change == pytest.approx(0.05)
    assert comparison.avg_deal == FigureChange(56_000, 6_000)
    assert comparison.active_clients == FigureChange(23, 3)


def test_money_in_another_currency_is_not_compared() -> None:
    comparison = compare_uploads(figures(900, 0.5, 300, 3, "USD"), figures(80_000, 0.25, 20_000, 4, "RUB"))
    assert comparison is not None
    assert comparison.won_revenue == FigureChange(900, None)
    assert comparison.avg_deal == FigureChange(300, None)
    assert comparison.win_rate == FigureChange(0.5, 0.25)
    assert comparison.active_clients == FigureChange(3, -1)


def test_nothing_known_on_both_sides_gives_no_block() -> None:
    assert compare_uploads(figures(None, 0.5, None, None, None), figures(100, None, 100, 5, None)) is None


def test_the_block_in_roubles_with_a_typographic_minus(content: Content) -> None:
    comparison = compare_uploads(figures(850_000, 0.45, 56_000, 23, "RUB"), figures(1_000_000, 0.4, 50_000, 20, "RUB"))
    assert comparison is not None
    assert comparison_text(content, comparison, "Europe/Moscow").split("\n") == [
        "<b>По сравнению с прошлой выгрузкой (20.04.2026):</b>",
        f"• Выручка по успешным сделкам: 850{NB}000{NB}₽ ({MINUS}150{NB}000{NB}₽)",
        f"• Конверсия в успешные: 45{NB}% (+5{NB}п.{NB}п.)",
        f"• Средний чек: 56{NB}000{NB}₽ (+6{NB}000{NB}₽)",
        "• Активные клиенты: 23 (+3)",
    ]


def test_unknown_currency_no_sign_local_date_and_unknown_changes_left_out(content: Content) -> None:
    previous = UploadFigures(BEFORE, None, 200_000, 0.3, None, 7)
    # win rate 30 % -> 29,6 %: −0,4 п. п.; clients unchanged: «0», without a plus
    comparison = compare_uploads(figures(150_000, 0.296, 75_000, 7, None), previous)
    assert comparison is not None
    assert comparison_text(content, comparison, "Europe/Moscow").split("\n") == [
        "<b>По сравнению с прошлой выгрузкой (01.04.2026):</b>",
        f"• Выручка по успешным сделкам: 150{NB}000 ({MINUS}50{NB}000)",
        f"• Конверсия в успешные: 30{NB}% ({MINUS}0,4{NB}п.{NB}п.)",
        "• Активные клиенты: 7 (0)",
    ]


def test_the_block_follows_the_summary_unless_it_would_not_fit(content: Content) -> None:
    comparison = compare_uploads(figures(2, None, None, None, None), figures(1, None, None, None, None))
    assert comparison is not None
    block = comparison_text(content, comparison, "UTC")
    assert summary_with_comparison(content, "Сводка", comparison, "UTC") == f"Сводка\n\n{block}"
    assert summary_with_comparison(content, "Сводка", None, "UTC") == "Сводка"
    long_summary = "x" * 4050  # with the block it would pass Telegram's 4096
    assert summary_with_comparison(content, long_summary, comparison, "UTC") == long_summary
