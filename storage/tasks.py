"""The head's to-do list, mostly filled from diagnostics. Each head sees only their own tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from domain.models import Task
from storage.access import require_in_team, visible_or_not_found
from storage.db import Database, from_db_time, opt_from_db_date, opt_from_db_time, opt_to_db_date, to_db_time

_COLUMNS = "t.id, t.team_id, t.user_id, t.title, t.source_checklist, t.source_item, t.created_at, t.done_at, t.due_date"


def task_from_row(row: Any) -> Task:
    return Task(
        id=row["id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        title=row["title"],
        source_checklist=row["source_checklist"],
        source_item=row["source_item"],
        created_at=from_db_time(row["created_at"]),
        done_at=opt_from_db_time(row["done_at"]),
        due_date=opt_from_db_date(row["due_date"]),
    )


class TaskRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        actor_id: int,
        team_id: int,
        title: str,
        source_checklist: str | None,
        source_item: str | None,
        now: datetime,
    ) -> Task:
        """An open task from the same checklist item is returned instead of a duplicate."""
        task, _ = await self.add_or_find(actor_id, team_id, title, source_checklist, source_item, now)
        return task

    async def add_or_find(
        self,
        actor_id: int,
        team_id: int,
        title: str,
        source_checklist: str | None,
        source_item: str | None,
        now: datetime,
    ) -> tuple[Task, bool]:
        """`add`, and whether the task was created (False: the open task from the same checklist item)."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
            if source_checklist is not None and source_item is not None:
                row = await self._db.fetchone(
                    f"SELECT {_COLUMNS} FROM tasks t WHERE t.team_id = ? AND t.user_id = ? "
                    "AND t.source_checklist = ? AND t.source_item = ? AND t.done_at IS NULL",
                    (team_id, actor_id, source_checklist, source_item),
                )
                if row is not None:
                    return task_from_row(row), False
            task_id = await self._db.insert(
                "INSERT INTO tasks(team_id, user_id, title, source_checklist, source_item, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (team_id, actor_id, title, source_checklist, source_item, to_db_time(now)),
            )
            return await self.get(actor_id, task_id), True

    async def list_done(self, actor_id: int, team_id: int, limit: int = 20) -> list[Task]:
        """The latest finished tasks, latest done first."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM tasks t WHERE t.team_id = ? AND t.user_id = ? AND t.done_at IS NOT NULL "
            "ORDER BY t.done_at DESC, t.id DESC LIMIT ?",
            (team_id, actor_id, limit),
        )
        return [task_from_row(r) for r in rows]

    async def list(self, actor_id: int, team_id: int, include_done: bool = False) -> list[Task]:
        """Open tasks with a due date first (earliest, so overdue ones lead), then undated ones oldest first;
        with include_done, finished ones follow, latest done first."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
        done_filter = "" if include_done else "AND t.done_at IS NULL "
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM tasks t WHERE t.team_id = ? AND t.user_id = ? {done_filter}"
            "ORDER BY t.done_at IS NOT NULL, t.done_at DESC, t.due_date IS NULL, t.due_date, t.created_at, t.id",
            (team_id, actor_id),
        )
        return [task_from_row(r) for r in rows]

    async def get(self, actor_id: int, task_id: int) -> Task:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS}, m.role AS actor_role FROM tasks t "
            "LEFT JOIN memberships m ON m.team_id = t.team_id AND m.user_id = t.user_id "
            "WHERE t.id = ? AND t.user_id = ?",
            (task_id, actor_id),
        )
        if row is None:
            raise NotFound(f"task {task_id}")
        visible_or_not_found(row["actor_role"], Permission.MANAGE_TASKS, f"task {task_id}")
        return task_from_row(row)

    async def set_due_date(self, actor_id: int, task_id: int, due: date | None) -> Task:
        async with self._db.transaction():
            await self.get(actor_id, task_id)
            await self._db.execute("UPDATE tasks SET due_date = ? WHERE id = ?", (opt_to_db_date(due), task_id))
            return await self.get(actor_id, task_id)

    async def mark_done(self, actor_id: int, task_id: int, now: datetime) -> Task:
        """Idempotent: a task already done keeps its first done time."""
        async with self._db.transaction():
            task = await self.get(actor_id, task_id)
            if task.done_at is not None:
                return task
            await self._db.execute("UPDATE tasks SET done_at = ? WHERE id = ?", (to_db_time(now), task_id))
            return await self.get(actor_id, task_id)

    async def reopen(self, actor_id: int, task_id: int) -> Task:
        """The task is open again (undo of ✓); its due date stays. Idempotent."""
        async with self._db.transaction():
            task = await self.get(actor_id, task_id)
            if task.done_at is None:
                return task
            await self._db.execute("UPDATE tasks SET done_at = NULL WHERE id = ?", (task_id,))
            return await self.get(actor_id, task_id)
