"""The real bot process: a head and two managers who joined by invite; the head schedules the case review; both
managers receive the nudge, one sends a case through the form, only the other receives the firm reminder, and the
head receives the agenda with the case and who is missing."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD, IVAN, PETR = 9301, 9302, 9303
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
CONTENT = load_content("ru")
WRITE = CONTENT.t("reminders.open_subject.case_nudge")
ESCALATED = "Вы ещё не прислали кейс"
ANSWERS = ("Дистрибьютор стройматериалов", "КП отправлено", "Клиент пропал", "Звонили трижды", "Как вернуть клиента?")


async def _team_of_three(stub: BotApiStub) -> None:
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Север")
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    created = await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text or "")) == 2)
    _, member_code = LINK.findall(created.text or "")
    for user_id, name in ((IVAN, "Иван"), (PETR, "Пётр")):
        stub.add_user(user_id, name)
        await stub.send_text(user_id, f"/start {member_code}")
        await stub.wait_for(user_id, "менеджер")


def _make_due(process: BotProcess, kind: str) -> None:
    """As if the reminder's time had just come (the real clock cannot be moved for a real process)."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    with sqlite3.connect(process.db_path) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ? WHERE kind = ? AND state = 'active'", (to_db_time(due), kind)
        ).rowcount
    assert changed == 1


def _has_button(label: str) -> object:
    return lambda m: any(label in text for row in m.markup for text, _ in row)


async def test_nudge_case_escalation_only_to_the_one_who_did_not_and_the_agenda(
    stub: BotApiStub, make_bot: MakeBot
) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    await _team_of_three(stub)

    await stub.send_text(HEAD, "/cases")
    await stub.wait_for(HEAD, "статья 000")
    await stub.click_text(HEAD, "Настроить разбор")
    await stub.wait_for(HEAD, "В какой день")
    await stub.click_text(HEAD, "Чт")
    await stub.wait_for(HEAD, "Во сколько")
    await stub.click_text(HEAD, "15:00")
    await stub.wait_for(HEAD, "Как часто")
    await stub.click_text(HEAD, "Каждую неделю")
    await stub.wait_for(HEAD, "Не прислали: Иван, Пётр.")

    _make_due(process, "case_nudge")
    nudges = {}
    for user_id in (IVAN, PETR):
        nudges[user_id] = await stub.wait_for(user_id, _has_button(WRITE), timeout=15)  # type: ignore[arg-type]
        assert "Пришлите кейс" in nudges[user_id].plain

    await stub.click_text(IVAN, WRITE, message_id=nudges[IVAN].message_id)
    for number, answer in enumerate(ANSWERS, start=1):
        await stub.wait_for(IVAN, f"Вопрос {number} из 5")
        await stub.send_text(IVAN, answer)
    await stub.wait_for(IVAN, "Ваш кейс")
    await stub.click_text(IVAN, "Отправить кейс")
    await stub.wait_for(IVAN, "Кейс отправлен к разбору")

    _make_due(process, "case_escalation")
    escalation = await stub.wait_for(PETR, ESCALATED, timeout=15)
    assert any(WRITE in text for row in escalation.markup for text, _ in row)

    _make_due(process, "case_agenda")
    agenda = await stub.wait_for(HEAD, "Повестка разбора кейсов", timeout=15)
    assert "Иван" in agenda.plain and "Дистрибьютор стройматериалов" in agenda.plain
    assert "Как вернуть клиента?" in agenda.plain and "Не прислали: Пётр." in agenda.plain
    # The escalation was decided for both before the agenda went out: Иван, who sent a case, got none.
    assert not any(ESCALATED in (m.text or "") for m in stub.messages(IVAN))
    with sqlite3.connect(process.db_path) as db:
        rows = db.execute(
            "SELECT d.recipient_id, d.status FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE r.kind = 'case_escalation' ORDER BY d.recipient_id"
        ).fetchall()
    assert rows == [(IVAN, "failed"), (PETR, "sent")]  # failed: «nothing to send», recorded, never sent
