"""What Telegram must hear after a membership changed: the person's command menu, and a removed member's notice.

Handlers call these after the change is saved. Nothing here raises into the caller's flow: a refusal (403, chat not
found) or a network failure is recorded by the delivery middleware (bot/delivery.py) and logged.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot.commands import sync_commands
from content import Content

if TYPE_CHECKING:
    from storage import Store

logger = logging.getLogger(__name__)


async def tell_removed(bot: Bot, store: Store, content: Content, user_id: int, team_name: str) -> bool:
    """Tell a member the head removed that they are out of the team, and give them the menu of what is left;
    True when the message went out (a person who blocked the bot is not written to)."""
    user = await store.users.get(user_id)
    told = False
    if user is not None and user.blocked_at is None:
        try:
            await bot.send_message(user_id, content.t("settings.removed_notice", team=escape(team_name)))
            told = True
        except (TelegramAPIError, TelegramNetworkError) as error:
            logger.warning("could not tell %s they were removed: %s", user_id, error)
    await sync_commands(bot, store, content, user_id)
    return told
