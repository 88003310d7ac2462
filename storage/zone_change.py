"""Records that carry a zone of their own and follow a zone change (domain/zone_change.py says which): the team's
case review, a person's training assignment, a call-listening plan.

Actor-scoped: the case review is moved by a head of its team; an assignment or a plan follows a reminder of the
actor's own that has just moved (the same transaction), so only a row tied to such a reminder changes."""

from __future__ import annotations

from datetime import datetime

from domain.access import Permission
from domain.errors import NotFound
from domain.zone_change import same_wall_time
from storage.access import require_in_team
from storage.db import Database, from_db_time, to_db_time


class ZoneChangeRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def move_case_review(self, actor_id: int, series_id: int, timezone: str) -> None:
        """The series' zone only: its day, time, weeks and first review stay (its reminders are moved apart)."""
        async with self._db.transaction():
            row = await self._db.fetchone("SELECT team_id FROM case_series WHERE id = ?", (series_id,))
            if row is None:
                raise NotFound(f"case series {series_id}")
            await require_in_team(self._db, actor_id, int(row["team_id"]), Permission.MANAGE_TEAM)
            await self._db.execute("UPDATE case_series SET timezone = ? WHERE id = ?", (timezone, series_id))

    async def follow_training(self, actor_id: int, assignment_id: int, timezone: str, now: datetime) -> bool:
        """The actor's active assignment takes its reminder's new zone; each module still ahead keeps its wall time
        (the week it is given in stays the same local week). Modules already given keep their moment. False: no
        such assignment of the actor's (replaced, ended, another person's)."""
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT timezone FROM training_assignments WHERE id = ? AND user_id = ? AND state = 'active'",
                (assignment_id, actor_id),
            )
            if row is None:
                return False
            old_zone = str(row["timezone"])
            items = await self._db.fetchall(
                "SELECT position, due_at FROM training_assignment_items WHERE assignment_id = ? AND due_at > ?",
                (assignment_id, to_db_time(now)),
            )
            moved = [same_wall_time(from_db_time(r["due_at"]), old_zone, timezone) for r in items]
            await self._db.executemany(
                "UPDATE training_assignment_items SET due_at = ? WHERE assignment_id = ? AND position = ?",
                [(to_db_time(due), assignment_id, r["position"]) for due, r in zip(moved, items, strict=True)],
            )
            await self._db.execute(
                "UPDATE training_assignments SET timezone = ? WHERE id = ?", (timezone, assignment_id)
            )
            return True

    async def follow_call_plan(self, actor_id: int, reminder_id: int, timezone: str) -> bool:
        """The plan whose weekly reminder (the actor's own) moved counts its weeks in the new zone. False: the
        reminder serves no plan (any more)."""
        changed = await self._db.execute_write(
            "UPDATE call_plans SET timezone = ? WHERE reminder_id = ? AND EXISTS "
            "(SELECT 1 FROM reminders r WHERE r.id = call_plans.reminder_id AND r.user_id = ?)",
            (timezone, reminder_id, actor_id),
        )
        return changed > 0
