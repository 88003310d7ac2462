import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from storage.db import Database
from storage.fsm import SQLiteStorage

KEY = StorageKey(bot_id=42, chat_id=100, user_id=100)


class Onboarding(StatesGroup):
    team_name = State()
    timezone = State()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


async def test_empty_key_has_no_state_and_no_data(db: Database) -> None:
    storage = SQLiteStorage(db)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    assert await storage.get_value(KEY, "missing", "default") == "default"


async def test_state_and_data_round_trip(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, Onboarding.team_name)
    assert await storage.get_state(KEY) == "Onboarding:team_name"
    await storage.set_data(KEY, {"name": "Отдел продаж", "n": 3, "items": [1, 2.5, None, True]})
    assert await storage.update_data(KEY, {"n": 4, "tz": "Europe/Moscow"}) == {
        "name": "Отдел продаж",
        "n": 4,
        "items": [1, 2.5, None, True],
        "tz": "Europe/Moscow",
    }
    assert await storage.get_state(KEY) == "Onboarding:team_name"  # data writes keep the state
    await storage.set_state(KEY, "custom:state")
    assert await storage.get_value(KEY, "tz") == "Europe/Moscow"  # state writes keep the data
    assert await storage.get_state(KEY) == "custom:state"


async def test_state_and_data_survive_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = await Database.open(path)
    await SQLiteStorage(first).set_state(KEY, Onboarding.timezone)
    await SQLiteStorage(first).set_data(KEY, {"team_name": "Команда"})
    await first.close()

    second = await Database.open(path)
    try:
        storage = SQLiteStorage(second)
        assert await storage.get_state(KEY) == Onboarding.timezone.state
        assert await storage.get_data(KEY) == {"team_name": "Команда"}
    finally:
        await second.close()


@pytest.mark.parametrize(
    "other",
    [
        replace(KEY, bot_id=43),
        replace(KEY, chat_id=-100),
        replace(KEY, user_id=101),
        replace(KEY, thread_id=7),
        replace(KEY, business_connection_id="bc1"),
        replace(KEY, destiny="dialog"),
    ],
)
async def test_every_key_field_separates_records(db: Database, other: StorageKey) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "a:b")
    await storage.set_data(KEY, {"x": 1})
    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}


@pytest.mark.parametrize(
    "value",
    [object(), {1, 2}, (1, 2), {1: "int key"}, b"bytes", math.nan, math.inf],
    ids=["object", "set", "tuple", "int-key", "bytes", "nan", "inf"],
)
async def test_data_that_is_not_plain_json_is_refused(db: Database, value: Any) -> None:
    storage = SQLiteStorage(db)
    await storage.set_data(KEY, {"kept": True})
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"bad": value})
    with pytest.raises(TypeError):
        await storage.update_data(KEY, {"bad": value})
    assert await storage.get_data(KEY) == {"kept": True}


async def test_non_dict_data_is_refused(db: Database) -> None:
    with pytest.raises(DataNotDictLikeError):
        await SQLiteStorage(db).set_data(KEY, [("a", 1)])  # type: ignore[arg-type]


async def test_clearing_removes_the_row(db: Database) -> None:
    storage = SQLiteStorage(db)
    context = FSMContext(storage=storage, key=KEY)
    await context.set_state(Onboarding.team_name)
    await context.update_data(name="T")
    await context.clear()
    assert await context.get_state() is None
    row = await db.fetchone("SELECT COUNT(*) AS n FROM fsm_states")
    assert row is not None and row["n"] == 0


async def test_close_leaves_the_shared_database_open(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.close()
    await storage.set_state(KEY, "still:works")
    assert await storage.get_state(KEY) == "still:works"


async def test_simultaneous_updates_lose_nothing(db: Database) -> None:
    storage = SQLiteStorage(db)
    await asyncio.gather(*(storage.update_data(KEY, {f"k{i}": i}) for i in range(10)))
    assert await storage.get_data(KEY) == {f"k{i}": i for i in range(10)}
