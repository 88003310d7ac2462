"""What a person does with a reminder they received (actor-scoped): done, skipped, snoozed.
Only the recipient may answer; a forged delivery id reads as a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import NotFound
from domain.reminders import Delivery, DeliveryStatus, Outcome, TaskAlreadyDone
from storage.db import Database, from_db_time, to_db_time

_COLUMNS = "d.id, d.reminder_id, d.occurrence_at, d.recipient_id, d.status, d.late, d.outcome, d.snoozed_from"


def delivery_from_row(row: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        reminder_id=row["reminder_id"],
        occurrence_at=from_db_time(row["occurrence_at"]),
        recipient_id=row["recipient_id"],
        status=DeliveryStatus(row["status"]),
        late=bool(row["late"]),
        outcome=None if row["outcome"] is None else Outcome(row["outcome"]),
        snoozed_from=row["snoozed_from"],
    )


@dataclass(frozen=True, slots=True)
class AnsweredDelivery:
    delivery: Delivery
    first_answer: bool  # False: it had been answered before (a double tap); nothing changed
    task_id: int | None  # the task the reminder is about, for "done" to close it
    kind: str


class DeliveryRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, actor_id: int, delivery_id: int) -> Delivery:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM deliveries d WHERE d.id = ? AND d.recipient_id = ?", (delivery_id, actor_id)
        )
        if row is None:
            raise NotFound(f"delivery {delivery_id}")
        return delivery_from_row(row)

    async def answer(self, actor_id: int, delivery_id: int, outcome: Outcome, now: datetime) -> AnsweredDelivery:
        """Record done / skipped once; pending snoozes of the same occurrence chain are cancelled."""
        async with self._db.transaction():
            row = await self._db.fetchone(
                f"SELECT {_COLUMNS}, r.task_id, r.kind FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
                "WHERE d.id = ? AND d.recipient_id = ?",
                (delivery_id, actor_id),
            )
            if row is None:
                raise NotFound(f"delivery {delivery_id}")
            first = row["outcome"] is None or row["outcome"] == Outcome.SNOOZED.value
            if first:
                await self._db.execute(
                    "UPDATE deliveries SET outcome = ?, outcome_at = ? WHERE id = ?",
                    (outcome.value, to_db_time(now), delivery_id),
                )
                # A snooze asked from this message is no longer wanted once it is answered.
                await self._db.execute(
                    "DELETE FROM deliveries WHERE snoozed_from = ? AND status = 'pending'", (delivery_id,)
                )
            return AnsweredDelivery(
                delivery=await self.get(actor_id, delivery_id),
                first_answer=first,
                task_id=row["task_id"],
                kind=row["kind"],
            )

    async def snooze(self, actor_id: int, delivery_id: int, until: datetime, now: datetime) -> Delivery:
        """A one-off delivery at `until`; the series is untouched. Snoozing again replaces the earlier snooze."""
        async with self._db.transaction():
            original = await self.get(actor_id, delivery_id)
            task = await self._db.fetchone(
                "SELECT t.done_at FROM reminders r JOIN tasks t ON t.id = r.task_id WHERE r.id = ?",
                (original.reminder_id,),
            )
            if task is not None and task["done_at"] is not None:
                raise TaskAlreadyDone(str(delivery_id))  # closed in /tasks meanwhile: nothing left to remind of
            await self._db.execute(
                "DELETE FROM deliveries WHERE snoozed_from = ? AND status = 'pending'", (delivery_id,)
            )
            await self._db.execute(
                "UPDATE deliveries SET outcome = 'snoozed', outcome_at = ? WHERE id = ?",
                (to_db_time(now), delivery_id),
            )
            new_id = await self._db.insert(
                "INSERT INTO deliveries(reminder_id, occurrence_at, recipient_id, snoozed_from, due_at, status) "
                "VALUES (?, ?, ?, ?, ?, 'pending') "
                "ON CONFLICT(reminder_id, occurrence_at, recipient_id) DO UPDATE SET status = 'pending'",
                (original.reminder_id, to_db_time(until), actor_id, delivery_id, to_db_time(until)),
            )
            return await self.get(actor_id, new_id)
