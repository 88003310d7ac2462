from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendDocument, SendMediaGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Chat, Document, Message, Update

from analytics.engine import analyze
from analytics.schema import Field
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head

TEMPLATE = Path(__file__).resolve().parents[2] / "content" / "ru" / "export_template.csv"


async def test_template_is_sent_and_understood_by_the_engine(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/template")
    sent = [r for r in tg.session.requests if isinstance(r, SendDocument)]
    assert len(sent) == 1
    document = sent[0].document
    assert isinstance(document, BufferedInputFile)
    assert document.data == TEMPLATE.read_bytes()
    result = analyze(document.data, document.filename)
    mapping = result.recognition.mapping
    for field in (Field.AMOUNT, Field.STAGE, Field.MANAGER, Field.CREATED, Field.CLOSED, Field.CLIENT):
        assert field in mapping, field
    assert result.recognition.ambiguous == ()
    assert (result.metrics.deals.won, result.metrics.deals.lost, result.metrics.deals.open) == (1, 1, 1)
    assert result.metrics.won_revenue == 1_250_000


async def test_upload_prompt_is_for_the_head_only(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(HEAD, "/upload")
    assert "/template" in tg.last_text(HEAD)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/upload")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")


async def test_file_over_the_limit_is_refused_before_download(tg: FakeTelegram) -> None:
    from aiogram.methods import GetFile

    await onboard_head(tg)
    message = Message(
        message_id=5,
        date=datetime.now(UTC),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="big", file_unique_id="big", file_name="crm.csv", file_size=30 * 1024 * 1024),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=777, message=message), analysis_pool=object())
    assert tg.last_text(HEAD) == tg.content.t("exports.too_large", limit=20)
    assert not any(isinstance(r, GetFile) for r in tg.session.requests)


AMBIGUOUS = (
    "Сделка;Этап сделки;Менеджер;Показатель А;Показатель Б;Дата создания\r\n"
    "Поставка 1;Успешно реализовано;Иванов;120 000;15 000;01.03.2026\r\n"
    "Поставка 2;Закрыто и не реализовано;Петров;80 000;9 000;05.03.2026\r\n"
    "Поставка 4;Успешно реализовано;Петров;200 000;30 000;12.03.2026\r\n"
).encode()


class CountingPool:
    """The engine in this process; counts how often the bot asks for an analysis."""

    def __init__(self) -> None:
        self.calls = 0

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return fn(*args, **kwargs)


async def _send_export(tg: FakeTelegram, pool: CountingPool, update_id: int) -> None:
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="crm", file_unique_id="crm", file_name="сделки.csv", file_size=len(AMBIGUOUS)),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=update_id, message=message), analysis_pool=pool)


async def test_column_is_asked_once_then_the_same_layout_is_analysed_in_one_call(
    tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fake_download(file: str, destination: Path, **_: object) -> None:
        destination.write_bytes(AMBIGUOUS)  # noqa: ASYNC240  (a test double of the download)

    monkeypatch.setattr(tg.bot, "download", fake_download)
    recorded = tg.session.make_request

    async def bound_to_the_bot(bot: Bot, method: Any, timeout: int | None = None) -> Any:
        """The progress message is edited later: like Telegram's answers, it must know its bot."""
        result = await recorded(bot, method, timeout)
        return result.as_(bot) if isinstance(result, Message) else result

    monkeypatch.setattr(tg.session, "make_request", bound_to_the_bot)
    await onboard_head(tg)
    pool = CountingPool()
    report = tg.content.t("exports.report_button")

    await _send_export(tg, pool, 801)
    assert pool.calls == 1
    choice = tg.button(HEAD, "Показатель А")
    assert tg.content.t("exports.no_such_column") in [text for text, _ in tg.buttons(HEAD)]

    tap = CallbackQuery(
        id="tap",
        from_user=tg.user(HEAD),
        chat_instance="ci",
        message=Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=HEAD, type="private"), text="…"),
        data=choice,
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=802, callback_query=tap), analysis_pool=pool)
    assert pool.calls == 2
    assert "320\u00a0000" in tg.last_text(HEAD) and tg.button(HEAD, report)

    await _send_export(tg, pool, 803)  # the same columns again: no question, one analysis
    assert pool.calls == 3
    assert "320\u00a0000" in tg.last_text(HEAD) and tg.button(HEAD, report)
    photos = [r for r in tg.session.requests if isinstance(r, SendMediaGroup)]
    assert len(photos) == 2  # the charts of both analysed uploads
