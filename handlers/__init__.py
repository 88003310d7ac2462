"""All routers in one place, in the order they are tried; the catch-all comes last.

Routers are built fresh on every call (a router can belong to one dispatcher only), so tests can build as many
dispatchers as they need.
"""

from __future__ import annotations

from aiogram import F, Router


def get_routers() -> list[Router]:
    from handlers import (
        checklists,
        errors,
        exports,
        fallback,
        history,
        lifecycle,
        menu,
        settings,
        start,
        tasks,
    )

    routers = [
        module.create_router()
        for module in (errors, lifecycle, start, menu, checklists, history, tasks, settings, exports, fallback)
    ]
    for router in routers:
        # The bot works in private chats only: in a group anyone could press anyone's buttons.
        router.message.filter(F.chat.type == "private")
        router.callback_query.filter(F.message.chat.type == "private")
    return routers
