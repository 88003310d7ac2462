"""The stand-in's optional flood mode: Telegram's rate limits, enforced, so tests see the 429s production sees.

Over a limit the stand-in answers 429 with `retry_after`, and like Telegram refuses every sending call of the
bot until that time has passed. Only calls that put a message into a chat are limited; getUpdates, getMe and
answerCallbackQuery never are.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devtools.botapi_types import ApiError

SENDING_METHODS = frozenset(
    name.lower()
    for name in (
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo", "sendAnimation", "sendAudio",
        "sendVoice", "sendSticker", "sendLocation", "sendContact", "sendPoll", "sendDice", "copyMessage",
        "forwardMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
    )
)  # fmt: skip


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass(frozen=True)
class FloodLimits:
    per_second: int = 30  # sending calls accepted in any one second, all chats together
    per_chat_per_second: float | None = 1.0  # None: no per-chat limit
    retry_after: int = 1  # what a 429 over a limit asks for


class FloodControl:
    def __init__(self, limits: FloodLimits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._accepted_at: deque[float] = deque()  # the last second's accepted sending calls
        self._last_in_chat: dict[int, float] = {}
        self._refusing_until = 0.0
        self.refusals: dict[str, int] = {"paused": 0, "overall": 0, "chat": 0}  # why 429s were answered

    def refusal(self, method: str, params: dict[str, Any]) -> ApiError | None:
        """None if the call may go through (and counts it), else the 429 to answer."""
        if method.lower() not in SENDING_METHODS:
            return None
        now = self._monotonic()
        if now < self._refusing_until:
            self.refusals["paused"] += 1
            return too_many_requests(max(1, math.ceil(self._refusing_until - now)))
        while self._accepted_at and self._accepted_at[0] <= now - 1.0:
            self._accepted_at.popleft()
        chat_id = _chat_id(params)
        overall = len(self._accepted_at) >= self.limits.per_second
        if overall or self._chat_too_soon(chat_id, now):
            self.refusals["overall" if overall else "chat"] += 1
            self._refusing_until = now + self.limits.retry_after
            return too_many_requests(self.limits.retry_after)
        self._accepted_at.append(now)
        if chat_id is not None:
            self._last_in_chat[chat_id] = now
        return None

    def _chat_too_soon(self, chat_id: int | None, now: float) -> bool:
        per_chat = self.limits.per_chat_per_second
        if per_chat is None or chat_id is None or chat_id not in self._last_in_chat:
            return False
        return now - self._last_in_chat[chat_id] < 1.0 / per_chat


def _chat_id(params: dict[str, Any]) -> int | None:
    raw = params.get("chat_id")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    return None
