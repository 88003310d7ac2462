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
    ALERTS_KIND,
    DIGEST_KIND,
    NUDGE_KIND,
    RITUAL_KINDS,
    Alerts,
    AlertSettings,
    DigestInputs,
    DigestPeriod,
    ReminderCounts,
    SkippedTwice,
    SnapshotFigures,
    snapshot_figures,
)
from domain.models import Role
from domain.reminders import Reminder, ReminderState
from domain.schedules import Frequency, Rule
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_date, opt_from_db_time, to_db_time
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
        """A digest (or alert check) whose owner is no longer an owner of the team: it ends."""
        await self._db.execute_write(
            "UPDATE reminders SET state = 'finished', next_due_at = NULL WHERE id = ? AND kind IN (?, ?)",
            (reminder_id, DIGEST_KIND, ALERTS_KIND),
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

    # --- alerts the owner opted into ----------------------------------------------------------------------------

    async def alert_settings(self, actor_id: int, team_id: int) -> AlertSettings:
        """The owner's alert choices in the team (all off when never set)."""
        await require_in_team(self._db, actor_id, team_id, Permission.VIEW_DIGEST)
        row = await self._db.fetchone(
            "SELECT plan_below_pct, ritual_skips, no_export, plan_alerted, plan_alerted_by, export_alerted, "
            "export_alerted_by, ritual_alerted, ritual_alerted_by FROM owner_alerts WHERE team_id = ? AND user_id = ?",
            (team_id, actor_id),
        )
        if row is None:
            return AlertSettings()
        return AlertSettings(
            plan_below_pct=row["plan_below_pct"],
            ritual_skips=bool(row["ritual_skips"]),
            no_export=bool(row["no_export"]),
            plan_alerted=row["plan_alerted"],
            plan_alerted_by=row["plan_alerted_by"],
            export_alerted=row["export_alerted"],
            export_alerted_by=row["export_alerted_by"],
            ritual_alerted=opt_from_db_time(row["ritual_alerted"]),
            ritual_alerted_by=row["ritual_alerted_by"],
        )

    async def set_alerts(
        self,
        actor_id: int,
        team_id: int,
        plan_below_pct: int | None,
        ritual_skips: bool,
        no_export: bool,
        title: str,
        rule: Rule,
        timezone: str,
        now: datetime,
    ) -> Reminder | None:
        """Save the owner's choices; their daily check runs while any alert is on (created on first use, paused
        when all are off). Only an owner of the team has alerts: None otherwise."""
        async with self._db.transaction():
            if await role_in(self._db, actor_id, team_id) is not Role.OWNER:
                return None
            await self._db.execute(
                "INSERT INTO owner_alerts(team_id, user_id, plan_below_pct, ritual_skips, no_export) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(team_id, user_id) DO UPDATE SET "
                "plan_below_pct = excluded.plan_below_pct, ritual_skips = excluded.ritual_skips, "
                "no_export = excluded.no_export",
                (team_id, actor_id, plan_below_pct, int(ritual_skips), int(no_export)),
            )
            on = plan_below_pct is not None or ritual_skips or no_export
            await self._db.execute(
                "INSERT INTO reminders(team_id, user_id, kind, title, rule, timezone, next_due_at, state, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) "
                "ON CONFLICT(team_id, user_id) WHERE kind = 'owner_alerts' DO NOTHING",
                (
                    team_id,
                    actor_id,
                    ALERTS_KIND,
                    title,
                    rule.to_json(),
                    timezone,
                    to_db_time(first_due(rule, timezone, now)),
                    actor_id,
                    to_db_time(now),
                ),
            )
            row = await self._db.fetchone(
                f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.kind = ? AND r.team_id = ? AND r.user_id = ?",
                (ALERTS_KIND, team_id, actor_id),
            )
            assert row is not None
            reminder = reminder_from_row(row)
            if on and reminder.state is not ReminderState.ACTIVE:
                due = first_due(reminder.rule, reminder.timezone, now)
                await self._db.execute(
                    "UPDATE reminders SET state = 'active', next_due_at = ? WHERE id = ?",
                    (to_db_time(due), reminder.id),
                )
            elif not on:
                await self._db.execute("UPDATE reminders SET state = 'paused' WHERE id = ?", (reminder.id,))
            row = await self._db.fetchone(f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.id = ?", (reminder.id,))
            assert row is not None
            return reminder_from_row(row)

    async def skipped_twice(self, team_id: int) -> tuple[SkippedTwice, ...]:
        """System-scoped: ritual reminders of the team whose last two answers (per person) were «Пропустить»."""
        kinds = ", ".join("?" for _ in RITUAL_KINDS)
        rows = await self._db.fetchall(
            "SELECT kind, reminder_id, recipient_id, outcome, occurrence_at FROM ("
            " SELECT r.kind, d.reminder_id, d.recipient_id, d.outcome, d.occurrence_at, ROW_NUMBER() OVER "
            " (PARTITION BY d.reminder_id, d.recipient_id ORDER BY d.occurrence_at DESC, d.id DESC) AS n"
            " FROM deliveries d JOIN reminders r ON r.id = d.reminder_id"
            f" WHERE r.team_id = ? AND r.kind IN ({kinds}) AND d.outcome IN ('done', 'skipped')"
            ") WHERE n <= 2 ORDER BY reminder_id, recipient_id, occurrence_at",
            (team_id, *RITUAL_KINDS),
        )
        runs: dict[tuple[int, int], list[tuple[str, str, datetime]]] = {}
        for r in rows:
            runs.setdefault((r["reminder_id"], r["recipient_id"]), []).append(
                (str(r["kind"]), str(r["outcome"]), from_db_time(r["occurrence_at"]))
            )
        return tuple(
            SkippedTwice(kind=answers[-1][0], last_skipped=answers[-1][2])
            for answers in runs.values()
            if len(answers) == 2 and all(outcome == "skipped" for _, outcome, _ in answers)
        )

    async def mark_alerted(self, team_id: int, owner_id: int, alerts: Alerts, delivery_id: int) -> None:
        """System-scoped: what this delivery alerted about, so the next check does not repeat it."""
        async with self._db.transaction():
            if alerts.plan is not None:
                await self._db.execute(
                    "UPDATE owner_alerts SET plan_alerted = ?, plan_alerted_by = ? WHERE team_id = ? AND user_id = ?",
                    (alerts.plan.month, delivery_id, team_id, owner_id),
                )
            if alerts.export is not None:
                await self._db.execute(
                    "UPDATE owner_alerts SET export_alerted = ?, export_alerted_by = ? "
                    "WHERE team_id = ? AND user_id = ?",
                    (alerts.export.key, delivery_id, team_id, owner_id),
                )
            if alerts.ritual is not None:
                await self._db.execute(
                    "UPDATE owner_alerts SET ritual_alerted = ?, ritual_alerted_by = ? "
                    "WHERE team_id = ? AND user_id = ?",
                    (to_db_time(alerts.ritual.latest), delivery_id, team_id, owner_id),
                )
