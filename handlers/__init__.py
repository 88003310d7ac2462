"""All routers in one place, in the order they are tried; the catch-all comes last.

Two parents: private chats (everything a person does with the bot) and groups (group chats bound to a team:
handlers/groups.py, its catch-all for taps last). The chat-type filter is set once, on each parent.
Routers are built fresh on every call (a router can belong to one dispatcher only), so tests can build as many
dispatchers as they need.
"""

from __future__ import annotations

from aiogram import F, Router


def get_routers() -> list[Router]:
    import handlers.calendar
    import handlers.calls
    import handlers.cases
    import handlers.checklists
    import handlers.crm_upload
    import handlers.digest
    import handlers.errors
    import handlers.fallback
    import handlers.groups
    import handlers.history
    import handlers.learn
    import handlers.lifecycle
    import handlers.menu
    import handlers.my_plan
    import handlers.pdca
    import handlers.plans
    import handlers.reminders
    import handlers.settings
    import handlers.sharing
    import handlers.start
    import handlers.strategy
    import handlers.tasks
    import handlers.templates

    private = Router(name="private")
    # In a group anyone could press anyone's buttons: personal screens live in private chats only.
    # A message with no person behind it (a sender_chat only) has no actor to act for: it is left unhandled.
    private.message.filter(F.chat.type == "private", F.from_user.is_bot.is_(False))
    private.callback_query.filter(F.message.chat.type == "private")
    # The checklists come first: an answer tap is the most frequent update, and every router it passes costs it
    # (bench/README.md, tap hot path). Their handlers match their own callback prefixes, /checklists and typed
    # text in the answering state only, so they shadow nothing below.
    private.include_router(handlers.checklists.create_router())
    private.include_router(handlers.groups.create_private_router())  # /bind explained, «Отвязать группу»
    private.include_routers(
        *(
            module.create_router()
            for module in (
                handlers.start,
                handlers.menu,
                handlers.history,
                handlers.tasks,
                handlers.reminders,
                handlers.pdca,
                handlers.calls,
                handlers.learn,
                handlers.strategy,
                handlers.sharing,
                handlers.my_plan,
                handlers.cases,
                handlers.calendar,
                handlers.templates,
                handlers.digest,
                handlers.settings,
                handlers.plans,
                handlers.crm_upload,
                handlers.fallback,
            )
        )
    )

    groups = Router(name="groups")
    groups.message.filter(F.chat.type.in_({"group", "supergroup"}))
    groups.callback_query.filter(F.message.chat.type.in_({"group", "supergroup"}))
    groups.include_router(handlers.groups.create_router())
    groups.include_router(handlers.groups.create_fallback_router())  # last: any other tap in a group

    # Errors are not tied to a chat type; lifecycle takes the bot's own membership in private chats (blocks), the
    # groups parent takes it in groups (added, removed).
    # Private chats first (nearly every update); the errors router takes only errors, lifecycle only the bot's own
    # membership in private chats, which no router before it takes.
    return [private, handlers.errors.create_router(), handlers.lifecycle.create_router(), groups]
