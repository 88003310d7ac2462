"""The owners' weekly digest: each owner's digest reminder (their setting), the figures a digest is composed of,
and the heads' nudge after a quiet week.

An owner's digest setting is their reminder of kind 'digest' in the team (one per owner and team, a unique
index): its rule says the weekday and time in the owner's zone, `paused` is off. So the engine gives the digest
leases, no double sends, the grace window and retries like any reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.access import Permission
from domain.digest import (
    DIGEST_KIND,
    NUDGE_KIND,
    DigestInputs,
    DigestPeriod,
    ReminderCounts,
    SnapshotFigures,
    snapshot_figures,
)
from domain.models import Role
from domain.reminders import Reminder
from domain.schedules import Frequency, Rule
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_date, to_db_time
from storage.reminders import REMINDER_COLUMNS, first_due, reminder_from_row

# The heads' nudge reminder is never due by itself: it only carries one-off deliveries.
_NUDGE_RULE_AT = "09:00"


@dataclass(frozen=True, slots=True)
class DigestTarget:
    """Who a digest delivery is for, read at send time: the team, and the recipient's role in it now."""

    reminder_id: int
    team_id: int
    owner_id: int
    role: Role | None  # None: no longer in the team
    timezone: str


class DigestRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- the owner's setting ------------------------------------------------------------------------------------

    async def ensure(
        self, actor_id: int, team_id: int, title: str, rule: Rule, timezone: str, now: datetime
    ) -> Reminder | None:
        """The owner's digest reminder in the team, created with `rule` when there is none yet. None when the
        actor is not an owner of the team (a head previews the digest; members get none)."""
        async with self._db.transaction():
            if await role_in(self._db, actor_id, team_id) is not Role.OWNER:
                return None
            await self._db.execute(
                "INSERT INTO reminders(team_id, user_id, kind, title, rule, timezone, next_due_at, state, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) "
                "ON CONFLICT(team_id, user_id) WHERE kind = 'digest' DO NOTHING",
                (
                    team_id,
                    actor_id,
                    DIGEST_KIND,
                    title,
                    rule.to_json(),
                    timezone,
                    to_db_time(first_due(rule, timezone, now)),
                    actor_id,
                    to_db_time(now),
                ),
            )
            await self._db.execute("DELETE FROM digest_backfill WHERE team_id = ? AND user_id = ?", (team_id, actor_id))
            return await self.setting(actor_id, team_id)

    async def setting(self, actor_id: int, team_id: int) -> Reminder | None:
        """The actor's own digest reminder in the team, if any."""
        row = await self._db.fetchone(
            f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.kind = ? AND r.team_id = ? AND r.user_id = ?",
            (DIGEST_KIND, team_id, actor_id),
        )
        return None if row is None else reminder_from_row(row)

    async def backfill_due(self, limit: int = 500) -> list[tuple[int, int, str]]:
        """System-scoped, at start: (team, owner, zone) of owners who joined before the digest existed and are
        still owners; rows of people who are no longer owners are dropped."""
        await self._db.execute_write(
            "DELETE FROM digest_backfill WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = "
            "digest_backfill.team_id AND m.user_id = digest_backfill.user_id AND m.role = 'owner')"
        )
        rows = await self._db.fetchall(
            "SELECT b.team_id, b.user_id, COALESCE(u.timezone, t.timezone) AS tz FROM digest_backfill b "
            "JOIN users u ON u.id = b.user_id JOIN teams t ON t.id = b.team_id ORDER BY b.team_id, b.user_id LIMIT ?",
            (limit,),
        )
        return [(int(r["team_id"]), int(r["user_id"]), str(r["tz"])) for r in rows]

    # --- what a digest is composed of ---------------------------------------------------------------------------

    async def inputs(self, actor_id: int, team_id: int, period: DigestPeriod) -> DigestInputs:
        """The team's figures for the week: owners (their digest) and heads (the preview) only."""
        await require_in_team(self._db, actor_id, team_id, Permission.VIEW_DIGEST)
        team = await self._db.fetchone("SELECT name FROM teams WHERE id = ?", (team_id,))
        snapshots = await self._db.fetchall(
            "SELECT period_start, period_end, created_at, metrics_json FROM metric_snapshots "
            "WHERE team_id = ? AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT 2",
            (team_id, to_db_time(period.end)),
        )
        figures: list[SnapshotFigures] = [
            snapshot_figures(
                r["metrics_json"],
                from_db_time(r["created_at"]),
                opt_from_db_date(r["period_start"]),
                opt_from_db_date(r["period_end"]),
            )
            for r in snapshots
        ]
        uploads = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM metric_snapshots WHERE team_id = ? AND created_at >= ? AND created_at < ?",
            (team_id, to_db_time(period.start), to_db_time(period.end)),
        )
        plans = await self._db.fetchall(
            "SELECT manager, month, amount FROM manager_plans WHERE team_id = ?", (team_id,)
        )
        return DigestInputs(
            team_name="" if team is None else str(team["name"]),
            latest=figures[0] if figures else None,
            previous=figures[1] if len(figures) > 1 else None,
            plans={(r["manager"], r["month"]): float(r["amount"]) for r in plans},
            uploads_in_week=0 if uploads is None else int(uploads["n"]),
            reminders=await self._reminder_counts(team_id, period),
        )

    async def _reminder_counts(self, team_id: int, period: DigestPeriod) -> tuple[ReminderCounts, ...]:
        """Deliveries of the team's reminders whose occurrence fell in the week, by kind. A snoozed message is
        counted once, by what happened to its snooze; messages still waiting to go out are not counted."""
        rows = await self._db.fetchall(
            "SELECT r.kind, "
            "SUM(d.outcome = 'done') AS done, SUM(d.outcome = 'skipped') AS skipped, "
            "SUM(d.outcome IS NULL) AS missed, COUNT(*) AS total "
            "FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE r.team_id = ? AND d.occurrence_at >= ? AND d.occurrence_at < ? "
            "AND d.status IN ('sent', 'missed', 'failed') AND (d.outcome IS NULL OR d.outcome <> 'snoozed') "
            "GROUP BY r.kind ORDER BY r.kind",
            (team_id, to_db_time(period.start), to_db_time(period.end)),
        )
        return tuple(
            ReminderCounts(
                kind=str(r["kind"]),
                done=int(r["done"] or 0),
                skipped=int(r["skipped"] or 0),
                missed=int(r["missed"] or 0),
                total=int(r["total"]),
            )
            for r in rows
        )

    async def team_timezone(self, team_id: int) -> str | None:
        row = await self._db.fetchone("SELECT timezone FROM teams WHERE id = ?", (team_id,))
        return None if row is None else str(row["timezone"])

    # --- system-scoped: used by the engine's render at send time -------------------------------------------------

    async def target(self, reminder_id: int) -> DigestTarget | None:
        row = await self._db.fetchone(
            "SELECT r.id, r.team_id, r.user_id, r.timezone, m.role FROM reminders r "
            "LEFT JOIN memberships m ON m.team_id = r.team_id AND m.user_id = r.user_id "
            "WHERE r.id = ? AND r.team_id IS NOT NULL AND r.user_id IS NOT NULL",
            (reminder_id,),
        )
        if row is None:
            return None
        return DigestTarget(
            reminder_id=int(row["id"]),
            team_id=int(row["team_id"]),
            owner_id=int(row["user_id"]),
            role=None if row["role"] is None else Role(row["role"]),
            timezone=str(row["timezone"]),
        )

    async def finish(self, reminder_id: int) -> None:
        """A digest whose owner is no longer an owner of the team: it ends."""
        await self._db.execute_write(
            "UPDATE reminders SET state = 'finished', next_due_at = NULL WHERE id = ? AND kind = ?",
            (reminder_id, DIGEST_KIND),
        )

    async def nudge_heads(self, team_id: int, title: str, week_start: datetime, now: datetime) -> int:
        """One-off deliveries to the team's heads to upload a fresh export, at most one per head since
        `week_start`. Returns how many were added now."""
        stamp = to_db_time(now)
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT id FROM reminders WHERE kind = ? AND team_id = ?", (NUDGE_KIND, team_id)
            )
            if row is None:
                team = await self._db.fetchone("SELECT timezone, created_by FROM teams WHERE id = ?", (team_id,))
                if team is None:
                    return 0
                rule = Rule(Frequency.ONCE, at=datetime.strptime(_NUDGE_RULE_AT, "%H:%M").time(), start=now.date())
                nudge_id = await self._db.insert(
                    "INSERT INTO reminders(team_id, audience_role, kind, title, rule, timezone, next_due_at, state, "
                    "created_by, created_at) VALUES (?, 'head', ?, ?, ?, ?, NULL, 'finished', ?, ?)",
                    (team_id, NUDGE_KIND, title, rule.to_json(), team["timezone"], team["created_by"], stamp),
                )
            else:
                nudge_id = int(row["id"])
            heads = await self._db.fetchall(
                "SELECT u.id FROM memberships m JOIN users u ON u.id = m.user_id "
                "WHERE m.team_id = ? AND m.role = 'head' AND u.blocked_at IS NULL ORDER BY u.id",
                (team_id,),
            )
            added = 0
            for head in heads:
                # Dated now (an old occurrence would be taken for one missed during downtime); once a week.
                cursor = await self._db.execute(
                    "INSERT INTO deliveries(reminder_id, occurrence_at, recipient_id, due_at, status) "
                    "SELECT ?, ?, ?, ?, 'pending' WHERE NOT EXISTS (SELECT 1 FROM deliveries "
                    "WHERE reminder_id = ? AND recipient_id = ? AND occurrence_at >= ?) "
                    "ON CONFLICT(reminder_id, occurrence_at, recipient_id) DO NOTHING",
                    (nudge_id, stamp, int(head["id"]), stamp, nudge_id, int(head["id"]), to_db_time(week_start)),
                )
                added += cursor.rowcount
            return added
