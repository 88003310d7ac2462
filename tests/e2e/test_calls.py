"""The real bot process: a head and a manager who joined by invite; the head sets up call listening, the weekly
reminder arrives with «Открыть прослушивание», the head reviews a call with consent, the manager gets the feedback."""

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
OPEN = CONTENT.t("reminders.open_subject.calls")


async def _team_with_a_member(stub: BotApiStub) -> None:
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
    stub.add_user(MEMBER, "Иван")
    await stub.send_text(MEMBER, f"/start {member_code}")
    await stub.wait_for(MEMBER, "менеджер")


def _make_the_reminder_due(process: BotProcess) -> None:
    """As if Monday's reminder time had just come (the real clock cannot be moved for a real process)."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    with sqlite3.connect(process.db_path) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ? WHERE kind = 'calls' AND state = 'active'", (to_db_time(due),)
        ).rowcount
    assert changed == 1


async def test_listening_reminder_review_with_consent_reaches_the_manager(stub: BotApiStub, make_bot: MakeBot) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    await _team_with_a_member(stub)

    await stub.send_text(HEAD, "/calls")
    await stub.wait_for(HEAD, "стимул для менеджеров")
    await stub.click_text(HEAD, "Настроить")
    await stub.wait_for(HEAD, "Сколько звонков в неделю")
    await stub.click_text(HEAD, "4")
    await stub.wait_for(HEAD, "Чьи звонки слушать?")
    await stub.click_text(HEAD, "Иван")
    await stub.wait_for(HEAD, lambda m: any("✓ Иван" in text for row in m.markup for text, _ in row))
    await stub.click_text(HEAD, "Готово")
    screen = await stub.wait_for(HEAD, "Прослушано 0 звонков из 4")
    assert "На этой неделе — звонки: Иван." in screen.plain

    _make_the_reminder_due(process)
    reminder = await stub.wait_for(HEAD, lambda m: any(OPEN in text for row in m.markup for text, _ in row), timeout=15)
    assert CONTENT.t("calls.reminder_title") in reminder.plain
    await stub.click_text(HEAD, OPEN, message_id=reminder.message_id)
    await stub.wait_for(HEAD, "Прослушано 0 звонков из 4")

    await stub.click_text(HEAD, "Разобрать звонок: Иван")
    for number in range(1, 7):
        await stub.wait_for(HEAD, f"Критерий {number} из 6")
        await stub.click_text(HEAD, "2 — да")
    await stub.wait_for(HEAD, "Что похвалить?")
    await stub.send_text(HEAD, "Уточнил бюджет и сроки")
    await stub.wait_for(HEAD, "Что исправить?")
    await stub.send_text(HEAD, "Сразу назначать следующий шаг")
    await stub.wait_for(HEAD, "Итого: 12 из 12")
    await stub.click_text(HEAD, "Отправить разбор")
    await stub.wait_for(HEAD, lambda m: any("☑" in text for row in m.markup for text, _ in row))
    await stub.click_text(HEAD, "Сохранить")
    saved = await stub.wait_for(HEAD, "Разбор отправлен: Иван")
    assert "Прослушан 1 звонок из 4" in saved.plain

    feedback = await stub.wait_for(MEMBER, "Разбор вашего звонка")
    assert "Уточнил бюджет и сроки" in feedback.plain and "Сразу назначать следующий шаг" in feedback.plain
    assert "Итого: 12 из 12" in feedback.plain
