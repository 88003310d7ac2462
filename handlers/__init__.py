"""All routers in one place, in the order they are tried; the catch-all comes last.

Routers are built fresh on every call (a router can belong to one dispatcher only), so tests can build as many
dispatchers as they need.
"""

from __future__ import annotations

from aiogram import F, Router


def get_routers() -> list[Router]:
    import handlers.checklists
    import handlers.errors
    import handlers.exports
    import handlers.fallback
    import handlers.history
    import handlers.lifecycle
    import handlers.menu
    import handlers.plans
    import handlers.settings
    import handlers.start
    import handlers.tasks

    modules = (
        handlers.errors,
        handlers.lifecycle,
        handlers.start,
        handlers.menu,
        handlers.checklists,
        handlers.history,
        handlers.tasks,
        handlers.settings,
        handlers.plans,
        handlers.exports,
        handlers.fallback,
    )
    routers = [module.create_router() for module in modules]
    for router in routers:
        # The bot works in private chats only: in a group anyone could press anyone's buttons.
        router.message.filter(F.chat.type == "private")
        router.callback_query.filter(F.message.chat.type == "private")
    return routers
