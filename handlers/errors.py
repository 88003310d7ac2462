"""Turns domain errors into their content text; logs everything else and says something went wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
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


def create_router() -> Router:
    router = Router(name=__name__)
    router.error.register(domain_error, ExceptionTypeFilter(DomainError))
    router.error.register(unexpected_error)
    return router
