"""Users: one row per Telegram account that ever wrote to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from domain.errors import AccessDenied, NotFound
from domain.models import Membership, Role, User
from domain.timezones import parse_timezone
from storage.db import Database, from_db_time, opt_from_db_time, opt_to_db_time, to_db_time

_COLUMNS = "id, display_name, username, timezone, chosen_role, current_team_id, blocked_at, created_at"

# The person and the membership the UI shows (users.current_team_id; if that is gone, the earliest other one),
# as TeamRepo.current_membership picks it, in one statement.
_SEEN = (
    "SELECT u.id, u.display_name, u.username, u.timezone, u.chosen_role, u.current_team_id, u.blocked_at, "
    " u.created_at, u.name_is_custom, m.team_id AS m_team_id, m.role AS m_role, m.joined_at AS m_joined_at "
    "FROM users u LEFT JOIN memberships m ON m.user_id = u.id WHERE u.id = ? "
    "ORDER BY (m.team_id IS u.current_team_id) DESC, m.joined_at, m.team_id LIMIT 1"
)


def user_from_row(row: Any) -> User:
    return User(
        id=row["id"],
        display_name=row["display_name"],
        username=row["username"],
        timezone=row["timezone"],
        chosen_role=None if row["chosen_role"] is None else Role(row["chosen_role"]),
        current_team_id=row["current_team_id"],
        blocked_at=opt_from_db_time(row["blocked_at"]),
        created_at=from_db_time(row["created_at"]),
    )


@dataclass(frozen=True, slots=True)
class Seen:
    """Who sent an update, and their role in the team the UI shows (None: in no team)."""

    user: User
    membership: Membership | None


def _seen_from_row(row: Any) -> Seen:
    membership = None
    if row["m_team_id"] is not None:
        membership = Membership(
            team_id=row["m_team_id"],
            user_id=row["id"],
            role=Role(row["m_role"]),
            joined_at=from_db_time(row["m_joined_at"]),
        )
    return Seen(user_from_row(row), membership)


def _needs_write(row: Any, display_name: str, username: str | None, reachable: bool = True) -> bool:
    """A new Telegram name (unless they chose their own) or username, or a person marked as blocking the bot."""
    renamed = not row["name_is_custom"] and row["display_name"] != display_name
    return renamed or row["username"] != username or (reachable and row["blocked_at"] is not None)


class UserRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return None if row is None else user_from_row(row)

    async def _require(self, user_id: int) -> User:
        user = await self.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id}")
        return user

    async def upsert_seen(
        self, user_id: int, display_name: str, username: str | None, now: datetime | None = None
    ) -> User:
        """Create on first contact; later refresh the username and the Telegram name unless the user
        set a name of their own (set_display_name)."""
        created = to_db_time(now or datetime.now(UTC))
        await self._db.execute_write(
            "INSERT INTO users(id, display_name, username, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET username = excluded.username, "
            " display_name = CASE WHEN users.name_is_custom THEN users.display_name "
            "                     ELSE excluded.display_name END",
            (user_id, display_name, username, created),
        )
        return await self._require(user_id)

    async def seen(
        self, user_id: int, display_name: str, username: str | None, now: datetime, reachable: bool = True
    ) -> Seen:
        """Every update: the sender and their current membership in one read, never cached, so a removed member
        loses access on their very next update. The row is written only when something changed: first contact,
        a new Telegram name or username, or a person marked as blocking the bot, who writes to us again and so is
        reachable (blocked_at cleared). `reachable=False`: the update came from a group chat, which says nothing
        about whether their private chat with the bot is open."""
        rows = await self._db.fetch_by_key(_SEEN, (user_id,))  # by primary key, on the loop
        if rows and not _needs_write(rows[0], display_name, username, reachable):
            return _seen_from_row(rows[0])
        async with self._db.transaction():
            await self.upsert_seen(user_id, display_name, username, now)
            if reachable:
                await self._db.execute("UPDATE users SET blocked_at = NULL WHERE id = ?", (user_id,))
            row = await self._db.fetchone(_SEEN, (user_id,))
        if row is None:  # pragma: no cover - written just above
            raise NotFound(f"user {user_id}")
        return _seen_from_row(row)

    async def set_chosen_role(self, user_id: int, role: Role | None) -> User:
        await self._update(user_id, "chosen_role = ?", None if role is None else role.value)
        return await self._require(user_id)

    async def set_timezone(self, user_id: int, timezone: str) -> User:
        await self._update(user_id, "timezone = ?", parse_timezone(timezone))
        return await self._require(user_id)

    async def set_display_name(self, user_id: int, display_name: str) -> User:
        await self._update(user_id, "display_name = ?, name_is_custom = 1", display_name)
        return await self._require(user_id)

    async def set_current_team(self, user_id: int, team_id: int | None) -> User:
        """Only a team the user belongs to (or None): a forged team id is refused."""
        async with self._db.transaction():
            if team_id is not None:
                row = await self._db.fetchone(
                    "SELECT 1 FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, user_id)
                )
                if row is None:
                    raise AccessDenied("not a member")
            await self._update(user_id, "current_team_id = ?", team_id)
        return await self._require(user_id)

    async def workday_start(self, user_id: int) -> time:
        """When the person's working day starts: task reminders arrive then."""
        row = await self._db.fetchone("SELECT workday_start FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise NotFound(f"user {user_id}")
        return time.fromisoformat(row["workday_start"])

    async def set_workday_start(self, user_id: int, start: time) -> None:
        await self._update(user_id, "workday_start = ?", start.strftime("%H:%M"))

    async def mark_blocked(self, user_id: int, when: datetime | None) -> None:
        """`when` set: the user blocked the bot (stop sending); None: they are reachable again."""
        await self._update(user_id, "blocked_at = ?", opt_to_db_time(when), missing_ok=True)

    async def _update(self, user_id: int, assignment: str, value: object, missing_ok: bool = False) -> None:
        changed = await self._db.execute_write(f"UPDATE users SET {assignment} WHERE id = ?", (value, user_id))
        if changed == 0 and not missing_ok:
            raise NotFound(f"user {user_id}")
