"""The answer tap writes only what changed, and a restart still resumes at the question on screen."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from aiogram import Bot
from aiogram.dispatcher.event import handler as aiogram_handler
from aiogram.fsm.storage.base import StorageKey

from bot.callbacks import AnswerCb, ChecklistCb, QuestionCb
from bot.config import Settings
from bot.factory import create_dispatcher
from storage import Store, open_store
from storage.fsm import SQLiteStorage
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head
from tests.handlers.recording import RecordingSession

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def restarted(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[FakeTelegram]:
    """The same database opened again by a new Dispatcher, as after a crash: nothing kept in memory."""
    store: Store = await open_store(tmp_path / "coach.db")
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    yield FakeTelegram(create_dispatcher(settings, store, tg.content), bot, session, store, tg.content)
    await store.close()


async def _start_six(tg: FakeTelegram) -> int:
    await onboard_head(tg)
    await tg.tap(HEAD, ChecklistCb(action="start", key="six").pack())
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    run = await tg.store.runs.in_progress(HEAD, membership.team_id, "six")
    assert run is not None
    return run.id


async def test_answers_in_order_write_no_fsm_state_and_a_restart_resumes(
    tg: FakeTelegram, restarted: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = await _start_six(tg)
    total = len(tg.content.checklist("six").items)
    writes: list[str] = []
    write = SQLiteStorage._write

    async def counting(self: SQLiteStorage, key: StorageKey, sql: str, value: str | None) -> None:
        writes.append(sql)
        await write(self, key, sql, value)

    monkeypatch.setattr(SQLiteStorage, "_write", counting)
    for index in range(3):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=0).pack())
        assert f"Вопрос {index + 2} из {total}" in tg.last_text(HEAD)
    assert writes == []  # the position on screen follows from the saved answers
    assert len(await tg.store.runs.answers(HEAD, run_id)) == 3

    await restarted.tap(HEAD, AnswerCb(run=run_id, index=3, option=1).pack())
    assert f"Вопрос 5 из {total}" in restarted.last_text(HEAD)
    sent = len(restarted.texts(HEAD))
    await restarted.tap(HEAD, AnswerCb(run=run_id, index=3, option=0).pack())  # a double tap: already answered
    assert restarted.last_callback_answer() == tg.content.t("checklists.stale_question", number=5, total=total)
    assert len(restarted.texts(HEAD)) == sent  # a toast only: no second copy of question 5


async def test_a_question_reached_with_back_is_remembered_with_its_answer(
    tg: FakeTelegram, restarted: FakeTelegram
) -> None:
    run_id = await _start_six(tg)
    total = len(tg.content.checklist("six").items)
    for index in range(3):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=0).pack())
    await tg.tap(HEAD, QuestionCb(run=run_id, index=3, action="back").pack())
    await tg.tap(HEAD, QuestionCb(run=run_id, index=2, action="back").pack())
    assert f"Вопрос 2 из {total}" in tg.last_text(HEAD)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=1, option=2).pack())  # changed: question 3 is shown next
    assert f"Вопрос 3 из {total}" in tg.last_text(HEAD)

    await restarted.tap(HEAD, AnswerCb(run=run_id, index=3, option=0).pack())  # not the one on screen
    assert restarted.last_callback_answer() == tg.content.t("checklists.stale_question", number=3, total=total)
    assert restarted.texts(HEAD) == []  # a toast naming the open question, nothing sent
    await restarted.tap(HEAD, AnswerCb(run=run_id, index=2, option=1).pack())
    assert f"Вопрос 4 из {total}" in restarted.last_text(HEAD)
    answers = await restarted.store.runs.answers(HEAD, run_id)
    items = [item.key for item in tg.content.checklist("six").items]
    assert len(answers) == 3 and answers[items[2]] != answers[items[0]]


async def test_a_tap_and_a_message_run_no_filter_in_a_worker_thread(
    tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram sends every sync filter through asyncio.to_thread; the private-chat filter and bare FSM states
    stand in front of every update (bot/filters_on_loop.py)."""
    run_id = await _start_six(tg)
    hops: list[object] = []
    to_thread = asyncio.to_thread

    async def counting(func: Callable[..., object], /, *args: object, **kwargs: object) -> object:
        hops.append(getattr(func, "func", func))
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(aiogram_handler.asyncio, "to_thread", counting)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    assert "Вопрос 2 из" in tg.last_text(HEAD)
    await tg.send(HEAD, "/menu")
    await tg.send(HEAD, "просто текст")
    assert hops == []


async def test_an_answer_tap_makes_no_trip_to_the_database_thread(
    tg: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender, the run with its answers and the answer itself are point statements on the event loop
    (storage.db.Database.fetch_by_key / write_by_key); the answer is committed before the next question shows."""
    run_id = await _start_six(tg)
    trips: list[str] = []
    execute, fetchall = aiosqlite.Connection.execute, aiosqlite.Connection.execute_fetchall

    def counting(self: aiosqlite.Connection, sql: str, parameters: object = None) -> object:
        trips.append(sql.split()[0].upper())
        return execute(self, sql, parameters)

    def counting_fetchall(self: aiosqlite.Connection, sql: str, parameters: object = None) -> object:
        trips.append(sql.split()[0].upper())
        return fetchall(self, sql, parameters)

    monkeypatch.setattr(aiosqlite.Connection, "execute", counting)
    monkeypatch.setattr(aiosqlite.Connection, "execute_fetchall", counting_fetchall)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    assert "Вопрос 2 из" in tg.last_text(HEAD)
    assert trips == []
    with closing(sqlite3.connect(tmp_path / "coach.db")) as other:  # another connection: the answer is committed
        saved = other.execute("SELECT count(*) FROM checklist_answers WHERE run_id = ?", (run_id,)).fetchone()
    assert saved == (1,)
