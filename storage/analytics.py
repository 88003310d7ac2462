"""Export analytics data: metric snapshots (aggregates only), remembered column mappings, sales plans."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from domain.access import Permission, allowed
from domain.errors import AccessDenied
from domain.models import Snapshot
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_date, opt_to_db_date, to_db_time

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


class MappingRepo:
    """Column choices the head confirmed for an export layout (keyed by a signature of its headers)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, actor_id: int, team_id: int, signature: str) -> dict[str, str] | None:
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        row = await self._db.fetchone(
            "SELECT mapping_json FROM column_mappings WHERE team_id = ? AND header_signature = ?",
            (team_id, signature),
        )
        if row is None:
            return None
        mapping = json.loads(row["mapping_json"])
        return {str(k): str(v) for k, v in mapping.items()}

    async def save(self, actor_id: int, team_id: int, signature: str, mapping: dict[str, str], now: datetime) -> None:
        payload = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            await self._db.execute(
                "INSERT INTO column_mappings(team_id, header_signature, mapping_json, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(team_id, header_signature) DO UPDATE SET "
                " mapping_json = excluded.mapping_json, updated_at = excluded.updated_at",
                (team_id, signature, payload, to_db_time(now)),
            )


class PlanRepo:
    """Monthly sales plans per manager (manager as named in the export), month as 'YYYY-MM'."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, actor_id: int, team_id: int, manager: str, month: str, amount: float) -> None:
        if not _MONTH.match(month):
            raise ValueError(f"month must be YYYY-MM, got {month!r}")
        if not amount >= 0:  # also refuses NaN
            raise ValueError("plan amount must be a non-negative number")
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            await self._db.execute(
                "INSERT INTO manager_plans(team_id, manager, month, amount) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(team_id, manager, month) DO UPDATE SET amount = excluded.amount",
                (team_id, manager, month, float(amount)),
            )

    async def for_team(self, actor_id: int, team_id: int) -> dict[tuple[str, str], float]:
        """{(manager, month): amount}."""
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        rows = await self._db.fetchall(
            "SELECT manager, month, amount FROM manager_plans WHERE team_id = ? ORDER BY month, manager",
            (team_id,),
        )
        return {(r["manager"], r["month"]): float(r["amount"]) for r in rows}

    async def delete(self, actor_id: int, team_id: int, manager: str, month: str) -> bool:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            cursor = await self._db.execute(
                "DELETE FROM manager_plans WHERE team_id = ? AND manager = ? AND month = ?",
                (team_id, manager, month),
            )
            return cursor.rowcount > 0
