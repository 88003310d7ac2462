"""The real bot process: /remind, a kill -9 before it is due, a start after the due time: the reminder arrives
exactly once, late and saying so; «Сделано» ends it."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from domain.schedules import Frequency, Rule
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

PERSON = 9101
CONTENT = load_content("ru")
BELL = "🔔"


def _move_due_time_into_the_past(process: BotProcess, minutes_ago: int) -> None:
    """As if the bot had been down past the reminder's time: the one-off rule and its due time move to
    `minutes_ago` (the real clock cannot be moved for a real process)."""
    due = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
    local = due.astimezone(ZoneInfo("Europe/Moscow"))  # DEFAULT_TIMEZONE: the person chose no zone
    rule = Rule(Frequency.ONCE, at=local.time().replace(tzinfo=None), start=local.date())
    with sqlite3.connect(process.db_path) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ?, rule = ? WHERE state = 'active'", (to_db_time(due), rule.to_json())
        ).rowcount
    assert changed == 1


def _reminder_rows(process: BotProcess) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(process.db_path) as db:
        return db.execute(
            "SELECT r.state, d.status, d.outcome FROM reminders r JOIN deliveries d ON d.reminder_id = r.id"
        ).fetchall()


async def test_a_reminder_due_during_downtime_arrives_once_and_done_ends_it(
    stub: BotApiStub, make_bot: MakeBot
) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    stub.add_user(PERSON, "Ирина")
    await stub.send_text(PERSON, "/remind завтра в 9:30 созвон с Иваном")
    card = await stub.wait_for(PERSON, "созвон с Иваном")
    assert "завтра в 9:30" in card.plain
    await stub.click_text(PERSON, CONTENT.t("reminders.buttons.save"))
    await stub.wait_for(PERSON, "Сохранено")

    await process.kill()
    _move_due_time_into_the_past(process, minutes_ago=30)  # inside the 6 h grace window
    await process.start()

    delivered = await stub.wait_for(PERSON, lambda m: BELL in m.text, timeout=15)
    assert "созвон с Иваном" in delivered.plain
    assert "с опозданием" in delivered.plain
    await stub.click_text(PERSON, CONTENT.t("reminders.buttons.done"), message_id=delivered.message_id)
    await stub.wait_for(PERSON, lambda m: "✅ Сделано" in m.plain and m.message_id == delivered.message_id)

    # Three safety ticks later (REMINDER_TICK_S=1) nothing was sent twice: an absence needs a bounded wait.
    await asyncio.sleep(3)
    bells = [m for m in stub.messages(PERSON) if BELL in m.text]
    assert len(bells) == 1
    assert _reminder_rows(process) == [("finished", "sent", "done")]
