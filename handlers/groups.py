"""Group chats bound to a team: /bind, /unbind and /help in the group, the bot added to or removed from a group,
a group that became a supergroup or was renamed; and, in private chats, /bind explained and the head's «Отвязать»
in /settings.

Works with the bot's privacy mode on: in a group the bot receives only commands addressed to it (`/bind@bot`, or
`/bind` when it was the last bot to speak), replies to its messages and service messages (migration, new title),
and `my_chat_member` updates. Everything said in a group is team-level (bot/group_posts.py, the privacy rule);
refusals never say which team a group serves. Any member can press a button in a group: the role is read again on
every tap (the actor middleware re-reads memberships; here the role in the button's team is checked too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.filters import IS_MEMBER, IS_NOT_MEMBER, ChatMemberUpdatedFilter, Command
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import GroupCb, SettingsCb
from bot.group_posts import post_to_group
from bot.guards import team_with
from bot.replies import replace
from bot.views.common import Screen
from bot.views.groups import (
    already_bound,
    bind_refusal,
    bound,
    confirm_move,
    removed_notice,
    unbind_answer,
    unbind_confirm,
    unbound_by_admin_notice,
    unbound_from_settings,
)
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.groups import REFUSALS, BindVerdict, UnbindVerdict, bind_verdict, is_admin_status, unbind_verdict
from domain.models import Membership, Role, User
from storage import Store
from storage.groups import TeamGroup

logger = logging.getLogger(__name__)

GROUP_TYPES = frozenset({"group", "supergroup"})


async def _is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Telegram's word (getChatMember) that the person administers the group; False when it cannot be had."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except (TelegramAPIError, TelegramNetworkError) as error:
        logger.warning("could not check the admins of %s: %s", chat_id, error)
        return False
    return is_admin_status(member.status)


async def _tell_heads(bot: Bot, store: Store, team_id: int, render: Callable[[str], str]) -> None:
    """A private notice (`render(team name)`) to each head of the team, never to the group; a head who blocked
    the bot is skipped."""
    for head_id in await store.teams.user_ids_with_role(team_id, Role.HEAD):
        user = await store.users.get(head_id)
        if user is None or user.blocked_at is not None:
            continue
        team = await store.teams.get_for(head_id, team_id)
        try:
            await bot.send_message(head_id, render(team.name))
        except (TelegramAPIError, TelegramNetworkError) as error:  # recorded by the delivery middleware
            logger.warning("could not tell head %s about their group: %s", head_id, error)


# --- commands in the group -------------------------------------------------------------------------------------


async def bind_command(
    message: Message,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User | None = None,
    membership: Membership | None = None,
) -> None:
    if actor is None:  # an anonymous administrator (sent on behalf of the group): nobody to check
        await message.answer(content.t("groups.anonymous"))
        return
    chat = message.chat
    role = None if membership is None else membership.role
    team_id = None if membership is None else membership.team_id
    team_group = chat_team = None
    is_admin = False
    if role is Role.HEAD and team_id is not None:  # nothing about bindings is read for anyone else
        team_group = await store.groups.bound_chat_id(team_id)
        chat_team = await store.groups.team_for_chat(chat.id)
        is_admin = await _is_admin(bot, chat.id, actor.id)
    verdict = bind_verdict(role, is_admin, team_id, chat.id, team_group, chat_team)
    if verdict in REFUSALS or team_id is None:
        await message.answer(bind_refusal(content, verdict).text)
        return
    team = await store.teams.get_for(actor.id, team_id)
    if verdict is BindVerdict.ALREADY:
        screen = already_bound(content, team.name)
    elif verdict is BindVerdict.CONFIRM_MOVE:
        old = await store.groups.of_team(team_id)
        screen = confirm_move(content, team_id, team.name, old.title if old else "")
    else:
        result = await store.groups.bind(actor.id, team_id, chat.id, chat.title or "", clock.now())
        screen = bound(content, team.name, result.replaced.title if result.replaced else None)
    await message.answer(screen.text, reply_markup=screen.markup)


async def move_tapped(
    callback: CallbackQuery,
    callback_data: GroupCb,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    callback_answer: CallbackAnswer,
    actor: User | None = None,
) -> None:
    """«Перенести сюда» / «Отмена» under a confirmation: only a head of the button's team, re-checked now."""
    message = callback.message
    role = None if actor is None else await store.teams.role_of(actor.id, callback_data.team)
    if actor is None or role is not Role.HEAD or message is None:
        callback_answer.text = content.t("groups.not_yours")
        return
    if callback_data.action == "cancel":
        await replace(callback, Screen(content.t("groups.bind.cancelled")))
        return
    chat = message.chat
    team_id = callback_data.team
    team_group = await store.groups.bound_chat_id(team_id)
    chat_team = await store.groups.team_for_chat(chat.id)
    is_admin = await _is_admin(bot, chat.id, actor.id)
    verdict = bind_verdict(role, is_admin, team_id, chat.id, team_group, chat_team)
    team = await store.teams.get_for(actor.id, team_id)
    if verdict in {BindVerdict.BIND, BindVerdict.CONFIRM_MOVE}:  # the head has confirmed
        result = await store.groups.bind(actor.id, team_id, chat.id, chat.title or "", clock.now())
        screen = bound(content, team.name, result.replaced.title if result.replaced else None)
        if result.replaced is not None:  # the previous group hears that nothing more comes there
            await post_to_group(bot, store, result.replaced.chat_id, content.t("groups.unbind.done"), clock.now())
    elif verdict is BindVerdict.ALREADY:
        screen = already_bound(content, team.name)
    else:
        screen = bind_refusal(content, verdict)
    await replace(callback, screen)


