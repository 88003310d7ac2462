"""Reading workbooks (xlsx, ods) and HTML tables; the format comes from the content, not the name."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from analytics.reading import open_table
from analytics.reading.workbook import cell_text


def values(frame: pd.DataFrame) -> list[list[str | None]]:
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


def xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.0, "1234"),
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.3"),
        (-7, "-7"),
        (True, "TRUE"),
        (datetime(2024, 3, 5, 14, 7, 9), "2024-03-05 14:07:09"),
        (datetime(2024, 3, 5), "2024-03-05"),
        (date(2024, 3, 5), "2024-03-05"),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_xlsx_cells_arrive_as_text_under_a_cleaned_header() -> None:
    data = xlsx(
        (
            "Сделки",
            [
                ["Отчет по сделкам"],
                ["Период: январь 2024"],
                [],
                ["ID", "Бюджет\u00a0", None, "Дата создания", "Оплачено", "Бюджет"],
                [101, 150000.0, "x", datetime(2024, 1, 15, 10, 30), True, 1.5],
                [102, None, None, datetime(2024, 1, 16), False, None],
                [],
                ["Итого", 150000.0],
            ],
        )
    )
    table = open_table(data)
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.headers == ("ID", "Бюджет", "column_3", "Дата создания", "Оплачено", "Бюджет (2)")
    assert values(table.read(table.headers)) == [
        ["101", "150000", "x", "2024-01-15 10:30:00", "TRUE", "1.5"],
        ["102", None, None, "2024-01-16", "FALSE", None],
    ]
    assert table.row_count == 2


def test_the_sheet_holding_the_deals_table_is_chosen() -> None:
    data = xlsx(
        ("Инструкция", [["Выгрузка из CRM"], ["Не редактируйте этот лист"]]),
        ("Справочник", [["Код", "Менеджер"], [1, "Иванов"], [2, "Петров"]]),
        ("Сделки", [["Сделка", "Сумма", "Этап"], *[[f"Сделка {i}", i * 100, "Новая"] for i in range(1, 6)]]),
        ("Графики", [["Месяц", "Выручка"], ["2024-01", 500]]),
    )
    table = open_table(data)
    assert table.headers == ("Сделка", "Сумма", "Этап")
    assert len(table.read(["Сумма"])) == 5


def test_a_hidden_sheet_loses_to_a_visible_one_even_when_longer() -> None:
    book = openpyxl.Workbook()
    deals = book.active
    deals.title = "Сделки"
    for row in [["Сделка", "Сумма"], ["Окна", 100], ["Двери", 200]]:
        deals.append(row)
    lookup = book.create_sheet("Списки")
    lookup.sheet_state = "hidden"
    for row in [["Этап", "Порядок"], *[[f"Этап {i}", i] for i in range(10)]]:
        lookup.append(row)
    out = io.BytesIO()
    book.save(out)
    table = open_table(out.getvalue())
    assert table.headers == ("Сделка", "Сумма")
    assert table.row_count == 2


def test_xlsx_read_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "deals.xlsx"
    path.write_bytes(xlsx(("Лист1", [["Amount", "Stage"], [10, "Won"], [20, "Lost"]])))
    assert values(open_table(path).read(["Stage", "Amount"])) == [["Won", "10"], ["Lost", "20"]]


def test_format_comes_from_content_not_the_name(tmp_path: Path) -> None:
    workbook = xlsx(("S", [["Amount", "Stage"], [10, "Won"]]))
    text = b"Amount;Stage\n10;Won\n"
    for data, name, fmt in ((workbook, "deals.csv", "xlsx"), (text, "deals.xlsx", "csv")):
        path = tmp_path / name
        path.write_bytes(data)
        for source in (data, path):
            table = open_table(source, filename=name)
            assert table.format == fmt
            assert values(table.read(["Amount", "Stage"])) == [["10", "Won"]]


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (openpyxl cannot write one)."""
    cells = "".join(
        "<table:table-row>"
        + "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Deals">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_ods() -> None:
    table = open_table(ods([["Сделка", "Этап"], ["Окна", "Новая"], ["Двери", "Сделка успешна"]]), "deals.ods")
    assert table.format == "ods"
    assert values(table.read(["Этап"])) == [["Новая"], ["Сделка успешна"]]


BITRIX_HTML = (
    '<meta http-equiv="Content-type" content="text/html;charset={charset}" />\n'
    '<table border="1">\n'
    "<tr><th>ID</th><th>Название</th><th>Сумма</th><th>Стадия сделки</th></tr>\n"
    "<tr><td>1</td><td>Окна &amp; двери</td><td>1&nbsp;200,50</td><td>Сделка<br/>успешна</td></tr>\n"
    "<tr><td>2</td><td>  Монтаж\n   балкона </td><td></td><td>Новая</td></tr>\n"
    "</table>"
)


@pytest.mark.parametrize(("charset", "codec"), [("utf-8", "utf-8"), ("windows-1251", "cp1251")])
def test_bitrix_html_saved_as_xls(charset: str, codec: str) -> None:
    table = open_table(BITRIX_HTML.format(charset=charset).encode(codec), filename="deals.xls")
    assert (table.format, table.encoding) == ("html", codec)
    assert table.headers == ("ID", "Название", "Сумма", "Стадия сделки")
    assert values(table.read(table.headers)) == [
        ["1", "Окна & двери", "1\u00a0200,50", "Сделка\nуспешна"],
        ["2", "Монтаж балкона", None, "Новая"],
    ]


def test_html_picks_the_largest_table_and_keeps_merged_cells_aligned() -> None:
    html = (
        "<html><body><table><tr><td>Фильтр</td><td>Все</td></tr></table>"
        "<table><tr><th>Клиент</th><th>Менеджер</th><th>Сумма</th></tr>"
        "<tr><td colspan=2>ООО Ромашка</td><td>100</td></tr>"
        "<tr><td>ООО Лютик</td><td>Иванов</td><td>200</td></tr></table></body></html>"
    )
    table = open_table(html.encode())
    assert table.headers == ("Клиент", "Менеджер", "Сумма")
    assert values(table.read(["Менеджер", "Сумма"])) == [[None, "100"], ["Иванов", "200"]]


def test_html_rows_shorter_than_the_header_are_padded() -> None:
    html = "<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>1</td></tr><tr><td>2</td><td>3</td></tr></table>"
    table = open_table(html.encode())
    assert table.headers == ("a", "b", "c")
    assert values(table.read(["c", "b", "a"])) == [[None, None, "1"], [None, "3", "2"]]
