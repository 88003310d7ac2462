"""aiogram FSM storage on our SQLite database. JSON only, never pickle: state survives restarts and a
value that would not come back as it went in is refused with TypeError."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.db import Database


def storage_key(key: StorageKey) -> str:
    """Every StorageKey field, as a JSON array: unambiguous whatever characters the parts contain."""
    parts = [key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id, key.destiny]
    return json.dumps(parts, separators=(",", ":"))


def dump_data(data: Mapping[str, Any]) -> str:
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:  # NaN / infinity
        raise TypeError(f"FSM data is not JSON: {exc}") from exc
    # json.dumps quietly turns int keys into strings and tuples into lists; the handler reading the
    # data back would get something else, so refuse instead.
    if json.loads(text) != data:
        raise TypeError("FSM data must survive a JSON round trip (str keys, lists not tuples)")
    return text


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO fsm_states(key, state) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET state = excluded.state",
                (storage_key(key), value),
            )
            await self._drop_if_empty(key)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._db.fetchone("SELECT state FROM fsm_states WHERE key = ?", (storage_key(key),))
        return None if row is None else row["state"]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        text = dump_data(data)
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO fsm_states(key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                (storage_key(key), text),
            )
            await self._drop_if_empty(key)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._db.fetchone("SELECT data FROM fsm_states WHERE key = ?", (storage_key(key),))
        if row is None:
            return {}
        data = json.loads(row["data"])
        return data if isinstance(data, dict) else {}

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read-modify-write in one transaction, so two quick updates cannot lose each other's keys."""
        async with self._db.transaction():
            current = await self.get_data(key)
            current.update(data)
            await self.set_data(key, current)
        return current.copy()

    async def _drop_if_empty(self, key: StorageKey) -> None:
        # No state and no data is the default: keep no row for it.
        await self._db.execute(
            "DELETE FROM fsm_states WHERE key = ? AND state IS NULL AND data = '{}'", (storage_key(key),)
        )

    async def close(self) -> None:
        """No-op: the Database belongs to the Store, and the Dispatcher calls this on shutdown before
        other shutdown hooks that may still write."""
