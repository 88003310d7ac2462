"""The real CRM exports in ../shared/exports, read in place (skipped when the folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.reading import open_table

EXPORTS = Path(__file__).resolve().parents[3].parent / "shared" / "exports"


def export(name: str) -> Path:
    path = EXPORTS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.mark.parametrize("as_bytes", [False, True], ids=["path", "bytes"])
def test_amocrm_leads_export(as_bytes: bool) -> None:
    path = export("amocrm_leads_export.csv")
    table = open_table(path.read_bytes() if as_bytes else path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8", ",")
    assert len(table.headers) == 76
    assert table.headers[2] == "Бюджет"  # "Бюджет " in the file
    assert [h for h in table.headers if h.endswith(" (2)")] == [
        "roistat (2)",
        "Товар (2)",
        "cid (2)",
        "uid (2)",
        "tid (2)",
        "Источник (2)",
    ]
    frame = table.read(["ID", "Бюджет", "Этап сделки", "Примечание"])
    assert len(frame) == 20  # 20 records on 45 lines: notes hold line breaks
    assert table.row_count == 20
    assert list(frame["ID"].iloc[:3]) == ["27680693", "27667071", "27632751"]
    assert frame["Этап сделки"].iloc[0] == "Успешно реализовано"
    note = frame.loc[frame["ID"] == "27627421", "Примечание"].iloc[0]
    assert note.startswith("3000х2300, коло 30см, нет, авт\nтренд пру")


def test_maven_sales_pipeline() -> None:
    table = open_table(export("maven_crm_sales_pipeline.csv"))
    assert table.headers == (
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    )
    frame = table.read(table.headers)
    assert len(frame) == 8800
    assert list(frame.iloc[0]) == ["1C1I7A6R", "Moses Frase", "GTX Plus Basic", "Cancity", "Won", "2016-10-20",
                                   "2017-03-01", "1054"]  # fmt: skip
    sample = table.sample(100)
    assert len(sample) == 100
    # Open deals have no close value: missing, not "".
    prospecting = frame[frame["deal_stage"] == "Prospecting"]
    assert len(prospecting) > 0 and prospecting["close_value"].isna().all()
    assert not pd.isna(frame["close_value"].iloc[0])
