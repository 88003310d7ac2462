"""The real bot process: the head assigns a training module to a manager who joined by invite; the weekly reminder
arrives with «📚 Открыть модуль»; the manager passes the module; the head sees it in the team's progress."""

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

HEAD, MEMBER = 9201, 9202
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
CONTENT = load_content("ru")
MODULE = CONTENT.training["needs"]
OPEN = "Открыть модуль"


def _make_the_reminder_due(process: BotProcess) -> None:
    """As if Monday 10:00 had come: the real clock cannot be moved for a real process, so the due time is."""
    due = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    with sqlite3.connect(process.db_path) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ? WHERE kind = 'training' AND state = 'active'", (to_db_time(due),)
        ).rowcount
    assert changed == 1


async def _onboard(stub: BotApiStub) -> str:
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Отдел продаж")
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    created = await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text)) == 2)
    return LINK.findall(created.text)[1]  # the managers' link


async def _step(stub: BotApiStub, user_id: int, button: str, expect: str) -> None:
    await stub.click_text(user_id, button)
    await stub.wait_for(user_id, expect)


async def test_assigned_module_reminder_arrives_member_passes_head_sees_it(stub: BotApiStub, make_bot: MakeBot) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    member_code = await _onboard(stub)
    stub.add_user(MEMBER, "Мария")
    await stub.send_text(MEMBER, f"/start {member_code}")
    await stub.wait_for(MEMBER, "менеджер")

    # The head assigns «Выявление потребности» to Мария, Mondays at 10:00 (the default).
    await stub.send_text(HEAD, "/learn")
    await stub.wait_for(HEAD, "Обучение")
    await _step(stub, HEAD, CONTENT.t("learn.buttons.team"), "Обучение команды")
    await _step(stub, HEAD, CONTENT.t("learn.buttons.assign"), "Кому назначить")
    await _step(stub, HEAD, "Мария", "Что назначить")
    await _step(stub, HEAD, MODULE.short_title, "В какой день")
    await _step(stub, HEAD, CONTENT.t("learn.day_default"), "по понедельникам в 10:00")
    await _step(stub, HEAD, CONTENT.t("learn.buttons.save"), "первое напоминание")

    _make_the_reminder_due(process)
    delivered = await stub.wait_for(MEMBER, lambda m: OPEN in str(m.markup), timeout=15)
    assert CONTENT.t("learn.reminder_title") in delivered.plain
    await stub.click_text(MEMBER, OPEN, message_id=delivered.message_id)
    await stub.wait_for(MEMBER, "назначил руководитель")

    await _step(stub, MEMBER, CONTENT.t("learn.buttons.start"), "экран 1 из 3")
    await _step(stub, MEMBER, CONTENT.t("learn.buttons.next"), "экран 2 из 3")
    await _step(stub, MEMBER, CONTENT.t("learn.buttons.next"), "экран 3 из 3")
    await _step(stub, MEMBER, CONTENT.t("learn.buttons.to_check"), "вопрос 1 из 3")
    letters = CONTENT.items("learn.letters")
    for number, question in enumerate(MODULE.questions, 1):
        await _step(stub, MEMBER, letters[question.right_index], "Верно")
        if number < len(MODULE.questions):
            await _step(stub, MEMBER, CONTENT.t("learn.buttons.next_question"), f"вопрос {number + 1} из 3")
    await _step(stub, MEMBER, CONTENT.t("learn.buttons.result"), "Зачтено: 3 из 3")
    await stub.wait_for(MEMBER, "Все назначенные модули пройдены")

    await stub.send_text(HEAD, "/learn")
    await stub.wait_for(HEAD, "Обучение")
    await _step(stub, HEAD, CONTENT.t("learn.buttons.team"), "Мария — 1 из 10")
    progress = await stub.wait_for(HEAD, "Мария — 1 из 10")
    assert f"✓ {MODULE.short_title}" in progress.plain

    with sqlite3.connect(process.db_path) as db:
        states = db.execute(
            "SELECT a.state, r.state FROM training_assignments a JOIN reminders r "
            "ON r.kind = 'training' AND r.subject_id = a.id"
        ).fetchall()
    assert states == [("done", "finished")]  # passed: the weekly reminder stops
