"""Users: one row per Telegram account that ever wrote to the bot."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from domain.errors import AccessDenied, NotFound
from domain.models import Role, User
from domain.timezones import parse_timezone
from storage.db import Database, from_db_time, opt_from_db_time, opt_to_db_time, to_db_time

_COLUMNS = "id, display_name, username, timezone, chosen_role, current_team_id, blocked_at, created_at"


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
