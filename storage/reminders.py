"""Reminders as their people see them (actor-scoped): a person manages their own reminders, a head those of
their team's audiences. A forged id reads as a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from domain.models import Role
from domain.reminders import Reminder, ReminderInPast, ReminderKind, ReminderState
from domain.schedules import Rule, next_occurrence
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

REMINDER_COLUMNS = (
    "r.id, r.team_id, r.user_id, r.audience_role, r.kind, r.title, r.rule, r.timezone, r.next_due_at, r.state, "
    "r.task_id, r.created_by, r.created_at, r.subject_id"
)


def reminder_from_row(row: Any) -> Reminder:
    return Reminder(
        id=row["id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        audience_role=None if row["audience_role"] is None else Role(row["audience_role"]),
        kind=row["kind"],
        title=row["title"],
        rule=Rule.from_json(row["rule"]),
        timezone=row["timezone"],
        next_due_at=opt_from_db_time(row["next_due_at"]),
        state=ReminderState(row["state"]),
        task_id=row["task_id"],
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        subject_id=row["subject_id"],
    )


def first_due(rule: Rule, timezone: str, now: datetime) -> datetime:
    due = next_occurrence(rule, timezone, now)
    if due is None:
        raise ReminderInPast(rule.to_json())
    return due


class ReminderRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_personal(
        self,
        actor_id: int,
        team_id: int | None,
        kind: str,
        title: str,
        rule: Rule,
        timezone: str,
        now: datetime,
        task_id: int | None = None,
        subject_id: int | None = None,
    ) -> Reminder:
        """A reminder for the actor themself; with a team, the actor must belong to it. `subject_id`: the ritual
        (of this `kind`) the reminder belongs to."""
        due = first_due(rule, timezone, now)
        async with self._db.transaction():
            if team_id is not None and await role_in(self._db, actor_id, team_id) is None:
                raise NotFound(f"team {team_id}")
            reminder_id = await self._db.insert(
                "INSERT INTO reminders(team_id, user_id, kind, title, rule, timezone, next_due_at, state, task_id, "
                "created_by, created_at, subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                (
                    team_id,
                    actor_id,
                    str(kind),
                    title,
                    rule.to_json(),
                    timezone,
                    to_db_time(due),
                    task_id,
                    actor_id,
                    to_db_time(now),
                    subject_id,
                ),
            )
            return await self.get(actor_id, reminder_id)

    async def create_for_role(
        self,
        actor_id: int,
        team_id: int,
        role: Role,
        kind: str,
        title: str,
        rule: Rule,
        timezone: str,
        now: datetime,
        subject_id: int | None = None,
    ) -> Reminder:
        """A reminder to everyone with `role` in the team (rituals, nudges); only a head may set one."""
        due = first_due(rule, timezone, now)
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            reminder_id = await self._db.insert(
                "INSERT INTO reminders(team_id, audience_role, kind, title, rule, timezone, next_due_at, state, "
                "created_by, created_at, subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
                (
                    team_id,
                    role.value,
                    kind,
                    title,
                    rule.to_json(),
                    timezone,
                    to_db_time(due),
                    actor_id,
                    to_db_time(now),
                    subject_id,
                ),
            )
            return await self.get(actor_id, reminder_id)

    async def get(self, actor_id: int, reminder_id: int) -> Reminder:
        row = await self._db.fetchone(
            f"SELECT {REMINDER_COLUMNS}, m.role AS actor_role FROM reminders r "
            "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = ? WHERE r.id = ?",
            (actor_id, reminder_id),
        )
        if row is None or not _manages(actor_id, row):
            raise NotFound(f"reminder {reminder_id}")
        return reminder_from_row(row)

    async def list_for(self, actor_id: int) -> list[Reminder]:
        """The actor's own reminders and those of audiences in teams they head; finished ones are left out."""
        rows = await self._db.fetchall(
            f"SELECT {REMINDER_COLUMNS}, m.role AS actor_role FROM reminders r "
            "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = ? "
            "WHERE r.state <> 'finished' AND (r.user_id = ? OR (r.audience_role IS NOT NULL AND m.role = 'head')) "
            "ORDER BY r.state = 'paused', r.next_due_at, r.id",
            (actor_id, actor_id),
        )
        return [reminder_from_row(r) for r in rows]

    async def for_task(self, actor_id: int, task_id: int) -> Reminder | None:
        row = await self._db.fetchone(
            f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.task_id = ? AND r.user_id = ?", (task_id, actor_id)
        )
        return None if row is None else reminder_from_row(row)

    async def pause(self, actor_id: int, reminder_id: int) -> Reminder:
        async with self._db.transaction():
            await self.get(actor_id, reminder_id)
            await self._db.execute(
                "UPDATE reminders SET state = 'paused' WHERE id = ? AND state = 'active'", (reminder_id,)
            )
            return await self.get(actor_id, reminder_id)

    async def resume(self, actor_id: int, reminder_id: int, now: datetime) -> Reminder:
        """Goes on from the next occurrence after now: what fell due while paused is not sent."""
        async with self._db.transaction():
            reminder = await self.get(actor_id, reminder_id)
            if reminder.state is ReminderState.PAUSED:
                due = first_due(reminder.rule, reminder.timezone, now)
                await self._db.execute(
                    "UPDATE reminders SET state = 'active', next_due_at = ? WHERE id = ?",
                    (to_db_time(due), reminder_id),
                )
            return await self.get(actor_id, reminder_id)

    async def reschedule(self, actor_id: int, reminder_id: int, rule: Rule, now: datetime) -> Reminder:
        """A new rule (or time): the next occurrence is recomputed; a paused or finished reminder is active again."""
        due = first_due(rule, (await self.get(actor_id, reminder_id)).timezone, now)
        async with self._db.transaction():
            await self.get(actor_id, reminder_id)
            await self._db.execute(
                "UPDATE reminders SET rule = ?, next_due_at = ?, state = 'active' WHERE id = ?",
                (rule.to_json(), to_db_time(due), reminder_id),
            )
            return await self.get(actor_id, reminder_id)

    async def move_to_zone(self, actor_id: int, reminder_id: int, timezone: str, now: datetime) -> Reminder:
        """The same rule (the same wall time) in another zone. An active reminder's next occurrence is recomputed;
        a paused one stays paused (resuming computes it in the new zone). One already due and not yet taken by the
        engine keeps its moment: the engine sends it and goes on in the new zone."""
        async with self._db.transaction():
            await self._rezone(await self.get(actor_id, reminder_id), timezone, None, now)
            return await self.get(actor_id, reminder_id)

    async def of_team(self, actor_id: int, team_id: int) -> list[Reminder]:
        """Every unfinished reminder of the team, whoever it is for: what a head's change of the team's zone looks
        through (domain/zone_change.py decides which follow)."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        rows = await self._db.fetchall(
            f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.team_id = ? AND r.state <> 'finished' ORDER BY r.id",
            (team_id,),
        )
        return [reminder_from_row(r) for r in rows]

    async def move_with_team(
        self, actor_id: int, team_id: int, reminder_id: int, timezone: str, rule: Rule | None, now: datetime
    ) -> Reminder:
        """A head moves one of the team's reminders (a personal one too: the case review's agenda may be another
        head's) to the team's new zone, as `move_to_zone` does; `rule`: the rule re-derived for it (None: the same)."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            row = await self._db.fetchone(
                f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.id = ? AND r.team_id = ?", (reminder_id, team_id)
            )
            if row is None:
                raise NotFound(f"reminder {reminder_id}")
            await self._rezone(reminder_from_row(row), timezone, rule, now)
            row = await self._db.fetchone(f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.id = ?", (reminder_id,))
            return reminder_from_row(row)

    async def _rezone(self, reminder: Reminder, timezone: str, rule: Rule | None, now: datetime) -> None:
        rule = rule or reminder.rule
        due = reminder.next_due_at
        if reminder.state is ReminderState.ACTIVE and due is not None and due > now:
            due = first_due(rule, timezone, now)
        await self._db.execute(
            "UPDATE reminders SET timezone = ?, rule = ?, next_due_at = ? WHERE id = ?",
            (timezone, rule.to_json(), None if due is None else to_db_time(due), reminder.id),
        )

    async def delete(self, actor_id: int, reminder_id: int) -> None:
        async with self._db.transaction():
            await self.get(actor_id, reminder_id)
            await self._db.execute("DELETE FROM reminders WHERE id = ?", (reminder_id,))

    async def finish_for_task(self, actor_id: int, task_id: int) -> None:
        """A task done or dropped: its reminder stops, pending snoozes included."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE reminders SET state = 'finished', next_due_at = NULL WHERE task_id = ? AND user_id = ?",
                (task_id, actor_id),
            )
            await self._db.execute(
                "DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN "
                "(SELECT id FROM reminders WHERE task_id = ? AND user_id = ?)",
                (task_id, actor_id),
            )

    async def set_task_due(
        self, actor_id: int, task_id: int, title: str, rule: Rule, timezone: str, team_id: int, now: datetime
    ) -> Reminder:
        """One reminder per task: replaced when the due date changes."""
        async with self._db.transaction():
            await self._db.execute("DELETE FROM reminders WHERE task_id = ? AND user_id = ?", (task_id, actor_id))
            return await self.create_personal(actor_id, team_id, ReminderKind.TASK, title, rule, timezone, now, task_id)


def _manages(actor_id: int, row: Any) -> bool:
    if row["user_id"] is not None:
        return bool(row["user_id"] == actor_id)
    return row["actor_role"] == Role.HEAD.value
