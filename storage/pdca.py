"""PDCA cycles: plan, do, check, act. Actor-scoped: a head sees only the cycles they run, in a team where they
are still a head; a forged id reads as a missing one. `hygiene` is system-scoped (the owners' digest)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.access import Permission
from domain.errors import NotFound
from domain.pdca import (
    Cycle,
    CycleAction,
    Decision,
    FactSource,
    Metric,
    Origin,
    PdcaHygiene,
    Plan,
    Stage,
)
from domain.pdca import decide as decide_cycle
from domain.pdca import record_check as check_cycle
from storage.access import require_in_team, visible_or_not_found
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

PDCA_KIND = "pdca"  # the kind of the cycle's reminders (review, standard)

_COLUMNS = (
    "c.id, c.team_id, c.user_id, c.origin, c.origin_ref, c.parent_id, c.goal, c.metric, c.metric_name, c.baseline, "
    "c.target, c.review_date, c.stage, c.created_at, c.fact, c.fact_source, c.fact_snapshot_id, c.checked_at, "
    "c.decision, c.closed_at, c.currency"
)


def cycle_from_row(row: Any) -> Cycle:
    return Cycle(
        id=row["id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        origin=Origin(row["origin"]),
        origin_ref=row["origin_ref"],
        parent_id=row["parent_id"],
        goal=row["goal"],
        metric=Metric(row["metric"]),
        metric_name=row["metric_name"],
        baseline=row["baseline"],
        target=row["target"],
        review_date=date.fromisoformat(row["review_date"]),
        stage=Stage(row["stage"]),
        created_at=from_db_time(row["created_at"]),
        fact=row["fact"],
        fact_source=None if row["fact_source"] is None else FactSource(row["fact_source"]),
        fact_snapshot_id=row["fact_snapshot_id"],
        checked_at=opt_from_db_time(row["checked_at"]),
        decision=None if row["decision"] is None else Decision(row["decision"]),
        closed_at=opt_from_db_time(row["closed_at"]),
        currency=row["currency"],
    )


class PdcaRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        actor_id: int,
        team_id: int,
        plan: Plan,
        origin: Origin,
        origin_ref: str | None,
        parent_id: int | None,
        now: datetime,
    ) -> Cycle:
        """The plan is saved and Do begins; the actions are stored in order (their tasks are linked after)."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
            if parent_id is not None:
                await self.get(actor_id, parent_id)
            cycle_id = await self._db.insert(
                "INSERT INTO pdca_cycles(team_id, user_id, origin, origin_ref, parent_id, goal, metric, metric_name, "
                "baseline, target, review_date, stage, created_at, currency) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'do', ?, ?)",
                (
                    team_id,
                    actor_id,
                    origin.value,
                    origin_ref,
                    parent_id,
                    plan.goal,
                    plan.metric.value,
                    plan.metric_name,
                    plan.baseline,
                    plan.target,
                    plan.review_date.isoformat(),
                    to_db_time(now),
                    plan.currency,
                ),
            )
            await self._db.executemany(
                "INSERT INTO pdca_actions(cycle_id, position, text) VALUES (?, ?, ?)",
                [(cycle_id, position, text) for position, text in enumerate(plan.actions)],
            )
            return await self.get(actor_id, cycle_id)

    async def link_task(self, actor_id: int, cycle_id: int, position: int, task_id: int) -> None:
        async with self._db.transaction():
            await self.get(actor_id, cycle_id)
            await self._db.execute(
                "UPDATE pdca_actions SET task_id = ? WHERE cycle_id = ? AND position = ?", (task_id, cycle_id, position)
            )

    async def get(self, actor_id: int, cycle_id: int) -> Cycle:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS}, m.role AS actor_role FROM pdca_cycles c "
            "LEFT JOIN memberships m ON m.team_id = c.team_id AND m.user_id = c.user_id "
            "WHERE c.id = ? AND c.user_id = ?",
            (cycle_id, actor_id),
        )
        if row is None:
            raise NotFound(f"cycle {cycle_id}")
        visible_or_not_found(row["actor_role"], Permission.MANAGE_TASKS, f"cycle {cycle_id}")
        return cycle_from_row(row)

    async def actions(self, actor_id: int, cycle_id: int) -> list[CycleAction]:
        await self.get(actor_id, cycle_id)
        rows = await self._db.fetchall(
            "SELECT a.cycle_id, a.position, a.text, a.task_id, t.done_at FROM pdca_actions a "
            "LEFT JOIN tasks t ON t.id = a.task_id WHERE a.cycle_id = ? ORDER BY a.position",
            (cycle_id,),
        )
        return [
            CycleAction(r["cycle_id"], r["position"], r["text"], r["task_id"], r["done_at"] is not None) for r in rows
        ]

    async def open_cycles(self, actor_id: int, team_id: int) -> list[Cycle]:
        """Cycles in Do or waiting for the Act decision, the nearest review first."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM pdca_cycles c WHERE c.team_id = ? AND c.user_id = ? AND c.stage <> 'closed' "
            "ORDER BY c.stage = 'do', c.review_date, c.id",
            (team_id, actor_id),
        )
        return [cycle_from_row(r) for r in rows]

    async def history(self, actor_id: int, team_id: int, limit: int = 10) -> list[Cycle]:
        """Finished cycles with their outcomes, the latest first."""
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TASKS)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM pdca_cycles c WHERE c.team_id = ? AND c.user_id = ? AND c.stage = 'closed' "
            "ORDER BY c.closed_at DESC, c.id DESC LIMIT ?",
            (team_id, actor_id, limit),
        )
        return [cycle_from_row(r) for r in rows]

    async def record_check(
        self,
        actor_id: int,
        cycle_id: int,
        fact: float,
        source: FactSource,
        snapshot_id: int | None,
        now: datetime,
        currency: str | None = None,
    ) -> Cycle:
        """Check: the fact is recorded once (domain.pdca.record_check refuses a second) and the review reminder
        stops, pending snoozes included. `currency`: the fact's export's (domain.pdca.record_check keeps the plan's)."""
        async with self._db.transaction():
            checked = check_cycle(await self.get(actor_id, cycle_id), fact, source, snapshot_id, now, currency)
            await self._db.execute(
                "UPDATE pdca_cycles SET stage = ?, fact = ?, fact_source = ?, fact_snapshot_id = ?, checked_at = ?, "
                "currency = ? WHERE id = ?",
                (
                    checked.stage.value,
                    checked.fact,
                    None if checked.fact_source is None else checked.fact_source.value,
                    checked.fact_snapshot_id,
                    to_db_time(now),
                    checked.currency,
                    cycle_id,
                ),
            )
            await self._finish_reminders(actor_id, cycle_id)
            return await self.get(actor_id, cycle_id)

    async def decide(self, actor_id: int, cycle_id: int, decision: Decision, now: datetime) -> Cycle:
        """Act: the cycle closes with its decision; its review reminder stops (a drop may come before Check)."""
        async with self._db.transaction():
            closed = decide_cycle(await self.get(actor_id, cycle_id), decision, now)
            await self._db.execute(
                "UPDATE pdca_cycles SET stage = 'closed', decision = ?, closed_at = ? WHERE id = ?",
                (decision.value, to_db_time(now), cycle_id),
            )
            await self._finish_reminders(actor_id, cycle_id)
            return closed

    async def _finish_reminders(self, actor_id: int, cycle_id: int) -> None:
        await self._db.execute(
            "UPDATE reminders SET state = 'finished', next_due_at = NULL "
            "WHERE kind = ? AND subject_id = ? AND user_id = ? AND state <> 'finished'",
            (PDCA_KIND, cycle_id, actor_id),
        )
        await self._db.execute(
            "DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN "
            "(SELECT id FROM reminders WHERE kind = ? AND subject_id = ? AND user_id = ?)",
            (PDCA_KIND, cycle_id, actor_id),
        )

    async def hygiene(self, team_id: int, since: date, until: date) -> PdcaHygiene:
        """For the owners' digest (system-scoped: the caller decides who may see it). Days are local to the
        team's zone, `since` included, `until` excluded. A review is scheduled when its date falls in the period
        and held when its Check was recorded (on time or later); a cycle dropped before its review date had no
        review to hold. Cycles active now (not closed), and finished (closed) within the period."""
        team = await self._db.fetchone("SELECT timezone FROM teams WHERE id = ?", (team_id,))
        if team is None:
            raise NotFound(f"team {team_id}")
        zone = ZoneInfo(team["timezone"])
        reviews = await self._db.fetchone(
            "SELECT COUNT(*) AS scheduled, COUNT(checked_at) AS held FROM pdca_cycles "
            "WHERE team_id = ? AND review_date >= ? AND review_date < ? "
            "AND NOT (stage = 'closed' AND checked_at IS NULL AND closed_at IS NOT NULL "
            "AND substr(closed_at, 1, 10) < review_date)",
            (team_id, since.isoformat(), until.isoformat()),
        )
        active = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM pdca_cycles WHERE team_id = ? AND stage <> 'closed'", (team_id,)
        )
        closed = await self._db.fetchall(
            "SELECT closed_at FROM pdca_cycles WHERE team_id = ? AND closed_at IS NOT NULL", (team_id,)
        )
        finished = sum(1 for r in closed if since <= from_db_time(r["closed_at"]).astimezone(zone).date() < until)
        assert reviews is not None and active is not None
        return PdcaHygiene(
            reviews_scheduled=int(reviews["scheduled"]),
            reviews_held=int(reviews["held"]),
            active=int(active["n"]),
            finished=finished,
        )
