"""The reminders a person's calendar file shows (actor-scoped, read only): their own, the audiences of the teams
they head (as /reminders lists them), and the audiences they are in themselves (what they receive)."""

from __future__ import annotations

from domain.reminders import Reminder
from storage.db import Database
from storage.reminders import REMINDER_COLUMNS, reminder_from_row


async def calendar_reminders(db: Database, actor_id: int) -> list[Reminder]:
    """Active reminders only: paused and finished ones are not on the calendar."""
    rows = await db.fetchall(
        f"SELECT {REMINDER_COLUMNS} FROM reminders r "
        "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = ? "
        "WHERE r.state = 'active' AND (r.user_id = ? OR (r.audience_role IS NOT NULL "
        "AND (m.role = 'head' OR m.role = r.audience_role))) "
        "ORDER BY r.next_due_at, r.id",
        (actor_id, actor_id),
    )
    return [reminder_from_row(r) for r in rows]
