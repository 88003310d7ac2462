"""What each role can do: one list for /help, the /menu keyboard and Telegram's command menu.

Telegram shows the command menu per chat (`BotCommandScopeChat`) once a person's role is known; everyone else
sees the default scope (start, menu, help). The chat's list is set again whenever the role may have changed:
onboarding, joining by a link, switching teams, leaving, being removed. A failure there (403, network) is recorded
by the delivery middleware (bot/delivery.py) and logged; it never reaches the person's flow.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, BotCommandScopeDefault

from bot.callbacks import MenuAction
from content import Content
from domain.models import Role

if TYPE_CHECKING:
    from storage import Store

logger = logging.getLogger(__name__)

# The buttons of /menu, most used first (two columns on a phone); each is also a command of the same name.
HOME_ACTIONS: dict[Role, tuple[MenuAction, ...]] = {
    Role.HEAD: (
        "tasks",
        "checklists",
        "upload",
        "pdca",
        "calls",
        "learn",
        "strategy",
        "cases",
        "plans",
        "reminders",
        "history",
        "digest",
        "templates",
        "settings",
    ),
    Role.OWNER: ("digest", "checklists", "history", "reminders", "settings"),
    Role.MEMBER: ("learn", "cases", "my_plan", "strategy", "reminders", "settings"),
}
# Commands that do something else for a role, so their menu line says it (`commands.by_role.<role>.<name>`):
# a member's /strategy holds only the milestones they own.
ROLE_DESCRIPTIONS: dict[Role, frozenset[str]] = {Role.MEMBER: frozenset({"strategy"})}
# Typed, not in the menu: /remind needs a phrase after it (from the menu it would come bare), /template sends the
# sample export. /help and other texts name them, so they count as what the role can use.
TYPED_COMMANDS: dict[Role, tuple[str, ...]] = {
    Role.HEAD: ("remind", "template"),
    Role.OWNER: ("remind",),
    Role.MEMBER: ("remind",),
}
NO_TEAM_COMMANDS = ("start", "help")
DEFAULT_COMMANDS = ("start", "menu", "help")  # before Telegram knows the person's role
# In every group chat (handlers/groups.py): personal screens stay in private chats. Texts: groups.commands.*
GROUP_COMMANDS = ("bind", "unbind", "help")


def home_actions(role: Role) -> tuple[MenuAction, ...]:
    return HOME_ACTIONS[role]


def commands_for(role: Role | None) -> tuple[str, ...]:
    """The command menu of a person with this role in their current team (None: in no team)."""
    if role is None:
        return NO_TEAM_COMMANDS
    return ("menu", *HOME_ACTIONS[role], "help")


def available_commands(role: Role | None) -> tuple[str, ...]:
    """What a person with this role can use in a private chat: the command menu and the typed ones."""
    return (*commands_for(role), *(() if role is None else TYPED_COMMANDS[role]))


def command_description(content: Content, name: str, role: Role | None = None) -> str:
    if role is not None and name in ROLE_DESCRIPTIONS.get(role, frozenset()):
        return content.t(f"commands.by_role.{role.value}.{name}")
    return content.t(f"commands.{name}")


def bot_commands(content: Content, names: tuple[str, ...], role: Role | None = None) -> list[BotCommand]:
    return [BotCommand(command=name, description=command_description(content, name, role)) for name in names]


async def set_default_commands(bot: Bot, content: Content) -> None:
    """Everyone's menu until their chat gets its own, and the menu of every group chat; raises like any Bot call
    (the caller decides)."""
    group_commands = [BotCommand(command=n, description=content.t(f"groups.commands.{n}")) for n in GROUP_COMMANDS]
    await bot.set_my_commands(group_commands, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(bot_commands(content, DEFAULT_COMMANDS), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, content: Content, chat_id: int, role: Role | None) -> bool:
    """The person's command menu for their role; False (logged) when Telegram refused or could not be reached."""
    try:
        commands = bot_commands(content, commands_for(role), role)
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
    except (TelegramAPIError, TelegramNetworkError) as error:
        logger.warning("could not set the commands of chat %s: %s", chat_id, error)
        return False
    return True


async def sync_commands(bot: Bot, store: Store, content: Content, user_id: int) -> bool:
    """After a membership changed: the command menu of the person's current team's role (or of no team)."""
    membership = await store.teams.current_membership(user_id)
    return await set_chat_commands(bot, content, user_id, None if membership is None else membership.role)
