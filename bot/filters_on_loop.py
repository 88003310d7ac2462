"""aiogram runs every synchronous filter in a worker thread (`asyncio.to_thread`), as it must for an unknown
callable that may block. Magic filters (`F.chat.type == "private"`) and bare FSM states (`Onboarding.timezone`) are
pure attribute reads: a thread hop each costs more than the filter, on every update that passes by them (the
private-chat filter alone sits in front of every tap). They are made awaitable here, once, after the routers are
built; anything else (a filter function someone wrote) is left to aiogram."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.fsm.state import State


def run_pure_filters_on_the_loop(router: Router) -> int:
    """Make the router's (and its sub-routers') magic and state filters awaitable; returns how many changed."""
    changed = 0
    for observer in router.observers.values():
        # `_handler` holds the observer's own filters (router.message.filter(...)); aiogram has no public getter.
        for handler in (observer._handler, *observer.handlers):
            for event_filter in handler.filters or ():
                changed += _make_awaitable(event_filter)
    for sub_router in router.sub_routers:
        changed += run_pure_filters_on_the_loop(sub_router)
    return changed


def _make_awaitable(event_filter: FilterObject) -> int:
    if event_filter.awaitable or not (event_filter.magic is not None or isinstance(event_filter.callback, State)):
        return 0
    event_filter.callback = _on_the_loop(event_filter.callback)  # params stay those of the pure callable
    event_filter.awaitable = True
    return 1


def _on_the_loop(pure: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return pure(*args, **kwargs)

    return run
