"""Metric snapshots of analysed CRM exports: aggregates only, never the export's rows or client names."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from domain.access import Permission, allowed
from domain.errors import AccessDenied, NotFound
from domain.models import Role, Snapshot
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_date, opt_to_db_date, to_db_time


def snapshot_from_row(row: Any) -> Snapshot:
    return Snapshot(
        id=row["id"],
        team_id=row["team_id"],
        created_by=row["created_by"],
        period_start=opt_from_db_date(row["period_start"]),
        period_end=opt_from_db_date(row["period_end"]),
        created_at=from_db_time(row["created_at"]),
        metrics_json=row["metrics_json"],
    )


class SnapshotRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self,
        actor_id: int,
        team_id: int,
        period_start: date | None,
        period_end: date | None,
        metrics_json: str,
        now: datetime,
    ) -> int:
        json.loads(metrics_json)  # refuse to store something the digest could not read back
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            return await self._db.insert(
                "INSERT INTO metric_snapshots(team_id, created_by, period_start, period_end, created_at, "
                "metrics_json) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    team_id,
                    actor_id,
                    opt_to_db_date(period_start),
                    opt_to_db_date(period_end),
                    to_db_time(now),
                    metrics_json,
                ),
            )

    async def latest(self, actor_id: int, team_id: int, limit: int = 5) -> list[Snapshot]:
        """Heads (who upload) and owners (who get the digest) may read the aggregates."""
        role = await role_in(self._db, actor_id, team_id)
        if not (allowed(role, Permission.UPLOAD_EXPORT) or allowed(role, Permission.VIEW_DIGEST)):
            raise AccessDenied(Permission.VIEW_DIGEST.value)
        rows = await self._db.fetchall(
            "SELECT id, team_id, created_by, period_start, period_end, created_at, metrics_json "
            "FROM metric_snapshots WHERE team_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (team_id, limit),
        )
        return [snapshot_from_row(r) for r in rows]

    async def get(self, actor_id: int, snapshot_id: int) -> Snapshot:
        """One snapshot, read like `latest`; a forged id or another team's is NotFound."""
        row = await self._db.fetchone(
            "SELECT s.id, s.team_id, s.created_by, s.period_start, s.period_end, s.created_at, s.metrics_json, "
            "m.role AS actor_role FROM metric_snapshots s "
            "LEFT JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? WHERE s.id = ?",
            (actor_id, snapshot_id),
        )
        role = None if row is None or row["actor_role"] is None else Role(row["actor_role"])
        if row is None or not (allowed(role, Permission.UPLOAD_EXPORT) or allowed(role, Permission.VIEW_DIGEST)):
            raise NotFound(f"snapshot {snapshot_id}")
        return snapshot_from_row(row)
