"""Monthly sales plans per manager, set by the head and compared with CRM exports."""

from __future__ import annotations

import re

from domain.access import Permission
from storage.access import require_in_team
from storage.db import Database

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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
