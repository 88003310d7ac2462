"""Training modules: attempts (screens read, answers, score) and the head's assignments.

Actor-scoped: a person reads and writes only their own attempts, in a team they belong to; assignments are made
and the team's progress is read by a head (MANAGE_TEAM). A forged id reads as a missing one. `hygiene` is
system-scoped (the owners' digest acts for no one). Ending an assignment when its person leaves the team is done
by a trigger of migration 0009, so that every way out of a team does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from domain.models import Role
from domain.schedules import Rule
from domain.training import (
    Assignment,
    AssignmentItem,
    AssignmentState,
    Attempt,
    AttemptNotInProgress,
    AttemptStatus,
    ScheduledModule,
    TrainingHygiene,
)
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

_ATTEMPT_COLUMNS = (
    "id, team_id, user_id, module_key, assignment_id, status, screens_read, started_at, finished_at, score, passed"
)
_ASSIGNMENT_COLUMNS = "a.id, a.team_id, a.user_id, a.assigned_by, a.state, a.rule, a.timezone, a.created_at"
# Who takes modules: the team's heads and managers (owners read the digest, they are not trained).
_LEARNERS = ("head", "member")


def _attempt(row: Any) -> Attempt:
    return Attempt(
        id=row["id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        module_key=row["module_key"],
        status=AttemptStatus(row["status"]),
        screens_read=row["screens_read"],
        started_at=from_db_time(row["started_at"]),
        finished_at=opt_from_db_time(row["finished_at"]),
        score=row["score"],
        passed=None if row["passed"] is None else bool(row["passed"]),
        assignment_id=row["assignment_id"],
    )


@dataclass(frozen=True, slots=True)
class Learner:
    """A person a head may assign modules to, with what the plan needs."""

    user_id: int
    name: str
    role: Role
    timezone: str  # the person's own zone, else the team's
    passed: frozenset[str]


@dataclass(frozen=True, slots=True)
class TeamTraining:
    people: tuple[tuple[int, str], ...]  # (user id, name) of the team's heads and managers
    passed: tuple[tuple[int, str], ...]  # (user id, module key) pairs passed in this team
    assignments: tuple[Assignment, ...]  # the active ones


class TrainingRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- a person's own attempts ---------------------------------------------------------------------------

    async def passed_modules(self, actor_id: int, team_id: int) -> frozenset[str]:
        if await role_in(self._db, actor_id, team_id) is None:
            raise NotFound(f"team {team_id}")
        return await self._passed(team_id, actor_id)

    async def _passed(self, team_id: int, user_id: int) -> frozenset[str]:
        rows = await self._db.fetchall(
            "SELECT DISTINCT module_key FROM training_attempts WHERE team_id = ? AND user_id = ? AND passed = 1",
            (team_id, user_id),
        )
        return frozenset(r["module_key"] for r in rows)

    async def start(
        self, actor_id: int, team_id: int, module_key: str, now: datetime, assignment_id: int | None = None
    ) -> Attempt:
        """A new attempt; an unfinished one of the same module is abandoned (its buttons turn stale)."""
        async with self._db.transaction():
            if await role_in(self._db, actor_id, team_id) is None:
                raise NotFound(f"team {team_id}")
            await self._db.execute(
                "UPDATE training_attempts SET status = 'abandoned' "
                "WHERE team_id = ? AND user_id = ? AND module_key = ? AND status = 'in_progress'",
                (team_id, actor_id, module_key),
            )
            attempt_id = await self._db.insert(
                "INSERT INTO training_attempts(team_id, user_id, module_key, assignment_id, status, started_at) "
                "VALUES (?, ?, ?, ?, 'in_progress', ?)",
                (team_id, actor_id, module_key, assignment_id, to_db_time(now)),
            )
            return await self.get(actor_id, attempt_id)

    async def get(self, actor_id: int, attempt_id: int) -> Attempt:
        """The actor's own attempt in a team they still belong to; anything else is NotFound."""
        row = await self._db.fetchone(
            f"SELECT {_ATTEMPT_COLUMNS} FROM training_attempts t WHERE id = ? AND user_id = ? "
            "AND EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = t.team_id AND m.user_id = t.user_id)",
            (attempt_id, actor_id),
        )
        if row is None:
            raise NotFound(f"attempt {attempt_id}")
        return _attempt(row)

    async def last_passed(self, actor_id: int, team_id: int, module_key: str) -> Attempt | None:
        """The actor's latest passed attempt at the module in the team."""
        row = await self._db.fetchone(
            f"SELECT {_ATTEMPT_COLUMNS} FROM training_attempts WHERE team_id = ? AND user_id = ? AND module_key = ? "
            "AND passed = 1 ORDER BY finished_at DESC, id DESC LIMIT 1",
            (team_id, actor_id, module_key),
        )
        return None if row is None else _attempt(row)

    async def with_answers(self, actor_id: int, attempt_id: int) -> tuple[Attempt, dict[int, int]]:
        attempt = await self.get(actor_id, attempt_id)
        rows = await self._db.fetchall(
            "SELECT question, option FROM training_answers WHERE attempt_id = ? ORDER BY question", (attempt_id,)
        )
        return attempt, {int(r["question"]): int(r["option"]) for r in rows}

    async def mark_read(self, actor_id: int, attempt_id: int, screens_read: int) -> Attempt:
        """Screens read only grow: an old «Далее» never takes a person back."""
        async with self._db.transaction():
            attempt = await self._in_progress(actor_id, attempt_id)
            if screens_read > attempt.screens_read:
                await self._db.execute(
                    "UPDATE training_attempts SET screens_read = ? WHERE id = ?", (screens_read, attempt_id)
                )
            return await self.get(actor_id, attempt_id)

    async def answer(
        self, actor_id: int, attempt_id: int, question: int, option: int, correct: bool, now: datetime
    ) -> tuple[int, bool]:
        """Records the answer unless the question has one: returns (the kept option, whether this was the first)."""
        async with self._db.transaction():
            await self._in_progress(actor_id, attempt_id)
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO training_answers(attempt_id, question, option, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (attempt_id, question, option, int(correct), to_db_time(now)),
            )
            row = await self._db.fetchone(
                "SELECT option FROM training_answers WHERE attempt_id = ? AND question = ?", (attempt_id, question)
            )
            assert row is not None
            return int(row["option"]), cursor.rowcount == 1

    async def _in_progress(self, actor_id: int, attempt_id: int) -> Attempt:
        attempt = await self.get(actor_id, attempt_id)
        if attempt.status is not AttemptStatus.IN_PROGRESS:
            raise AttemptNotInProgress(str(attempt_id))
        return attempt

    async def finish(
        self, actor_id: int, attempt_id: int, score: int, passed: bool, now: datetime
    ) -> tuple[Attempt, list[int]]:
        """Safe to run twice (the second run changes nothing). A pass completes the module in the person's active
        assignment; an assignment with every module passed is done and its reminder stops. Returns the attempt
        and the ids of the assignments finished now."""
        async with self._db.transaction():
            attempt = await self.get(actor_id, attempt_id)
            if attempt.status is not AttemptStatus.IN_PROGRESS:
                return attempt, []
            await self._db.execute(
                "UPDATE training_attempts SET status = 'finished', finished_at = ?, score = ?, passed = ? WHERE id = ?",
                (to_db_time(now), score, int(passed), attempt_id),
            )
            finished: list[int] = []
            if passed:
                finished = await self._complete_module(attempt.team_id, actor_id, attempt.module_key, now)
            return await self.get(actor_id, attempt_id), finished

    async def _complete_module(self, team_id: int, user_id: int, module_key: str, now: datetime) -> list[int]:
        await self._db.execute(
            "UPDATE training_assignment_items SET completed_at = ? WHERE module_key = ? AND completed_at IS NULL "
            "AND assignment_id IN (SELECT id FROM training_assignments "
            "WHERE team_id = ? AND user_id = ? AND state = 'active')",
            (to_db_time(now), module_key, team_id, user_id),
        )
        rows = await self._db.fetchall(
            "SELECT a.id FROM training_assignments a WHERE a.team_id = ? AND a.user_id = ? AND a.state = 'active' "
            "AND NOT EXISTS (SELECT 1 FROM training_assignment_items i "
            "WHERE i.assignment_id = a.id AND i.completed_at IS NULL)",
            (team_id, user_id),
        )
        done = [int(r["id"]) for r in rows]
        await self._end(done, AssignmentState.DONE, now)
        return done

    async def _end(self, assignment_ids: Sequence[int], state: AssignmentState, now: datetime) -> None:
        """The assignments end and their reminders stop, pending snoozes included (inside a transaction)."""
        for assignment_id in assignment_ids:
            await self._db.execute(
                "UPDATE training_assignments SET state = ?, ended_at = ? WHERE id = ? AND state = 'active'",
                (state.value, to_db_time(now), assignment_id),
            )
            await self._db.execute(
                "DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN "
                "(SELECT id FROM reminders WHERE kind = 'training' AND subject_id = ?)",
                (assignment_id,),
            )
            await self._db.execute(
                "UPDATE reminders SET state = 'finished', next_due_at = NULL "
                "WHERE kind = 'training' AND subject_id = ?",
                (assignment_id,),
            )

    # --- assignments ----------------------------------------------------------------------------------------

    async def learners(self, actor_id: int, team_id: int, user_id: int | None = None) -> list[Learner]:
        """For a head: the team's managers (or the one person `user_id`, a head or a manager of the team), with
        their zone and the modules they passed."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        params: tuple[int, ...]
        if user_id is None:
            where, params = "m.role = 'member'", (team_id,)
        else:
            where, params = f"m.user_id = ? AND m.role IN {_LEARNERS}", (team_id, user_id)
        rows = await self._db.fetchall(
            "SELECT m.user_id, m.role, u.display_name, COALESCE(u.timezone, t.timezone) AS zone "
            "FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id "
            f"WHERE m.team_id = ? AND {where} ORDER BY m.joined_at, m.user_id",
            params,
        )
        return [
            Learner(
                user_id=r["user_id"],
                name=r["display_name"],
                role=Role(r["role"]),
                timezone=r["zone"],
                passed=await self._passed(team_id, r["user_id"]),
            )
            for r in rows
        ]

    async def create_assignment(
        self,
        actor_id: int,
        team_id: int,
        user_id: int,
        plan: Sequence[ScheduledModule],
        rule: Rule,
        timezone: str,
        now: datetime,
    ) -> Assignment:
        """A head assigns modules to a head or manager of the team; an active assignment of theirs is replaced
        (its reminder stops)."""
        if not plan:
            raise ValueError("an assignment needs at least one module")
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            if await role_in(self._db, user_id, team_id) not in (Role.HEAD, Role.MEMBER):
                raise NotFound(f"member {user_id}")
            rows = await self._db.fetchall(
                "SELECT id FROM training_assignments WHERE team_id = ? AND user_id = ? AND state = 'active'",
                (team_id, user_id),
            )
            await self._end([int(r["id"]) for r in rows], AssignmentState.REPLACED, now)
            assignment_id = await self._db.insert(
                "INSERT INTO training_assignments(team_id, user_id, assigned_by, state, rule, timezone, created_at) "
                "VALUES (?, ?, ?, 'active', ?, ?, ?)",
                (team_id, user_id, actor_id, rule.to_json(), timezone, to_db_time(now)),
            )
            await self._db.executemany(
                "INSERT INTO training_assignment_items(assignment_id, position, module_key, due_at) "
                "VALUES (?, ?, ?, ?)",
                [(assignment_id, n, item.module_key, to_db_time(item.due_at)) for n, item in enumerate(plan)],
            )
            loaded = await self._load_assignments("a.id = ?", (assignment_id,))
            return loaded[0]

    async def assignment(self, actor_id: int, assignment_id: int) -> Assignment:
        """Seen by its person (while in the team) and by the team's heads."""
        found = await self._load_assignments("a.id = ?", (assignment_id,))
        if not found:
            raise NotFound(f"assignment {assignment_id}")
        assignment = found[0]
        role = await role_in(self._db, actor_id, assignment.team_id)
        if role is None or (assignment.user_id != actor_id and role is not Role.HEAD):
            raise NotFound(f"assignment {assignment_id}")
        return assignment

    async def active_assignment(self, actor_id: int, team_id: int) -> Assignment | None:
        """The actor's own active assignment in the team."""
        found = await self._load_assignments(
            "a.team_id = ? AND a.user_id = ? AND a.state = 'active'", (team_id, actor_id)
        )
        return found[0] if found else None

    async def _load_assignments(self, where: str, params: Sequence[Any]) -> list[Assignment]:
        rows = await self._db.fetchall(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM training_assignments a WHERE {where} ORDER BY a.id", params
        )
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        marks = ",".join("?" * len(ids))
        item_rows = await self._db.fetchall(
            "SELECT assignment_id, module_key, due_at, completed_at FROM training_assignment_items "
            f"WHERE assignment_id IN ({marks}) ORDER BY assignment_id, position",
            ids,
        )
        items: dict[int, list[AssignmentItem]] = {}
        for r in item_rows:
            items.setdefault(int(r["assignment_id"]), []).append(
                AssignmentItem(r["module_key"], from_db_time(r["due_at"]), opt_from_db_time(r["completed_at"]))
            )
        return [
            Assignment(
                id=r["id"],
                team_id=r["team_id"],
                user_id=r["user_id"],
                assigned_by=r["assigned_by"],
                state=AssignmentState(r["state"]),
                rule=Rule.from_json(r["rule"]),
                timezone=r["timezone"],
                created_at=from_db_time(r["created_at"]),
                items=tuple(items.get(int(r["id"]), ())),
            )
            for r in rows
        ]

    async def team(self, actor_id: int, team_id: int) -> TeamTraining:
        """For a head: the team's heads and managers, what each passed, and the active assignments."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        people = await self._db.fetchall(
            "SELECT m.user_id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id "
            f"WHERE m.team_id = ? AND m.role IN {_LEARNERS} "
            "ORDER BY m.role = 'member', m.joined_at, m.user_id",
            (team_id,),
        )
        passed = await self._db.fetchall(
            "SELECT DISTINCT user_id, module_key FROM training_attempts WHERE team_id = ? AND passed = 1 "
            "ORDER BY user_id, module_key",
            (team_id,),
        )
        return TeamTraining(
            people=tuple((int(r["user_id"]), str(r["display_name"])) for r in people),
            passed=tuple((int(r["user_id"]), str(r["module_key"])) for r in passed),
            assignments=tuple(await self._load_assignments("a.team_id = ? AND a.state = 'active'", (team_id,))),
        )

    # --- the owners' digest (system-scoped) ----------------------------------------------------------------

    async def hygiene(self, team_id: int, since: datetime, until: datetime) -> TrainingHygiene:
        """Training in [since, until): modules passed for the first time, and assigned modules due vs passed.
        Assignments ended because the person left are left out (nobody could do them any more)."""
        lo, hi = to_db_time(since), to_db_time(until)
        firsts = await self._db.fetchall(
            "SELECT user_id, module_key, MIN(finished_at) AS first_at FROM training_attempts "
            "WHERE team_id = ? AND passed = 1 GROUP BY user_id, module_key HAVING first_at >= ? AND first_at < ?",
            (team_id, lo, hi),
        )
        items = await self._db.fetchone(
            "SELECT COUNT(*) AS due, "
            "COALESCE(SUM(i.completed_at IS NOT NULL AND i.completed_at < ?), 0) AS done "
            "FROM training_assignment_items i JOIN training_assignments a ON a.id = i.assignment_id "
            "WHERE a.team_id = ? AND a.state <> 'removed' AND i.due_at >= ? AND i.due_at < ? "
            # a replaced plan counts only the weeks that came before it was replaced
            "AND (a.ended_at IS NULL OR i.due_at < a.ended_at OR i.completed_at IS NOT NULL)",
            (hi, team_id, lo, hi),
        )
        return TrainingHygiene(
            modules_passed=len(firsts),
            people_passed=len({r["user_id"] for r in firsts}),
            assigned_due=int(items["due"]) if items else 0,
            assigned_done=int(items["done"]) if items else 0,
        )
