"""The stand-in against aiogram's real client: requests, answers and errors as Telegram gives them."""

from __future__ import annotations

import asyncio
import io
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
)

from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from tests.e2e.conftest import MakeBot

USER = 100001
GROUP = -100200300
ADMIN = 100002
# A PNG header is enough for the stand-in's width and height.
PNG_3X2 = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x03\x00\x00\x00\x02\x08\x02\x00\x00\x00"


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows]
    )


def make_bot(url: str, token: str = TEST_TOKEN, html: bool = False) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(url))
    default = DefaultBotProperties(parse_mode="HTML") if html else DefaultBotProperties()
    return Bot(token, session=session, default=default)


@pytest.fixture
async def tg(stub: BotApiStub) -> AsyncIterator[Bot]:
    stub.add_user(USER, "Демо", username="demo")
    bot = make_bot(stub.base_url, html=True)
    yield bot
    await bot.session.close()


async def test_get_me_is_the_coach_bot(tg: Bot) -> None:
    me = await tg.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "rop_coach_bot", True)
    chat = await tg.get_chat(USER)
    assert (chat.id, chat.type, chat.first_name, chat.username) == (USER, "private", "Демо", "demo")


async def test_send_message_is_stored_with_markup(tg: Bot, stub: BotApiStub) -> None:
    kb = keyboard([("Да", "yes"), ("Нет", "no")], [("Позже", "later")])
    sent = await tg.send_message(USER, "<b>Привет</b> &amp; добро", reply_markup=kb)
    assert (sent.message_id, sent.chat.id, sent.text) == (1, USER, "Привет & добро")
    assert sent.from_user is not None and sent.from_user.id == 7000000001
    stored = stub.last_message(USER)
    assert (stored.text, stored.parse_mode, stored.plain) == ("<b>Привет</b> &amp; добро", "HTML", "Привет & добро")
    assert stored.markup == [[("Да", "yes"), ("Нет", "no")], [("Позже", "later")]]
    assert stored.data_for("Поз") == "later"
    second = await tg.send_message(USER, "ещё")
    assert second.message_id == 2
    assert [m.message_id for m in stub.messages(USER)] == [1, 2]


async def test_edit_text_and_not_modified(tg: Bot, stub: BotApiStub) -> None:
    sent = await tg.send_message(USER, "one", reply_markup=keyboard([("A", "a")]))
    await tg.edit_message_text("two", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("A", "a")]))
    stored = stub.last_message(USER)
    assert (stored.text, stored.edit_count, stored.markup) == ("two", 1, [[("A", "a")]])
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await tg.edit_message_text("two", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("A", "a")]))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await tg.edit_message_text("x", chat_id=USER, message_id=99)
    # Without reply_markup Telegram drops the inline keyboard.
    await tg.edit_message_text("three", chat_id=USER, message_id=sent.message_id)
    assert stub.last_message(USER).markup == []
    await tg.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("B", "b")]))
    assert stub.last_message(USER).markup == [[("B", "b")]]
    await tg.delete_message(USER, sent.message_id)
    assert stub.messages(USER) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await tg.delete_message(USER, sent.message_id)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", "can't parse entities"),
        ("<b>bold", "can't parse entities"),
        ("<div>x</div>", "Unsupported start tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("", "message text is empty"),
        ("я" * 4097, "message is too long"),
    ],
)
async def test_bad_texts_are_refused_as_telegram_does(tg: Bot, text: str, error: str) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await tg.send_message(USER, text)


