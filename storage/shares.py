"""Results a head sent to the team's owners. Sharing takes the sender's own finished run; an owner reads a share of
their team only, and its answers only when the head sent it in full; any other id is NotFound."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from storage.access import require_in_team, visible_or_not_found
from storage.db import Database, from_db_time, to_db_time

_SHARE_COLUMNS = (
    "s.id, s.run_id, s.team_id, s.shared_by, s.shared_at, s.full, s.plan, r.checklist_key, r.score, r.zone, "
    "r.finished_at"
)


@dataclass(frozen=True, slots=True)
class SharedResult:
    """One share: what the digest and the owner's history read (never the answers themselves)."""

    id: int
    run_id: int
    team_id: int
    shared_by: int
    shared_at: datetime
    full: bool
    checklist_key: str
    score: int
    zone: str
    finished_at: datetime
    plan: tuple[str, ...] = ()  # the weak items' keys, most urgent first: the plan the owners see


def share_from_row(row: Any) -> SharedResult:
    return SharedResult(
        id=row["id"],
        run_id=row["run_id"],
        team_id=row["team_id"],
        shared_by=row["shared_by"],
        shared_at=from_db_time(row["shared_at"]),
        full=bool(row["full"]),
        checklist_key=row["checklist_key"],
        score=int(row["score"]),
        zone=row["zone"],
        finished_at=from_db_time(row["finished_at"]),
        plan=tuple(str(key) for key in json.loads(row["plan"])),
    )


class SharedResultRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def share(
        self, actor_id: int, run_id: int, full: bool, plan: tuple[str, ...], now: datetime
    ) -> tuple[SharedResult, bool]:
        """Record that the actor sent their own finished run to the owners; another's or an open run is NotFound.
        Safe to repeat (a double tap): the same run shared the same way again returns the first share and False."""
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT r.team_id, r.status, m.role AS actor_role FROM checklist_runs r "
                "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = r.user_id "
                "WHERE r.id = ? AND r.user_id = ?",
                (run_id, actor_id),
            )
            if row is None or row["status"] != "finished":
                raise NotFound(f"run {run_id}")
            visible_or_not_found(row["actor_role"], Permission.SHARE_RESULTS, f"run {run_id}")
            earlier = await self._db.fetchone(
                f"SELECT {_SHARE_COLUMNS} FROM shared_results s JOIN checklist_runs r ON r.id = s.run_id "
                "WHERE s.run_id = ? AND s.full = ? ORDER BY s.id LIMIT 1",
                (run_id, int(full)),
            )
            if earlier is not None:
                return share_from_row(earlier), False
            share_id = await self._db.insert(
                "INSERT INTO shared_results(run_id, team_id, shared_by, shared_at, full, plan) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, row["team_id"], actor_id, to_db_time(now), int(full), json.dumps(list(plan))),
            )
            found = await self._db.fetchone(
                f"SELECT {_SHARE_COLUMNS} FROM shared_results s JOIN checklist_runs r ON r.id = s.run_id "
                "WHERE s.id = ?",
                (share_id,),
            )
            assert found is not None  # inserted just now, in this transaction
            return share_from_row(found), True

    async def for_owner(self, actor_id: int, team_id: int, limit: int = 20) -> list[SharedResult]:
        """The results the heads of the team shared, newest first (an owner's /history)."""
        await require_in_team(self._db, actor_id, team_id, Permission.RECEIVE_SHARED)
        rows = await self._db.fetchall(
            f"SELECT {_SHARE_COLUMNS} FROM shared_results s JOIN checklist_runs r ON r.id = s.run_id "
            "WHERE s.team_id = ? ORDER BY s.shared_at DESC, s.id DESC LIMIT ?",
            (team_id, limit),
        )
        return [share_from_row(r) for r in rows]

    async def open(self, actor_id: int, share_id: int) -> tuple[SharedResult, dict[str, str] | None]:
        """A share an owner of its team may read, with the answers when it was sent in full (else None)."""
        row = await self._db.fetchone(
            f"SELECT {_SHARE_COLUMNS}, m.role AS actor_role FROM shared_results s "
            "JOIN checklist_runs r ON r.id = s.run_id "
            "LEFT JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? WHERE s.id = ?",
            (actor_id, share_id),
        )
        if row is None:
            raise NotFound(f"share {share_id}")
        visible_or_not_found(row["actor_role"], Permission.RECEIVE_SHARED, f"share {share_id}")
        share = share_from_row(row)
        if not share.full:
            return share, None
        answers = await self._db.fetchall(
            "SELECT item_key, answer FROM checklist_answers WHERE run_id = ? ORDER BY answered_at, item_key",
            (share.run_id,),
        )
        return share, {a["item_key"]: a["answer"] for a in answers}

    async def for_team(self, team_id: int, since: datetime) -> list[SharedResult]:
        """System-scoped, for the owners' digest: the team's shares from `since` on, oldest first (score, zone,
        checklist key, shared_at; never answers)."""
        rows = await self._db.fetchall(
            f"SELECT {_SHARE_COLUMNS} FROM shared_results s JOIN checklist_runs r ON r.id = s.run_id "
            "WHERE s.team_id = ? AND s.shared_at >= ? ORDER BY s.shared_at, s.id",
            (team_id, to_db_time(since)),
        )
        return [share_from_row(r) for r in rows]

    async def latest_before(
        self, team_id: int, checklist_key: str, before: datetime, other_than_run: int | None = None
    ) -> SharedResult | None:
        """System-scoped, for the owners' digest: the team's latest share of the checklist before `before`, whenever
        it was, leaving out the shares of `other_than_run` (a result sent again in full is not its own previous)."""
        row = await self._db.fetchone(
            f"SELECT {_SHARE_COLUMNS} FROM shared_results s JOIN checklist_runs r ON r.id = s.run_id "
            "WHERE s.team_id = ? AND r.checklist_key = ? AND s.shared_at < ? AND s.run_id IS NOT ? "
            "ORDER BY s.shared_at DESC, s.id DESC LIMIT 1",
            (team_id, checklist_key, to_db_time(before), other_than_run),
        )
        return None if row is None else share_from_row(row)
