from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiogram import Bot

from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.recording import RecordingSession

HEAD = 501
OWNER = 502
MEMBER = 503
STRANGER = 504

LINK = re.compile(r"https://t\.me/rop_coach_bot\?start=([A-Za-z0-9_-]+)")


async def onboard_head(tg: FakeTelegram, user_id: int = HEAD, team: str = "Альфа") -> tuple[str, str]:
    """Head creates a team; returns the (owner, member) invite codes taken from the bot's message."""
    await tg.send(user_id, "/start")
    await tg.tap(user_id, tg.button(user_id, tg.content.t("start.role_buttons.head")))
    await tg.send(user_id, team)
    await tg.tap(user_id, tg.button(user_id, "Москва"))
    codes = LINK.findall(tg.last_text(user_id))
    assert len(codes) == 2, tg.last_text(user_id)
    return codes[0], codes[1]


@dataclass
class RecordingEngine:
    """Stands in for the reminder engine: remembers the moments it was asked to wake up at."""

    woken: list[datetime] = field(default_factory=list)

    def wake_at(self, moment: datetime) -> None:
        self.woken.append(moment)


def telegram_on(
    store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine | None = None
) -> FakeTelegram:
    """The real Dispatcher on `clock`, waking `engine`; the test's fixture closes `dispatcher.storage` after it."""
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock, reminder_engine=engine or RecordingEngine())
    return FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
