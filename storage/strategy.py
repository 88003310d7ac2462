"""Strategy sessions and milestones (actor-scoped). A head of the team manages them; a milestone's owner may open
it and change its status. A forged or foreign id reads as a missing one. `hygiene` is system-scoped (the owners'
digest, built by a job that acts for no one)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from domain.models import Role
from domain.reminders import Reminder
from domain.strategy import (
    Horizon,
    Milestone,
    MilestoneStatus,
    OwnerNotInTeam,
    SessionAnswer,
    StrategyHygiene,
    StrategySession,
    check_change,
    hygiene,
)
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time
from storage.reminders import REMINDER_COLUMNS, reminder_from_row

KIND = "strategy"  # the kind of the reminders this module's rituals own

_MILESTONE_COLUMNS = (
    "s.id, s.team_id, s.session_id, s.horizon, s.title, s.due_date, s.owner_id, s.owner_fell_back, s.status, "
    "s.created_by, s.created_at, COALESCE(u.display_name, '') AS owner_name"
)
_MILESTONE_FROM = "FROM strategy_milestones s LEFT JOIN users u ON u.id = s.owner_id"


def _milestone(row: Any) -> Milestone:
    return Milestone(
        id=row["id"],
        team_id=row["team_id"],
        session_id=row["session_id"],
        horizon=Horizon(row["horizon"]),
        title=row["title"],
        due_date=date.fromisoformat(row["due_date"]),
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        owner_fell_back=bool(row["owner_fell_back"]),
        status=MilestoneStatus(row["status"]),
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
    )


class StrategyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- sessions -------------------------------------------------------------------------------------------

    async def start_session(self, actor_id: int, team_id: int, day: date, now: datetime) -> StrategySession:
        """A new session, or the unfinished one (a session interrupted by a restart or «Позже» goes on)."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            row = await self._db.fetchone(
                "SELECT id FROM strategy_sessions WHERE team_id = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                (team_id,),
            )
            if row is not None:
                return await self._session(int(row["id"]))
            session_id = await self._db.insert(
                "INSERT INTO strategy_sessions(team_id, created_by, day, started_at) VALUES (?, ?, ?, ?)",
                (team_id, actor_id, day.isoformat(), to_db_time(now)),
            )
            return await self._session(session_id)

    async def unfinished_session(self, actor_id: int, team_id: int) -> StrategySession | None:
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        row = await self._db.fetchone(
            "SELECT id FROM strategy_sessions WHERE team_id = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            (team_id,),
        )
        return None if row is None else await self._session(int(row["id"]))

    async def session(self, actor_id: int, session_id: int) -> StrategySession:
        row = await self._db.fetchone(
            "SELECT m.role FROM strategy_sessions s "
            "LEFT JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? WHERE s.id = ?",
            (actor_id, session_id),
        )
        if row is None or row["role"] != Role.HEAD.value:
            raise NotFound(f"strategy session {session_id}")
        return await self._session(session_id)

    async def answer(
        self, actor_id: int, session_id: int, question: str, answer: str | None, now: datetime
    ) -> StrategySession:
        """Saved as given (a restart resumes at the next question); a repeated answer to the same question
        replaces the earlier one. The session is finished once every question is answered or skipped."""
        async with self._db.transaction():
            session = await self.session(actor_id, session_id)
            await self._db.execute(
                "INSERT INTO strategy_answers(session_id, question, answer, answered_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(session_id, question) DO UPDATE SET answer = excluded.answer, "
                "answered_at = excluded.answered_at",
                (session.id, question, answer, to_db_time(now)),
            )
            updated = await self._session(session.id)
            if updated.next_question is None and updated.finished_at is None:
                await self._db.execute(
                    "UPDATE strategy_sessions SET finished_at = ? WHERE id = ?", (to_db_time(now), session.id)
                )
                updated = await self._session(session.id)
            return updated

    async def versions(self, actor_id: int, team_id: int) -> list[StrategySession]:
        """The team's finished sessions, newest first: the first is the strategy in force."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        rows = await self._db.fetchall(
            "SELECT id FROM strategy_sessions WHERE team_id = ? AND finished_at IS NOT NULL ORDER BY id DESC",
            (team_id,),
        )
        return [await self._session(int(r["id"])) for r in rows]

    async def _session(self, session_id: int) -> StrategySession:
        row = await self._db.fetchone(
            "SELECT s.id, s.team_id, s.day, s.started_at, s.finished_at, "
            "(SELECT COUNT(*) FROM strategy_sessions e WHERE e.team_id = s.team_id AND e.id <= s.id) AS version "
            "FROM strategy_sessions s WHERE s.id = ?",
            (session_id,),
        )
        if row is None:
            raise NotFound(f"strategy session {session_id}")
        answers = await self._db.fetchall(
            "SELECT question, answer FROM strategy_answers WHERE session_id = ? ORDER BY answered_at, question",
            (session_id,),
        )
        return StrategySession(
            id=row["id"],
            team_id=row["team_id"],
            version=row["version"],
            day=date.fromisoformat(row["day"]),
            started_at=from_db_time(row["started_at"]),
            finished_at=opt_from_db_time(row["finished_at"]),
            answers=tuple(SessionAnswer(a["question"], a["answer"]) for a in answers),
        )

    # --- milestones -----------------------------------------------------------------------------------------

    async def create_milestone(
        self,
        actor_id: int,
        team_id: int,
        session_id: int | None,
        horizon: Horizon,
        title: str,
        due: date,
        owner_id: int,
        now: datetime,
    ) -> Milestone:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._require_member(team_id, owner_id)
            if session_id is not None:
                await self.session(actor_id, session_id)
            milestone_id = await self._db.insert(
                "INSERT INTO strategy_milestones(team_id, session_id, horizon, title, due_date, owner_id, status, "
                "status_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'on_track', ?, ?, ?)",
                (
                    team_id,
                    session_id,
                    horizon.value,
                    title,
                    due.isoformat(),
                    owner_id,
                    to_db_time(now),
                    actor_id,
                    to_db_time(now),
                ),
            )
            return await self._milestone(milestone_id)

    async def milestone(self, actor_id: int, milestone_id: int) -> Milestone:
        """For a head of its team or its owner; anyone else gets NotFound."""
        milestone, _ = await self._visible(actor_id, milestone_id)
        return milestone

    async def can_manage(self, actor_id: int, milestone: Milestone) -> bool:
        return await role_in(self._db, actor_id, milestone.team_id) is Role.HEAD

    async def milestones(self, actor_id: int, team_id: int) -> list[Milestone]:
        """A head sees all of the team's milestones; anyone else only those they own. Open ones first, by date."""
        role = await role_in(self._db, actor_id, team_id)
        if role is None:
            raise NotFound(f"team {team_id}")
        mine = "" if role is Role.HEAD else "AND s.owner_id = ? "
        params: tuple[int, ...] = (team_id,) if role is Role.HEAD else (team_id, actor_id)
        rows = await self._db.fetchall(
            f"SELECT {_MILESTONE_COLUMNS} {_MILESTONE_FROM} WHERE s.team_id = ? {mine}"
            "ORDER BY s.status IN ('done', 'dropped'), s.due_date, s.id",
            params,
        )
        return [_milestone(r) for r in rows]

    async def set_status(
        self, actor_id: int, milestone_id: int, status: MilestoneStatus, now: datetime
    ) -> tuple[Milestone, MilestoneStatus]:
        """The head or the owner; returns the milestone and its previous status. StatusChangeNotAllowed when the
        change is not allowed (an old button: the status has changed since)."""
        async with self._db.transaction():
            milestone, _ = await self._visible(actor_id, milestone_id)
            check_change(milestone.status, status)
            await self._db.execute(
                "UPDATE strategy_milestones SET status = ?, status_at = ? WHERE id = ?",
                (status.value, to_db_time(now), milestone_id),
            )
            return await self._milestone(milestone_id), milestone.status

    async def set_due(self, actor_id: int, milestone_id: int, due: date) -> Milestone:
        async with self._db.transaction():
            milestone = await self._managed(actor_id, milestone_id)
            await self._db.execute(
                "UPDATE strategy_milestones SET due_date = ? WHERE id = ?", (due.isoformat(), milestone.id)
            )
            return await self._milestone(milestone.id)

    async def set_owner(self, actor_id: int, milestone_id: int, owner_id: int) -> Milestone:
        async with self._db.transaction():
            milestone = await self._managed(actor_id, milestone_id)
            await self._require_member(milestone.team_id, owner_id)
            await self._db.execute(
                "UPDATE strategy_milestones SET owner_id = ?, owner_fell_back = 0 WHERE id = ?",
                (owner_id, milestone.id),
            )
            return await self._milestone(milestone.id)

    async def _visible(self, actor_id: int, milestone_id: int) -> tuple[Milestone, Role | None]:
        row = await self._db.fetchone(
            f"SELECT {_MILESTONE_COLUMNS}, m.role AS actor_role {_MILESTONE_FROM} "
            "LEFT JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? WHERE s.id = ?",
            (actor_id, milestone_id),
        )
        if row is None:
            raise NotFound(f"milestone {milestone_id}")
        role = None if row["actor_role"] is None else Role(row["actor_role"])
        milestone = _milestone(row)
        if role is not Role.HEAD and not (role is not None and milestone.owner_id == actor_id):
            raise NotFound(f"milestone {milestone_id}")
        return milestone, role

    async def _managed(self, actor_id: int, milestone_id: int) -> Milestone:
        milestone, role = await self._visible(actor_id, milestone_id)
        if role is not Role.HEAD:
            raise NotFound(f"milestone {milestone_id}")
        return milestone

    async def _milestone(self, milestone_id: int) -> Milestone:
        row = await self._db.fetchone(f"SELECT {_MILESTONE_COLUMNS} {_MILESTONE_FROM} WHERE s.id = ?", (milestone_id,))
        if row is None:
            raise NotFound(f"milestone {milestone_id}")
        return _milestone(row)

    async def _require_member(self, team_id: int, user_id: int) -> None:
        if await role_in(self._db, user_id, team_id) is None:
            raise OwnerNotInTeam(str(user_id))

    # --- the milestones' reminders --------------------------------------------------------------------------

    async def reminders_of(self, actor_id: int, milestone_id: int) -> list[Reminder]:
        """The milestone's reminders that are not finished (active or paused)."""
        milestone, _ = await self._visible(actor_id, milestone_id)
        rows = await self._db.fetchall(
            f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.kind = ? AND r.subject_id = ? "
            "AND r.state <> 'finished' ORDER BY r.next_due_at, r.id",
            (KIND, milestone.id),
        )
        return [reminder_from_row(r) for r in rows]

    async def finish_reminders(self, actor_id: int, milestone_id: int) -> int:
        """Done, dropped, a new due date or owner: the milestone's reminders stop, pending deliveries (snoozes
        included) go; returns how many reminders were still going (active or paused)."""
        async with self._db.transaction():
            milestone, _ = await self._visible(actor_id, milestone_id)
            await self._db.execute(
                "DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN "
                "(SELECT id FROM reminders WHERE kind = ? AND subject_id = ?)",
                (KIND, milestone.id),
            )
            cursor = await self._db.execute(
                "UPDATE reminders SET state = 'finished', next_due_at = NULL "
                "WHERE kind = ? AND subject_id = ? AND state <> 'finished'",
                (KIND, milestone.id),
            )
            return int(cursor.rowcount)

    async def review_reminder(self, actor_id: int, team_id: int) -> Reminder | None:
        """The team's quarterly strategy review (kind strategy, no subject, to the heads), active or paused."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        row = await self._db.fetchone(
            f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.kind = ? AND r.subject_id IS NULL "
            "AND r.team_id = ? AND r.audience_role = 'head' AND r.state <> 'finished' ORDER BY r.id LIMIT 1",
            (KIND, team_id),
        )
        return None if row is None else reminder_from_row(row)

    # --- the owners' digest (system-scoped) -----------------------------------------------------------------

    async def hygiene(self, team_id: int, today: date) -> StrategyHygiene:
        """How the team's milestones stand on `today` (local date in the team's zone)."""
        rows = await self._db.fetchall("SELECT status, due_date FROM strategy_milestones WHERE team_id = ?", (team_id,))
        return hygiene(((MilestoneStatus(r["status"]), date.fromisoformat(r["due_date"])) for r in rows), today)
