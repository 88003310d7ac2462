"""Two uploads in a row: the second summary shows the change against the first (issue 9, «Period against period»)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Chat, Document, Message, Update

from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head

TEMPLATE = Path(__file__).resolve().parents[2] / "content" / "ru" / "export_template.csv"
FIRST = TEMPLATE.read_bytes()  # won 1 250 000 of 1 won + 1 lost; one active client
# One more won deal of 500 000 for a second client.
SECOND = (
    FIRST
    + "1004;Продление;500 000;Успешно реализовано;Петрова Анна;02.04.2026;25.04.2026;АО Вектор;Сайт;;Да\r\n".encode()
)
NB = "\u00a0"
MINUS = "\u2212"


class InProcessPool:
    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)


async def _send_export(tg: FakeTelegram, update_id: int) -> None:
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="crm", file_unique_id=f"crm{update_id}", file_name="сделки.csv", file_size=2000),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=update_id, message=message), analysis_pool=InProcessPool())


async def test_the_second_upload_shows_the_change_against_the_first(
    tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = iter((FIRST, SECOND))

    async def fake_download(file: str, destination: Path, **_: object) -> None:
        destination.write_bytes(next(files))  # noqa: ASYNC240  (a test double of the download)

    monkeypatch.setattr(tg.bot, "download", fake_download)
    recorded = tg.session.make_request

    async def bound_to_the_bot(bot: Bot, method: Any, timeout: int | None = None) -> Any:
        result = await recorded(bot, method, timeout)
        return result.as_(bot) if isinstance(result, Message) else result

    monkeypatch.setattr(tg.session, "make_request", bound_to_the_bot)
    await onboard_head(tg)
    title = "По сравнению с прошлой выгрузкой"

    await _send_export(tg, 901)
    first = tg.last_text(HEAD)
    assert "1 250 000".replace(" ", NB) in first
    assert title not in first  # the team's first upload: nothing to compare with

    await _send_export(tg, 902)
    second = tg.last_text(HEAD)
    assert second.startswith(first.split("\n")[0])  # the summary itself comes first
    block = second[second.index(f"<b>{title}") :].split("\n")
    assert re.fullmatch(rf"<b>{title} \(\d\d\.\d\d\.\d{{4}}\):</b>", block[0])
    # Worked out by hand: 1 750 000 - 1 250 000; 2/3 - 1/2 = 16,7 п. п.; 1 750 000 / 2 - 1 250 000; 2 - 1 clients.
    # The export does not say its currency: no ₽.
    assert block[1:] == [
        f"• Выручка по успешным сделкам: 1{NB}750{NB}000 (+500{NB}000)",
        f"• Конверсия в успешные: 67{NB}% (+17{NB}п.{NB}п.)",
        f"• Средний чек: 875{NB}000 ({MINUS}375{NB}000)",
        "• Активные клиенты: 2 (+1)",
    ]
