"""/tasks screens: «Вернуть» after ✓ (the due date and its reminder come back), the list of done tasks, a task's
card with the action and why of its checklist item, and «Уже есть в задачах» for a repeated add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot

from bot.callbacks import TaskAddCb
from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from domain.models import Task
from domain.reminders import ReminderState
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, RecordingEngine
from tests.handlers.recording import RecordingSession

# Tuesday 1 December 2026, 08:00 in Moscow.
START = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock, reminder_engine=RecordingEngine())
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _team(tg: FakeTelegram, clock: FakeClock) -> int:
    await tg.store.users.upsert_seen(HEAD, "Анна", None, clock.now())
    team = await tg.store.teams.create(HEAD, "Альфа", "Europe/Moscow", clock.now())
    return team.id


async def _add(tg: FakeTelegram, clock: FakeClock, team_id: int, title: str, item: int | None = None) -> Task:
    checklist = tg.content.checklist("arch")
    source = (checklist.key, checklist.items[item].key) if item is not None else (None, None)
    task = await tg.store.tasks.add(HEAD, team_id, title, source[0], source[1], clock.now())
    clock.advance(timedelta(seconds=1))
    return task


async def test_done_offers_undo_and_undo_reopens_the_task(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    await _add(tg, clock, team_id, "Созвон с отделом")
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "✓ 1"))
    assert tg.last_callback_answer() == tg.content.t("tasks.marked_done", title="Созвон с отделом")
    assert any("Вернуть «Созвон с отделом»" in label for label, _ in tg.buttons(HEAD))
    assert await tg.store.tasks.list(HEAD, team_id) == []
    await tg.tap(HEAD, tg.button(HEAD, "Вернуть"))
    assert tg.last_callback_answer() == tg.content.t("tasks.undone", title="Созвон с отделом")
    assert [task.title for task in await tg.store.tasks.list(HEAD, team_id)] == ["Созвон с отделом"]
    assert "Созвон с отделом" in tg.last_text(HEAD)
    assert not any("Вернуть" in label for label, _ in tg.buttons(HEAD))


async def test_undo_keeps_the_due_date_and_brings_back_the_reminder(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    task = await _add(tg, clock, team_id, "Планёрка")
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "📅 1"))
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("tasks_due.buttons.tomorrow")))
    await tg.tap(HEAD, tg.button(HEAD, "✓ 1"))
    reminders = await tg.store.reminders.list_for(HEAD)
    assert all(r.state is ReminderState.FINISHED for r in reminders if r.task_id == task.id)
    await tg.tap(HEAD, tg.button(HEAD, "Вернуть"))
    reopened = await tg.store.tasks.get(HEAD, task.id)
    assert reopened.done_at is None and reopened.due_date == date(2026, 12, 2)
    active = [r for r in await tg.store.reminders.list_for(HEAD) if r.state is ReminderState.ACTIVE]
    assert [r.task_id for r in active] == [task.id]


async def test_done_list_shows_the_latest_done_with_dates(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    await _add(tg, clock, team_id, "Первая")
    await _add(tg, clock, team_id, "Вторая")
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "✓ 1"))
    await tg.tap(HEAD, tg.button(HEAD, "Выполненные"))
    text = tg.last_text(HEAD)
    assert "Первая" in text and "01.12.2026" in text and "Вторая" not in text
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("tasks.open_list_button")))
    assert "Вторая" in tg.last_text(HEAD)


async def test_empty_done_list(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg, clock)
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "Выполненные"))
    assert tg.last_text(HEAD) == tg.content.t("tasks.done_empty")


async def test_task_card_shows_the_items_action_and_why(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    item = tg.content.checklist("arch").items[0]
    await _add(tg, clock, team_id, item.task, item=0)
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "🔎 1"))
    text = tg.last_text(HEAD).replace("&quot;", '"')
    assert item.action[:40] in text and item.why[:40] in text
    labels = [label for label, _ in tg.buttons(HEAD)]
    assert any(label.startswith("✓") for label in labels) and any(label.startswith("📅") for label in labels)
    await tg.tap(HEAD, tg.button(HEAD, "✓"))
    assert await tg.store.tasks.list(HEAD, team_id) == []
    await tg.tap(HEAD, tg.button(HEAD, "Вернуть"))
    assert len(await tg.store.tasks.list(HEAD, team_id)) == 1


async def test_task_card_back_returns_to_the_list(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    await _add(tg, clock, team_id, "Без чек-листа")
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "🔎 1"))
    assert "Без чек-листа" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("tasks.back_button")))
    assert tg.content.plural("tasks.title", 1) in tg.last_text(HEAD)


async def test_adding_the_same_item_again_says_it_is_already_there(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team(tg, clock)
    checklist = tg.content.checklist("arch")
    run = await tg.store.runs.start(HEAD, team_id, checklist.key, clock.now())
    await tg.tap(HEAD, TaskAddCb(run=run.id, index=0).pack())
    assert tg.last_callback_answer() == tg.content.t("tasks.added", task=checklist.items[0].task)
    await tg.tap(HEAD, TaskAddCb(run=run.id, index=0).pack())
    assert tg.last_callback_answer() == tg.content.t("tasks.already_added", task=checklist.items[0].task)
    assert len(await tg.store.tasks.list(HEAD, team_id)) == 1
