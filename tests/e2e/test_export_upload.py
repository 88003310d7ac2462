"""Upload through the real bot: summary, four charts, the XLSX report; a broken file gets its clear message."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3

import openpyxl
import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from devtools.botapi_types import SentMessage
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD = 9101
CONTENT = load_content("ru")
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
NBSP = "\u00a0"

HEADER = "ID;Название сделки;Бюджет;Этап сделки;Ответственный;Дата создания;Дата закрытия;Компания"
# 3 managers; won deals spread over time so that clients fall in every activity bucket (last date 30.06.2026).
ROWS = [
    "1;Сделка 1;100 000;Успешно реализовано;Иванов;01.01.2026;10.01.2026;Клиент А",  # 171 days: sleeping
    "2;Сделка 2;200 000;Успешно реализовано;Иванов;01.05.2026;20.05.2026;Клиент Б",
    "3;Сделка 3;300 000;Успешно реализовано;Петрова;01.06.2026;30.06.2026;Клиент В",
    "4;Сделка 4;50 000;Закрыто и не реализовано;Петрова;01.04.2026;15.04.2026;Клиент Г",
    "5;Сделка 5;70 000;Переговоры;Сидоров;01.06.2026;;Клиент Д",
    "6;Сделка 6;80 000;Первичный контакт;Сидоров;10.06.2026;;Клиент Е",
    "7;Сделка 7;400 000;Успешно реализовано;Сидоров;01.06.2025;15.07.2025;Клиент Ж",
]
WON_REVENUE = 100_000 + 200_000 + 300_000 + 400_000  # deals 1, 2, 3, 7


def _export() -> bytes:
    return ("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp1251")


async def _become_head(stub: BotApiStub) -> None:
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Север")
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text)) == 2)


async def test_upload_gives_summary_four_charts_and_report(stub: BotApiStub, bot_process: BotProcess) -> None:
    await _become_head(stub)
    await stub.send_document(HEAD, "сделки.csv", _export())
    report_button = CONTENT.t("exports.report_button")
    summary = await stub.wait_for(HEAD, lambda m: report_button in m.button_texts, 60)
    text = summary.plain
    assert f"1{NBSP}000{NBSP}000" in text  # won revenue, Russian grouping
    assert len(summary.text) <= 4096
    photos: list[SentMessage] = []
    for _ in range(300):  # the media group arrives right after the summary
        photos = [m for m in stub.messages(HEAD) if m.photo is not None]
        if len(photos) >= 4:
            break
        await asyncio.sleep(0.1)
    # one album, in this order; the trend: deals won from 07.2025 to 06.2026
    assert [p.photo.filename for p in photos if p.photo is not None] == [
        "funnel.png", "trend.png", "managers.png", "clients.png"
    ]
    assert all(p.photo is not None and p.photo.data.startswith(b"\x89PNG") for p in photos)

    await stub.click_text(HEAD, CONTENT.t("exports.report_button"), message_id=summary.message_id)
    report = await stub.wait_for(HEAD, lambda m: m.document is not None, 30)
    assert report.document is not None
    book = openpyxl.load_workbook(io.BytesIO(report.document.data))
    assert len(book.sheetnames) >= 3
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    # The report is the head's: it names deals and clients to act on (issue 9); the figures kept for the team's
    # history and the owners' digest carry no names.
    with sqlite3.connect(bot_process.db_path) as db:
        kept = " ".join(str(row[0]) for row in db.execute("SELECT metrics_json FROM metric_snapshots"))
    assert kept and "Клиент А" not in kept
    assert WON_REVENUE in [float(c) for c in cells if re.fullmatch(r"\d+(\.\d+)?", c)]


async def test_broken_file_gets_its_clear_message(stub: BotApiStub, bot_process: BotProcess) -> None:
    await _become_head(stub)
    await stub.send_document(HEAD, "отчёт.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    await stub.wait_for(HEAD, CONTENT.t("analytics.errors.not_table")[:40], 60)


AMBIGUOUS = (
    "Сделка;Этап сделки;Менеджер;Показатель А;Показатель Б;Дата создания\r\n"
    "Поставка 1;Успешно реализовано;Иванов;120 000;15 000;01.03.2026\r\n"
    "Поставка 2;Закрыто и не реализовано;Петров;80 000;9 000;05.03.2026\r\n"
    "Поставка 3;Переговоры;Иванов;50 000;7 500;10.03.2026\r\n"
    "Поставка 4;Успешно реализовано;Петров;200 000;30 000;12.03.2026\r\n"
).encode()


async def test_ambiguous_amount_is_asked_once_and_remembered(stub: BotApiStub, bot_process: BotProcess) -> None:
    await _become_head(stub)
    report_button = CONTENT.t("exports.report_button")
    await stub.send_document(HEAD, "выгрузка.csv", AMBIGUOUS)
    question = await stub.wait_for(HEAD, lambda m: "Показатель А" in m.button_texts, 60)
    assert CONTENT.t("exports.no_such_column") in question.button_texts
    await stub.click_text(HEAD, "Показатель А", message_id=question.message_id)
    summary = await stub.wait_for(HEAD, lambda m: report_button in m.button_texts, 60)
    assert f"320{NBSP}000" in summary.plain  # won: 120 000 + 200 000

    await stub.send_document(HEAD, "выгрузка-2.csv", AMBIGUOUS)  # same columns: no second question
    again = await stub.wait_for(HEAD, lambda m: report_button in m.button_texts, 60)
    assert f"320{NBSP}000" in again.plain
    assert not any("Показатель Б" in m.button_texts for m in stub.messages(HEAD)[-3:])
