"""The real bot process against the Bot API stand-in: the walking skeleton's user journeys."""

from __future__ import annotations

import re

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

HEAD, OWNER, MEMBER = 9001, 9002, 9003
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
CONTENT = load_content("ru")


async def _onboard(stub: BotApiStub, typed_zone: str | None = None) -> tuple[str, str]:
    stub.add_user(HEAD, "Ирина", username="irina_rop")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    query = await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    assert (await stub.wait_for_answer(query)).latency < 1.0
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Отдел «Север» & Co")
    await stub.wait_for(HEAD, "часовом поясе")
    if typed_zone is None:
        await stub.click_text(HEAD, "Москва")
    else:
        await stub.send_text(HEAD, typed_zone)
    created = await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text)) == 2)
    assert "Отдел «Север» &amp; Co" in created.text  # user text is escaped in HTML
    owner_code, member_code = LINK.findall(created.text)
    return owner_code, member_code


def _chat_commands(stub: BotApiStub, chat_id: int) -> list[str]:
    """The command menu the bot set for one person's chat (Telegram's BotCommandScopeChat)."""
    key = (str(sorted({"type": "chat", "chat_id": chat_id}.items())), "")
    return [command for command, _ in stub.state.commands_by_scope.get(key, [])]


async def _answer_all(stub: BotApiStub, count: int, label: str) -> None:
    for number in range(1, count + 1):
        await stub.wait_for(HEAD, f"Вопрос {number} из {count}")
        query = await stub.click_text(HEAD, label)
        assert (await stub.wait_for_answer(query)).latency < 1.0


async def test_onboarding_invites_full_checklist_and_result(stub: BotApiStub, bot_process: BotProcess) -> None:
    assert dict(stub.commands) == {name: CONTENT.t(f"commands.{name}") for name in ("start", "menu", "help")}
    owner_code, member_code = await _onboard(stub)

    stub.add_user(OWNER, "Олег")
    await stub.send_text(OWNER, f"/start {owner_code}")
    await stub.wait_for(OWNER, "собственник")
    stub.add_user(MEMBER, "Мария")
    await stub.send_text(MEMBER, f"/start {member_code}")
    await stub.wait_for(MEMBER, "менеджер")
    await stub.send_text(MEMBER, "/checklists")
    await stub.wait_for(MEMBER, CONTENT.t("errors.access_denied_for.member"))
    # Each chat's command menu is its role's (the member's updates are handled in order: joining came first).
    assert "checklists" not in _chat_commands(stub, MEMBER) and "learn" in _chat_commands(stub, MEMBER)

    arch = CONTENT.checklist("arch")
    await stub.send_text(HEAD, "/checklists")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, arch.short_title)
    await stub.wait_for(HEAD, "Результат видите только вы")
    await stub.click_text(HEAD, CONTENT.t("checklists.buttons.start"))
    await _answer_all(stub, len(arch.items), "Нет")
    result = await stub.wait_for(HEAD, "из 100")
    assert "checklists" in _chat_commands(stub, HEAD)
    assert "0 из 100" in result.plain
    # The seed's rule: "no" to two or more of the five questions -> rebuild the management architecture.
    assert "Срочно пересмотреть архитектуру управления" in result.plain

    await stub.send_text(HEAD, "просто текст")
    await stub.wait_for(HEAD, CONTENT.t("help.unknown"))


async def test_killed_mid_checklist_resumes_at_the_same_question(stub: BotApiStub, bot_process: BotProcess) -> None:
    await _onboard(stub, typed_zone="Новосибирск")  # a city typed, not tapped: the zone is shown in Russian
    created = stub.last_message(HEAD)
    assert "Новосибирск (UTC+7)" in created.plain and "Asia/" not in created.plain
    six = CONTENT.checklist("six")
    total = len(six.items)
    await stub.send_text(HEAD, "/checklists")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, six.short_title)
    await stub.wait_for(HEAD, "Результат видите только вы")
    await stub.click_text(HEAD, CONTENT.t("checklists.buttons.start"))
    for number in (1, 2, 3):
        await stub.wait_for(HEAD, f"Вопрос {number} из {total}")
        await stub.click_text(HEAD, "Да")
    await stub.wait_for(HEAD, f"Вопрос 4 из {total}")

    await bot_process.kill()
    await bot_process.restart()

    # The very message on screen still works after the restart: the run goes on at question 4.
    await stub.click_text(HEAD, "Частично")
    await stub.wait_for(HEAD, f"Вопрос 5 из {total}")

    # A button of an already answered question (e.g. a double tap) gets a polite answer, not a second answer.
    current = stub.last_message(HEAD)
    run_id = next(data.split(":")[1] for _, data in current.markup[0] if data and data.startswith("a:"))
    query = await stub.click_raw(HEAD, current.message_id, f"a:{run_id}:0:0")
    answer = await stub.wait_for_answer(query)
    assert answer.text == CONTENT.t("checklists.stale_question", number=5, total=total)

    # A double tap on an answer: recorded once, and exactly one copy of the next question (a toast for the second).
    data = current.data_for("Да")
    first = await stub.click(HEAD, current.message_id, data)
    second = await stub.click_raw(HEAD, current.message_id, data)  # the phone still showed the old keyboard
    await stub.wait_for_answer(first)
    assert (await stub.wait_for_answer(second)).text == CONTENT.t("checklists.stale_question", number=6, total=total)
    await stub.wait_for(HEAD, f"Вопрос 6 из {total}")
    assert sum(f"Вопрос 6 из {total}" in message.plain for message in stub.messages(HEAD)) == 1
    assert sum(1 for message in stub.messages(HEAD) if any(d.startswith("a:") for d in message.callback_data)) == 1

    # Put off: /checklists shows the run as unfinished, with where it goes on.
    await stub.click_text(HEAD, CONTENT.t("checklists.buttons.later"))
    await stub.wait_for(HEAD, "Сохранено")
    await stub.send_text(HEAD, "/checklists")
    listing = await stub.wait_for(HEAD, "Продолжить с вопроса 6")
    assert CONTENT.t("checklists.buttons.unfinished", title=six.short_title, number=6) in listing.button_texts
