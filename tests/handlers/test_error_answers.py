"""How failures reach the person: one answer per tap, nothing more for a chat that is gone, names refused politely."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.callbacks import MenuCb, ReportCb, SettingsCb
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head
from tests.handlers.recording import RecordingSession

GONE = 7401


class BlockedBy(RecordingSession):
    """Every message to these chats is refused with 403, as Telegram does once a person blocks the bot."""

    def __init__(self, *chat_ids: int) -> None:
        super().__init__()
        self.blocked = set(chat_ids)

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, SendMessage | EditMessageText) and method.chat_id in self.blocked:
            self.requests.append(method)
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked by the user")
        return await super().make_request(bot, method, timeout)


def _since(tg: FakeTelegram, start: int) -> list[TelegramMethod[Any]]:
    return tg.session.requests[start:]


async def test_a_domain_error_on_a_tap_is_one_answer_the_alert(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    start = len(tg.session.requests)
    await tg.tap(MEMBER, SettingsCb(action="rename").pack())  # only the head may rename the team
    answers = [r for r in _since(tg, start) if isinstance(r, AnswerCallbackQuery)]
    assert [(a.text, a.show_alert) for a in answers] == [(tg.content.t("errors.access_denied_for.member"), True)]


async def test_a_tap_that_works_is_answered_once(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/start")
    start = len(tg.session.requests)
    await tg.tap(HEAD, MenuCb(action="menu").pack())
    assert sum(isinstance(r, AnswerCallbackQuery) for r in _since(tg, start)) == 1


async def test_a_tap_answered_before_its_work_tells_a_failure_in_the_chat(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    start = len(tg.session.requests)
    await tg.tap(HEAD, ReportCb(snapshot=999).pack())  # answered first (slow work); no such report
    requests = _since(tg, start)
    assert [type(r) for r in requests] == [AnswerCallbackQuery, SendMessage]
    assert requests[1].text == tg.content.t("errors.not_found")  # type: ignore[attr-defined]


async def test_an_unexpected_error_on_a_tap_is_one_answer(tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    await tg.send(HEAD, "/start")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("handlers.settings.settings_screen", broken)
    start = len(tg.session.requests)
    await tg.tap(HEAD, MenuCb(action="settings").pack())
    answers = [r for r in _since(tg, start) if isinstance(r, AnswerCallbackQuery)]
    assert [(a.text, a.show_alert) for a in answers] == [(tg.content.t("errors.generic"), True)]


async def test_a_person_who_blocked_the_bot_gets_one_try_not_two(
    tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = BlockedBy(GONE)
    tg.bot.session = tg.session = blocked
    with caplog.at_level(logging.WARNING):
        await tg.send(GONE, "/start")
        await tg.send(GONE, "/menu")
    sends = [r for r in blocked.requests if isinstance(r, SendMessage | EditMessageText)]
    assert len(sends) == 2  # one per update: the error handler does not write again
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert any("the chat is gone" in r.getMessage() for r in caplog.records)


async def test_a_tap_of_a_person_who_blocked_the_bot_is_not_followed_by_more_sends(tg: FakeTelegram) -> None:
    await tg.send(GONE, "/start")
    blocked = BlockedBy(GONE)
    tg.bot.session = tg.session = blocked
    await tg.tap(GONE, MenuCb(action="settings").pack())
    assert sum(isinstance(r, SendMessage | EditMessageText) for r in blocked.requests) == 1


# --- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\u200b\u200b", "Альфа\u202e", "Аль\x00фа", "\u3164"])
async def test_an_unreadable_team_name_is_refused_and_asked_again(tg: FakeTelegram, name: str) -> None:
    await tg.send(HEAD, "/start")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("start.role_buttons.head")))
    await tg.send(HEAD, name)
    assert tg.last_text(HEAD) == tg.content.t("errors.name_unreadable")
    await tg.send(HEAD, "  Альфа  ")  # still waiting for the name
    await tg.tap(HEAD, tg.button(HEAD, "Москва"))
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    assert (await tg.store.teams.get_for(HEAD, membership.team_id)).name == "Альфа"


async def test_a_too_long_team_name_is_refused_with_the_limit(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/start")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("start.role_buttons.head")))
    await tg.send(HEAD, "Я" * 65)
    assert tg.last_text(HEAD) == "Нужно от 1 символа до 64 символов. Напишите ещё раз."  # 64: «many»


async def test_an_unreadable_display_name_or_team_rename_changes_nothing(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.tap(HEAD, SettingsCb(action="name").pack())
    await tg.send(HEAD, "\u2066\u200b\u2069")
    assert tg.last_text(HEAD) == tg.content.t("errors.name_unreadable")
    user = await tg.store.users.get(HEAD)
    assert user is not None and user.display_name == "Анна"
    await tg.send(HEAD, "Ирина")  # the question stands
    user = await tg.store.users.get(HEAD)
    assert user is not None and user.display_name == "Ирина"

    await tg.tap(HEAD, SettingsCb(action="rename").pack())
    await tg.send(HEAD, "Гамма\x00")
    assert tg.last_text(HEAD) == tg.content.t("errors.name_unreadable")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    assert (await tg.store.teams.get_for(HEAD, membership.team_id)).name == "Альфа"


class ExpiredQueries(RecordingSession):
    """Every tap arrives too late to be answered (a backlog after a restart): Telegram refuses the answer."""

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, AnswerCallbackQuery):
            self.requests.append(method)
            raise TelegramBadRequest(
                method=method, message="Bad Request: query is too old and response timeout expired"
            )
        return await super().make_request(bot, method, timeout)


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (MenuCb(action="settings").pack(), "settings.title"),  # answered after its work
        (ReportCb(snapshot=999).pack(), "errors.not_found"),  # answered before its work (flag "pre"), which fails
    ],
)
async def test_a_tap_too_old_to_answer_still_does_its_work(
    tg: FakeTelegram, data: str, shown: str, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard_head(tg)
    expired = ExpiredQueries()
    tg.bot.session = tg.session = expired
    with caplog.at_level(logging.WARNING):
        await tg.tap(HEAD, data)
    texts = [r.text or "" for r in expired.requests if isinstance(r, SendMessage | EditMessageText)]
    assert len(texts) == 1 and texts[0].startswith(tg.content.t(shown)), texts
    assert sum(isinstance(r, AnswerCallbackQuery) for r in expired.requests) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
