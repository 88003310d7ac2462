"""The FSM storage keeps rows it read until a write to their key; it must never answer with a row the database no
longer holds."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey

from storage.db import Database, Params
from storage.fsm import SQLiteStorage

KEY = StorageKey(bot_id=42, chat_id=100, user_id=100)
OTHER = StorageKey(bot_id=42, chat_id=200, user_id=200)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


class Boom(Exception):
    pass


async def _reads_from_memory(
    monkeypatch: pytest.MonkeyPatch, db: Database, storage: SQLiteStorage, key: StorageKey
) -> bool:
    """True when get_state answers without asking the database."""
    calls: list[str] = []
    fetchall = db.fetchall

    async def counting(sql: str, params: Params = ()) -> list[Any]:
        calls.append(sql)
        return await fetchall(sql, params)

    with monkeypatch.context() as patch:
        patch.setattr(db, "fetchall", counting)
        await storage.get_state(key)
    return not calls


async def test_a_read_row_is_served_from_memory_until_its_key_is_written(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(db)
    await asyncio.create_task(storage.set_data(KEY, {"run_id": 1}))  # written by an earlier update
    assert await storage.get_data(KEY) == {"run_id": 1}
    assert await _reads_from_memory(monkeypatch, db, storage, KEY)
    await storage.set_state(KEY, "Flow:answering")
    assert await storage.get_state(KEY) == "Flow:answering"
    assert await storage.get_data(KEY) == {"run_id": 1}


async def test_the_data_returned_is_a_copy(db: Database) -> None:
    storage = SQLiteStorage(db)
    await asyncio.create_task(storage.set_data(KEY, {"items": [1]}))
    data = await storage.get_data(KEY)
    data["items"].append(2)
    assert await storage.get_data(KEY) == {"items": [1]}


async def test_storages_on_one_database_share_what_they_read(db: Database) -> None:
    reader, writer = SQLiteStorage(db), SQLiteStorage(db)
    assert await reader.get_state(KEY) is None
    await writer.set_state(KEY, "Flow:answering")
    assert await reader.get_state(KEY) == "Flow:answering"


async def test_a_rolled_back_write_is_not_remembered(db: Database) -> None:
    storage = SQLiteStorage(db)
    await asyncio.create_task(storage.set_data(KEY, {"position": 3}))
    assert await storage.get_data(KEY) == {"position": 3}
    with pytest.raises(Boom):
        async with db.transaction():
            await storage.set_data(KEY, {"position": 4})
            assert await storage.get_data(KEY) == {"position": 4}  # the writer sees its own write meanwhile
            raise Boom
    assert await storage.get_data(KEY) == {"position": 3}
    assert await asyncio.create_task(storage.get_data(KEY)) == {"position": 3}


async def test_a_read_racing_a_write_never_keeps_the_old_row(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "old")
    for _ in range(20):
        _, _ = await asyncio.gather(storage.get_state(KEY), storage.set_state(KEY, "new"))
        assert await storage.get_state(KEY) == "new"
        await asyncio.gather(storage.set_state(KEY, "old"), storage.get_state(KEY))
        assert await storage.get_state(KEY) == "old"


async def test_keys_are_kept_apart(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.get_state(KEY)
    await storage.get_state(OTHER)
    await storage.set_state(OTHER, "Flow:answering")
    assert await storage.get_state(KEY) is None
    assert await storage.get_state(OTHER) == "Flow:answering"
