"""The real bot process: a strategy session, a quarter milestone, its reminder arrives (made due by editing the
database: the real clock cannot be moved) with «Открыть веху», the milestone is marked done; the head's
calendar file from /reminders is downloadable and parses."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from content import load_content
from devtools.botapi_stub import BotApiStub
from domain.schedules import Frequency, Rule
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD = 9201
CONTENT = load_content("ru")
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
BELL = "🔔"


def _make_the_week_before_reminder_due(process: BotProcess, milestone_title: str) -> None:
    """The milestone's first reminder (a week before) falls due a minute ago: its one-off rule and due time move."""
    due = (datetime.now(UTC) - timedelta(minutes=1)).replace(second=0, microsecond=0)
    local = due.astimezone(ZoneInfo("Europe/Moscow"))
    rule = Rule(Frequency.ONCE, at=local.time().replace(tzinfo=None), start=local.date())
    with sqlite3.connect(process.db_path) as db:
        [(reminder_id,)] = db.execute(
            "SELECT r.id FROM reminders r JOIN strategy_milestones s ON s.id = r.subject_id "
            "WHERE r.kind = 'strategy' AND s.title = ? AND r.state = 'active' ORDER BY r.next_due_at LIMIT 1",
            (milestone_title,),
        ).fetchall()
        db.execute(
            "UPDATE reminders SET next_due_at = ?, rule = ? WHERE id = ?",
            (to_db_time(due), rule.to_json(), reminder_id),
        )


def _milestone_status(process: BotProcess) -> list[tuple[str, str]]:
    with sqlite3.connect(process.db_path) as db:
        return db.execute("SELECT title, status FROM strategy_milestones ORDER BY id").fetchall()


async def test_strategy_session_milestone_reminder_done_and_calendar(stub: BotApiStub, make_bot: MakeBot) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()

    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Отдел Юг")
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text or "")) == 2)

    # The session: four questions, one skipped.
    await stub.send_text(HEAD, "/strategy")
    await stub.wait_for(HEAD, "Стратегия отдела продаж")
    await stub.click_text(HEAD, "Стратегическая сессия")
    await stub.wait_for(HEAD, "Вопрос 1 из 4")
    await stub.send_text(HEAD, "Топ-3 в регионе")
    await stub.wait_for(HEAD, "Вопрос 2 из 4")
    await stub.click_text(HEAD, CONTENT.t("strategy.buttons.skip"))
    await stub.wait_for(HEAD, "Вопрос 3 из 4")
    await stub.send_text(HEAD, "Сервис за 24 часа")
    await stub.wait_for(HEAD, "Вопрос 4 из 4")
    await stub.send_text(HEAD, "CRM")
    await stub.wait_for(HEAD, "Веха на квартал")

    # The quarter milestone; no half-year or year milestone this time.
    await stub.send_text(HEAD, "Открыть филиал в Казани")
    await stub.wait_for(HEAD, "Веха на полгода")
    await stub.click_text(HEAD, CONTENT.t("strategy.buttons.skip_milestone"))
    await stub.wait_for(HEAD, "Веха на год")
    await stub.click_text(HEAD, CONTENT.t("strategy.buttons.skip_milestone"))
    await stub.wait_for(HEAD, CONTENT.t("strategy.session_finished"))

    # Its reminder arrives with the button that opens the milestone.
    _make_the_week_before_reminder_due(process, "Открыть филиал в Казани")
    delivered = await stub.wait_for(HEAD, lambda m: BELL in (m.text or ""), timeout=15)
    assert "Открыть филиал в Казани" in delivered.plain
    await stub.click_text(HEAD, "Открыть веху", message_id=delivered.message_id)
    card = await stub.wait_for(HEAD, lambda m: "Веха: Открыть филиал в Казани" in m.plain)
    await stub.click_text(HEAD, "Выполнена", message_id=card.message_id)
    await stub.wait_for(HEAD, "Напоминания по вехе остановлены")
    assert _milestone_status(process) == [("Открыть филиал в Казани", "done")]

    # The head's calendar: the quarterly review is still active; the file is sent and parses.
    await stub.send_text(HEAD, "/reminders")
    listing = await stub.wait_for(HEAD, "квартальный пересмотр")
    await stub.click_text(HEAD, "В календарь (.ics)", message_id=listing.message_id)
    sent = await stub.wait_for(HEAD, lambda m: m.document is not None)
    assert sent.document is not None and sent.document.filename == "rituals.ics"
    assert stub.request_count("sendDocument") == 1
    events = list(Calendar.from_ical(sent.document.data).walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [CONTENT.t("strategy.review_title")]
    assert events[0]["RRULE"].to_ical() == b"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10"
