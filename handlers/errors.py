"""Turns domain errors into their content text; logs everything else and says something went wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from content import Content
from domain.errors import DomainError

logger = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
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
