"""Diagnostics runs and their answers. A run is visible only to the person who took it (a head, or an owner who
took a checklist about their head), while they may still take checklists in its team; every other lookup by id
is NotFound. A head's result reaches owners only as a share (storage/shares.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.access import Permission, allowed, checklist_permission, require
from domain.errors import NotFound, RunNotInProgress
from domain.models import ChecklistRun, Role, RunStatus
from storage.access import require_in_team, role_in, visible_or_not_found
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

_COLUMNS = "r.id, r.team_id, r.user_id, r.checklist_key, r.status, r.started_at, r.finished_at, r.score, r.zone"

# The run joined with the actor's own membership in the run's team: no row, or a role without
# TAKE_CHECKLISTS, means the actor may not see it.
_OWN_RUN = (
    f"SELECT {_COLUMNS}, m.role AS actor_role FROM checklist_runs r "
    "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = r.user_id "
    "WHERE r.id = ? AND r.user_id = ?"
)

# The same run with its answers, one row per answer (one row with NULLs when there are none yet).
_OWN_RUN_WITH_ANSWERS = (
    f"SELECT {_COLUMNS}, m.role AS actor_role, a.item_key, a.answer FROM checklist_runs r "
    "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = r.user_id "
    "LEFT JOIN checklist_answers a ON a.run_id = r.id "
    "WHERE r.id = ? AND r.user_id = ? ORDER BY a.answered_at, a.item_key"
)

_DIAGNOSTICS_ROLES = ", ".join(f"'{role.value}'" for role in Role if allowed(role, Permission.TAKE_CHECKLISTS))

# Upsert an answer only into the actor's own open run, while their role in its team still allows diagnostics:
# the checks of `get` and the status, and the write, in one statement.
_SAVE_ANSWER = (
    "INSERT INTO checklist_answers(run_id, item_key, answer, answered_at) "
    "SELECT r.id, ?, ?, ? FROM checklist_runs r "
    "JOIN memberships m ON m.team_id = r.team_id AND m.user_id = r.user_id "
    f"WHERE r.id = ? AND r.user_id = ? AND r.status = 'in_progress' AND m.role IN ({_DIAGNOSTICS_ROLES}) "
    "ON CONFLICT(run_id, item_key) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at"
)


def run_from_row(row: Any) -> ChecklistRun:
    return ChecklistRun(
        id=row["id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        checklist_key=row["checklist_key"],
        status=RunStatus(row["status"]),
        started_at=from_db_time(row["started_at"]),
        finished_at=opt_from_db_time(row["finished_at"]),
        score=row["score"],
        zone=row["zone"],
    )


class RunRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(
        self, actor_id: int, team_id: int, checklist_key: str, now: datetime, *, worded_for_owners: bool = False
    ) -> ChecklistRun:
        """A new run, or the open one for this checklist: repeating "start" never forks a run. An owner may start
        only a checklist worded for owners (`worded_for_owners`, from the content: domain.checklists.for_owners)."""
        async with self._db.transaction():
            role = await role_in(self._db, actor_id, team_id)
            require(role, checklist_permission(worded_for_owners, role))
            existing = await self._open_run(actor_id, team_id, checklist_key)
            if existing is not None:
                return existing
            run_id = await self._db.insert(
                "INSERT INTO checklist_runs(team_id, user_id, checklist_key, status, started_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (team_id, actor_id, checklist_key, RunStatus.IN_PROGRESS.value, to_db_time(now)),
            )
            return await self.get(actor_id, run_id)

    async def get(self, actor_id: int, run_id: int) -> ChecklistRun:
        row = await self._db.fetchone(_OWN_RUN, (run_id, actor_id))
        if row is None:
            raise NotFound(f"run {run_id}")
        visible_or_not_found(row["actor_role"], Permission.TAKE_CHECKLISTS, f"run {run_id}")
        return run_from_row(row)

    async def _open_run(self, actor_id: int, team_id: int, checklist_key: str) -> ChecklistRun | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM checklist_runs r "
            "WHERE r.team_id = ? AND r.user_id = ? AND r.checklist_key = ? AND r.status = 'in_progress'",
            (team_id, actor_id, checklist_key),
        )
        return None if row is None else run_from_row(row)

    async def in_progress(self, actor_id: int, team_id: int, checklist_key: str) -> ChecklistRun | None:
        await require_in_team(self._db, actor_id, team_id, Permission.TAKE_CHECKLISTS)
        return await self._open_run(actor_id, team_id, checklist_key)

    async def save_answer(self, actor_id: int, run_id: int, item_key: str, answer: str, now: datetime) -> None:
        """Saved (committed) as soon as given (upsert: changing an answer replaces it), so a restart resumes.
        One guarded statement; when it writes nothing, `get` says why (NotFound), or the run is not open."""
        params = (item_key, answer, to_db_time(now), run_id, actor_id)
        if await self._db.write_by_key(_SAVE_ANSWER, params) == 0:
            run = await self.get(actor_id, run_id)
            raise RunNotInProgress(str(run.id))

    async def with_answers(self, actor_id: int, run_id: int) -> tuple[ChecklistRun, dict[str, str]]:
        """`get` and `answers` in one read (a tap on a question needs both)."""
        rows = await self._db.fetch_by_key(_OWN_RUN_WITH_ANSWERS, (run_id, actor_id))
        if not rows:
            raise NotFound(f"run {run_id}")
        visible_or_not_found(rows[0]["actor_role"], Permission.TAKE_CHECKLISTS, f"run {run_id}")
        return run_from_row(rows[0]), {r["item_key"]: r["answer"] for r in rows if r["item_key"] is not None}

    async def answers(self, actor_id: int, run_id: int) -> dict[str, str]:
        await self.get(actor_id, run_id)
        rows = await self._db.fetchall(
            "SELECT item_key, answer FROM checklist_answers WHERE run_id = ? ORDER BY answered_at, item_key",
            (run_id,),
        )
        return {r["item_key"]: r["answer"] for r in rows}

    async def finish(self, actor_id: int, run_id: int, score: int, zone: str, now: datetime) -> ChecklistRun:
        """Idempotent: a second finish (double tap, replayed update) returns the first result unchanged."""
        async with self._db.transaction():
            run = await self.get(actor_id, run_id)
            if run.status is RunStatus.FINISHED:
                return run
            await self._db.execute(
                "UPDATE checklist_runs SET status = 'finished', finished_at = ?, score = ?, zone = ? WHERE id = ?",
                (to_db_time(now), score, zone, run_id),
            )
            return await self.get(actor_id, run_id)

    async def abandon(self, actor_id: int, run_id: int) -> bool:
        """Drop an open run with its answers ("start over"); a finished run is history and stays."""
        async with self._db.transaction():
            run = await self.get(actor_id, run_id)
            if run.status is not RunStatus.IN_PROGRESS:
                return False
            await self._db.execute("DELETE FROM checklist_runs WHERE id = ?", (run_id,))
            return True

    async def history(self, actor_id: int, team_id: int, limit: int = 20) -> list[ChecklistRun]:
        """The actor's own finished runs in the team, newest first."""
        await require_in_team(self._db, actor_id, team_id, Permission.TAKE_CHECKLISTS)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM checklist_runs r "
            "WHERE r.team_id = ? AND r.user_id = ? AND r.status = 'finished' "
            "ORDER BY r.finished_at DESC, r.id DESC LIMIT ?",
            (team_id, actor_id, limit),
        )
        return [run_from_row(r) for r in rows]

    async def previous_finished(
        self, actor_id: int, team_id: int, checklist_key: str, before_run_id: int
    ) -> ChecklistRun | None:
        """The run to compare with. Only one run per checklist can be open at a time, so a smaller id
        of the same checklist means an earlier, already finished attempt."""
        await require_in_team(self._db, actor_id, team_id, Permission.TAKE_CHECKLISTS)
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM checklist_runs r "
            "WHERE r.team_id = ? AND r.user_id = ? AND r.checklist_key = ? AND r.status = 'finished' "
            "AND r.id < ? ORDER BY r.id DESC LIMIT 1",
            (team_id, actor_id, checklist_key, before_run_id),
        )
        return None if row is None else run_from_row(row)

    async def open_with_answers(self, actor_id: int, team_id: int) -> dict[str, tuple[ChecklistRun, dict[str, str]]]:
        """The actor's open runs in the team by checklist key, each with its answers so far (the /checklists list)."""
        await require_in_team(self._db, actor_id, team_id, Permission.TAKE_CHECKLISTS)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS}, a.item_key, a.answer FROM checklist_runs r "
            "LEFT JOIN checklist_answers a ON a.run_id = r.id "
            "WHERE r.team_id = ? AND r.user_id = ? AND r.status = 'in_progress' ORDER BY r.id",
            (team_id, actor_id),
        )
        runs: dict[str, tuple[ChecklistRun, dict[str, str]]] = {}
        for row in rows:
            _, answers = runs.setdefault(row["checklist_key"], (run_from_row(row), {}))
            if row["item_key"] is not None:
                answers[row["item_key"]] = row["answer"]
        return runs
