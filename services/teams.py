"""Team set-up: the head's new team, its invite links and the head's clock, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.models import Invite, Role, Team
from storage import Store

INVITED_ROLES = (Role.OWNER, Role.MEMBER)


@dataclass(frozen=True, slots=True)
class NewTeam:
    team: Team
    invites: tuple[Invite, ...]  # one per invited role, in INVITED_ROLES order


async def create_team(
    store: Store, creator_id: int, name: str, timezone: str, invite_ttl: timedelta, now: datetime
) -> NewTeam:
    """One transaction: a failure half-way leaves no team without its links (the repositories join it)."""
    async with store.db.transaction():
        team = await store.teams.create(creator_id, name, timezone, now)
        await store.users.set_timezone(creator_id, timezone)  # the head's own clock starts as the team's
        invites = [await store.invites.create(creator_id, team.id, role, invite_ttl, now) for role in INVITED_ROLES]
    return NewTeam(team=team, invites=tuple(invites))
