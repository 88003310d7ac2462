"""Invite links: one reusable code per role until it expires or the head revokes it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.access import Permission
from domain.errors import InviteInvalid, NotFound, RemovedFromTeam
from domain.invites import new_invite_code
from domain.models import Invite, Membership, Role
from storage.access import require_in_team
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time
from storage.teams import membership_from_row


@dataclass(frozen=True, slots=True)
class Acceptance:
    membership: Membership  # the role in the team: the invite's when joined, the kept one otherwise
    invite_role: Role
    joined: bool  # False: already in the team, nothing joined
    switched: bool  # the team became the current one (it was another team, or none)


@dataclass(frozen=True, slots=True)
class InvitePreview:
    team_id: int
    team_name: str
    role: Role


_COLUMNS = "code, team_id, role, created_by, created_at, expires_at, revoked_at"
_CODE_ATTEMPTS = 5  # a collision of 144-bit codes is practically impossible; retry rather than fail


def invite_from_row(row: Any) -> Invite:
    return Invite(
        code=row["code"],
        team_id=row["team_id"],
        role=Role(row["role"]),
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]),
        revoked_at=opt_from_db_time(row["revoked_at"]),
    )


class InviteRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, actor_id: int, team_id: int, role: Role, ttl: timedelta, now: datetime) -> Invite:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            return await self._insert(actor_id, team_id, role, ttl, now)

    async def _insert(self, actor_id: int, team_id: int, role: Role, ttl: timedelta, now: datetime) -> Invite:
        if ttl <= timedelta(0):
            raise ValueError("invite ttl must be positive")
        for _ in range(_CODE_ATTEMPTS):
            invite = Invite(
                code=new_invite_code(),
                team_id=team_id,
                role=role,
                created_by=actor_id,
                created_at=now,
                expires_at=now + ttl,
                revoked_at=None,
            )
            try:
                await self._db.execute(
                    f"INSERT INTO invites({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    (
                        invite.code,
                        team_id,
                        role.value,
                        actor_id,
                        to_db_time(now),
                        to_db_time(invite.expires_at),
                    ),
                )
            except sqlite3.IntegrityError:
                continue
            return invite
        raise RuntimeError("could not generate a unique invite code")

    async def active(self, actor_id: int, team_id: int, now: datetime) -> list[Invite]:
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM invites "
            "WHERE team_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, code",
            (team_id, to_db_time(now)),
        )
        return [invite_from_row(r) for r in rows]

    async def regenerate(self, actor_id: int, team_id: int, role: Role, ttl: timedelta, now: datetime) -> Invite:
        """Revoke the role's live codes and issue a new one, atomically: an old link stops working."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._revoke(team_id, role, now)
            return await self._insert(actor_id, team_id, role, ttl, now)

    async def revoke(self, actor_id: int, team_id: int, role: Role, now: datetime) -> int:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            return await self._revoke(team_id, role, now)

    async def _revoke(self, team_id: int, role: Role, now: datetime) -> int:
        stamp = to_db_time(now)
        cursor = await self._db.execute(
            "UPDATE invites SET revoked_at = ? "
            "WHERE team_id = ? AND role = ? AND revoked_at IS NULL AND expires_at > ?",
            (stamp, team_id, role.value, stamp),
        )
        return cursor.rowcount

    async def preview(self, code: str, now: datetime) -> InvitePreview:
        """Where a link leads, before anyone joins (the code is the credential: its team's name is no secret to
        its holder). InviteInvalid as for accepting."""
        row = await self._db.fetchone(
            f"SELECT {', '.join('i.' + c for c in _COLUMNS.split(', '))}, t.name AS team_name "
            "FROM invites i JOIN teams t ON t.id = i.team_id WHERE i.code = ?",
            (code,),
        )
        if row is None or not invite_from_row(row).is_usable(now):
            raise InviteInvalid()
        return InvitePreview(team_id=row["team_id"], team_name=row["team_name"], role=Role(row["role"]))

    async def _refuse_removed(self, code: str, user_id: int, team_id: int) -> None:
        """A person the head removed is not let in by the links that existed then (see TeamRepo.remove_member)."""
        excluded = await self._db.fetchone(
            "SELECT 1 FROM invite_exclusions x WHERE x.code = ? AND x.user_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = ? AND m.user_id = x.user_id)",
            (code, user_id, team_id),
        )
        if excluded is not None:
            raise RemovedFromTeam()

    async def accept(self, user_id: int, code: str, now: datetime) -> Membership:
        """Join the invite's team (or keep an existing membership and its role) and make it current."""
        return (await self.accept_invite(user_id, code, now)).membership

    async def accept_invite(self, user_id: int, code: str, now: datetime) -> Acceptance:
        """`accept`, saying what happened: joined, or already a member (with the role kept), and whether the
        team became the current one."""
        async with self._db.transaction():
            row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM invites WHERE code = ?", (code,))
            if row is None or not invite_from_row(row).is_usable(now):
                raise InviteInvalid()
            invite = invite_from_row(row)
            user = await self._db.fetchone("SELECT current_team_id FROM users WHERE id = ?", (user_id,))
            if user is None:
                raise NotFound(f"user {user_id}")
            await self._refuse_removed(code, user_id, invite.team_id)
            cursor = await self._db.execute(
                "INSERT INTO memberships(team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(team_id, user_id) DO NOTHING",
                (invite.team_id, user_id, invite.role.value, to_db_time(now)),
            )
            await self._db.execute("UPDATE users SET current_team_id = ? WHERE id = ?", (invite.team_id, user_id))
            member = await self._db.fetchone(
                "SELECT team_id, user_id, role, joined_at FROM memberships WHERE team_id = ? AND user_id = ?",
                (invite.team_id, user_id),
            )
        if member is None:  # pragma: no cover - inserted or kept just above
            raise NotFound("membership")
        return Acceptance(
            membership=membership_from_row(member),
            invite_role=invite.role,
            joined=cursor.rowcount > 0,
            switched=user["current_team_id"] != invite.team_id,
        )
