from __future__ import annotations

from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, STRANGER, onboard_head


async def test_new_user_is_asked_for_a_role(tg: FakeTelegram) -> None:
    await tg.send(STRANGER, "/start")
    labels = [text for text, _ in tg.buttons(STRANGER)]
    assert labels == [tg.content.t(f"start.role_buttons.{role.value}") for role in Role]


async def test_head_creates_team_with_timezone_and_two_invites(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    assert owner_code != member_code
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None and membership.role is Role.HEAD
    team = await tg.store.teams.get_for(HEAD, membership.team_id)
    assert (team.name, team.timezone) == ("Альфа", "Europe/Moscow")


async def test_typed_timezone_is_validated(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/start")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("start.role_buttons.head")))
    await tg.send(HEAD, "Бета")
    await tg.send(HEAD, "Mars/Olympus")
    assert tg.last_text(HEAD) == tg.content.t("errors.invalid_timezone")
    assert await tg.store.teams.current_membership(HEAD) is None
    await tg.send(HEAD, "asia/almaty")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    assert (await tg.store.teams.get_for(HEAD, membership.team_id)).timezone == "Asia/Almaty"


async def test_owner_and_member_join_by_their_links(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    owner = await tg.store.teams.current_membership(OWNER)
    member = await tg.store.teams.current_membership(MEMBER)
    assert owner is not None and owner.role is Role.OWNER
    assert member is not None and member.role is Role.MEMBER
    assert "Альфа" in tg.last_text(MEMBER)
    joined = await tg.store.users.get(MEMBER)
    assert joined is not None and joined.timezone == "Europe/Moscow"  # the team's zone until they pick one


async def test_unknown_invite_code_gets_a_clear_message(tg: FakeTelegram) -> None:
    await tg.send(STRANGER, "/start NotARealCode123")
    assert tg.last_text(STRANGER) == tg.content.t("errors.invite_invalid")
    assert await tg.store.teams.current_membership(STRANGER) is None


async def test_revoked_invite_no_longer_admits(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(HEAD, "/settings")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("settings.buttons.invites")))
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("settings.invite_buttons.revoke.member")))
    await tg.send(MEMBER, f"/start {member_code}")
    assert tg.last_text(MEMBER) == tg.content.t("errors.invite_invalid")


async def test_owner_role_without_link_is_told_to_ask_for_one(tg: FakeTelegram) -> None:
    await tg.send(OWNER, "/start")
    await tg.tap(OWNER, tg.button(OWNER, tg.content.t("start.role_buttons.owner")))
    assert tg.last_text(OWNER) == tg.content.t("onboarding.need_invite.owner")


async def test_unknown_text_gets_help(tg: FakeTelegram) -> None:
    await tg.send(STRANGER, "какая-то фраза")
    assert tg.last_text(STRANGER) == tg.content.t("help.unknown")


async def test_stale_unknown_button_is_answered_politely(tg: FakeTelegram) -> None:
    await tg.tap(STRANGER, "zz:unknown")
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")


async def test_typed_russian_city_sets_its_zone_and_is_shown_in_russian(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/start")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("start.role_buttons.head")))
    await tg.send(HEAD, "Гамма")
    await tg.send(HEAD, "новосибирск")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    assert (await tg.store.teams.get_for(HEAD, membership.team_id)).timezone == "Asia/Novosibirsk"
    assert "Новосибирск (UTC+7)" in tg.last_text(HEAD)
    assert "Asia/Novosibirsk" not in tg.last_text(HEAD)


async def test_cis_capitals_are_offered_after_the_russian_zones(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/start")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("start.role_buttons.head")))
    await tg.send(HEAD, "Дельта")
    labels = [text for text, _ in tg.buttons(HEAD)]
    assert labels[11].startswith("Камчатка") and labels[12].startswith("Минск")
    await tg.tap(HEAD, tg.button(HEAD, labels[13]))
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    assert (await tg.store.teams.get_for(HEAD, membership.team_id)).timezone == "Asia/Almaty"
