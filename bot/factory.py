"""Builds the Bot and the Dispatcher. Called from main() and from tests with test doubles."""

from __future__ import annotations

import gc
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.config import Settings
from bot.delivery import FloodGate, RetryingDelivery, SendBudget
from bot.filters_on_loop import run_pure_filters_on_the_loop
from bot.logs import redact
from bot.middlewares import ActorMiddleware
from bot.polling import PollBatching
from content import Content
from domain.clock import Clock, SystemClock
from handlers import get_routers
from handlers.errors import AnswerTapOnce
from services.reminders import NoWakeUp
from storage import Store
from storage.fsm import SQLiteStorage


class KeepResponseTypes(BaseRequestMiddleware):
    """aiogram reads every Bot API answer with `Response[T]`, a pydantic generic class that pydantic caches only
    weakly: after a garbage collection it is built again, about 8 ms for an edited message. Holding one reference
    per method keeps every later call a cache hit."""

    def __init__(self) -> None:
        self._held: dict[type[Any], type[Any]] = {}

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        if type(method) not in self._held:
            self._held[type(method)] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


def create_bot(
    settings: Settings,
    store: Store | None = None,
    clock: Clock | None = None,
    gate: FloodGate | None = None,
    budget: SendBudget | None = None,
) -> Bot:
    """`gate` and `budget` are shared with the scheduled sender: one pause after a 429 and one overall rate,
    in which replies to people go first."""
    clock = clock or SystemClock()
    api = TelegramAPIServer.from_base(settings.telegram_api_url, is_local=settings.telegram_api_local)
    session = AiohttpSession(api=api)

    async def record_failure(chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        if store is None:
            return
        now = clock.now()
        # Network errors carry the request URL, and the token is part of it.
        await store.failures.record(chat_id, method, redact(error, settings.bot_token.get_secret_value()), now)
        if unreachable and chat_id is not None and chat_id > 0:
            await store.users.mark_blocked(chat_id, now)

    session.middleware(KeepResponseTypes())
    session.middleware(PollBatching(clock))
    session.middleware(RetryingDelivery(record_failure, gate=gate, budget=budget, clock=clock))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings, store: Store, content: Content, clock: Clock | None = None, **services: Any
) -> Dispatcher:
    """`services` are further long-lived objects handlers receive by name (e.g. the analysis pool).
    `clock` reaches handlers as `clock`: the only source of the current time."""
    dispatcher = Dispatcher(
        storage=SQLiteStorage(store.db),
        # One process: per-user locking so two quick taps never race on the same run.
        events_isolation=SimpleEventIsolation(),
        settings=settings,
        store=store,
        content=content,
        clock=clock or SystemClock(),
        **{"reminder_engine": NoWakeUp(), **services},  # tests without an engine: nothing to wake
    )
    actor = ActorMiddleware(settings.default_timezone)
    dispatcher.message.outer_middleware(actor)
    dispatcher.callback_query.outer_middleware(actor)
    # Taps are answered right after their handler; slow handlers opt into answering first (flag "callback_answer").
    # A failed handler's tap is answered once, by the error handler.
    dispatcher.callback_query.middleware(AnswerTapOnce(pre=False))
    dispatcher.include_routers(*get_routers())
    run_pure_filters_on_the_loop(dispatcher)
    dispatcher.startup.register(_freeze_startup_objects)
    return dispatcher


async def _freeze_startup_objects() -> None:
    """aiogram's and pydantic's models, the content and the routers are a few hundred thousand objects that live
    as long as the process; every full garbage collection walked them all (0.2-0.4 s on the 2-core dev VM, a
    pause for every update in flight). Frozen once polling starts, collections walk only what updates create."""
    gc.collect()
    gc.freeze()
