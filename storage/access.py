"""The actor's role, read from the membership row in SQL, checked against domain.access."""

from __future__ import annotations

from domain.access import Permission, allowed, require
from domain.errors import NotFound
from domain.models import Role
from storage.db import Database


async def role_in(db: Database, user_id: int, team_id: int) -> Role | None:
    row = await db.fetchone("SELECT role FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, user_id))
    return None if row is None else Role(row["role"])


async def require_in_team(db: Database, actor_id: int, team_id: int, permission: Permission) -> Role:
    """AccessDenied when the actor is not a member or the role lacks the permission."""
    return require(await role_in(db, actor_id, team_id), permission)


def visible_or_not_found(role: str | None, permission: Permission, what: str) -> None:
    """For objects looked up by id: a forged or no-longer-allowed id looks exactly like a missing one."""
    if not allowed(None if role is None else Role(role), permission):
        raise NotFound(what)
