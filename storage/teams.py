"""Teams and memberships. A person may belong to several teams; users.current_team_id picks the one shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.access import Permission
from domain.errors import CannotRemoveSelf, LastHeadCannotLeave, NotFound
from domain.models import Member, Membership, Role, Team
from domain.timezones import parse_timezone
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, to_db_time

# Heads first in member lists, then owners, then managers.
_ROLE_ORDER = "CASE m.role WHEN 'head' THEN 0 WHEN 'owner' THEN 1 ELSE 2 END"


@dataclass(frozen=True, slots=True)
class TeamChoice:
    """One of a person's teams, for choosing the current one."""

    team: Team
    role: Role
    current: bool


def team_from_row(row: Any) -> Team:
    return Team(
        id=row["id"],
        name=row["name"],
        timezone=row["timezone"],
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
    )


def membership_from_row(row: Any) -> Membership:
    return Membership(
        team_id=row["team_id"],
        user_id=row["user_id"],
        role=Role(row["role"]),
        joined_at=from_db_time(row["joined_at"]),
    )


class TeamRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, creator_id: int, name: str, timezone: str, now: datetime) -> Team:
        """The creator becomes the team's head and the team becomes their current one."""
        tz = parse_timezone(timezone)
        async with self._db.transaction():
            if await self._db.fetchone("SELECT 1 FROM users WHERE id = ?", (creator_id,)) is None:
                raise NotFound(f"user {creator_id}")
            team_id = await self._db.insert(
                "INSERT INTO teams(name, timezone, created_by, created_at) VALUES (?, ?, ?, ?)",
                (name, tz, creator_id, to_db_time(now)),
            )
            await self._db.execute(
                "INSERT INTO memberships(team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
                (team_id, creator_id, Role.HEAD.value, to_db_time(now)),
            )
            await self._db.execute("UPDATE users SET current_team_id = ? WHERE id = ?", (team_id, creator_id))
        return await self._get(team_id)

    async def _get(self, team_id: int) -> Team:
        row = await self._db.fetchone(
            "SELECT id, name, timezone, created_by, created_at FROM teams WHERE id = ?", (team_id,)
        )
        if row is None:
            raise NotFound(f"team {team_id}")
        return team_from_row(row)

    async def get_for(self, actor_id: int, team_id: int) -> Team:
        """Any member may see the team itself; others get NotFound."""
        row = await self._db.fetchone(
            "SELECT t.id, t.name, t.timezone, t.created_by, t.created_at FROM teams t "
            "JOIN memberships m ON m.team_id = t.id AND m.user_id = ? WHERE t.id = ?",
            (actor_id, team_id),
        )
        if row is None:
            raise NotFound(f"team {team_id}")
        return team_from_row(row)

    async def role_of(self, user_id: int, team_id: int) -> Role | None:
        return await role_in(self._db, user_id, team_id)

    async def current_membership(self, user_id: int) -> Membership | None:
        """The membership of users.current_team_id; if that is gone, the earliest other membership."""
        row = await self._db.fetchone(
            "SELECT m.team_id, m.user_id, m.role, m.joined_at FROM memberships m "
            "LEFT JOIN users u ON u.id = m.user_id "
            "WHERE m.user_id = ? "
            "ORDER BY (m.team_id IS u.current_team_id) DESC, m.joined_at, m.team_id LIMIT 1",
            (user_id,),
        )
        return None if row is None else membership_from_row(row)

    async def teams_of(self, user_id: int) -> list[TeamChoice]:
        """The person's own teams with their role in each, the current one marked (for «Сменить команду»)."""
        current = await self.current_membership(user_id)
        rows = await self._db.fetchall(
            "SELECT t.id, t.name, t.timezone, t.created_by, t.created_at, m.role FROM memberships m "
            "JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? ORDER BY m.joined_at, m.team_id",
            (user_id,),
        )
        return [
            TeamChoice(
                team=team_from_row(r),
                role=Role(r["role"]),
                current=current is not None and current.team_id == r["id"],
            )
            for r in rows
        ]

    async def switch_to(self, user_id: int, team_id: int) -> Membership:
        """Make one of the person's teams the current one; a team they are not in is NotFound (a forged id)."""
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT team_id, user_id, role, joined_at FROM memberships WHERE team_id = ? AND user_id = ?",
                (team_id, user_id),
            )
            if row is None:
                raise NotFound(f"team {team_id}")
            await self._db.execute("UPDATE users SET current_team_id = ? WHERE id = ?", (team_id, user_id))
        return membership_from_row(row)

    async def memberships_of(self, user_id: int) -> list[Membership]:
        rows = await self._db.fetchall(
            "SELECT team_id, user_id, role, joined_at FROM memberships WHERE user_id = ? ORDER BY joined_at, team_id",
            (user_id,),
        )
        return [membership_from_row(r) for r in rows]

    async def rename(self, actor_id: int, team_id: int, name: str) -> Team:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._db.execute("UPDATE teams SET name = ? WHERE id = ?", (name, team_id))
        return await self._get(team_id)

    async def set_timezone(self, actor_id: int, team_id: int, timezone: str) -> Team:
        tz = parse_timezone(timezone)
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._db.execute("UPDATE teams SET timezone = ? WHERE id = ?", (tz, team_id))
        return await self._get(team_id)

    async def members(self, actor_id: int, team_id: int) -> list[Member]:
        await require_in_team(self._db, actor_id, team_id, Permission.VIEW_MEMBERS)
        rows = await self._db.fetchall(
            "SELECT m.user_id, u.display_name, u.username, m.role, m.joined_at "
            "FROM memberships m JOIN users u ON u.id = m.user_id "
            f"WHERE m.team_id = ? ORDER BY {_ROLE_ORDER}, m.joined_at, m.user_id",
            (team_id,),
        )
        return [
            Member(
                user_id=r["user_id"],
                display_name=r["display_name"],
                username=r["username"],
                role=Role(r["role"]),
                joined_at=from_db_time(r["joined_at"]),
            )
            for r in rows
        ]

    async def remove_member(self, actor_id: int, team_id: int, user_id: int) -> bool:
        """True when someone was removed; False when they were not in this team. Self: use leave().

        The team's links made so far no longer let the removed person in (storage/invites.py): to take them back
        the head makes a new link."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            if user_id == actor_id:
                raise CannotRemoveSelf(str(team_id))
            if not await self._drop_membership(team_id, user_id):
                return False
            await self._db.execute(
                "INSERT INTO invite_exclusions(code, user_id) SELECT code, ? FROM invites WHERE team_id = ? "
                "ON CONFLICT(code, user_id) DO NOTHING",
                (user_id, team_id),
            )
            return True

    async def leave(self, actor_id: int, team_id: int) -> None:
        """Any role may leave, except the last head: a team is never left without one."""
        async with self._db.transaction():
            role = await require_in_team(self._db, actor_id, team_id, Permission.LEAVE_TEAM)
            if role is Role.HEAD:
                row = await self._db.fetchone(
                    "SELECT COUNT(*) AS n FROM memberships WHERE team_id = ? AND role = 'head'", (team_id,)
                )
                if row is None or row["n"] <= 1:
                    raise LastHeadCannotLeave(str(team_id))
            await self._drop_membership(team_id, actor_id)

    async def _drop_membership(self, team_id: int, user_id: int) -> bool:
        cursor = await self._db.execute("DELETE FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, user_id))
        if cursor.rowcount == 0:
            return False
        # Point the person's UI at another team of theirs (or none) instead of a team they left.
        await self._db.execute(
            "UPDATE users SET current_team_id = ("
            " SELECT team_id FROM memberships WHERE user_id = ? ORDER BY joined_at, team_id LIMIT 1) "
            "WHERE id = ? AND current_team_id = ?",
            (user_id, user_id, team_id),
        )
        return True

    async def user_ids_with_role(self, team_id: int, role: Role) -> list[int]:
        """For scheduled digests (system-initiated, no actor): everyone with `role` in the team."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM memberships WHERE team_id = ? AND role = ? ORDER BY user_id",
            (team_id, role.value),
        )
        return [int(r["user_id"]) for r in rows]
