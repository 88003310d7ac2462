"""Amounts, dates, statuses and flags parsed from cell text, one decision per column."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from analytics.values import (
    classify_flag,
    classify_repeat,
    classify_status,
    parse_amounts,
    parse_dates,
    word_share,
)

NB = "\u00a0"
NNB = "\u202f"


def amounts(*cells: str | None) -> list[float | None]:
    parsed = parse_amounts(pd.Series(list(cells), dtype="str")).values
    return [None if math.isnan(v) else v for v in parsed]


# ---- amounts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1 234 567,89"], [1234567.89]),
        ([f"1{NB}234{NB}567,89"], [1234567.89]),
        ([f"1{NNB}234{NNB}567,89"], [1234567.89]),
        (["1,234,567.89"], [1234567.89]),
        (["1234567.89 ₽"], [1234567.89]),
        (["$1,200.00"], [1200.0]),
        (["USD 1,200"], [1200.0]),
        (["1.234.567,89"], [1234567.89]),
        (["-1 200"], [-1200.0]),
        (["(1 200)"], [-1200.0]),
        (["0"], [0.0]),
        (["1234.5"], [1234.5]),
        (["1 200 руб."], [1200.0]),
        (["15 000 р."], [15000.0]),
        (["€ 99,50"], [99.5]),
        ([f"2{NB}500,5"], [2500.5]),
        (["1'234.50"], [1234.5]),
        (["+500"], [500.0]),
        (["\u2212300"], [-300.0]),
        (["  42  "], [42.0]),
    ],
)
def test_amount_formats(cells: list[str], expected: list[float]) -> None:
    assert amounts(*cells) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # a lone "," with three digits in every cell groups thousands
        (["1,500", "12,000", "250"], [1500.0, 12000.0, 250.0]),
        # ... but one cell with two decimals makes "," the decimal comma of the whole column
        (["1,500", "12,50", "250"], [1.5, 12.5, 250.0]),
        # "0,125" is a fraction: a zero before the separator
        (["0,125", "1,500"], [0.125, 1.5]),
        # a dot used twice groups thousands; "5.5" then cannot be a number of this column
        (["1.234.567", "12.500"], [1234567.0, 12500.0]),
        # the decimal written last wins wherever both appear
        (["1.234,56", "980,50", "45.000,00"], [1234.56, 980.5, 45000.0]),
        (["1,234.56", "980.50"], [1234.56, 980.5]),
        # workbook floats as their repr
        (["1500.0", "82000.5", "99000.0"], [1500.0, 82000.5, 99000.0]),
    ],
)
def test_decimal_separator_is_decided_per_column(cells: list[str], expected: list[float]) -> None:
    assert amounts(*cells) == pytest.approx(expected)


@pytest.mark.parametrize(
    "cell",
    ["", "abc", "12 шт", "22.03.2022", "+7 900 123 45 67", "1-2", "12,34,5", "1 23", "12.5.6,7", "N/A", "—"],
)
def test_not_amounts_are_nan(cell: str) -> None:
    assert amounts(cell, "100") == [None, 100.0]


def test_missing_cells_are_nan_and_do_not_count_against_the_share() -> None:
    parsed = parse_amounts(pd.Series(["100", None, "", "x"], dtype="str"))
    assert parsed.values.isna().tolist() == [False, True, True, True]
    assert parsed.share_parsed == pytest.approx(0.5)  # "100" of the two non-empty cells


@pytest.mark.parametrize(
    ("cells", "currency"),
    [
        (["1 234 ₽", "500 ₽"], "RUB"),
        (["1 200 руб.", "300"], "RUB"),
        (["$1,200.00", "$5"], "USD"),
        (["USD 1,200"], "USD"),
        (["€ 99,50"], "EUR"),
        (["100 EUR"], "EUR"),
        (["1 200", "300"], None),
        (["$5", "€5"], None),  # two currencies in one column: none is claimed
    ],
)
def test_currency_from_cells(cells: list[str], currency: str | None) -> None:
    assert parse_amounts(pd.Series(cells, dtype="str")).currency == currency


def test_numeric_column_passes_through() -> None:
    parsed = parse_amounts(pd.Series([1.5, None, 3], dtype="float64"))
    assert parsed.values.tolist()[0] == 1.5
    assert math.isnan(parsed.values.tolist()[1])
    assert parsed.values.tolist()[2] == 3.0


def test_index_is_kept() -> None:
    parsed = parse_amounts(pd.Series(["1", "2"], index=[10, 20], dtype="str"))
    assert parsed.values.index.tolist() == [10, 20]


def test_amounts_many_rows_and_shapes() -> None:
    """A column of many magnitudes, built from integers so the expected values are exact."""
    rng = np.random.default_rng(7)
    kopecks = rng.integers(0, 10**10, size=5000)
    cells = [f"{k // 100:,}".replace(",", NB) + f",{k % 100:02d}" for k in kopecks]
    parsed = parse_amounts(pd.Series(cells, dtype="str")).values.to_numpy()
    assert np.allclose(parsed, kopecks / 100, rtol=0, atol=1e-6)


# ---- dates ---------------------------------------------------------------------------------------------------


def dates(*cells: str | None) -> list[datetime | None]:
    parsed = parse_dates(pd.Series(list(cells), dtype="str")).values
    return [None if pd.isna(v) else v.to_pydatetime() for v in parsed]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["22.03.2022"], [datetime(2022, 3, 22)]),
        (["22.03.2022 13:32"], [datetime(2022, 3, 22, 13, 32)]),
        (["22.03.2022 13:32:57"], [datetime(2022, 3, 22, 13, 32, 57)]),
        (["2024-02-29"], [datetime(2024, 2, 29)]),
        (["2024-02-29 08:05:09"], [datetime(2024, 2, 29, 8, 5, 9)]),
        (["2024-02-29T08:05:09"], [datetime(2024, 2, 29, 8, 5, 9)]),
        (["2024-02-29T08:05:09.123Z"], [datetime(2024, 2, 29, 8, 5, 9)]),
        (["2024-02-29T08:05:09+03:00"], [datetime(2024, 2, 29, 8, 5, 9)]),
        (["4/15/2021"], [datetime(2021, 4, 15)]),
        (["4/5/2021 3:04 PM", "12/31/2021"], [datetime(2021, 4, 5, 15, 4), datetime(2021, 12, 31)]),
        (["12/31/2021 12:00 AM"], [datetime(2021, 12, 31, 0, 0)]),
        (["15 Apr, 2021 00:02:00"], [datetime(2021, 4, 15, 0, 2)]),
        (["Apr 15, 2021"], [datetime(2021, 4, 15)]),
        (["15 апреля 2021"], [datetime(2021, 4, 15)]),
        (["3 мая 2020 г."], [datetime(2020, 5, 3)]),
        (["1.2.2024"], [datetime(2024, 2, 1)]),
        (["44197", "44198.5"], [datetime(2021, 1, 1), datetime(2021, 1, 2, 12)]),
    ],
)
def test_date_formats(cells: list[str], expected: list[datetime]) -> None:
    assert dates(*cells) == expected


@pytest.mark.parametrize(
    ("cells", "expected", "order"),
    [
        # a first part above 12 anywhere: the whole column is day-first
        (["03/04/2024", "25/04/2024"], [datetime(2024, 4, 3), datetime(2024, 4, 25)], "DMY"),
        # a second part above 12: month-first
        (["03/04/2024", "04/25/2024"], [datetime(2024, 3, 4), datetime(2024, 4, 25)], "MDY"),
        # undecidable: "." reads day-first (Russian habit), "/" month-first (US CRMs)
        (["03.04.2024", "05.06.2024"], [datetime(2024, 4, 3), datetime(2024, 6, 5)], "DMY"),
        (["03/04/2024", "05/06/2024"], [datetime(2024, 3, 4), datetime(2024, 5, 6)], "MDY"),
        (["2024-04-03"], [datetime(2024, 4, 3)], "YMD"),
    ],
)
def test_day_month_order_is_decided_per_column(cells: list[str], expected: list[datetime], order: str) -> None:
    parsed = parse_dates(pd.Series(cells, dtype="str"))
    assert [v.to_pydatetime() for v in parsed.values] == expected
    assert parsed.order == order


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15-04-21", datetime(2021, 4, 15)),
        ("01-02-69", datetime(2069, 2, 1)),  # two-digit years fall in 1970..2069
        ("01-02-70", datetime(1970, 2, 1)),
        ("31-12-99", datetime(1999, 12, 31)),
    ],
)
def test_two_digit_years(cell: str, expected: datetime) -> None:
    assert dates(cell) == [expected]


@pytest.mark.parametrize(
    "cell", ["не закрыта", "", "31.02.2021", "32.01.2024", "29.02.2023", "12", "abc", "2024-13-01", "25:00"]
)
def test_not_dates_are_nat(cell: str) -> None:
    assert dates(cell, "01.01.2024") == [None, datetime(2024, 1, 1)]


def test_words_in_a_date_column_are_nat_and_lower_the_share() -> None:
    parsed = parse_dates(pd.Series(["22.03.2022 13:32:00", "не закрыта", None, "не закрыта"], dtype="str"))
    assert parsed.values.isna().tolist() == [False, True, True, True]
    assert parsed.share_parsed == pytest.approx(1 / 3)
    assert parsed.order == "DMY"


def test_numbers_out_of_serial_range_are_not_dates() -> None:
    parsed = parse_dates(pd.Series(["12000", "45000"], dtype="str"))
    assert parsed.values.isna().all()
    assert parsed.share_parsed == 0.0


def test_datetime_column_passes_through() -> None:
    source = pd.Series(pd.to_datetime(["2024-01-02 03:04:05", None]))
    parsed = parse_dates(source)
    assert parsed.values.iloc[0] == pd.Timestamp("2024-01-02 03:04:05")
    assert pd.isna(parsed.values.iloc[1])


def test_dates_many_rows_match_pandas() -> None:
    """100k fixed-width cells against pandas' own parser (independent of our arithmetic)."""
    rng = np.random.default_rng(3)
    seconds = rng.integers(0, 20 * 365 * 86400, size=100_000)
    stamps = pd.Timestamp("2005-01-01") + pd.to_timedelta(seconds, unit="s")
    cells = pd.Series(stamps.strftime("%d.%m.%Y %H:%M:%S"), dtype="str")
    cells.iloc[::7] = None
    parsed = parse_dates(cells).values
    expected = pd.to_datetime(cells, format="%d.%m.%Y %H:%M:%S")
    assert parsed.equals(expected.astype("datetime64[ns]"))


