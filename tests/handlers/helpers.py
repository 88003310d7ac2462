from __future__ import annotations

import re

from tests.handlers.conftest import FakeTelegram

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
