"""Plain data the storage returns and the handlers render. No aiogram, no aiosqlite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    HEAD = "head"  # head of sales (РОП)
    OWNER = "owner"
    MEMBER = "member"  # sales manager in the team


class RunStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class User:
    id: int  # Telegram user id
    display_name: str
    username: str | None
    timezone: str | None
    chosen_role: Role | None
    current_team_id: int | None
    blocked_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    timezone: str
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    team_id: int
    user_id: int
    role: Role
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """A membership joined with the person's name, for member lists."""

    user_id: int
    display_name: str
    username: str | None
    role: Role
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    team_id: int
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class ChecklistRun:
    id: int
    team_id: int
    user_id: int
    checklist_key: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    score: int | None
    zone: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    run_id: int
    item_key: str
    answer: str  # the answer option's key from content, e.g. "yes" / "partly" / "no"
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    team_id: int
    user_id: int
    title: str
    source_checklist: str | None
    source_item: str | None
    created_at: datetime
    done_at: datetime | None
    due_date: date | None = None  # local date in the head's zone

    def overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_date is not None and self.due_date < today


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Aggregated metrics of one CRM export (never the rows themselves)."""

    id: int
    team_id: int
    created_by: int
    period_start: date | None
    period_end: date | None
    created_at: datetime
    metrics_json: str
