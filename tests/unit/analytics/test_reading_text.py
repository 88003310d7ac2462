"""Reading delimited text exports: encodings, delimiters, header rows, footers, quoting, header names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.reading import open_table
from analytics.reading.text import HEAD_BYTES, TAIL_BYTES
from analytics.schema import ExportReadError, ReadErrorCode, ReadLimits

DEALS = "Сделка;Сумма;Этап\nОкна ПВХ;1 200,50;Успешно реализовано\nДвери;300;Переговоры\n"


def values(frame: pd.DataFrame) -> list[list[str | None]]:
    """Rows as plain lists, missing cells as None, so expectations can be written by hand."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (DEALS.encode("utf-8"), "utf-8"),
        (DEALS.encode("utf-8-sig"), "utf-8-sig"),
        (DEALS.encode("cp1251"), "cp1251"),
        (DEALS.encode("koi8-r"), "koi8-r"),
        # Excel's "Unicode text": UTF-16 LE with a BOM, tab-delimited, CRLF.
        (DEALS.replace(";", "\t").replace("\n", "\r\n").encode("utf-16"), "utf-16"),
        (DEALS.encode("utf-16-le"), "utf-16"),  # no BOM: told by the NUL in every other byte
    ],
    ids=["utf-8", "utf-8-sig", "cp1251", "koi8-r", "utf-16", "utf-16-no-bom"],
)
def test_encodings(data: bytes, encoding: str) -> None:
    table = open_table(data)
    assert table.encoding == encoding
    assert table.headers == ("Сделка", "Сумма", "Этап")
    assert values(table.read(table.headers)) == [
        ["Окна ПВХ", "1 200,50", "Успешно реализовано"],
        ["Двери", "300", "Переговоры"],
    ]


def test_utf8_sample_cut_inside_a_character_is_still_utf8() -> None:
    # Each "Ж" is two bytes; an odd-length head sample ends in the middle of one.
    row = "Клиент;" + "Ж" * 999 + "\n"
    data = ("Имя;Заметка\n" + row * 300).encode("utf-8")
    assert len(data) > HEAD_BYTES
    table = open_table(data)
    assert table.encoding == "utf-8"
    assert len(table.read(["Имя"])) == 300


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    text = "id|name|amount\n1|Alpha|100\n2|Beta|\n".replace("|", delimiter)
    table = open_table(text.encode())
    assert table.delimiter == delimiter
    assert table.headers == ("id", "name", "amount")
    assert values(table.read(["amount", "id"])) == [["100", "1"], [None, "2"]]


def test_semicolon_wins_over_decimal_commas() -> None:
    text = "Сделка;Бюджет;Себестоимость\nА;1 234,56;1 000,10\nБ;99,90;50,00\nВ;10,00;5,50\n"
    table = open_table(text.encode("cp1251"))
    assert table.delimiter == ";"
    assert values(table.read(["Бюджет"])) == [["1 234,56"], ["99,90"], ["10,00"]]


def test_one_column_file_is_read() -> None:
    table = open_table("Сумма\n100\n200,50\n".encode())
    assert table.headers == ("Сумма",)
    assert values(table.read(["Сумма"])) == [["100"], ["200,50"]]


def test_title_and_filter_rows_above_the_header_and_a_totals_row_below() -> None:
    text = (
        "Отчет по продажам;;;;\n"
        "Период: 01.01.2024 - 31.01.2024;;;;\n"
        ";;;;\n"
        "Параметры:;Организация: ООО Ромашка;;;\n"
        "Дата;Клиент;Менеджер;Сумма;Себестоимость\n"
        "01.01.2024;ООО А;Иванов;1 000,00;600,00\n"
        "02.01.2024;ООО Б;Петров;2 000,00;1 500,00\n"
        "Итого;;;3 000,00;2 100,00\n"
    )
    table = open_table(text.encode("cp1251"))
    assert table.headers == ("Дата", "Клиент", "Менеджер", "Сумма", "Себестоимость")
    assert values(table.read(["Клиент", "Сумма"])) == [["ООО А", "1 000,00"], ["ООО Б", "2 000,00"]]


def test_salesforce_footer_is_dropped() -> None:
    data = (
        b'"Opportunity Name","Amount","Stage"\r\n'
        b'"Acme deal","100","Closed Won"\r\n'
        b'"Globex deal","200","Closed Lost"\r\n'
        b'"Grand Totals (2 records)","300",""\r\n'
        b"\r\n"
        b'"Confidential Information - Do Not Distribute"\r\n'
        b'"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\r\n'
    )
    table = open_table(data)
    frame = table.read(["Opportunity Name", "Amount"])
    assert values(frame) == [["Acme deal", "100"], ["Globex deal", "200"]]
    assert table.row_count == 2


