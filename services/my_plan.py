"""A member's own standing against their plan (money only), and the head's switch and links behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.models import Role
from domain.my_plan import Standing, standing
from storage import Store


def current_month(now: datetime, timezone: str) -> str:
    local = now.astimezone(ZoneInfo(timezone))
    return f"{local.year:04d}-{local.month:02d}"


async def my_standing(store: Store, actor_id: int, team_id: int, now: datetime) -> Standing:
    """The member's month in the team's zone: their plan, their revenue from the latest export, or what is missing."""
    team = await store.teams.get_for(actor_id, team_id)
    facts = await store.member_plans.own(actor_id, team_id, current_month(now, team.timezone))
    return standing(facts)


@dataclass(frozen=True, slots=True)
class LinkRow:
    user_id: int
    name: str
    manager: str | None


@dataclass(frozen=True, slots=True)
class MembersPlans:
    visible: bool
    members: tuple[LinkRow, ...]


async def members_plans(store: Store, actor_id: int, team_id: int) -> MembersPlans:
    """The head's screen: the switch and each member with the plan/export name they are linked to."""
    links = await store.member_plans.links(actor_id, team_id)
    members = [m for m in await store.teams.members(actor_id, team_id) if m.role is Role.MEMBER]
    rows = tuple(LinkRow(m.user_id, m.display_name, links.get(m.user_id)) for m in members)
    return MembersPlans(visible=await store.member_plans.visible(team_id), members=rows)
