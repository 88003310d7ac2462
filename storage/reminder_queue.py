"""System-scoped (acts for no one): what is due, to whom, and the claim/lease protocol of the engine.

Every step is one `BEGIN IMMEDIATE` transaction, so engines sharing one database file never take the same row:
- materialise: an active reminder whose next_due_at has come gets its delivery rows (unique per reminder,
  occurrence and recipient, so a re-run inserts nothing twice) and moves on to its next occurrence;
- claim: due rows (and rows whose lease ran out: a crash between claim and send) are leased to one engine;
- confirm: sent / retry later / failed, accepted only from the engine that holds the lease.
On PostgreSQL the same statements become `SELECT ... FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiosqlite import Row

from domain.reminders import DueDelivery, is_late, plan_catch_up
from domain.schedules import Rule
from storage.db import Database, from_db_time, to_db_time

_MAX_ERROR_CHARS = 500
_UNREACHABLE = "recipient unreachable (blocked the bot or left Telegram)"


class ReminderQueue:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def materialise_due(self, now: datetime, grace: timedelta, limit: int = 200) -> int:
        """Turn due reminders into delivery rows; returns how many reminders were advanced."""
        stamp = to_db_time(now)
        async with self._db.transaction():
            reminders = await self._db.fetchall(
                "SELECT id, team_id, user_id, audience_role, rule, timezone, next_due_at FROM reminders "
                "WHERE state = 'active' AND next_due_at <= ? ORDER BY next_due_at LIMIT ?",
                (stamp, limit),
            )
            deliveries: list[tuple[object, ...]] = []
            advances: list[tuple[object, ...]] = []
            for row in reminders:
                plan = plan_catch_up(
                    Rule.from_json(row["rule"]), row["timezone"], from_db_time(row["next_due_at"]), now, grace
                )
                for recipient, reachable in await self._recipients(row):
                    for missed in plan.missed:
                        deliveries.append((row["id"], to_db_time(missed), recipient, stamp, "missed", 0, None))
                    if plan.deliver is not None:
                        status, error = ("pending", None) if reachable else ("failed", _UNREACHABLE)
                        late = int(is_late(plan.deliver, now))
                        deliveries.append((row["id"], to_db_time(plan.deliver), recipient, stamp, status, late, error))
                next_due = None if plan.next_due is None else to_db_time(plan.next_due)
                advances.append((next_due, next_due, row["id"]))
            if deliveries:
                await self._db.executemany(
                    "INSERT INTO deliveries(reminder_id, occurrence_at, recipient_id, due_at, status, late, error) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(reminder_id, occurrence_at, recipient_id) DO NOTHING",
                    deliveries,
                )
            if advances:
                await self._db.executemany(
                    "UPDATE reminders SET next_due_at = ?, "
                    "state = CASE WHEN ? IS NULL THEN 'finished' ELSE state END WHERE id = ?",
                    advances,
                )
            return len(reminders)

    async def _recipients(self, row: Row) -> list[tuple[int, bool]]:
        """(chat id, reachable) for a person or for everyone with the audience role in the team."""
        if row["user_id"] is not None:
            found = await self._db.fetchall("SELECT id, blocked_at FROM users WHERE id = ?", (row["user_id"],))
        else:
            found = await self._db.fetchall(
                "SELECT u.id, u.blocked_at FROM memberships m JOIN users u ON u.id = m.user_id "
                "WHERE m.team_id = ? AND m.role = ? ORDER BY u.id",
                (row["team_id"], row["audience_role"]),
            )
        return [(int(r["id"]), r["blocked_at"] is None) for r in found]

    async def claim(
        self, now: datetime, owner: str, lease: timedelta, limit: int, grace: timedelta
    ) -> list[DueDelivery]:
        """Lease up to `limit` due deliveries to `owner`. A row whose time passed beyond the grace window without
        being sent (the engine was down) is recorded as missed instead."""
        if limit <= 0:
            return []
        stamp = to_db_time(now)
        async with self._db.transaction():
            rows = await self._db.fetchall(
                "SELECT d.id, d.reminder_id, d.recipient_id, d.occurrence_at, d.late, d.attempts, "
                "d.snoozed_from, r.kind, r.title, r.rule, r.timezone, r.subject_id FROM deliveries d "
                "JOIN reminders r ON r.id = d.reminder_id "
                "WHERE ((d.status = 'pending' AND d.due_at <= ?) OR (d.status = 'claimed' AND d.lease_until <= ?)) "
                "AND r.state <> 'paused' ORDER BY d.due_at, d.id LIMIT ?",
                (stamp, stamp, limit),
            )
            missed = [(r["id"],) for r in rows if now - from_db_time(r["occurrence_at"]) > grace]
            taken = [r for r in rows if now - from_db_time(r["occurrence_at"]) <= grace]
            if missed:
                await self._db.executemany(
                    "UPDATE deliveries SET status = 'missed', lease_until = NULL, claimed_by = NULL WHERE id = ?",
                    missed,
                )
            if taken:
                until = to_db_time(now + lease)
                await self._db.executemany(
                    "UPDATE deliveries SET status = 'claimed', claimed_by = ?, lease_until = ?, "
                    "attempts = attempts + 1 WHERE id = ?",
                    [(owner, until, r["id"]) for r in taken],
                )
        return [
            DueDelivery(
                id=r["id"],
                reminder_id=r["reminder_id"],
                recipient_id=r["recipient_id"],
                kind=r["kind"],
                title=r["title"],
                rule=Rule.from_json(r["rule"]),
                timezone=r["timezone"],
                occurrence_at=from_db_time(r["occurrence_at"]),
                late=bool(r["late"]) or is_late(from_db_time(r["occurrence_at"]), now),
                snoozed=r["snoozed_from"] is not None,
                attempts=r["attempts"] + 1,
                subject_id=r["subject_id"],
            )
            for r in taken
        ]

    async def mark_sent(
        self, delivery_id: int, owner: str, message_id: int | None, now: datetime, note: str | None = None
    ) -> bool:
        """`message_id` None with a `note`: the request went out and no answer came (it may have arrived)."""
        changed = await self._db.execute_write(
            "UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ?, lease_until = NULL, error = ? "
            "WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
            (message_id, to_db_time(now), None if note is None else note[:_MAX_ERROR_CHARS], delivery_id, owner),
        )
        return changed == 1

    async def retry_later(self, delivery_id: int, owner: str, at: datetime, error: str) -> bool:
        """Back to pending, due again at `at`: a message Telegram asked us to hold is never dropped."""
        changed = await self._db.execute_write(
            "UPDATE deliveries SET status = 'pending', due_at = ?, lease_until = NULL, claimed_by = NULL, error = ? "
            "WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
            (to_db_time(at), error[:_MAX_ERROR_CHARS], delivery_id, owner),
        )
        return changed == 1

    async def mark_failed(self, delivery_id: int, owner: str, error: str) -> bool:
        changed = await self._db.execute_write(
            "UPDATE deliveries SET status = 'failed', lease_until = NULL, error = ? "
            "WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
            (error[:_MAX_ERROR_CHARS], delivery_id, owner),
        )
        return changed == 1

    async def next_wakeup(self) -> datetime | None:
        """The earliest moment anything may need the engine: a reminder, a pending row or a lease running out."""
        row = await self._db.fetchone(
            "SELECT MIN(t) AS t FROM ("
            " SELECT MIN(next_due_at) AS t FROM reminders WHERE state = 'active'"
            " UNION ALL SELECT MIN(due_at) FROM deliveries WHERE status = 'pending'"
            " UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE status = 'claimed')"
        )
        return None if row is None or row["t"] is None else from_db_time(row["t"])

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}
