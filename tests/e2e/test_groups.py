"""The real bot process and a team's group chat (issue 8, group chats): the bot is added to the group, a member's
/bind is refused, the head's /bind@bot binds it; when the case-review agenda reaches the head, the group gets its copy
and nothing private — no names of who brought a case or who is missing, nothing
from /plans, none of the members' personal reminders (bot/group_posts.py, the privacy rule)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from devtools.botapi_types import SentMessage
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD, IVAN, PETR = 9401, 9402, 9403
NAMES = ("Ирина", "Иван", "Пётр")
GROUP = -1009401
TEAM = "Север"
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
CONTENT = load_content("ru")
WRITE = CONTENT.t("reminders.open_subject.case_nudge")
OPEN_AGENDA = CONTENT.t("reminders.open_subject.case_agenda")
TO_GROUP = CONTENT.t("cases.buttons.to_group")
NUDGE, ESCALATED = "Пришлите кейс", "Вы ещё не прислали кейс"
CLIENT = "ООО «Ромашка»"  # the client Иван names in his case
ANSWERS = (
    f"{CLIENT}, дистрибьютор стройматериалов",
    "КП отправлено",
    "Клиент пропал после КП",
    "Звонили трижды",
    "Как вернуть клиента?",
)
PLAN_LINE, PLAN_FIGURES = "Иванов Иван; 1 500 000", ("Иванов", "1 500 000", "1500000")


async def _team_of_three(stub: BotApiStub) -> None:
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, TEAM)
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    created = await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text or "")) == 2)
    _, member_code = LINK.findall(created.text or "")
    for user_id, name in ((IVAN, "Иван"), (PETR, "Пётр")):
        stub.add_user(user_id, name)
        await stub.send_text(user_id, f"/start {member_code}")
        await stub.wait_for(user_id, "менеджер")


def _make_due(process: BotProcess, kind: str) -> None:
    """As if the reminder's time had just come (the real clock cannot be moved for a real process)."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    with sqlite3.connect(process.db_path) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ? WHERE kind = ? AND state = 'active'", (to_db_time(due), kind)
        ).rowcount
    assert changed == 1


def _has_button(label: str) -> Callable[[SentMessage], bool]:
    return lambda m: any(label in text for text in m.button_texts)


def _binding(process: BotProcess) -> list[tuple[int, int]]:
    with sqlite3.connect(process.db_path) as db:
        return db.execute("SELECT chat_id, bound_by FROM team_groups").fetchall()


async def test_a_bound_group_receives_the_agenda_and_no_private_data(stub: BotApiStub, make_bot: MakeBot) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    await _team_of_three(stub)

    # Private data the group must never see: a personal plan (/plans) and the case review's personal reminders.
    await stub.send_text(HEAD, "/plans")
    await stub.wait_for(HEAD, "Личные планы менеджеров")
    await stub.send_text(HEAD, PLAN_LINE)
    await stub.wait_for(HEAD, "Сохранён 1 план")
    await stub.send_text(HEAD, "/cases")
    await stub.wait_for(HEAD, "статья 000")
    await stub.click_text(HEAD, "Настроить разбор")
    await stub.wait_for(HEAD, "В какой день")
    await stub.click_text(HEAD, "Чт")
    await stub.wait_for(HEAD, "Во сколько")
    await stub.click_text(HEAD, "15:00")
    await stub.wait_for(HEAD, "Как часто")
    await stub.click_text(HEAD, "Каждую неделю")
    await stub.wait_for(HEAD, "Не прислали: Иван, Пётр.")

    # The head adds the bot to the team's group; a member's bare /bind reaches it (it has spoken there) and is
    # refused without naming the team; the head's /bind@bot binds the group.
    stub.add_group(GROUP, "Продажи — общий чат", members=(IVAN, PETR))
    stub.set_member_status(GROUP, HEAD, "creator")
    await stub.add_bot_to_group(GROUP, HEAD)
    greeting = await stub.wait_for(GROUP, CONTENT.t("groups.added").splitlines()[-1])
    assert await stub.send_group_text(GROUP, PETR, "/bind") is not None
    refusal = await stub.wait_for(GROUP, CONTENT.t("groups.bind.not_head").split(".")[0])
    assert TEAM not in refusal.plain
    assert _binding(process) == []
    assert await stub.send_group_text(GROUP, HEAD, "/bind@rop_coach_bot") is not None
    bound = await stub.wait_for(GROUP, f"Группа привязана к команде «{TEAM}»")
    assert "Личные результаты и данные участников сюда не попадают" in bound.plain
    assert _binding(process) == [(GROUP, HEAD)]
    assert stub.request_count("getChatMember") >= 1  # the head's standing in the group was asked of Telegram

    # Иван sends a case; Пётр does not and gets the firm reminder; the agenda reminder reaches the head.
    _make_due(process, "case_nudge")
    nudges = {user_id: await stub.wait_for(user_id, _has_button(WRITE), timeout=15) for user_id in (IVAN, PETR)}
    await stub.click_text(IVAN, WRITE, message_id=nudges[IVAN].message_id)
    for number, answer in enumerate(ANSWERS, start=1):
        await stub.wait_for(IVAN, f"Вопрос {number} из 5")
        await stub.send_text(IVAN, answer)
    await stub.wait_for(IVAN, "Ваш кейс")
    await stub.click_text(IVAN, "Отправить кейс")
    await stub.wait_for(IVAN, "Кейс отправлен к разбору")
    _make_due(process, "case_escalation")
    await stub.wait_for(PETR, ESCALATED, timeout=15)
    _make_due(process, "case_agenda")
    reminder = await stub.wait_for(HEAD, _has_button(OPEN_AGENDA), timeout=15)
    assert "Не прислали: Пётр." in reminder.plain
    # With the head's agenda, the bound group gets its copy by itself.
    agenda = await stub.wait_for(GROUP, "Повестка разбора кейсов", timeout=15)

    # The head opens the agenda; «Отправить в группу» finds it sent already.
    await stub.click_text(HEAD, OPEN_AGENDA, message_id=reminder.message_id)
    screen = await stub.wait_for(HEAD, _has_button(TO_GROUP))
    assert "<b>1. Иван</b>" in (screen.text or "")  # the head's own copy names the author
    # The case goes out as written, answers included (bot/views/case_reviews.py: the team's material); the default
    # first question asks for the segment without the company's name, because the agenda may go to the group.
    assert "Как вернуть клиента?" in agenda.plain
    assert CONTENT.plural("cases.cases_count", 1) in agenda.plain
    assert CONTENT.plural("cases.missing_count", 1) in agenda.plain  # how many, not who
    assert agenda.markup == []  # nothing in the group for anyone to press
    query = await stub.click_text(HEAD, TO_GROUP)  # a second tap sends nothing more
    assert (await stub.wait_for_answer(query, timeout=5)).text == CONTENT.t("cases.group_already")

    # Everything the group received: the greeting, the refusal, the binding and the agenda — nothing private.
    posts = stub.messages(GROUP)
    assert [m.message_id for m in posts] == [m.message_id for m in (greeting, refusal, bound, agenda)]
    for post in posts:
        shown = post.plain
        assert not [name for name in NAMES if name in shown], shown  # no author, no one missing, not the head
        assert not [figure for figure in PLAN_FIGURES if figure in shown], shown  # nothing from /plans
        assert NUDGE not in shown and ESCALATED not in shown, shown  # no personal reminders
    # The members' private chats got their reminders; none of them went to the group.
    assert any(NUDGE in m.plain for m in stub.messages(PETR)) and any(ESCALATED in m.plain for m in stub.messages(PETR))
