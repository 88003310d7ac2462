"""Runs the bot: open the store, build Bot and Dispatcher, register the profile, poll until stopped."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import BotCommand

from analytics.sandbox import AnalysisPool
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from content import Content, load_content
from storage import open_store

logger = logging.getLogger(__name__)

COMMANDS = ("menu", "checklists", "upload", "plans", "tasks", "history", "settings", "template", "help")


async def register_profile(bot: Bot, content: Content) -> None:
    """Russian command menu and description; a failure here must not stop the bot."""
    commands = [BotCommand(command=name, description=content.t(f"commands.{name}")) for name in COMMANDS]
    try:
        await bot.set_my_commands(commands)
        await bot.set_my_description(content.t("profile.description"))
        await bot.set_my_short_description(content.t("profile.short_description"))
    except (TelegramAPIError, TelegramNetworkError) as error:
        logger.warning("could not register the bot profile: %s", error)


async def run_bot(settings: Settings) -> None:
    content = load_content(settings.locale)
    store = await open_store(settings.database_path)
    pool = AnalysisPool(
        max_workers=1,
        timeout_s=settings.analysis_timeout_s,
        memory_limit_bytes=settings.analysis_memory_mb * 1024 * 1024,
    )
    bot = create_bot(settings, store)
    dispatcher = create_dispatcher(settings, store, content, analysis_pool=pool)
    try:
        pruned = await store.reports.prune(datetime.now(UTC) - timedelta(days=settings.report_retention_days))
        logger.info("pruned %d old export reports", pruned)
        await register_profile(bot, content)
        logger.info("bot started, database %s", settings.database_path)
        await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
    finally:
        pool.shutdown()
        await bot.session.close()
        await store.close()