async def test_long_callback_data_is_refused(tg: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await tg.send_message(USER, "x", reply_markup=keyboard([("Кнопка", "д" * 33)]))  # 66 bytes


async def test_document_upload_and_download_back(tg: Bot, stub: BotApiStub) -> None:
    data = "месяц;выручка\nянварь;100\n".encode("cp1251")
    sent = await tg.send_document(
        USER, BufferedInputFile(data, "report.csv"), caption="<i>Отчёт</i>", reply_markup=keyboard([("Ок", "ok")])
    )
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.caption == "Отчёт"
    stored = stub.last_message(USER)
    assert (stored.plain, stored.markup) == ("Отчёт", [[("Ок", "ok")]])
    assert stored.document is not None and (stored.document.filename, stored.document.data) == ("report.csv", data)
    file = await tg.get_file(sent.document.file_id)
    assert file.file_size == len(data) and file.file_path is not None
    buffer = io.BytesIO()
    await tg.download_file(file.file_path, destination=buffer)
    assert buffer.getvalue() == data


async def test_media_group_of_two_documents(tg: Bot, stub: BotApiStub) -> None:
    sent = await tg.send_media_group(
        USER,
        [
            InputMediaDocument(media=BufferedInputFile(b"one", "a.csv")),
            InputMediaDocument(media=BufferedInputFile(b"two", "b.csv"), caption="Два файла"),
        ],
    )
    assert [m.document.file_name for m in sent if m.document] == ["a.csv", "b.csv"]
    assert [(m.document.data if m.document else None, m.plain) for m in stub.messages(USER)] == [
        (b"one", ""),
        (b"two", "Два файла"),
    ]


async def test_photo_has_png_dimensions(tg: Bot, stub: BotApiStub) -> None:
    sent = await tg.send_photo(USER, BufferedInputFile(PNG_3X2, "chart.png"))
    assert sent.photo is not None and (sent.photo[-1].width, sent.photo[-1].height) == (3, 2)
    assert stub.last_message(USER).photo is not None


async def test_long_polling_delivers_text_and_callback(tg: Bot, stub: BotApiStub) -> None:
    sent = await tg.send_message(USER, "Выберите", reply_markup=keyboard([("Да", "yes")]))
    poll = asyncio.create_task(tg.get_updates(offset=0, timeout=1))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await stub.send_text(USER, "/start ABC-123")
    updates = await poll
    assert time.monotonic() - started < 0.5  # answered on arrival, not at the timeout
    assert len(updates) == 1 and updates[0].message is not None
    message = updates[0].message
    assert (message.text, message.chat.id, message.from_user and message.from_user.id) == (
        "/start ABC-123",
        USER,
        USER,
    )
    assert message.entities is not None and message.entities[0].type == "bot_command"
    query_id = await stub.click(USER, sent.message_id, "yes")
    updates = await tg.get_updates(offset=updates[0].update_id + 1, timeout=1)
    assert len(updates) == 1 and updates[0].callback_query is not None
    query = updates[0].callback_query
    assert (query.id, query.data, query.message and query.message.message_id) == (query_id, "yes", sent.message_id)
    await tg.answer_callback_query(query.id, text="Готово")
    answer = await stub.wait_for_answer(query_id)
    assert answer.text == "Готово" and answer.latency < 1.0
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await tg.answer_callback_query(query.id)  # a query is answered once


async def test_updates_stay_until_confirmed_and_poll_times_out(tg: Bot, stub: BotApiStub) -> None:
    await stub.send_text(USER, "раз")
    await stub.send_text(USER, "два")
    first = await tg.get_updates(timeout=0)
    again = await tg.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["раз", "два"]
    assert [u.update_id for u in again] == [u.update_id for u in first]
    started = time.monotonic()
    assert await tg.get_updates(offset=first[-1].update_id + 1, timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 3


async def test_user_document_can_be_fetched_by_the_bot(tg: Bot, stub: BotApiStub) -> None:
    await stub.send_document(USER, "deals.xlsx", b"PK\x03\x04 fake")
    [update] = await tg.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert (document.file_name, document.file_size) == ("deals.xlsx", 9)  # 4 signature bytes + " fake"
    file = await tg.get_file(document.file_id)
    buffer = io.BytesIO()
    assert file.file_path is not None
    await tg.download_file(file.file_path, destination=buffer)
    assert buffer.getvalue() == b"PK\x03\x04 fake"


@pytest.mark.parametrize(("local_mode", "refused"), [(False, True), (True, False)])
async def test_get_file_over_20_mb(local_mode: bool, refused: bool) -> None:
    async with BotApiStub(local_mode=local_mode) as api:
        api.add_user(USER, "Демо")
        await api.send_document(USER, "big.csv", b"0" * (20 * 1024 * 1024 + 1))
        bot = make_bot(api.base_url)
        try:
            [update] = await bot.get_updates(timeout=0)
            assert update.message is not None and update.message.document is not None
            if refused:
                with pytest.raises(TelegramBadRequest, match="file is too big"):
                    await bot.get_file(update.message.document.file_id)
            else:
                assert (await bot.get_file(update.message.document.file_id)).file_size == 20 * 1024 * 1024 + 1
        finally:
            await bot.session.close()


async def test_local_mode_serves_an_absolute_path_for_is_local_bots(tmp_path: Path) -> None:
    async with BotApiStub(local_mode=True, files_dir=tmp_path / "server") as api:
        api.add_user(USER, "Демо")
        await api.send_document(USER, "deals.csv", b"id;sum\n1;10\n")
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url, is_local=True))
        bot = Bot(TEST_TOKEN, session=session)
        try:
            [update] = await bot.get_updates(timeout=0)
            assert update.message is not None and update.message.document is not None
            file = await bot.get_file(update.message.document.file_id)
            assert file.file_path is not None and Path(file.file_path).is_absolute()
            buffer = io.BytesIO()
            await bot.download_file(file.file_path, destination=buffer)
            assert buffer.getvalue() == b"id;sum\n1;10\n"
        finally:
            await bot.session.close()


