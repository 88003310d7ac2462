"""Uploads in progress: which file folders exist and whom to tell if the bot dies before they are processed.

System-scoped (acts for no one): the bot records its own work here and reads it back at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class UploadInProgress:
    id: int
    user_id: int
    chat_id: int
    message_id: int | None  # the progress message; None when the flow shows none
    folder: str  # a name under the uploads folder
    started_at: datetime


class UploadRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin(self, user_id: int, chat_id: int, message_id: int | None, folder: str, now: datetime) -> int:
        return await self._db.insert(
            "INSERT INTO uploads_in_progress(user_id, chat_id, message_id, folder, started_at) VALUES (?, ?, ?, ?, ?)",
            (user_id, chat_id, message_id, folder, to_db_time(now)),
        )

    async def finish(self, upload_id: int) -> None:
        """Safe to run twice."""
        await self._db.execute_write("DELETE FROM uploads_in_progress WHERE id = ?", (upload_id,))

    async def left_over(self) -> list[UploadInProgress]:
        """Everything recorded, oldest first: at start, before any new upload, these are what a crash left."""
        rows = await self._db.fetchall(
            "SELECT id, user_id, chat_id, message_id, folder, started_at FROM uploads_in_progress ORDER BY id"
        )
        return [
            UploadInProgress(
                id=r["id"],
                user_id=r["user_id"],
                chat_id=r["chat_id"],
                message_id=r["message_id"],
                folder=r["folder"],
                started_at=from_db_time(r["started_at"]),
            )
            for r in rows
        ]
