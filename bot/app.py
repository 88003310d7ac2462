"""Runs the bot: open the store, build Bot, Dispatcher, sender and reminder engine, poll until stopped."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from analytics.sandbox import AnalysisPool
from bot.commands import set_default_commands
from bot.config import Settings
from bot.delivery import FloodGate, SendBudget, wait_for_bot_api
from bot.downloads import clean_up_interrupted_uploads
from bot.factory import create_bot, create_dispatcher
from bot.renderers import register_feature_renderers, reminder_registry
from content import Content, load_content
from domain.clock import Clock, SystemClock
from scheduling.engine import EngineConfig, ReminderEngine
from scheduling.scheduler import APSchedulerAdapter, Scheduler
from scheduling.sender import Sender
from services.digest import backfill_owner_digests
from storage import Store, open_store

logger = logging.getLogger(__name__)


async def register_profile(bot: Bot, content: Content) -> None:
    """Russian default command menu (each person's chat gets their role's, bot/commands.py) and description;
    a failure here must not stop the bot."""
    try:
        await set_default_commands(bot, content)
        await bot.set_my_description(content.t("profile.description"))
        await bot.set_my_short_description(content.t("profile.short_description"))
    except (TelegramAPIError, TelegramNetworkError) as error:
        logger.warning("could not register the bot profile: %s", error)


def create_reminder_engine(
    settings: Settings,
    store: Store,
    content: Content,
    bot: Bot,
    clock: Clock,
    gate: FloodGate,
    budget: SendBudget,
    scheduler: Scheduler,
) -> ReminderEngine:
    """The engine and its sender, sharing the bot's flood gate and send budget (also used by the benchmark).
    Deliveries are rendered by kind through the registry in bot/renderers.py."""
    renderers = reminder_registry(content, clock)

    async def on_start() -> None:
        made = await backfill_owner_digests(store, engine, content.t("digest.reminder_title"), clock.now())
        if made:
            logger.info("created the weekly digest for %d owners who joined before it existed", made)

    engine = ReminderEngine(
        store.reminder_queue,
        Sender(bot, clock, gate, budget),
        renderers.render,
        clock,
        scheduler,
        owner=f"{socket.gethostname()}:{os.getpid()}",
        config=EngineConfig(
            grace=settings.reminder_grace,
            lease=timedelta(seconds=settings.reminder_lease_s),
            max_in_flight=max(50, int(settings.send_rate * settings.reminder_lease_s / 2)),
            safety_tick_s=settings.reminder_tick_s,
        ),
        pause_remaining=gate.remaining,
        on_start=on_start,
    )
    register_feature_renderers(renderers, store, content, bot, clock, engine)  # the digest wakes the engine
    return engine


async def run_bot(settings: Settings) -> None:
    content = load_content(settings.locale)
    clock = SystemClock()
    store = await open_store(settings.database_path)
    pool = AnalysisPool(
        max_workers=1,
        timeout_s=settings.analysis_timeout_s,
        memory_limit_bytes=settings.analysis_memory_mb * 1024 * 1024,
    )
    gate = FloodGate(clock)
    budget = SendBudget(clock, rate_per_s=settings.send_rate)
    bot = create_bot(settings, store, clock, gate, budget)
    scheduler = APSchedulerAdapter()
    engine = create_reminder_engine(settings, store, content, bot, clock, gate, budget, scheduler)
    dispatcher = create_dispatcher(settings, store, content, clock, analysis_pool=pool, reminder_engine=engine)
    try:
        pruned = await store.reports.prune(clock.now() - timedelta(days=settings.report_retention_days))
        logger.info("pruned %d old export reports", pruned)
        await wait_for_bot_api(bot, clock)  # Telegram may be unreachable for a while: wait, do not exit
        await register_profile(bot, content)
        # Before polling: what a killed bot left of the files it was processing, and whom to tell.
        interrupted = await clean_up_interrupted_uploads(bot, store, content, settings)
        if interrupted:
            logger.info("cleaned up %d uploads a restart interrupted", interrupted)
        scheduler.start()
        await engine.start()
        logger.info("bot started, database %s", settings.database_path)
        await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
    finally:
        scheduler.shutdown()
        await engine.stop()
        pool.shutdown()
        await bot.session.close()
        await store.close()
