"""Where the table sits in a grid: header row, footer rows, header names."""

from __future__ import annotations

import pytest

from analytics.reading.layout import clean_headers, find_header, footer_start, is_footer, reading_rules


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["ID", "Сумма"], ["1", "100"]], 0),
        ([["Отчет по сделкам", ""], ["", ""], ["ID", "Сумма"], ["1", "100"]], 2),
        # A filter row is narrower than the table under it.
        ([["Период:", "01.01.2024"], ["Дата", "Клиент", "Сумма"], ["01.01.2024", "А", "1"]], 1),
        ([["Сумма"], ["100"], ["200"]], 0),  # one column
        ([["1", "2"], ["3", "4"]], None),  # numbers only
        ([["01.01.2024", "100,50"], ["02.01.2024", "7"]], None),
        ([["№", "Клиент", "2024"], ["1", "А", "5"]], 0),  # "№" and a year still make a text header
        ([], None),
    ],
)
def test_find_header(rows: list[list[str]], expected: int | None) -> None:
    assert find_header(rows) == expected


@pytest.mark.parametrize(
    ("first_cell", "footer"),
    [
        ("Итого", True),
        ("Итого:", True),
        ("ИТОГО по отчету", True),
        ("Всего за период", True),
        ("Total (12)", True),
        ("Grand Totals (3 records)", True),
        ("Confidential Information - Do Not Distribute", True),
        ("Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.", True),
        ("Total Gym LLC", False),
        ("Итоговая поставка", False),
        ("Всеволод Петров", False),
        ("27680693", False),
    ],
)
def test_is_footer(first_cell: str, footer: bool) -> None:
    assert is_footer(["", first_cell, "1 000"], reading_rules()) is footer


def test_footer_start_counts_trailing_footers_and_blanks_only() -> None:
    rows = [["Итого", "5"], ["1", "A"], ["2", "B"], ["Итого", "3"], ["", ""], ["Confidential Information"]]
    assert footer_start(rows, reading_rules()) == 3


def test_clean_headers() -> None:
    cells = [" ID ", "Бюджет\u00a0", "", "Источник", "Источник", "Источник (2)", "Дата\n  создания", "\ufeffX"]
    assert clean_headers(cells) == (
        "ID",
        "Бюджет",
        "column_3",
        "Источник",
        "Источник (2)",
        "Источник (2) (2)",
        "Дата создания",
        "X",
    )
