"""Forged or outdated button data and odd messages: the stale-button answer, no traceback, no change in the DB."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Chat, Message, Update

from bot.callbacks import InviteCb
from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head

HUGE = str(2**64)  # more than SQLite's INTEGER: an OverflowError deep in a query, before

FORGED = [
    # RoleCb
    "r:admin", "r:HEAD", "r:", "r:head:extra",
    # TimezoneCb
    "tz:99:team", "tz:-1:user", f"tz:{HUGE}:user", "tz:0:admin", "tz:x:tteam",
    # MenuCb
    "m:admin", "m:",
    # ChecklistCb
    "cl:delete:six", "cl:open:", "cl:open:SIX", "cl:open:../../etc",
    # AnswerCb, QuestionCb, TaskAddCb
    f"a:{HUGE}:0:0", "a:-1:0:0", "a:0:0:0", "a:1:-1:0", "a:1:0:100000",
    "q:1:0:drop", f"q:{HUGE}:0:why", "q:1:-3:back",
    "ta:-5:0", f"ta:1:{HUGE}",
    # ResultCb
    "rs:1:delete", "rs:0:all", f"rs:{HUGE}:tasks", "rs:-1:top",
    # TaskDoneCb, TaskDueCb
    "td:0", "td:-1", f"td:{HUGE}", "td:abc",
    "tdu:1:yesterday", f"tdu:{HUGE}:ask", "tdu:-1:clear",
    # RunCb
    "h:1:pdf", f"h:{HUGE}:show", "h:-1:csv",
    # SettingsCb, InviteCb, MemberCb
    "s:admin", "s:drop_team",
    "i:member:xyz", "i:owner:", "i:head:regen", "i:admin:revoke", "i:member",
    f"mb:{HUGE}:remove", f"mb:-{MEMBER}:remove", f"mb:{MEMBER}:kick",
    # ColumnCb, ReportCb
    "col:-2", f"col:{HUGE}", "rep:0", f"rep:{HUGE}",
    # ReminderCb, DeliveryCb, ReminderDraftCb
    "rm:explode:1", "rm:open:-1", f"rm:open:{HUGE}",
    "dv:1:later", f"dv:{HUGE}:done", "dv:0:skip",
    "rd:launch:0", "rd:time:1440", "rd:date:-1", f"rd:freq:{HUGE}",
    # ShareCb, SharedCb, MyPlanCb, PlanLinkCb
    "sh:0:ask", "sh:1:delete", f"sh:{HUGE}:send_full", "sh:-1:full",
    "shr:0", f"shr:{HUGE}", "shr:abc",
    "mp:drop", "mp:",
    "mpl:1:pick:-1", f"mpl:{HUGE}:ask:0", "mpl:1:eat:0", "mpl:1:pick:1000",
    # no class at all
    "zz:1", "",
]  # fmt: skip


async def _snapshot(tg: FakeTelegram) -> dict[str, list[tuple[object, ...]]]:
    tables = await tg.store.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    snapshot = {}
    for (table,) in tables:
        rows = await tg.store.db.fetchall(f'SELECT * FROM "{table}" ORDER BY 1')  # names from sqlite_master
        snapshot[table] = [tuple(row) for row in rows]
    return snapshot


@pytest.fixture
async def team(tg: FakeTelegram) -> FakeTelegram:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    return tg


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_data_gets_the_stale_answer_and_changes_nothing(
    team: FakeTelegram, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    tg = team
    before = await _snapshot(tg)
    sent_before = len(tg.session.requests)
    with caplog.at_level(logging.WARNING):
        await tg.tap(HEAD, data)
    requests = tg.session.requests[sent_before:]
    assert [type(r) for r in requests] == [AnswerCallbackQuery], requests
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert await _snapshot(tg) == before
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


async def test_a_forged_invite_action_does_not_revoke_the_link(team: FakeTelegram) -> None:
    tg = team
    team_id = (await tg.store.teams.current_membership(HEAD)).team_id  # type: ignore[union-attr]
    now = datetime.now(UTC)
    before = {invite.role for invite in await tg.store.invites.active(HEAD, team_id, now)}
    await tg.tap(HEAD, "i:member:xyz")
    after = {invite.role for invite in await tg.store.invites.active(HEAD, team_id, now)}
    assert after == before == {Role.OWNER, Role.MEMBER}
    await tg.tap(HEAD, InviteCb(role=Role.MEMBER, action="revoke").pack())  # the real button still works
    assert {invite.role for invite in await tg.store.invites.active(HEAD, team_id, now)} == {Role.OWNER}


def _without_sender(chat_id: int, text: str) -> Update:
    message = Message(
        message_id=9001,
        date=datetime.now(UTC),
        chat=Chat(id=chat_id, type="private"),
        sender_chat=Chat(id=-100123, type="channel", title="Канал"),
        text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if text.startswith("/")
        else None,
    )
    return Update(update_id=9002, message=message)


@pytest.mark.parametrize("text", ["/start", "/start abc", "/settings", "/menu", "/tasks", "Альфа"])
async def test_a_message_without_a_person_behind_it_is_left_alone(
    tg: FakeTelegram, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await tg.dispatcher.feed_update(tg.bot, _without_sender(777, text))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert tg.session.requests == []  # nobody to answer or act for: left unhandled
    assert await tg.store.db.fetchall("SELECT id FROM users") == []
