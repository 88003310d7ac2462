"""The one way out for every message that is not a reply: reminders, digests, nudges.

It keeps Telegram's limits (the shared overall budget, about 1 message/s per private chat, 20/min per group),
waits out a bot-wide flood pause, tries each message once and says what happened. The caller keeps a message
due until it is `Sent`, `Unreachable` or `Rejected`: a `RetryLater` is never dropped.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.delivery import FloodGate, SendBudget, is_recipient_gone, may_have_arrived, sending_in_bulk
from domain.clock import Clock

logger = logging.getLogger(__name__)

# After a server or network error: 5 s, doubling while Telegram keeps failing, at most 5 min.
FIRST_BACKOFF_S = 5.0
MAX_BACKOFF_S = 300.0
CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption (counted after entities: raw HTML is longer)
PHOTO_NAME = "chart.png"


@dataclass(frozen=True)
class Outgoing:
    chat_id: int
    text: str  # already rendered in the bot's parse mode
    reply_markup: InlineKeyboardMarkup | None = None
    is_group: bool = False
    # A PNG (the digest's chart). With a text that fits a caption: one photo message carrying text and buttons.
    # Otherwise the text goes first (its outcome is the message's) and the photo follows it, once, best effort:
    # a retried text never repeats a photo, and a lost chart never holds back the text.
    photo: bytes | None = None

    @property
    def as_caption(self) -> bool:
        return self.photo is not None and len(self.text) <= CAPTION_LIMIT


@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class RetryLater:
    """Telegram asked to wait (429) or failed (5xx, network): try the same message again after `after_s`."""

    after_s: float
    error: str


@dataclass(frozen=True)
class Unreachable:
    """Blocked, kicked or deleted: the recipient is inactive (the delivery middleware has recorded it)."""

    error: str


@dataclass(frozen=True)
class Rejected:
    """Any other 400 (bad markup, too long, a group moved to a supergroup): never sendable as it is."""

    error: str


@dataclass(frozen=True)
class MaybeSent:
    """The request went out but no answer came (a timeout after sending): Telegram may have delivered it.
    Not sent again: a reminder twice is worse than the rare one lost this way."""

    error: str


SendOutcome = Sent | RetryLater | Unreachable | Rejected | MaybeSent


class ChatPacer:
    """Spaces messages to one chat at least `interval_s` apart, by reserving each chat's next free moment.

    Only chats with a reservation still ahead are worth remembering, so the oldest expired ones are forgotten
    as new ones come; `max_chats` caps the memory even if all of them were still ahead.
    """

    def __init__(self, clock: Clock, max_chats: int = 10_000) -> None:
        self._clock = clock
        self._max_chats = max_chats
        self._free_at: OrderedDict[int, float] = OrderedDict()  # least recently reserved first

    def __len__(self) -> int:
        return len(self._free_at)

    async def wait_turn(self, chat_id: int, interval_s: float) -> None:
        now = self._clock.monotonic()
        turn = max(now, self._free_at.pop(chat_id, now))
        self._free_at[chat_id] = turn + interval_s
        self._forget_expired(now)
        if turn > now:
            await self._clock.sleep(turn - now)

    def _forget_expired(self, now: float) -> None:
        while self._free_at:
            oldest_chat, free_at = next(iter(self._free_at.items()))
            if free_at > now and len(self._free_at) <= self._max_chats:
                return
            del self._free_at[oldest_chat]


class Sender:
    def __init__(
        self,
        bot: Bot,
        clock: Clock,
        gate: FloodGate,
        budget: SendBudget,
        per_chat_interval_s: float = 1.0,
        group_per_minute: int = 20,
    ) -> None:
        self._bot = bot
        self._gate = gate
        self._budget = budget
        self._private_interval_s = per_chat_interval_s
        self._group_interval_s = 60.0 / group_per_minute
        self._pacer = ChatPacer(clock)
        self._failures_in_a_row = 0  # server/network errors since the last answer from Telegram

    async def send(self, outgoing: Outgoing) -> SendOutcome:
        interval = self._group_interval_s if outgoing.is_group else self._private_interval_s
        # The chat's turn first, then a global token: a message waiting on its chat must not hold a token.
        # The flood pause before the token: tokens taken during a pause would all go out at once when it ends.
        await self._pacer.wait_turn(outgoing.chat_id, interval)
        await self._gate.wait()
        finish = await self._budget.acquire()
        try:
            outcome = await self._send_now(outgoing)
        finally:
            finish()
        if outgoing.photo is not None and not outgoing.as_caption and isinstance(outcome, Sent):
            await self._follow_with_photo(outgoing, outgoing.photo, interval)
        return outcome

    async def _follow_with_photo(self, outgoing: Outgoing, photo: bytes, interval: float) -> None:
        """The photo after a text too long for its caption: paced like any message, tried once."""
        await self._pacer.wait_turn(outgoing.chat_id, interval)
        await self._gate.wait()
        finish = await self._budget.acquire()
        try:
            with sending_in_bulk():
                await self._bot.send_photo(outgoing.chat_id, BufferedInputFile(photo, PHOTO_NAME))
        except TelegramRetryAfter as error:
            self._gate.pause(float(error.retry_after))
            logger.warning("photo after message to %s not sent: %s", outgoing.chat_id, error)
        except (TelegramAPIError, TelegramNetworkError) as error:
            logger.warning("photo after message to %s not sent: %s", outgoing.chat_id, error)
        finally:
            finish()

    async def _send_now(self, outgoing: Outgoing) -> SendOutcome:
        if (paused := self._gate.remaining()) > 0:  # a 429 came while this waited for its token
            return RetryLater(paused, "bot-wide flood pause")
        try:
            with sending_in_bulk():
                message = await self._deliver(outgoing)
        except TelegramRetryAfter as error:
            self._failures_in_a_row = 0
            self._gate.pause(float(error.retry_after))  # also done by the middleware; repeated for a bare Bot
            return RetryLater(float(error.retry_after), str(error))
        except TelegramNetworkError as error:
            self._failures_in_a_row += 1
            if may_have_arrived(error):  # sent again it could arrive twice; the engine records it as sent
                return MaybeSent(str(error))
            return RetryLater(self._backoff_s(), str(error))
        except TelegramServerError as error:
            self._failures_in_a_row += 1
            return RetryLater(self._backoff_s(), str(error))
        except (TelegramForbiddenError, TelegramBadRequest, TelegramMigrateToChat) as error:
            # Other errors (401 revoked token, 409 a second poller) are the bot's, not the message's: they propagate.
            self._failures_in_a_row = 0
            return Unreachable(str(error)) if is_recipient_gone(error) else Rejected(str(error))
        self._failures_in_a_row = 0
        return Sent(message.message_id)

    async def _deliver(self, outgoing: Outgoing) -> Message:
        if outgoing.as_caption and outgoing.photo is not None:
            return await self._bot.send_photo(
                outgoing.chat_id,
                BufferedInputFile(outgoing.photo, PHOTO_NAME),
                caption=outgoing.text,
                reply_markup=outgoing.reply_markup,
            )
        return await self._bot.send_message(outgoing.chat_id, outgoing.text, reply_markup=outgoing.reply_markup)

    def _backoff_s(self) -> float:
        return min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (self._failures_in_a_row - 1))
