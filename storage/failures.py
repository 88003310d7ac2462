"""Telegram calls that failed for good: recorded for the operator instead of silently dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time

_MAX_ERROR_CHARS = 1000  # an error text is a hint for the operator, not a log sink


@dataclass(frozen=True, slots=True)
class SendFailure:
    id: int
    chat_id: int | None  # None for calls that target no chat
    method: str
    error: str
    created_at: datetime


class FailureRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, chat_id: int | None, method: str, error: str, now: datetime) -> int:
        return await self._db.insert(
            "INSERT INTO send_failures(chat_id, method, error, created_at) VALUES (?, ?, ?, ?)",
            (chat_id, method, error[:_MAX_ERROR_CHARS], to_db_time(now)),
        )

    async def recent(self, limit: int = 20) -> list[SendFailure]:
        rows = await self._db.fetchall(
            "SELECT id, chat_id, method, error, created_at FROM send_failures "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            SendFailure(
                id=r["id"],
                chat_id=r["chat_id"],
                method=r["method"],
                error=r["error"],
                created_at=from_db_time(r["created_at"]),
            )
            for r in rows
        ]
