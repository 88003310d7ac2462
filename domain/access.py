"""Who may do what in a team. Storage calls `require` inside every team-scoped query."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import AccessDenied
from domain.models import Role


class Permission(StrEnum):
    RUN_DIAGNOSTICS = "run_diagnostics"  # take checklists, see own results and history
    MANAGE_TEAM = "manage_team"  # rename, invites, members
    MANAGE_TASKS = "manage_tasks"  # the head's to-do list from diagnostics
    UPLOAD_EXPORT = "upload_export"  # CRM export analytics and plans
    VIEW_DIGEST = "view_digest"  # the owners' weekly digest (aggregates only)
    VIEW_MEMBERS = "view_members"
    LEAVE_TEAM = "leave_team"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HEAD: frozenset(Permission),
    Role.OWNER: frozenset({Permission.VIEW_DIGEST, Permission.LEAVE_TEAM}),
    Role.MEMBER: frozenset({Permission.LEAVE_TEAM}),
}


def allowed(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS[role]


def require(role: Role | None, permission: Permission) -> Role:
    """Return the role when it grants the permission; raise AccessDenied otherwise (also for non-members)."""
    if role is None or not allowed(role, permission):
        raise AccessDenied(permission.value, role=None if role is None else role.value)
    return role
