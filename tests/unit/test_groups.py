"""Who may bind a team's group chat, move the binding, or undo it (domain/groups.py), and how the bindings are
stored (storage/groups.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied
from domain.groups import BindVerdict, GroupTaken, UnbindVerdict, bind_verdict, is_admin_status, unbind_verdict
from domain.models import Role
from storage import Store, open_store

TEAM, OTHER_TEAM = 1, 2
CHAT, OTHER_CHAT, SUPER = -100, -200, -1001234


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


# --- storage (storage/groups.py) on a real SQLite file ----------------------------------------------------------

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HEAD, MANAGER, OTHER_HEAD = 1, 2, 3


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "groups.sqlite3")
    for user_id in (HEAD, MANAGER, OTHER_HEAD):
        await opened.users.upsert_seen(user_id, f"U{user_id}", None, T0)
    yield opened
    await opened.close()


async def _teams(store: Store) -> tuple[int, int]:
    alpha = await store.teams.create(HEAD, "Альфа", "Europe/Moscow", T0)
    beta = await store.teams.create(OTHER_HEAD, "Бета", "Europe/Moscow", T0)
    invite = await store.invites.create(HEAD, alpha.id, Role.MEMBER, timedelta(days=1), T0)
    await store.invites.accept(MANAGER, invite.code, T0)
    return alpha.id, beta.id


async def test_one_group_per_team_and_one_team_per_group(store: Store) -> None:
    alpha, beta = await _teams(store)
    first = await store.groups.bind(HEAD, alpha, CHAT, "Отдел", T0)
    assert (first.group.chat_id, first.replaced) == (CHAT, None)
    with pytest.raises(GroupTaken):
        await store.groups.bind(OTHER_HEAD, beta, CHAT, "Отдел", T0)
    moved = await store.groups.bind(HEAD, alpha, OTHER_CHAT, "Новая", T0)
    assert moved.replaced is not None and moved.replaced.chat_id == CHAT
    assert await store.groups.team_for_chat(CHAT) is None
    assert await store.groups.bound_chat_id(alpha) == OTHER_CHAT
    assert await store.groups.bound_chat_id(beta) is None


async def test_binding_and_unbinding_check_the_role_in_sql(store: Store) -> None:
    alpha, beta = await _teams(store)
    with pytest.raises(AccessDenied):
        await store.groups.bind(MANAGER, alpha, CHAT, "Отдел", T0)
    with pytest.raises(AccessDenied):
        await store.groups.bind(HEAD, beta, CHAT, "Отдел", T0)  # a forged team id
    await store.groups.bind(HEAD, alpha, CHAT, "Отдел", T0)
    with pytest.raises(AccessDenied):
        await store.groups.unbind(MANAGER, alpha)
    assert await store.groups.shown_to(MANAGER, alpha) is None
    assert await store.groups.shown_to(OTHER_HEAD, alpha) is None
    shown = await store.groups.shown_to(HEAD, alpha)
    assert shown is not None and shown.title == "Отдел"
    unbound = await store.groups.unbind(HEAD, alpha)
    assert unbound is not None and unbound.chat_id == CHAT
    assert await store.groups.unbind(HEAD, alpha) is None


async def test_migration_is_safe_to_repeat_and_forgetting_tells_what_was_bound(store: Store) -> None:
    alpha, _ = await _teams(store)
    await store.groups.bind(HEAD, alpha, CHAT, "Отдел", T0)
    assert await store.groups.migrate(CHAT, SUPER) is True
    assert await store.groups.migrate(CHAT, SUPER) is False
    assert await store.groups.bound_chat_id(alpha) == SUPER
    await store.groups.retitle(SUPER, "Отдел продаж")
    forgotten = await store.groups.forget_chat(SUPER)
    assert forgotten is not None and (forgotten.team_id, forgotten.title) == (alpha, "Отдел продаж")
    assert await store.groups.forget_chat(SUPER) is None


async def test_a_deleted_team_takes_its_binding_along(store: Store) -> None:
    alpha, _ = await _teams(store)
    await store.groups.bind(HEAD, alpha, CHAT, "Отдел", T0)
    async with store.db.transaction():
        await store.db.execute("DELETE FROM teams WHERE id = ?", (alpha,))
    assert await store.groups.team_for_chat(CHAT) is None
