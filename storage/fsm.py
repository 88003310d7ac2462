"""aiogram FSM storage on our SQLite database. JSON only, never pickle: state survives restarts and a
value that would not come back as it went in is refused with TypeError.

Every update reads its state (aiogram's FSM middleware) and most handlers read the data, while writes are rare (a
checklist answer in order writes none). So rows read are kept in memory, per database, until a write to the same
key: every write goes to the database and drops the key first, and the next read loads it again. That is safe
while this process is the only writer of `fsm_states` (one bot process per token, as the per-user event isolation
already assumes); a restart starts with nothing in memory.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import OrderedDict
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


_Row = tuple[str | None, str]  # (state, data as JSON text); a missing row reads as (None, "{}")
_EMPTY: _Row = (None, "{}")


class _ReadCache:
    """Rows read, per database, until the next write to their key (module docstring).

    A read stores its row only if no write of any key started meanwhile (`writes` did not move), and not in a task
    that wrote the key itself: that task may still be inside its own transaction, which could roll back."""

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self.rows: OrderedDict[str, _Row] = OrderedDict()
        self.writes = 0
        self.writers: dict[str, asyncio.Task[Any] | None] = {}

    def get(self, key: str) -> _Row | None:
        row = self.rows.get(key)
        if row is not None:
            self.rows.move_to_end(key)
        return row

    def put(self, key: str, row: _Row, writes_before: int) -> None:
        writer = self.writers.get(key)
        if self.writes != writes_before or (writer is not None and writer is asyncio.current_task()):
            return
        self.writers.pop(key, None)
        self.rows[key] = row
        if len(self.rows) > self.MAX_KEYS:
            self.rows.popitem(last=False)

    def drop(self, key: str) -> None:
        """Before and after every write."""
        self.writes += 1
        self.rows.pop(key, None)
        self.writers[key] = asyncio.current_task()
        if len(self.writers) > self.MAX_KEYS:  # writers whose next read never came
            self.writers = {k: task for k, task in self.writers.items() if task is not None and not task.done()}


_caches: weakref.WeakKeyDictionary[Database, _ReadCache] = weakref.WeakKeyDictionary()


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self._db = db
        # Shared by every storage on this database, so none of them reads what another one has overwritten.
        self._cache = _caches.setdefault(db, _ReadCache())

    async def _row(self, key: StorageKey) -> _Row:
        text_key = storage_key(key)
        cached = self._cache.get(text_key)
        if cached is not None:
            return cached
        writes_before = self._cache.writes
        rows = await self._db.fetch_by_key("SELECT state, data FROM fsm_states WHERE key = ?", (text_key,))
        row = (rows[0]["state"], rows[0]["data"]) if rows else _EMPTY
        self._cache.put(text_key, row, writes_before)
        return row

    async def _write(self, key: StorageKey, sql: str, value: str | None) -> None:
        text_key = storage_key(key)
        self._cache.drop(text_key)
        try:
            async with self._db.transaction():
                await self._db.execute(sql, (text_key, value))
                await self._drop_if_empty(key)
        finally:
            self._cache.drop(text_key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        sql = "INSERT INTO fsm_states(key, state) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state"
        await self._write(key, sql, value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        text = dump_data(data)
        sql = "INSERT INTO fsm_states(key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data"
        await self._write(key, sql, text)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data = json.loads((await self._row(key))[1])  # a new dict on every call: callers may change it
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
