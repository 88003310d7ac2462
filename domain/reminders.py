"""Reminders as plain data, and the pure decisions of the engine: what to send after downtime, what a snooze is.

No aiogram, no storage. Storage applies these decisions inside its transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import Counted, DomainError
from domain.models import Role
from domain.schedules import Rule, next_occurrence

MAX_TITLE_CHARS = 1000  # the card adds a header and the time; Telegram's limit is 4096 characters
LATE_AFTER = timedelta(minutes=5)  # sent later than this after its time: the message says it is late


class ReminderState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class ReminderKind(StrEnum):
    """Kinds this module knows; rituals, digests and nudges add their own (stored as plain text)."""

    CUSTOM = "custom"
    TASK = "task"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    MISSED = "missed"  # its time passed beyond the grace window while nothing ran: recorded, not sent
    FAILED = "failed"  # the recipient is unreachable or Telegram refused the message for good


class Outcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    SNOOZED = "snoozed"


class Snooze(StrEnum):
    HOUR = "hour"
    TOMORROW = "tomorrow"


class ReminderTitleInvalid(DomainError):
    text_key = "reminders.errors.bad_title"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"limit": Counted("limits.chars", MAX_TITLE_CHARS)}


class ReminderInPast(DomainError):
    text_key = "reminders.errors.past"


class TaskAlreadyDone(DomainError):
    """A snooze of a task's reminder after the task was closed."""

    text_key = "reminders.errors.task_done"


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    team_id: int | None
    user_id: int | None  # the recipient person; None for a role audience
    audience_role: Role | None
    kind: str  # a ReminderKind value or a later feature's own kind
    title: str
    rule: Rule
    timezone: str
    next_due_at: datetime | None
    state: ReminderState
    task_id: int | None
    created_by: int
    created_at: datetime
    subject_id: int | None = None  # the ritual (of this kind) the reminder belongs to


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    reminder_id: int
    occurrence_at: datetime
    recipient_id: int
    status: DeliveryStatus
    late: bool
    outcome: Outcome | None
    snoozed_from: int | None


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery with what the message needs. Jobs receive ids; this is what the claim fetched."""

    id: int
    reminder_id: int
    recipient_id: int
    kind: str
    title: str
    rule: Rule
    timezone: str
    occurrence_at: datetime
    late: bool
    snoozed: bool
    attempts: int
    subject_id: int | None = None  # the ritual (of this kind) the reminder belongs to


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What to do with a reminder whose next_due_at has come."""

    deliver: datetime | None  # the occurrence to send now (late or not)
    missed: tuple[datetime, ...]  # occurrences recorded as missed, never sent
    next_due: datetime | None  # the series' next future occurrence; None: the reminder is finished


def plan_catch_up(rule: Rule, timezone: str, due_at: datetime, now: datetime, grace: timedelta) -> CatchUp:
    """After downtime: the latest occurrence within the grace window is delivered once; older ones are missed;
    the series goes on from its next future occurrence."""
    occurrences = [due_at]
    cursor = due_at
    while True:
        following = next_occurrence(rule, timezone, cursor)
        if following is None or following > now:
            break
        occurrences.append(following)
        cursor = following
    in_grace = [moment for moment in occurrences if now - moment <= grace]
    deliver = in_grace[-1] if in_grace else None
    missed = tuple(moment for moment in occurrences if moment != deliver)
    return CatchUp(deliver=deliver, missed=missed, next_due=next_occurrence(rule, timezone, max(now, cursor)))


def is_late(occurrence_at: datetime, now: datetime) -> bool:
    return now - occurrence_at > LATE_AFTER


def snooze_until(choice: Snooze, now: datetime, occurrence_at: datetime) -> datetime:
    """A snooze is a one-off occurrence; it never moves the series. "Tomorrow" keeps the time of day."""
    if choice is Snooze.HOUR:
        return (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    tomorrow = occurrence_at + timedelta(days=1)
    return tomorrow if tomorrow > now else (now + timedelta(days=1)).replace(second=0, microsecond=0)


def validate_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE_CHARS:
        raise ReminderTitleInvalid(str(len(cleaned)))
    return cleaned
