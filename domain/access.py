"""Who may do what in a team. Storage calls `require` inside every team-scoped query."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import AccessDenied
from domain.models import Role


class Permission(StrEnum):
    RUN_DIAGNOSTICS = "run_diagnostics"  # take every checklist (the head's own diagnostics)
    TAKE_CHECKLISTS = "take_checklists"  # take the checklists worded for one's role, see own results and history
    SHARE_RESULTS = "share_results"  # send a finished result to the team's owners
    RECEIVE_SHARED = "receive_shared"  # read the results the head shared (score, zone, plan; answers if full)
    VIEW_OWN_PLAN = "view_own_plan"  # a manager: their own standing against their plan, when the head allows it
    MANAGE_TEAM = "manage_team"  # rename, invites, members
    MANAGE_TASKS = "manage_tasks"  # the head's to-do list from diagnostics
    UPLOAD_EXPORT = "upload_export"  # CRM export analytics and plans
    VIEW_DIGEST = "view_digest"  # the owners' weekly digest (aggregates only)
    VIEW_MEMBERS = "view_members"
    LEAVE_TEAM = "leave_team"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A head shares results and reads their own; the shares are for owners. A head has no personal plan.
    Role.HEAD: frozenset(Permission) - {Permission.RECEIVE_SHARED, Permission.VIEW_OWN_PLAN},
    Role.OWNER: frozenset(
        {Permission.VIEW_DIGEST, Permission.LEAVE_TEAM, Permission.TAKE_CHECKLISTS, Permission.RECEIVE_SHARED}
    ),
    Role.MEMBER: frozenset({Permission.LEAVE_TEAM, Permission.VIEW_OWN_PLAN}),
}


def allowed(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS[role]


def require(role: Role | None, permission: Permission) -> Role:
    """Return the role when it grants the permission; raise AccessDenied otherwise (also for non-members)."""
    if role is None or not allowed(role, permission):
        raise AccessDenied(permission.value, role=None if role is None else role.value)
    return role


def checklist_permission(worded_for_owners: bool, role: Role | None) -> Permission:
    """What taking a checklist needs. A head takes every checklist (RUN_DIAGNOSTICS); an owner only those written
    for owners too (the content has `owner:` wording, see `for_owners`) about their head of sales (TAKE_CHECKLISTS).
    Each run stays its taker's: nobody else reads it by id."""
    if role is Role.OWNER and worded_for_owners:
        return Permission.TAKE_CHECKLISTS
    return Permission.RUN_DIAGNOSTICS


def may_take(role: Role | None, worded_for_owners: bool) -> bool:
    return allowed(role, checklist_permission(worded_for_owners, role))
