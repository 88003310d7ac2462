"""A removed member is told so, and the links of the team they had no longer let them back in."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.callbacks import InviteCb, MemberCb, SettingsCb
from bot.delivery import RetryingDelivery
from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, LINK, MEMBER, OWNER, onboard_head
from tests.handlers.test_error_answers import BlockedBy
from tests.handlers.test_roles import chat_commands


async def _team_id(tg: FakeTelegram) -> int:
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def _remove(tg: FakeTelegram, user_id: int) -> None:
    await tg.tap(HEAD, SettingsCb(action="members").pack())
    await tg.tap(HEAD, MemberCb(user=user_id, action="ask").pack())
    await tg.tap(HEAD, MemberCb(user=user_id, action="remove").pack())


async def test_a_removed_member_is_told_and_gets_the_menu_of_no_team(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    told_before = len(tg.texts(MEMBER))
    await _remove(tg, MEMBER)
    assert tg.texts(MEMBER)[told_before:] == [tg.content.t("settings.removed_notice", team="Альфа")]
    assert chat_commands(tg, MEMBER) == ["start", "help"]
    assert tg.last_callback_answer() == tg.content.t("settings.member_removed", name="Мария")
    await tg.tap(HEAD, MemberCb(user=MEMBER, action="remove").pack())  # a double tap: told once
    assert tg.texts(MEMBER)[told_before:] == [tg.content.t("settings.removed_notice", team="Альфа")]


async def test_a_removed_member_cannot_come_back_with_the_old_link(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    team_id = await _team_id(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(OWNER, f"/start {owner_code}")
    await _remove(tg, MEMBER)

    await tg.send(MEMBER, f"/start {member_code}")
    assert tg.last_text(MEMBER) == tg.content.t("errors.removed_from_team")
    await tg.send(MEMBER, f"/start {owner_code}")  # any link the team had then
    assert tg.last_text(MEMBER) == tg.content.t("errors.removed_from_team")
    assert await tg.store.teams.role_of(MEMBER, team_id) is None

    # The same links still work for everyone else.
    await tg.send(3001, f"/start {member_code}")
    assert await tg.store.teams.role_of(3001, team_id) is Role.MEMBER


async def test_the_head_invites_a_removed_member_again_with_a_fresh_link(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    team_id = await _team_id(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await _remove(tg, MEMBER)
    await tg.tap(HEAD, SettingsCb(action="invites").pack())
    await tg.tap(HEAD, InviteCb(role=Role.MEMBER, action="regen").pack())
    fresh = LINK.findall(tg.last_text(HEAD))[-1]
    assert fresh != member_code

    await tg.send(MEMBER, f"/start {fresh}")
    assert await tg.store.teams.role_of(MEMBER, team_id) is Role.MEMBER
    member_menu = ["menu", "learn", "cases", "my_plan", "strategy", "reminders", "settings", "help"]
    assert chat_commands(tg, MEMBER) == member_menu


async def test_a_member_who_left_may_come_back_with_the_link(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    team_id = await _team_id(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.tap(MEMBER, SettingsCb(action="leave_yes").pack())
    await tg.send(MEMBER, f"/start {member_code}")  # leaving is their own choice: the link still works
    assert await tg.store.teams.role_of(MEMBER, team_id) is Role.MEMBER


async def test_telling_a_removed_member_who_blocked_the_bot_is_recorded_not_raised(
    tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    _, member_code = await onboard_head(tg)
    team_id = await _team_id(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    failures: list[tuple[int | None, str, bool]] = []

    async def record(chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        failures.append((chat_id, method, unreachable))
        await tg.store.failures.record(chat_id, method, error, datetime(2026, 11, 30, tzinfo=UTC))

    blocked = BlockedBy(MEMBER)
    blocked.middleware(RetryingDelivery(record))
    tg.bot.session = tg.session = blocked
    with caplog.at_level(logging.WARNING):
        await _remove(tg, MEMBER)
    assert failures == [(MEMBER, "sendMessage", True)]
    assert [f.chat_id for f in await tg.store.failures.recent()] == [MEMBER]
    assert await tg.store.teams.role_of(MEMBER, team_id) is None
    assert tg.last_callback_answer() == tg.content.t("settings.member_removed", name="Анна")  # the head's flow
    assert tg.content.t("settings.members_title", count=1) in tg.last_text(HEAD)
    assert chat_commands(tg, MEMBER) == ["start", "help"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
