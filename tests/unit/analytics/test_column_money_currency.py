"""Trust in columns and currency (issue 9, section 7): which columns are money, which currency they are in,
and the same column choice from the command line as from the bot's buttons."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli import main
from analytics.columns import recognize
from analytics.engine import analyze
from analytics.render import render_summary
from analytics.render_format import Fmt
from analytics.schema import Field, Recognition
from content.loader import load_content

EXPORTS = Path(__file__).resolve().parents[4] / "shared" / "exports"
NB = "\u00a0"

# Superstore's layout, a few of its rows (one postal code with a leading zero, as in Vermont's "05401")
SUPERSTORE = (
    "Row ID,Order ID,Order Date,Ship Date,Customer Name,City,Postal Code,Category,Sales,Quantity,Discount,Profit\n"
    "1,CA-2016-152156,11/8/2016,11/11/2016,Claire Gute,Henderson,42420,Furniture,261.96,2,0,41.9136\n"
    "2,CA-2016-152157,11/8/2016,11/11/2016,Claire Gute,Henderson,42420,Furniture,731.94,3,0,219.582\n"
    "3,CA-2016-138688,6/12/2016,6/16/2016,Darrin Van Huff,Los Angeles,90036,Office,14.62,2,0,6.8714\n"
    "4,US-2015-108966,10/11/2015,10/18/2015,Sean O'Donnell,Fort Lauderdale,33311,Furniture,957.5775,5,0.45,-383.03\n"
    "5,CA-2014-115812,6/9/2014,6/14/2014,Brosina Hoffman,Burlington,05401,Office,48.86,7,0,14.1694\n"
)


def recognized(rows: list[list[str]]) -> Recognition:
    headers = rows[0]
    return recognize(headers, pd.DataFrame(rows[1:], columns=headers, dtype="str"))


def money_options(r: Recognition) -> set[str]:
    return set(r.candidates.get(Field.AMOUNT, ())) | ({r.mapping[Field.AMOUNT]} if Field.AMOUNT in r.mapping else set())


# ---- which column is money ----------------------------------------------------------------------------------


def test_superstore_sales_is_the_amount_and_postal_code_is_never_offered() -> None:
    result = analyze(SUPERSTORE.encode(), "superstore.csv")
    r = result.recognition
    assert r.mapping[Field.AMOUNT] == "Sales"
    assert Field.AMOUNT not in r.ambiguous and "Postal Code" not in r.candidates.get(Field.AMOUNT, ())
    assert result.metrics.won_revenue == pytest.approx(261.96 + 731.94 + 14.62 + 957.5775 + 48.86)
    assert result.metrics.currency is None


@pytest.mark.parametrize("header", ["Sales", "Продажи", "Выручка", "Net Sales", "Сумма продаж"])
def test_sales_words_are_amounts(header: str) -> None:
    r = recognized([["Клиент", "Индекс", header], ["ООО А", "101000", "15 000"], ["ООО Б", "190000", "7 500"]])
    assert r.mapping[Field.AMOUNT] == header and Field.AMOUNT not in r.ambiguous


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Postal Code", ["42420", "90036", "33311", "05401"]),
        ("Zip", ["42420", "90036", "33311", "10001"]),
        ("Почтовый индекс", ["101000", "190000", "630099"]),
        ("Телефон", ["+7 (900) 123-45-67", "8-900-765-43-21", "+7 912 000 11 22"]),
        ("Row ID", ["1", "2", "3", "4", "5"]),
        ("Доля", ["0,25", "0,5", "1"]),
        ("Rate", ["10%", "15 %", "7%"]),
    ],
)
def test_codes_phones_ids_and_percentages_are_never_money_by_header(header: str, cells: list[str]) -> None:
    rows = [["Клиент", header, "Показатель"]] + [[f"К{i}", c, f"{(i + 1) * 1000}"] for i, c in enumerate(cells)]
    r = recognized(rows)
    assert header not in money_options(r)
    assert money_options(r) == {"Показатель"}


@pytest.mark.parametrize(
    "cells",
    [
        ["42420", "90036", "33311", "05401", "10001"],  # fixed-width codes, one with a leading zero
        ["42420", "90036", "33311", "72401", "10019"],  # fixed width, not round: codes, not budgets
        ["+7 (900) 123-45-67", "8-900-765-43-21", "+7 912 000 11 22", "8 (495) 111-22-33", "+1 555 123 4567"],
        ["3", "1", "2", "5", "4"],  # every number once, 1..n: a row number
        ["0.25", "0.5", "0.1", "1", "0"],  # shares of one
        ["10%", "15 %", "7%", "12%", "3%"],
    ],
)
def test_codes_phones_ids_and_percentages_are_never_money_by_content(cells: list[str]) -> None:
    """Headers that say nothing ("Поле 1"): the cells alone rule the column out."""
    amounts = ["120 000", "80 000", "15 500", "9 990", "250 000"]
    rows = [[f"К{i}", c, a] for i, (c, a) in enumerate(zip(cells, amounts, strict=True))]
    r = recognized([["Клиент", "Поле 1", "Поле 2"], *rows])
    assert money_options(r) == {"Поле 2"}


@pytest.mark.parametrize(
    "cells",
    [
        ["150000", "250000", "300000", "400000", "120000"],  # round six-digit budgets stay money
        ["0", "0", "0", "", "0"],  # budgets left at zero (amoCRM) are still the amount column
        ["1500", "200", "35", "4000", "90"],
    ],
)
def test_amounts_that_look_plain_stay_money(cells: list[str]) -> None:
    r = recognized([["Клиент", "Бюджет"]] + [[f"К{i}", c] for i, c in enumerate(cells)])
    assert r.mapping[Field.AMOUNT] == "Бюджет"


# ---- currency -------------------------------------------------------------------------------------------------


def deals_csv(amount_header: str, amounts: list[str], extra: str = "", extra_value: str = "") -> bytes:
    head = f"Сделка;Этап сделки;{amount_header}{';' + extra if extra else ''}\n"
    stages = ["Успешно реализовано", "Закрыто и не реализовано", "Успешно реализовано"]
    lines = [
        f"Сделка {i};{stage};{amount}{';' + extra_value if extra else ''}"
        for i, (stage, amount) in enumerate(zip(stages, amounts, strict=True))
    ]
    return (head + "\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("header", "amounts", "currency"),
    [
        ("Сумма, руб", ["10 000", "5 000", "20 000"], "RUB"),
        ("Amount (USD)", ["10000", "5000", "20000"], "USD"),
        ("Выручка, $", ["10000", "5000", "20000"], "USD"),
        ("Сумма", ["10 000 ₽", "5 000 ₽", "20 000 ₽"], "RUB"),
        ("Amount", ["$10,000.00", "$5,000.00", "$20,000.00"], "USD"),
        ("Сумма", ["10 000", "5 000", "20 000"], None),
    ],
)
def test_currency_from_values_or_header(header: str, amounts: list[str], currency: str | None) -> None:
    result = analyze(deals_csv(header, amounts), "deals.csv")
    assert result.recognition.mapping[Field.AMOUNT] == header
    assert result.metrics.currency == currency


def test_currency_from_a_currency_column() -> None:
    data = deals_csv("Deal - Value", ["10000", "5000", "20000"], "Deal - Currency", "EUR")
    assert analyze(data, "deals.csv").metrics.currency == "EUR"


def test_unknown_currency_prints_plain_numbers_and_a_known_one_its_sign() -> None:
    t = load_content("ru").t
    plain = render_summary(analyze(deals_csv("Сумма", ["10 000", "5 000", "20 000"]), "d.csv"), t)
    assert f"30{NB}000" in plain and "₽" not in plain and "$" not in plain
    dollars = render_summary(analyze(deals_csv("Amount (USD)", ["10000", "5000", "20000"]), "d.csv"), t)
    assert f"30{NB}000{NB}$" in dollars and "₽" not in dollars
    roubles = render_summary(analyze(deals_csv("Сумма, руб", ["10000", "5000", "20000"]), "d.csv"), t)
    assert f"30{NB}000{NB}₽" in roubles


def test_money_axes_name_the_currency_only_when_known() -> None:
    t = load_content("ru").t
    assert Fmt(t).axis("analytics.charts.revenue_axis") == "Выручка"
    assert Fmt(t, "USD").axis("analytics.charts.managers_axis") == "Выручка, $"
    assert Fmt(t, "RUB").axis("digest.chart.axis") == "Выручка, ₽" and Fmt(t).axis("digest.chart.axis") == "Выручка"


# ---- the CLI's --column ---------------------------------------------------------------------------------------


@pytest.fixture
def superstore(tmp_path: Path) -> Path:
    path = tmp_path / "superstore.csv"
    path.write_text(SUPERSTORE, encoding="utf-8")
    return path


def test_cli_column_choice_wins(superstore: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(superstore), "--json", "--column", "amount=Profit"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"]["amount"] == "Profit" and "margin" not in data["columns"]
    # the Russian field name and a header written loosely work too; the option repeats
    args = [str(superstore), "--json", "--column", "сумма=sales", "--column", "manager=Customer Name"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"]["amount"] == "Sales" and data["columns"]["manager"] == "Customer Name"
    assert "client" not in data["columns"]  # the header moved to the chosen field, as with the bot's buttons


@pytest.mark.parametrize(
    ("option", "says"),
    [("foo=Sales", "ПОЛЕ=ЗАГОЛОВОК"), ("amount", "ПОЛЕ=ЗАГОЛОВОК"), ("amount=Revenue", "нет колонки «Revenue»")],
)
def test_cli_column_errors(superstore: Path, option: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(superstore), "--column", option]) == 1
    captured = capsys.readouterr()
    assert says in captured.err and captured.out == "" and len(captured.err.strip().splitlines()) == 1


# ---- real exports (read in place; skipped when absent) ----------------------------------------------------------


def test_maven_is_in_an_unknown_currency() -> None:
    path = EXPORTS / "maven_crm_sales_pipeline.csv"
    if not path.is_file():
        pytest.skip("real exports are not available here")
    result = analyze(path, path.name)
    assert result.recognition.mapping[Field.AMOUNT] == "close_value" and result.metrics.currency is None
    assert "₽" not in render_summary(result, load_content("ru").t)


def test_real_superstore_when_present() -> None:
    found = sorted(EXPORTS.glob("*uperstore*.csv")) if EXPORTS.is_dir() else []
    if not found:
        pytest.skip("no Superstore export here")
    result = analyze(found[0], found[0].name)
    r = result.recognition
    assert r.mapping[Field.AMOUNT] == "Sales" and "Postal Code" not in r.candidates.get(Field.AMOUNT, ())
    assert "₽" not in render_summary(result, load_content("ru").t)
