"""Turns domain errors into their content text; logs everything else and says something went wrong.

A tap gets one answer: `AnswerTapOnce` answers it after its handler, and leaves a failed one to the error
handler here, whose alert is then that answer. A chat that is gone (403, "chat not found") is written to no more.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import Router
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, ErrorEvent, InaccessibleMessage, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from bot.delivery import is_recipient_gone
from bot.views.common import error_text
from content import Content
from domain.errors import DomainError

logger = logging.getLogger(__name__)

# The id of the last tap answered before its handler ran (flag "callback_answer": {"pre": True}): a failure of
# that handler is told in the chat, since Telegram takes one answer per tap. One value per update's task.
_answered_early: ContextVar[str | None] = ContextVar("answered_early", default=None)


class AnswerTapOnce(CallbackAnswerMiddleware):
    """aiogram's CallbackAnswerMiddleware answers even when the handler raised, so the error handler's alert
    came second (and Telegram refuses a second answer). Here a failed tap is answered by the error handler only."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = self.construct_callback_answer(get_flag(data, "callback_answer"))
        if not answer.disabled and answer.answered:
            _answered_early.set(event.id)
            await self._answer_if_still_useful(event, answer)
        result = await handler(event, data)  # on an exception the tap is left to the error handler
        if not answer.disabled and not answer.answered:
            await self._answer_if_still_useful(event, answer)
        return result

    async def _answer_if_still_useful(self, event: CallbackQuery, answer: CallbackAnswer) -> None:
        try:
            await self.answer(event, answer)
        except TelegramBadRequest as error:  # the query expired (a late update, slow work): the work still counts
            logger.warning("a tap could not be answered: %s", error)


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    query = update.callback_query
    if query is not None:
        if _answered_early.get() != query.id:
            try:
                await query.answer(text[:200], show_alert=True)
                return
            except TelegramBadRequest:  # the query expired: say it in the chat instead
                pass
        if query.message is not None and not isinstance(query.message, InaccessibleMessage):
            await query.message.answer(text)
    elif update.message is not None:
        await update.message.answer(text)


async def domain_error(event: ErrorEvent, content: Content) -> None:
    error = event.exception
    text = error_text(content, error) if isinstance(error, DomainError) else content.t("errors.generic")
    try:
        await _tell(event, text)
    except TelegramAPIError as failure:  # the chat may be gone meanwhile; nothing more to do
        logger.warning("could not tell the user about %s: %s", type(error).__name__, failure)


async def unexpected_error(event: ErrorEvent, content: Content) -> None:
    logger.error("update %s failed", event.update.update_id, exc_info=event.exception)
    try:
        await _tell(event, content.t("errors.generic"))
    except Exception:  # the chat may be gone; the failure is already logged
        logger.warning("could not tell the user about the failure")


async def recipient_gone(event: ErrorEvent) -> None:
    """The person blocked the bot (or the chat is gone) while their update was handled: the delivery middleware
    recorded it; any further message would be refused the same way."""
    logger.warning("update %s: the chat is gone, nothing more is sent: %s", event.update.update_id, event.exception)


async def late_callback_answer(event: ErrorEvent) -> None:
    """A tap's answer given up during a long flood wait (it expires after seconds): the tap's work is done and
    saved, and the delivery middleware recorded the failure; telling the person "something went wrong" would be
    false."""
    logger.warning("a callback answer was given up during a flood wait: %s", event.exception)


def _is_late_callback_answer(event: ErrorEvent) -> bool:
    error = event.exception
    return isinstance(error, TelegramRetryAfter) and isinstance(error.method, AnswerCallbackQuery)


def _is_recipient_gone(event: ErrorEvent) -> bool:
    error = event.exception
    return isinstance(error, TelegramAPIError) and is_recipient_gone(error)


def create_router() -> Router:
    router = Router(name=__name__)
    router.error.register(late_callback_answer, _is_late_callback_answer)
    router.error.register(recipient_gone, _is_recipient_gone)
    router.error.register(domain_error, ExceptionTypeFilter(DomainError))
    router.error.register(unexpected_error)
    return router
