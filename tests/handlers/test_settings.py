from __future__ import annotations

from bot.callbacks import MemberCb, SettingsCb
from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head


async def _team_id(tg: FakeTelegram, user_id: int) -> int:
    membership = await tg.store.teams.current_membership(user_id)
    assert membership is not None
    return membership.team_id


async def test_head_renames_team_and_member_sees_new_name(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.tap(HEAD, SettingsCb(action="rename").pack())
    await tg.send(HEAD, "  Гамма   продажи ")
    team = await tg.store.teams.get_for(MEMBER, await _team_id(tg, MEMBER))
    assert team.name == "Гамма продажи"


async def test_member_cannot_rename_or_manage_invites(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.tap(MEMBER, SettingsCb(action="rename").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.access_denied_for.member")
    await tg.tap(MEMBER, SettingsCb(action="invites").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.access_denied_for.member")
    await tg.send(MEMBER, "/settings")
    labels = [text for text, _ in tg.buttons(MEMBER)]
    assert tg.content.t("settings.buttons.invites") not in labels
    assert tg.content.t("settings.buttons.leave") in labels


async def test_head_removes_a_member_who_then_loses_access(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    team_id = await _team_id(tg, HEAD)
    await tg.tap(HEAD, SettingsCb(action="members").pack())
    listing = tg.last_text(HEAD)
    assert "Олег" in listing and "Мария" in listing
    assert tg.content.t("roles.owner") in listing and tg.content.t("roles.member") in listing
    await tg.tap(HEAD, MemberCb(user=MEMBER, action="ask").pack())
    await tg.tap(HEAD, MemberCb(user=MEMBER, action="remove").pack())
    assert await tg.store.teams.role_of(MEMBER, team_id) is None
    assert await tg.store.teams.role_of(OWNER, team_id) is Role.OWNER


async def test_member_leaves_and_last_head_cannot(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    team_id = await _team_id(tg, HEAD)
    await tg.tap(MEMBER, SettingsCb(action="leave_yes").pack())
    assert await tg.store.teams.role_of(MEMBER, team_id) is None
    await tg.tap(HEAD, SettingsCb(action="leave_yes").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.last_head")
    assert await tg.store.teams.role_of(HEAD, team_id) is Role.HEAD


async def test_personal_timezone_and_name(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.tap(HEAD, SettingsCb(action="tz").pack())
    await tg.send(HEAD, "Asia/Vladivostok")
    await tg.tap(HEAD, SettingsCb(action="name").pack())
    await tg.send(HEAD, "Ирина П.")
    user = await tg.store.users.get(HEAD)
    assert user is not None
    assert (user.timezone, user.display_name) == ("Asia/Vladivostok", "Ирина П.")
