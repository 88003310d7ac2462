"""Opening an invite link says what actually happened: joined, or already in the team with the role kept."""

from __future__ import annotations

from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head


async def test_a_manager_opening_the_owners_link_is_told_nothing_changed(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    assert tg.last_text(MEMBER).startswith(tg.content.t("start.joined.member", team="Альфа").split("\n")[0])
    await tg.send(MEMBER, f"/start {owner_code}")
    reply = tg.last_text(MEMBER)
    expected = tg.content.t(
        "start.already.role_kept",
        team="Альфа",
        role=tg.content.t("roles.member"),
        link_for=tg.content.t("start.link_for.owner"),
    )
    assert reply == expected
    assert "присоединились" not in reply
    membership = await tg.store.teams.current_membership(MEMBER)
    assert membership is not None and membership.role is Role.MEMBER


async def test_the_same_link_again_changes_nothing_and_says_so(tg: FakeTelegram) -> None:
    owner_code, _ = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}")
    await tg.send(OWNER, f"/start {owner_code}")
    role = tg.content.t("roles.owner")
    assert tg.last_text(OWNER) == tg.content.t("start.already.same", team="Альфа", role=role)


async def test_the_head_opening_a_link_of_the_own_team_stays_head(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(HEAD, f"/start {member_code}")
    reply = tg.last_text(HEAD)
    assert tg.content.t("roles.head") in reply and tg.content.t("start.link_for.member") in reply
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None and membership.role is Role.HEAD