def test_quoted_multiline_fields() -> None:
    data = b'id,note,amount\n1,"first line\nsecond line",10\n2,"a ""quoted"" word,\nthen more",20\n3,plain,30\n'
    table = open_table(data)
    assert values(table.read(["id", "note", "amount"])) == [
        ["1", "first line\nsecond line", "10"],
        ["2", 'a "quoted" word,\nthen more', "20"],
        ["3", "plain", "30"],
    ]


def test_trailing_delimiter_on_every_line_adds_no_column() -> None:
    data = '"ID";"Название";"Сумма";\n"1";"Сделка 1";"100";\n"2";"Сделка 2";"";\n'.encode("cp1251")
    table = open_table(data)
    assert table.headers == ("ID", "Название", "Сумма")
    assert values(table.sample()) == [["1", "Сделка 1", "100"], ["2", "Сделка 2", None]]


def test_header_names_are_cleaned() -> None:
    header = " Бюджет\u00a0;;Источник;Источник;Источник;Дата\n  создания\n"
    data = (header + "100;x;a;b;c;01.01.2024\n").encode()
    data = data.replace(b"\n  ", b" ", 1)  # "Дата  создания" with a double space inside
    table = open_table(data)
    assert table.headers == ("Бюджет", "column_2", "Источник", "Источник (2)", "Источник (3)", "Дата создания")
    assert values(table.read(["Источник (3)", "column_2"])) == [["c", "x"]]


def test_blank_and_delimiter_only_lines_are_dropped() -> None:
    table = open_table(b"a;b\n1;2\n\n;\n3;4\n;\n\n")
    assert values(table.read(["a", "b"])) == [["1", "2"], ["3", "4"]]
    assert table.row_count == 2


def test_sample_gives_the_first_rows_and_read_all_of_them() -> None:
    data = ("n;sq\n" + "".join(f"{i};{i * i}\n" for i in range(1, 51))).encode()
    table = open_table(data)
    assert table.row_count is None  # unknown until read
    assert values(table.sample(3)) == [["1", "1"], ["2", "4"], ["3", "9"]]
    frame = table.read(["sq"])
    assert list(frame.columns) == ["sq"]
    assert len(frame) == 50 and frame["sq"].iloc[-1] == "2500"
    assert table.row_count == 50


def test_unknown_column_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        open_table(b"a;b\n1;2\n").read(["c"])


def test_path_input_reads_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "deals.txt"
    path.write_bytes(DEALS.encode("cp1251"))
    table = open_table(path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1251", ";")
    assert values(table.read(["Сумма"])) == [["1 200,50"], ["300"]]


def test_large_file_footer_found_in_the_tail_and_notes_never_cut(tmp_path: Path) -> None:
    # Bigger than the head sample and the tail window; the last deal has a note whose lines look like footers.
    body = "".join(f'{i};Deal {i};"note {i}"\n' for i in range(1, 30001))
    last = '30001;Deal 30001;"call back\nИтого\nTotal"\n'
    footer = "\nИтого;;\nConfidential Information - Do Not Distribute\n"
    data = ("id;title;note\n" + body + last + footer).encode()
    assert len(data) > HEAD_BYTES + TAIL_BYTES
    for source in (data, tmp_path / "big.csv"):
        if isinstance(source, Path):
            source.write_bytes(data)
        table = open_table(source)
        frame = table.read(["id", "note"])
        assert len(frame) == 30001
        assert values(frame.tail(1)) == [["30001", "call back\nИтого\nTotal"]]


@pytest.mark.parametrize(
    ("data", "limits", "code"),
    [
        (b"a;b\n1;2\n3;4\n5;6\n", ReadLimits(max_rows=2), ReadErrorCode.TOO_MANY_ROWS),
        (b"a;b\n1;2\n", ReadLimits(max_bytes=5), ReadErrorCode.TOO_LARGE),
    ],
    ids=["too-many-rows", "too-large"],
)
def test_limits(data: bytes, limits: ReadLimits, code: ReadErrorCode) -> None:
    with pytest.raises(ExportReadError) as caught:
        open_table(data, limits=limits).read(["a"])
    assert caught.value.code is code
