"""The real bot process: a checklist with weak answers → a Deming cycle from a weak item → the plan on a computed
metric → an export uploaded after the plan → the review reminder fires → Check takes the fact from that export.
One bot process for the whole scenario (a start costs seconds)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import PdcaCb
from content import load_content
from devtools.botapi_stub import BotApiStub
from domain.schedules import Frequency, Rule
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD = 9301
CONTENT = load_content("ru")
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
NBSP = "\u00a0"
MOSCOW = ZoneInfo("Europe/Moscow")

HEADER = "ID;Название сделки;Бюджет;Этап сделки;Ответственный;Дата создания;Дата закрытия;Компания"
ROWS = [
    "1;Сделка 1;300 000;Успешно реализовано;Иванов;01.05.2026;20.05.2026;Клиент А",
    "2;Сделка 2;700 000;Успешно реализовано;Петрова;01.06.2026;30.06.2026;Клиент Б",
    "3;Сделка 3;50 000;Закрыто и не реализовано;Петрова;01.04.2026;15.04.2026;Клиент В",
    "4;Сделка 4;70 000;Переговоры;Сидоров;01.06.2026;;Клиент Г",
]
WON_REVENUE = f"1{NBSP}000{NBSP}000"  # 300 000 + 700 000


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


def _one(process: BotProcess, sql: str) -> int:
    with sqlite3.connect(process.db_path) as db:
        row = db.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _review_is_due_now(process: BotProcess) -> None:
    """As if the review day had come: the cycle's review date is today and its reminder is due a minute ago (the
    real clock cannot be moved for a real process)."""
    due = (datetime.now(UTC) - timedelta(minutes=1)).replace(second=0, microsecond=0)
    local = due.astimezone(MOSCOW)
    rule = Rule(Frequency.WEEKLY, at=local.time(), start=local.date(), weekdays=(local.weekday(),))
    with sqlite3.connect(process.db_path) as db:
        db.execute("UPDATE pdca_cycles SET review_date = ?", (local.date().isoformat(),))
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ?, rule = ? WHERE kind = 'pdca' AND state = 'active'",
            (to_db_time(due), rule.to_json()),
        ).rowcount
    assert changed == 1


async def test_cycle_from_a_weak_item_checked_with_the_export_uploaded_after_the_plan(
    stub: BotApiStub, make_bot: MakeBot
) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    await _become_head(stub)

    # A checklist answered «Нет» everywhere: every item is weak.
    arch = CONTENT.checklist("arch")
    await stub.send_text(HEAD, "/checklists")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, arch.short_title)
    await stub.wait_for(HEAD, "Результат видите только вы")
    await stub.click_text(HEAD, CONTENT.t("checklists.buttons.start"))
    for number in range(1, len(arch.items) + 1):
        await stub.wait_for(HEAD, f"Вопрос {number} из {len(arch.items)}")
        await stub.click_text(HEAD, "Нет")
    result = await stub.wait_for(HEAD, "из 100")

    # PDCA from a weak item (the result screen's entry point: PdcaCb "from_run" with the run).
    run_id = _one(process, "SELECT id FROM checklist_runs ORDER BY id DESC LIMIT 1")
    await stub.click_raw(HEAD, result.message_id, PdcaCb(action="from_run", ref=run_id).pack())
    first = arch.items[0]
    await stub.wait_for(HEAD, "Слабые места")
    await stub.click_text(HEAD, first.task[:20])
    await stub.wait_for(HEAD, "Шаг 1 из 6")
    await stub.click_text(HEAD, "Взять цель")

    # The plan on a computed metric (no export yet: today's value is typed).
    await stub.wait_for(HEAD, "Шаг 2 из 6")
    await stub.click_text(HEAD, CONTENT.t("pdca.metrics.won_revenue"))
    await stub.wait_for(HEAD, "Шаг 3 из 6")
    await stub.send_text(HEAD, "800 000")
    await stub.wait_for(HEAD, "Шаг 4 из 6")
    await stub.send_text(HEAD, "1,2 млн")
    await stub.wait_for(HEAD, "Шаг 5 из 6")
    await stub.click_text(HEAD, CONTENT.t("pdca.review_choices.week"))
    await stub.wait_for(HEAD, "Шаг 6 из 6")
    await stub.send_text(HEAD, "Обзвонить спящих клиентов\nРазбор воронки на планёрке")
    await stub.wait_for(HEAD, "План цикла")
    await stub.click_text(HEAD, CONTENT.t("pdca.buttons.start"))
    await stub.wait_for(HEAD, "Цикл запущен")
    assert _one(process, "SELECT COUNT(*) FROM pdca_actions WHERE task_id IS NOT NULL") == 2

    # An export uploaded after the plan; its summary offers a cycle on its signals too.
    await stub.send_document(HEAD, "сделки.csv", _export())
    summary = await stub.wait_for(HEAD, lambda m: CONTENT.t("exports.report_button") in m.button_texts, 60)
    assert CONTENT.t("pdca.buttons.from_export") in summary.button_texts

    # The review day: the reminder arrives and opens the cycle straight at the Check, offering the export's fact.
    _review_is_due_now(process)
    opens = CONTENT.t("reminders.open_subject.pdca")
    delivered = await stub.wait_for(HEAD, lambda m: opens in m.button_texts, 20)
    assert first.task[:20] in delivered.plain
    await stub.click_text(HEAD, opens, message_id=delivered.message_id)
    offer = await stub.wait_for(HEAD, "По выгрузке от")
    # The export names no currency (a bare «Бюджет», plain numbers) and today's value was typed: no sign guessed.
    assert f": {WON_REVENUE} — взять?" in offer.plain and "₽" not in offer.plain
    await stub.click_text(HEAD, "Взять", message_id=offer.message_id)
    verdict = await stub.wait_for(HEAD, "План против факта")
    assert f"Факт: {WON_REVENUE} (+200{NBSP}000, +25 %)" in verdict.plain and "₽" not in verdict.plain
    assert "Факт — по выгрузке от" in verdict.plain
    assert f"50{NBSP}%" in verdict.plain  # 800 000 → 1 200 000, fact 1 000 000: half the way
    assert _one(process, "SELECT COUNT(*) FROM pdca_cycles WHERE fact_source = 'export' AND stage = 'act'") == 1
    assert _one(process, "SELECT COUNT(*) FROM reminders WHERE kind = 'pdca' AND state = 'active'") == 0

    await stub.click_text(HEAD, CONTENT.t("pdca.buttons.drop"), message_id=verdict.message_id)
    await stub.wait_for(HEAD, "отказались")
