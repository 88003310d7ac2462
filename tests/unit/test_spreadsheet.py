"""XLSX/CSV export helpers: formula injection escaping, BOM and delimiter, cells read back with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from domain.spreadsheet import Cell, Sheet, build_csv, build_xlsx, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+7 900 000-00-00", "'+7 900 000-00-00"),
        ("-1+2", "'-1+2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ООО «Ромашка»", "ООО «Ромашка»"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (Decimal("-1.25"), Decimal("-1.25")),
        (None, None),
        (date(2024, 3, 1), date(2024, 3, 1)),
    ],
)
def test_safe_cell(value: Cell, expected: Cell) -> None:
    assert safe_cell(value) == expected


def test_csv_has_bom_semicolons_and_escaped_cells() -> None:
    data = build_csv(
        ["Клиент", "Сумма", "Заметка"],
        [
            ["ООО «Ромашка»", 1500.5, '=HYPERLINK("http://x")'],
            ["ИП Иванов; филиал", -300, None],
            ["-дубль", Decimal("2.50"), datetime(2024, 5, 6, 7, 8, 9)],
        ],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.splitlines()[0] == "Клиент;Сумма;Заметка"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["Клиент", "Сумма", "Заметка"],
        ["ООО «Ромашка»", "1500,5", '\'=HYPERLINK("http://x")'],
        ["ИП Иванов; филиал", "-300", ""],  # a number is never escaped
        ["'-дубль", "2,50", "2024-05-06 07:08:09"],
    ]
    assert '"ИП Иванов; филиал"' in text  # the delimiter inside a cell is quoted
    assert text.endswith("\r\n")


def test_xlsx_cells_read_back() -> None:
    aware = datetime(2024, 5, 6, 10, 30, tzinfo=timezone(timedelta(hours=3)))
    data = build_xlsx(
        [
            Sheet(
                name="Итоги",
                header=["Вопрос", "Балл", "Когда"],
                rows=[
                    ["=1+1", 0.5, aware],
                    ["#N/A", -3, date(2024, 1, 2)],
                    ["plain\x01text", Decimal("12.5"), None],
                ],
                widths=[40, 10, 20],
            ),
            Sheet(name="Итоги", header=["a"], rows=[[1]]),
            Sheet(name="Воронка: этапы / [март] и другие очень длинные слова", header=["x"], rows=[]),
        ]
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Итоги", "Итоги (2)", "Воронка_ этапы _ _март_ и други"]  # cut to 31
    sheet = workbook["Итоги"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Вопрос", "Балл", "Когда"]
    assert values[1] == ["'=1+1", 0.5, datetime(2024, 5, 6, 10, 30)]  # wall-clock time kept, zone dropped
    assert values[2] == ["#N/A", -3, datetime(2024, 1, 2, 0, 0)]
    assert values[3] == ["plaintext", 12.5, None]
    assert sheet["A2"].data_type == "s" and sheet["A3"].data_type == "s"  # neither a formula nor an error
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 40
    assert workbook["Итоги (2)"]["A2"].value == 1


def test_xlsx_guesses_widths_from_content() -> None:
    data = build_xlsx([Sheet(name="s", header=["id", "Название"], rows=[[1, "x" * 100]])])
    sheet = load_workbook(io.BytesIO(data))["s"]
    assert sheet.column_dimensions["A"].width == 8  # the minimum
    assert sheet.column_dimensions["B"].width == 60  # the cap


def test_xlsx_needs_a_sheet() -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        build_xlsx([])


def test_utc_datetime_in_csv() -> None:
    text = build_csv(["t"], [[datetime(2024, 1, 1, 12, 0, tzinfo=UTC)]])[3:].decode()
    assert text == "t\r\n2024-01-01 12:00:00\r\n"
