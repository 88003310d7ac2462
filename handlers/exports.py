"""CRM export analytics in the bot (issue 3): built on analytics.engine."""

from __future__ import annotations

from aiogram import Router


def create_router() -> Router:
    return Router(name=__name__)
