"""Who may bind a team's group chat, move the binding, or undo it (domain/groups.py)."""

from __future__ import annotations

import pytest

from domain.groups import BindVerdict, UnbindVerdict, bind_verdict, is_admin_status, unbind_verdict
from domain.models import Role

TEAM, OTHER_TEAM = 1, 2
CHAT, OTHER_CHAT = -100, -200


@pytest.mark.parametrize(
    ("role", "is_admin", "team_group", "chat_team", "expected"),
    [
        # a first group: any head binds it, admin or not
        (Role.HEAD, False, None, None, BindVerdict.BIND),
        (Role.HEAD, True, None, None, BindVerdict.BIND),
        # the group already serves the team
        (Role.HEAD, False, CHAT, TEAM, BindVerdict.ALREADY),
        # the team has another group: only an admin of this one moves it, after confirming
        (Role.HEAD, True, OTHER_CHAT, None, BindVerdict.CONFIRM_MOVE),
        (Role.HEAD, False, OTHER_CHAT, None, BindVerdict.NOT_ADMIN),
        # the group serves another team: refused for everyone, admins included
        (Role.HEAD, True, None, OTHER_TEAM, BindVerdict.TAKEN),
        (Role.HEAD, False, OTHER_CHAT, OTHER_TEAM, BindVerdict.TAKEN),
        # not a head: refused before anything about bindings counts, admin or not
        (Role.MEMBER, True, None, None, BindVerdict.NOT_HEAD),
        (Role.OWNER, True, None, None, BindVerdict.NOT_HEAD),
        (None, True, None, None, BindVerdict.NOT_HEAD),
        (Role.MEMBER, False, CHAT, TEAM, BindVerdict.NOT_HEAD),
    ],
)
def test_bind_verdict(
    role: Role | None, is_admin: bool, team_group: int | None, chat_team: int | None, expected: BindVerdict
) -> None:
    assert bind_verdict(role, is_admin, TEAM, CHAT, team_group, chat_team) is expected


def test_a_head_without_a_team_is_not_a_head() -> None:
    assert bind_verdict(Role.HEAD, True, None, CHAT, None, None) is BindVerdict.NOT_HEAD


@pytest.mark.parametrize(
    ("role", "is_admin", "chat_team", "expected"),
    [
        (Role.HEAD, False, TEAM, UnbindVerdict.UNBIND),
        (None, True, TEAM, UnbindVerdict.UNBIND),  # an admin of the group who is not in the team
        (Role.MEMBER, True, TEAM, UnbindVerdict.UNBIND),
        (Role.MEMBER, False, TEAM, UnbindVerdict.NOT_ALLOWED),
        (Role.OWNER, False, TEAM, UnbindVerdict.NOT_ALLOWED),
        (None, False, TEAM, UnbindVerdict.NOT_ALLOWED),
        (Role.HEAD, True, None, UnbindVerdict.NOT_BOUND),
        (None, False, None, UnbindVerdict.NOT_BOUND),
    ],
)
def test_unbind_verdict(role: Role | None, is_admin: bool, chat_team: int | None, expected: UnbindVerdict) -> None:
    assert unbind_verdict(role, is_admin, chat_team) is expected


@pytest.mark.parametrize(
    ("status", "admin"),
    [("creator", True), ("administrator", True), ("member", False), ("restricted", False), ("left", False)],
)
def test_admin_statuses(status: str, admin: bool) -> None:
    assert is_admin_status(status) is admin
