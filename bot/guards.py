"""The current team of the actor when their role there grants a permission (storage re-checks it in SQL)."""

from __future__ import annotations

from domain.access import Permission, require
from domain.errors import NoTeam
from domain.models import Membership


def team_with(membership: Membership | None, permission: Permission) -> int:
    if membership is None:
        raise NoTeam()
    require(membership.role, permission)
    return membership.team_id