async def test_fault_429_then_success(tg: Bot, stub: BotApiStub) -> None:
    stub.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await tg.send_message(USER, "x")
    assert caught.value.retry_after == 3
    assert (await tg.send_message(USER, "x")).message_id == 1
    assert stub.requests.count("sendMessage") == 2


async def test_fault_403_and_blocked_user(tg: Bot, stub: BotApiStub) -> None:
    stub.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", times=2)
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError):
            await tg.send_message(USER, "x")
    await stub.block_user(USER)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await tg.send_message(USER, "x")
    [update] = await tg.get_updates(timeout=0)
    assert update.my_chat_member is not None and update.my_chat_member.new_chat_member.status == "kicked"


async def test_wrong_token_is_unauthorized(stub: BotApiStub) -> None:
    bot = make_bot(stub.base_url, token="654321:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()


async def test_raw_json_form_and_unknown_method(stub: BotApiStub) -> None:
    stub.add_user(USER, "Демо")
    base = f"{stub.base_url}/bot{TEST_TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "rop_coach_bot"
        async with http.post(f"{base}/sendMessage", json={"chat_id": USER, "text": "42"}) as resp:
            assert (await resp.json())["result"]["text"] == "42"
        async with http.post(f"{base}/sendMessage", data={"chat_id": str(USER), "text": "7"}) as resp:
            assert (await resp.json())["result"]["text"] == "7"  # a numeric text stays text
        async with http.post(f"{base}/sendMessage", json={"chat_id": 5, "text": "x"}) as resp:
            assert (resp.status, (await resp.json())["description"]) == (400, "Bad Request: chat not found")
        async with http.post(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_commands_and_descriptions(tg: Bot, stub: BotApiStub) -> None:
    await tg.set_my_commands([BotCommand(command="start", description="Начать")])
    await tg.set_my_description("Описание")
    await tg.set_my_short_description("Коротко")
    assert stub.commands == [("start", "Начать")]
    assert [(c.command, c.description) for c in await tg.get_my_commands()] == [("start", "Начать")]
    assert (await tg.get_my_short_description()).short_description == "Коротко"


async def test_click_checks_the_buttons_and_old_queries_expire(tg: Bot) -> None:
    async with BotApiStub(callback_ttl=0.05) as api:
        api.add_user(USER, "Демо")
        bot = make_bot(api.base_url)
        try:
            sent = await bot.send_message(USER, "x", reply_markup=keyboard([("A", "a")]))
            with pytest.raises(AssertionError, match="no button with data 'b'"):
                await api.click(USER, sent.message_id, "b")
            query_id = await api.click_raw(USER, sent.message_id, "b")  # forged data still arrives
            await asyncio.sleep(0.1)
            with pytest.raises(TelegramBadRequest, match="query is too old"):
                await bot.answer_callback_query(query_id)
        finally:
            await bot.session.close()


async def test_wait_for_sees_edits_and_reports_the_transcript(tg: Bot, stub: BotApiStub) -> None:
    sent = await tg.send_message(USER, "Считаю…")
    await stub.send_text(USER, "ping")

    async def later() -> None:
        await asyncio.sleep(0.05)
        await tg.edit_message_text("Готово: 3 сделки", chat_id=USER, message_id=sent.message_id)

    task = asyncio.create_task(later())
    found = await stub.wait_for(USER, "Готово", timeout=2)
    await task
    assert (found.message_id, found.edit_count) == (sent.message_id, 1)
    with pytest.raises(AssertionError, match=r"(?s)no bot message.*bot #1 \(edited\): Готово.*user #2: ping"):
        await stub.wait_for(USER, lambda m: "нет такого" in m.plain, timeout=0.1)


ECHO_BOT = """
import asyncio, os
from pathlib import Path
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

async def main() -> None:
    db = Path(os.environ["DATABASE_PATH"])
    starts = int(db.read_text()) + 1 if db.exists() else 1
    db.write_text(str(starts))
    bot = Bot(os.environ["BOT_TOKEN"],
              session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])))
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        kb = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Again", callback_data="again")]])
        await message.answer(f"echo {message.text} (start {starts})", reply_markup=kb)

    @dp.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        await query.answer("ok")
        await query.message.edit_text(query.message.text + " again")

    print("echo bot up", flush=True)
    await dp.start_polling(bot, polling_timeout=1)

asyncio.run(main())
"""


async def test_a_group_the_bot_is_added_to_gets_commands_to_it_and_keeps_its_posts(tg: Bot, stub: BotApiStub) -> None:
    stub.add_user(ADMIN, "Анна")
    stub.add_group(GROUP, "Отдел продаж", members=(USER,), admins=(ADMIN,))
    with pytest.raises(TelegramForbiddenError, match="not a member of the group chat"):
        await tg.send_message(GROUP, "x")  # not added yet
    assert await stub.send_group_text(GROUP, USER, "/bind@rop_coach_bot") is None  # nor does it hear anything

    await stub.add_bot_to_group(GROUP, ADMIN)
    [added] = await tg.get_updates(timeout=0)
    member = added.my_chat_member
    assert member is not None and (member.chat.id, member.chat.type, member.chat.title) == (
        GROUP,
        "group",
        "Отдел продаж",
    )
    assert member.from_user.id == ADMIN
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("left", "member")
    assert member.new_chat_member.user.id == 7000000001

    # Privacy mode: only commands to this bot, and bare commands after it has spoken there.
    assert await stub.send_group_text(GROUP, USER, "Всем привет") is None
    assert await stub.send_group_text(GROUP, USER, "/bind@other_bot") is None
    assert await stub.send_group_text(GROUP, USER, "/bind") is None  # the bot has not spoken here yet
    command_id = await stub.send_group_text(GROUP, USER, "/bind@rop_coach_bot")
    assert command_id is not None
    updates = await tg.get_updates(offset=added.update_id + 1, timeout=0)
    assert len(updates) == 1 and updates[0].message is not None
    message = updates[0].message
    assert (message.message_id, message.chat.id, message.chat.type, message.text) == (
        command_id,
        GROUP,
        "group",
        "/bind@rop_coach_bot",
    )
    assert message.from_user is not None and message.from_user.id == USER
    assert message.entities is not None and (message.entities[0].type, message.entities[0].length) == (
        "bot_command",
        len("/bind@rop_coach_bot"),
    )

    sent = await tg.send_message(GROUP, "Группа <b>привязана</b>")
    assert (sent.chat.id, sent.chat.type, sent.chat.title) == (GROUP, "group", "Отдел продаж")
    assert [m.plain for m in stub.messages(GROUP)] == ["Группа привязана"]
    assert stub.messages(USER) == []  # the group's posts are the group's, not its people's
    assert (await stub.wait_for(GROUP, "привязана")).message_id == sent.message_id
    assert await stub.send_group_text(GROUP, USER, "/help") is not None  # it has spoken: a bare command reaches it
    assert "(Демо): /help" in stub.transcript(GROUP) and "(Демо): Всем привет" in stub.transcript(GROUP)
    chat = await tg.get_chat(GROUP)
    assert (chat.id, chat.type, chat.title) == (GROUP, "group", "Отдел продаж")


async def test_get_chat_member_answers_the_status_in_the_group(tg: Bot, stub: BotApiStub) -> None:
    stub.add_user(ADMIN, "Анна")
    stub.add_group(GROUP, "Отдел продаж", members=(USER,), admins=(ADMIN,), kind="supergroup")
    stub.add_user(ADMIN + 1, "Олег")
    stub.set_member_status(GROUP, ADMIN + 1, "creator")
    assert (await tg.get_chat_member(GROUP, ADMIN)).status == "administrator"
    assert (await tg.get_chat_member(GROUP, ADMIN + 1)).status == "creator"
    assert (await tg.get_chat_member(GROUP, USER)).status == "member"
    assert (await tg.get_chat_member(GROUP, 7000000001)).status == "left"
    await stub.add_bot_to_group(GROUP, ADMIN)
    assert (await tg.get_chat_member(GROUP, 7000000001)).status == "member"
    stub.set_member_status(GROUP, USER, "left")
    member = await tg.get_chat_member(GROUP, USER)
    assert (member.status, member.user.first_name) == ("left", "Демо")
    assert (await tg.get_chat_member(USER, USER)).status == "member"  # a private chat's person
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await tg.get_chat_member(GROUP, 999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await tg.get_chat_member(-5, USER)


async def test_a_bot_removed_from_the_group_is_told_and_cannot_post(tg: Bot, stub: BotApiStub) -> None:
    stub.add_user(ADMIN, "Анна")
    stub.add_group(GROUP, "Отдел продаж", admins=(ADMIN,), kind="supergroup")
    await stub.add_bot_to_group(GROUP, ADMIN)
    await tg.send_message(GROUP, "Повестка")
    await stub.remove_bot_from_group(GROUP, ADMIN)
    updates = await tg.get_updates(timeout=0)
    removed = updates[-1].my_chat_member
    assert removed is not None and removed.chat.type == "supergroup"
    assert (removed.old_chat_member.status, removed.new_chat_member.status) == ("member", "left")
    with pytest.raises(TelegramForbiddenError, match="not a member of the supergroup chat"):
        await tg.send_message(GROUP, "Ещё")
    assert await stub.send_group_text(GROUP, ADMIN, "/bind@rop_coach_bot") is None
    with pytest.raises(AssertionError, match="call add_group first"):
        await stub.send_group_text(-1, ADMIN, "/bind")


@pytest.mark.e2e
async def test_harness_runs_kills_and_restarts_a_bot(make_bot: MakeBot, stub: BotApiStub, tmp_path: Path) -> None:
    script = tmp_path / "echo_bot.py"
    script.write_text(ECHO_BOT)
    stub.add_user(USER, "Демо")
    bot = make_bot(argv=[sys.executable, str(script)])
    await bot.start()
    await stub.send_text(USER, "hi")
    reply = await stub.wait_for(USER, "echo hi (start 1)")
    query_id = await stub.click(USER, reply.message_id, "again")
    assert (await stub.wait_for_answer(query_id, timeout=1.0)).text == "ok"
    await stub.wait_for(USER, "echo hi (start 1) again")
    await bot.restart()  # SIGKILL, then the same "database"
    await stub.send_text(USER, "back")
    await stub.wait_for(USER, "echo back (start 2)")
    assert "echo bot up" in bot.output()
    assert await bot.stop() == 0  # SIGTERM ends polling cleanly