# ---- statuses and flags --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Успешно реализовано", "won"),
        ("Сделка успешна", "won"),
        ("Успешная сделка", "won"),
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("WON", "won"),
        ("Выиграна", "won"),
        ("  успешно  реализовано ", "won"),
        ("true", "won"),
        ("Да", "won"),
        ("Закрыто и не реализовано", "lost"),
        ("Сделка провалена", "lost"),
        ("Closed Lost", "lost"),
        ("Closed-Lost to Competition", "lost"),
        ("Lost", "lost"),
        ("Проиграна", "lost"),
        ("Отказ", "lost"),
        ("Переговоры", "open"),
        ("Contract Sent", "open"),
        ("Open", "open"),
        ("false", "open"),  # IsWon false: not known to be lost
        ("Won the pitch, now pricing", "open"),  # whole value only, never a substring
        (None, "open"),
    ],
)
def test_status_words(cell: str | None, status: str) -> None:
    assert classify_status(pd.Series([cell], dtype="str")).tolist() == [status]


def test_status_is_a_categorical_with_the_index_kept() -> None:
    result = classify_status(pd.Series(["Won", "Lost"], index=[5, 6], dtype="str"))
    assert isinstance(result.dtype, pd.CategoricalDtype)
    assert result.index.tolist() == [5, 6]


@pytest.mark.parametrize(
    ("cell", "repeat"),
    [
        ("Да", True),
        ("Нет", False),
        ("Existing Business", True),
        ("existingbusiness", True),
        ("New Business", False),
        ("newbusiness", False),
        ("Повторная продажа", True),
        ("что-то", None),
        (None, None),
    ],
)
def test_repeat_flag(cell: str | None, repeat: bool | None) -> None:
    value = classify_repeat(pd.Series([cell], dtype="str")).iloc[0]
    assert (value is pd.NA) if repeat is None else (value == repeat)


def test_flag_is_boolean_dtype() -> None:
    result = classify_flag(pd.Series(["Да", "нет", "", "yes"], dtype="str"))
    assert str(result.dtype) == "boolean"
    assert result.isna().tolist() == [False, False, True, False]
    assert result.fillna(False).tolist() == [True, False, False, True]


def test_word_share() -> None:
    assert word_share(["Won", "Lost", "Open", "Переговоры"], "status") == pytest.approx(0.75)
    assert word_share(["New Business", "Existing Business", "Other"], "repeat") == pytest.approx(2 / 3)
