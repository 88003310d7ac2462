"""Posting to a team's group chat: the way out for every feature that speaks to the team as a whole (a case-review
agenda, a ritual's nudge).

THE PRIVACY RULE. Everyone in a group reads what the bot posts there, members of other teams and outsiders
included, and the head cannot take it back. So a group post carries team-level text only: an agenda, a ritual's
name and time, a call to action. Never a person's results, scores, checklist answers, tasks, plans, revenue,
CRM figures, or anything a person sees in their private chat. (A case for a team case review is team material and
goes as its author wrote it; the form's default first question asks for the segment without the company's name.)
Callers pass text they rendered for the group (content keys under `groups.`, or their feature's group texts);
this module cannot check it, so the rule is theirs to keep. Buttons on a group post are pressed by anyone:
re-check the role on every tap.

It lives in bot/ (not services/) because it makes the Bot call itself: its whole job is how a send to a group
fails. Nothing is raised into the caller's flow, the outcome is returned.
- 403 (the bot was removed) / 400 "chat not found": the binding ends here (the group can no longer be reached);
  the delivery middleware (bot/delivery.py) has recorded the failure in `send_failures`.
- the group became a supergroup (Telegram answers with its new id): the binding follows it, the post is retried once.
- 429 (the delivery middleware waits these out for replies; one that still comes through) and any other 4xx:
  recorded in `send_failures` (storage/failures.py) here, since the middleware records only gone recipients.
- 5xx and network errors: the middleware retried and recorded them.

Pace: one post is a reply-like send (the shared budget counts it; a 429 pauses the whole bot). Telegram allows
about 20 messages a minute in a group: scheduled or repeated posts go through the scheduled sender instead
(scheduling/sender.py, `Outgoing(is_group=True)` paces 20/min per group), with `store.groups.bound_chat_id`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramServerError,
)

from bot.delivery import is_recipient_gone
from storage import Store

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InlineKeyboardMarkup

logger = logging.getLogger(__name__)


class Posted(StrEnum):
    SENT = "sent"
    NO_GROUP = "no_group"  # the team has no bound group: nothing was sent
    GONE = "gone"  # the bot is no longer in the group: it was unbound
    FAILED = "failed"  # Telegram refused this message (recorded); the binding stays


async def post_to_team_group(
    bot: Bot,
    store: Store,
    team_id: int,
    text: str,
    now: datetime,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Posted:
    """Send team-level `text` (already rendered in the bot's parse mode; see the privacy rule above) to the team's
    bound group. Never raises a Telegram error: the outcome says what happened."""
    chat_id = await store.groups.bound_chat_id(team_id)
    if chat_id is None:
        return Posted.NO_GROUP
    return await post_to_group(bot, store, chat_id, text, now, reply_markup)


async def post_to_group(
    bot: Bot,
    store: Store,
    chat_id: int,
    text: str,
    now: datetime,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    follow_migration: bool = True,
) -> Posted:
    """The same for a known group chat (the bot's own notices there: bound, unbound)."""
    try:
        await bot.send_message(chat_id, text, reply_markup=reply_markup)
    except TelegramMigrateToChat as error:
        new_chat_id = error.migrate_to_chat_id
        await store.groups.migrate(chat_id, new_chat_id)
        if follow_migration:
            return await post_to_group(bot, store, new_chat_id, text, now, reply_markup, follow_migration=False)
        await _record(store, chat_id, error, now)
        return Posted.FAILED
    except TelegramAPIError as error:
        if is_recipient_gone(error):  # recorded by the delivery middleware
            forgotten = await store.groups.forget_chat(chat_id)
            logger.warning("group %s is gone (%s); unbound team %s", chat_id, error, forgotten and forgotten.team_id)
            return Posted.GONE
        if isinstance(error, TelegramServerError):  # retried and recorded by the delivery middleware
            logger.warning("post to group %s failed: %s", chat_id, error)
        else:
            await _record(store, chat_id, error, now)
        return Posted.FAILED
    except TelegramNetworkError as error:  # retried and recorded by the delivery middleware
        logger.warning("post to group %s failed: %s", chat_id, error)
        return Posted.FAILED
    return Posted.SENT


async def _record(store: Store, chat_id: int, error: TelegramAPIError, now: datetime) -> None:
    logger.warning("post to group %s failed: %s", chat_id, error)
    try:
        await store.failures.record(chat_id, "sendMessage", str(error), now)
    except Exception:  # recording must never break the caller's flow
        logger.exception("could not record a failed group post")