async def unbind_command(
    message: Message, bot: Bot, store: Store, content: Content, clock: Clock, actor: User | None = None
) -> None:
    if actor is None:
        await message.answer(content.t("groups.anonymous"))
        return
    chat = message.chat
    chat_team = await store.groups.team_for_chat(chat.id)
    role = None if chat_team is None else await store.teams.role_of(actor.id, chat_team)
    is_admin = chat_team is not None and role is not Role.HEAD and await _is_admin(bot, chat.id, actor.id)
    verdict = unbind_verdict(role, is_admin, chat_team)
    if verdict is UnbindVerdict.UNBIND and chat_team is not None:
        if role is Role.HEAD:
            await store.groups.unbind(actor.id, chat_team)
        else:  # an administrator of the group who is not the team's head: the heads hear it privately
            group = await store.groups.forget_chat(chat.id)
            if group is not None:
                notice = partial(unbound_by_admin_notice, content, group.title)
                await _tell_heads(bot, store, group.team_id, notice)
    await message.answer(unbind_answer(content, verdict).text)


async def group_help(message: Message, content: Content) -> None:
    await message.answer(content.t("groups.help"))


async def stray_tap(
    callback: CallbackQuery, store: Store, content: Content, callback_answer: CallbackAnswer, actor: User | None = None
) -> None:
    """Any other button pressed in a group (old, forged, someone else's): a toast, nothing done."""
    chat_team = None if callback.message is None else await store.groups.team_for_chat(callback.message.chat.id)
    role = None if actor is None or chat_team is None else await store.teams.role_of(actor.id, chat_team)
    callback_answer.text = content.t("groups.stale" if role is Role.HEAD else "groups.not_yours")


# --- what Telegram tells about the group -----------------------------------------------------------------------


async def bot_removed(event: ChatMemberUpdated, bot: Bot, store: Store, content: Content) -> None:
    """The bot left or was removed: the binding ends and the team's heads are told privately."""
    group = await store.groups.forget_chat(event.chat.id)
    if group is not None:
        await _tell_heads(bot, store, group.team_id, partial(removed_notice, content, group.title))


async def bot_added(event: ChatMemberUpdated, bot: Bot, store: Store, content: Content, clock: Clock) -> None:
    """Added to a group: one line on how the head binds it (nothing when it already serves a team)."""
    if await store.groups.team_for_chat(event.chat.id) is None:
        await post_to_group(bot, store, event.chat.id, content.t("groups.added"), clock.now())


async def migrated(message: Message, store: Store) -> None:
    """A group became a supergroup (a new chat id): its binding follows. Telegram sends both service messages,
    `migrate_to_chat_id` in the old chat and `migrate_from_chat_id` in the new one; either is enough."""
    if message.migrate_to_chat_id is not None:
        await store.groups.migrate(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        await store.groups.migrate(message.migrate_from_chat_id, message.chat.id)


async def retitled(message: Message, store: Store) -> None:
    if message.new_chat_title:
        await store.groups.retitle(message.chat.id, message.new_chat_title)


# --- private chats ---------------------------------------------------------------------------------------------


async def group_command_in_private(message: Message, content: Content) -> None:
    await message.answer(content.t("groups.private_only"))


async def unbind_from_settings(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    """/settings → «Отвязать группу» → «Да»: the group is told it no longer serves the team."""
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    group: TeamGroup | None
    if callback_data.action == "unbind":
        group = await store.groups.shown_to(actor.id, team_id)
        await replace(
            callback, unbound_from_settings(content, None) if group is None else unbind_confirm(content, group.title)
        )
        return
    group = await store.groups.unbind(actor.id, team_id)
    await replace(callback, unbound_from_settings(content, None if group is None else group.title))
    if group is not None:
        await post_to_group(bot, store, group.chat_id, content.t("groups.unbind.done"), clock.now())


def create_router() -> Router:
    """For the `groups` parent (handlers/__init__.py), whose filters admit group and supergroup chats only."""
    router = Router(name=__name__)
    router.my_chat_member.filter(F.chat.type.in_(GROUP_TYPES))
    router.message.register(bind_command, Command("bind"))
    router.message.register(unbind_command, Command("unbind"))
    router.message.register(group_help, Command("help"))
    router.message.register(migrated, F.migrate_to_chat_id | F.migrate_from_chat_id)
    router.message.register(retitled, F.new_chat_title)
    router.callback_query.register(move_tapped, GroupCb.filter())
    router.my_chat_member.register(
        bot_removed, ChatMemberUpdatedFilter(member_status_changed=IS_MEMBER >> IS_NOT_MEMBER)
    )
    router.my_chat_member.register(bot_added, ChatMemberUpdatedFilter(member_status_changed=IS_NOT_MEMBER >> IS_MEMBER))
    return router


def create_fallback_router() -> Router:
    """The last router of the `groups` parent: any other tap in a group gets a toast. Messages nobody handled are
    left alone (in a group they are people talking, not the bot's business)."""
    router = Router(name=f"{__name__}.fallback")
    router.callback_query.register(stray_tap)
    return router


def create_private_router() -> Router:
    """For the `private` parent, before the catch-all: /bind and /unbind explained, «Отвязать группу» in /settings."""
    router = Router(name=f"{__name__}.private")
    router.message.register(group_command_in_private, Command("bind", "unbind"))
    router.callback_query.register(unbind_from_settings, SettingsCb.filter(F.action.in_({"unbind", "unbind_yes"})))
    return router
