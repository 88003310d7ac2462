"""Turns domain errors into their content text; logs everything else and says something went wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import ErrorEvent, InaccessibleMessage

from content import Content
from domain.errors import DomainError

logger = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text[:200], show_alert=True)
        except TelegramBadRequest:  # already answered before slow work: say it in the chat instead
            if query.message is not None and not isinstance(query.message, InaccessibleMessage):
                await query.message.answer(text)
    elif update.message is not None:
        await update.message.answer(text)


async def domain_error(event: ErrorEvent, content: Content) -> None:
    error = event.exception
    key = error.text_key if isinstance(error, DomainError) else "errors.generic"
    await _tell(event, content.t(key))


async def unexpected_error(event: ErrorEvent, content: Content) -> None:
    logger.error("update %s failed", event.update.update_id, exc_info=event.exception)
    try:
        await _tell(event, content.t("errors.generic"))
    except Exception:  # the chat may be gone; the failure is already logged
        logger.warning("could not tell the user about the failure")


async def late_callback_answer(event: ErrorEvent) -> None:
    """A tap's answer given up during a long flood wait (it expires after seconds): the tap's work is done and
    saved, and the delivery middleware recorded the failure; telling the person "something went wrong" would be
    false."""
    logger.warning("a callback answer was given up during a flood wait: %s", event.exception)


def _is_late_callback_answer(event: ErrorEvent) -> bool:
    error = event.exception
    return isinstance(error, TelegramRetryAfter) and isinstance(error.method, AnswerCallbackQuery)


def create_router() -> Router:
    router = Router(name=__name__)
    router.error.register(late_callback_answer, _is_late_callback_answer)
    router.error.register(domain_error, ExceptionTypeFilter(DomainError))
    router.error.register(unexpected_error)
    return router
