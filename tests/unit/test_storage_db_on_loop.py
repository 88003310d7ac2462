"""The hot path's point statements on the event loop (Database.fetch_by_key / write_by_key)."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage.db as db_module
from storage.db import Database

_SCHEMA = "CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    async with database.transaction():
        await database.execute(_SCHEMA)
    yield database
    await database.close()


def _thread_trips(database: Database) -> list[str]:
    """Records every statement sent to aiosqlite's thread."""
    trips: list[str] = []
    conn = database._conn
    original = conn.execute

    async def counting(sql: str, parameters: object = None) -> object:
        trips.append(sql)
        return await original(sql, parameters)

    conn.execute = counting  # type: ignore[method-assign, assignment]
    return trips


async def test_point_statements_make_no_trip_to_the_database_thread(db: Database, tmp_path: Path) -> None:
    trips = _thread_trips(db)
    assert await db.write_by_key("INSERT INTO notes(id, body) VALUES (?, ?)", (1, "first")) == 1
    rows = await db.fetch_by_key("SELECT body FROM notes WHERE id = ?", (1,))
    assert [r["body"] for r in rows] == ["first"]
    assert trips == []
    # committed when it returns: another connection sees it
    other = sqlite3.connect(tmp_path / "bot.sqlite3")
    try:
        assert other.execute("SELECT body FROM notes WHERE id = 1").fetchall() == [("first",)]
    finally:
        other.close()


async def test_a_transactions_owner_sees_its_own_rows_and_others_only_committed_ones(db: Database) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute("INSERT INTO notes(id, body) VALUES (2, 'pending')")
            # the owner goes through its own transaction and sees the row
            assert len(await db.fetch_by_key("SELECT id FROM notes WHERE id = 2")) == 1
            assert await db.write_by_key("UPDATE notes SET body = 'edited' WHERE id = ?", (2,)) == 1
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    # another task reads on the loop at once, without waiting for the lock, and sees no uncommitted row
    assert await db.fetch_by_key("SELECT id FROM notes WHERE id = 2") == []
    release.set()
    await task
    assert [r["body"] for r in await db.fetch_by_key("SELECT body FROM notes WHERE id = 2")] == ["edited"]


async def test_a_write_waits_in_the_thread_when_another_process_holds_the_lock(db: Database, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    trips = _thread_trips(db)
    write = asyncio.create_task(db.write_by_key("INSERT INTO notes(id, body) VALUES (?, ?)", (3, "later")))
    ticks = 0
    for _ in range(20):  # the loop keeps running while the write waits for the other writer
        await asyncio.sleep(0)
        ticks += 1
    assert not write.done() and ticks == 20
    assert trips == ["INSERT INTO notes(id, body) VALUES (?, ?)"]
    other.commit()  # the other process finishes its transaction; the thread's busy wait then goes through
    assert await asyncio.wait_for(write, 5) == 1
    other.close()
    assert len(await db.fetch_by_key("SELECT id FROM notes WHERE id = 3")) == 1


async def test_every_checkpoint_every_th_point_write_goes_through_the_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 4)
    trips = _thread_trips(db)
    for note in range(1, 10):
        await db.write_by_key("INSERT INTO notes(id, body) VALUES (?, 'x')", (note,))
    assert len(trips) == 2  # the 4th and the 8th of nine
    assert len(await db.fetch_by_key("SELECT id FROM notes")) == 9


async def test_the_loops_connection_never_checkpoints_and_enforces_foreign_keys(db: Database) -> None:
    assert db._on_loop is not None
    assert db._on_loop.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert db._on_loop.execute("PRAGMA busy_timeout").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError):
        await db.write_by_key("INSERT INTO memberships(user_id, team_id, role, joined_at) VALUES (1, 999, 'head', 'x')")


async def test_an_in_memory_database_keeps_one_connection() -> None:
    database = await Database.open(":memory:")
    try:
        async with database.transaction():
            await database.execute(_SCHEMA)
        assert await database.write_by_key("INSERT INTO notes(id, body) VALUES (1, 'm')") == 1
        assert len(await database.fetch_by_key("SELECT id FROM notes WHERE id = 1")) == 1
    finally:
        await database.close()
