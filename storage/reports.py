"""Full XLSX reports of analysed exports, one per metric snapshot."""

from __future__ import annotations

from datetime import datetime

from domain.access import Permission
from domain.errors import NotFound
from storage.access import require_in_team, visible_or_not_found
from storage.db import Database, to_db_time


class ReportRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, actor_id: int, snapshot_id: int, xlsx: bytes, now: datetime) -> None:
        async with self._db.transaction():
            row = await self._db.fetchone("SELECT team_id FROM metric_snapshots WHERE id = ?", (snapshot_id,))
            if row is None:
                raise NotFound("snapshot")
            await require_in_team(self._db, actor_id, row["team_id"], Permission.UPLOAD_EXPORT)
            await self._db.execute(
                "INSERT OR REPLACE INTO snapshot_reports(snapshot_id, xlsx, created_at) VALUES (?, ?, ?)",
                (snapshot_id, xlsx, to_db_time(now)),
            )

    async def get(self, actor_id: int, snapshot_id: int) -> bytes:
        """NotFound for a forged id, another team's snapshot, or a report already pruned."""
        row = await self._db.fetchone(
            "SELECT r.xlsx, m.role FROM snapshot_reports r JOIN metric_snapshots s ON s.id = r.snapshot_id "
            "LEFT JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? WHERE r.snapshot_id = ?",
            (actor_id, snapshot_id),
        )
        if row is None:
            raise NotFound("report")
        visible_or_not_found(row["role"], Permission.UPLOAD_EXPORT, "report")
        return bytes(row["xlsx"])

    async def prune(self, older_than: datetime) -> int:
        return await self._db.execute_write(
            "DELETE FROM snapshot_reports WHERE created_at < ?", (to_db_time(older_than),)
        )
