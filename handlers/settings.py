"""/settings: own name and timezone, leaving a team; for the head also the team, its invites and members."""

from __future__ import annotations

from datetime import datetime, time
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import InviteCb, MemberCb, MenuCb, SettingsCb, TeamCb, TimezoneCb, TimezoneTarget, WorkdayCb
from bot.commands import set_chat_commands, sync_commands
from bot.config import Settings
from bot.guards import team_with
from bot.membership import tell_removed
from bot.replies import replace, respond
from bot.states import SettingsFlow
from bot.views.common import Screen
from bot.views.onboarding import invite_links, timezone_aliases, timezone_keyboard, timezone_label
from bot.views.schedule_words import clock_time
from bot.views.settings import (
    confirm,
    invites_keyboard,
    members_screen,
    settings_screen,
    teams_screen,
    workday_screen,
)
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.errors import InvalidTimezone
from domain.models import Membership, User
from domain.names import MAX_NAME_CHARS, clean_name
from domain.reminder_phrases import parse_time_of_day
from domain.timezones import RUSSIAN_TIMEZONES, parse_timezone
from handlers.start import home_screen
from services.reminders import WakeUp
from services.zone_change import change_team_timezone, change_timezone
from storage import Store


async def _settings(store: Store, content: Content, actor: User, membership: Membership | None) -> Screen:
    fresh = await store.users.get(actor.id) or actor
    team = await store.teams.get_for(actor.id, membership.team_id) if membership else None
    several = membership is not None and len(await store.teams.memberships_of(actor.id)) > 1
    group = await store.groups.shown_to(actor.id, membership.team_id) if membership else None  # heads only
    workday = await store.users.workday_start(actor.id)
    return settings_screen(content, fresh, membership, team, workday, several, group.title if group else None)


async def ask_workday_start(
    callback: CallbackQuery, state: FSMContext, store: Store, content: Content, actor: User
) -> None:
    await state.set_state(SettingsFlow.workday_start)
    await replace(callback, workday_screen(content, await store.users.workday_start(actor.id)))


async def workday_start_tapped(
    callback: CallbackQuery,
    callback_data: WorkdayCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    start = time(callback_data.minutes // 60, callback_data.minutes % 60)
    await _save_workday_start(callback, state, store, content, actor, membership, start)


async def workday_start_typed(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    start = parse_time_of_day(message.text or "")  # a PhraseError: the error handler shows how to type a time
    await _save_workday_start(message, state, store, content, actor, membership, start)


async def _save_workday_start(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    start: time,
) -> None:
    await store.users.set_workday_start(actor.id, start)
    await state.clear()
    await respond(event, Screen(content.t("settings.workday_saved", time=clock_time(content, start))))
    await respond(event, await _settings(store, content, actor, membership))


async def show_settings(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    await state.clear()
    screen = await _settings(store, content, actor, membership)
    if isinstance(event, CallbackQuery) and isinstance(event.data, str) and event.data.startswith("s:"):
        await replace(event, screen)
    else:
        await respond(event, screen)


async def ask_timezone(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    state: FSMContext,
    content: Content,
    clock: Clock,
    membership: Membership | None,
) -> None:
    target: TimezoneTarget = "user" if callback_data.action == "tz" else "tteam"
    if target == "tteam":
        team_with(membership, Permission.MANAGE_TEAM)
    await state.set_state(SettingsFlow.timezone)
    await state.set_data({"target": target})
    await replace(callback, Screen(content.t("settings.ask_timezone"), timezone_keyboard(content, target, clock.now())))


async def _apply_timezone(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    reminder_engine: WakeUp,
    actor: User,
    membership: Membership | None,
    target: str,
    timezone: str,
) -> None:
    text = content.t("settings.timezone_saved", timezone=timezone_label(content, timezone, None))
    if target == "tteam":
        team_id = team_with(membership, Permission.MANAGE_TEAM)
        change = await change_team_timezone(store, reminder_engine, actor.id, team_id, timezone, clock.now())
        if change.schedules:
            text += "\n" + content.plural("settings.team_schedules_moved", change.schedules)
    else:
        old_zone = actor.timezone or timezone  # the actor middleware fills the default zone
        moved = await change_timezone(store, reminder_engine, actor.id, old_zone, timezone, clock.now())
        if moved:
            text += "\n" + content.plural("settings.reminders_moved", len(moved))
    await state.clear()
    await respond(event, Screen(text))
    await respond(event, await _settings(store, content, actor, membership))


async def timezone_tapped(
    callback: CallbackQuery,
    callback_data: TimezoneCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    reminder_engine: WakeUp,
    actor: User,
    membership: Membership | None,
) -> None:
    if not 0 <= callback_data.index < len(RUSSIAN_TIMEZONES):
        return
    timezone = RUSSIAN_TIMEZONES[callback_data.index]
    target = callback_data.target
    await _apply_timezone(callback, state, store, content, clock, reminder_engine, actor, membership, target, timezone)


async def timezone_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    reminder_engine: WakeUp,
    actor: User,
    membership: Membership | None,
) -> None:
    target = (await state.get_data()).get("target", "user")
    try:
        timezone = parse_timezone(message.text or "", timezone_aliases(content))
    except InvalidTimezone:
        keyboard = timezone_keyboard(content, target, clock.now())
        await message.answer(content.t("errors.invalid_timezone"), reply_markup=keyboard)
        return
    await _apply_timezone(message, state, store, content, clock, reminder_engine, actor, membership, target, timezone)


async def ask_text(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    state: FSMContext,
    content: Content,
    membership: Membership | None,
) -> None:
    if callback_data.action == "rename":
        team_with(membership, Permission.MANAGE_TEAM)
        await state.set_state(SettingsFlow.team_name)
    else:
        await state.set_state(SettingsFlow.display_name)
    limit = content.plural("limits.chars", MAX_NAME_CHARS)
    await replace(callback, Screen(content.t(f"settings.ask_{callback_data.action}", limit=limit)))


async def display_name_given(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    name = clean_name(message.text or "", MAX_NAME_CHARS)  # a refused name: the error handler says why
    await store.users.set_display_name(actor.id, name)
    await state.clear()
    await message.answer(content.t("settings.name_saved", name=escape(name)))
    await respond(message, await _settings(store, content, actor, membership))


async def team_name_given(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    name = clean_name(message.text or "", MAX_NAME_CHARS)  # a refused name: the error handler says why
    await store.teams.rename(actor.id, team_id, name)
    await state.clear()
    await message.answer(content.t("settings.team_renamed", team=escape(name)))


async def _invites_screen(bot: Bot, store: Store, content: Content, actor: User, team_id: int, now: datetime) -> Screen:
    me = await bot.me()
    text = invite_links(content, me.username or "", await store.invites.active(actor.id, team_id, now), now)
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=invites_keyboard(content)))


async def show_invites(
    callback: CallbackQuery,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    await replace(callback, await _invites_screen(bot, store, content, actor, team_id, clock.now()))


async def change_invite(
    callback: CallbackQuery,
    callback_data: InviteCb,
    bot: Bot,
    store: Store,
    content: Content,
    settings: Settings,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    role = callback_data.role  # never the head's: heads are not invited by a link
    now = clock.now()
    if callback_data.action == "regen":
        await store.invites.regenerate(actor.id, team_id, role, settings.invite_ttl, now)
        callback_answer.text = content.t(f"settings.invite_regenerated.{role.value}")
    else:
        await store.invites.revoke(actor.id, team_id, role, now)
        callback_answer.text = content.t(f"settings.invite_revoked.{role.value}")
    await replace(callback, await _invites_screen(bot, store, content, actor, team_id, now))


async def show_members(
    callback: CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    await replace(callback, members_screen(content, await store.teams.members(actor.id, team_id), actor.id))


async def member_action(
    callback: CallbackQuery,
    callback_data: MemberCb,
    bot: Bot,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    members = {member.user_id: member for member in await store.teams.members(actor.id, team_id)}
    member = members.get(callback_data.user)
    if member is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    if callback_data.action == "ask":
        text = content.t("settings.remove_confirm", name=escape(member.display_name))
        await replace(callback, confirm(content, text, MemberCb(user=member.user_id, action="remove")))
        return
    removed = await store.teams.remove_member(actor.id, team_id, member.user_id)
    callback_answer.text = content.t("settings.member_removed", name=member.display_name)[:200]
    await replace(callback, members_screen(content, await store.teams.members(actor.id, team_id), actor.id))
    if removed:  # a double tap removes once and tells once
        team = await store.teams.get_for(actor.id, team_id)
        await tell_removed(bot, store, content, member.user_id, team.name)


async def leave(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    bot: Bot,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.LEAVE_TEAM)
    if callback_data.action == "leave":
        await replace(callback, confirm(content, content.t("settings.leave_confirm"), SettingsCb(action="leave_yes")))
        return
    await store.teams.leave(actor.id, team_id)
    await replace(callback, Screen(content.t("settings.left")))
    await sync_commands(bot, store, content, actor.id)


async def show_teams(callback: CallbackQuery, store: Store, content: Content, actor: User) -> None:
    await replace(callback, teams_screen(content, await store.teams.teams_of(actor.id)))


async def switch_team(
    callback: CallbackQuery,
    callback_data: TeamCb,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    """Another of the person's teams becomes the current one: its menu, commands and data (a team they are not
    in is NotFound)."""
    membership = await store.teams.switch_to(actor.id, callback_data.team)
    await state.clear()
    team = await store.teams.get_for(actor.id, membership.team_id)
    role = content.t(f"roles.{membership.role.value}")
    callback_answer.text = content.t("settings.team_switched", team=team.name, role=role)[:200]
    await replace(callback, await home_screen(content, store, actor, membership))
    await set_chat_commands(bot, content, actor.id, membership.role)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_settings, Command("settings"))
    router.callback_query.register(show_settings, MenuCb.filter(F.action == "settings"))
    router.callback_query.register(show_settings, SettingsCb.filter(F.action == "show"))
    router.callback_query.register(ask_timezone, SettingsCb.filter(F.action.in_({"tz", "ttz"})))
    router.callback_query.register(ask_text, SettingsCb.filter(F.action.in_({"name", "rename"})))
    router.callback_query.register(ask_workday_start, SettingsCb.filter(F.action == "workday"))
    router.callback_query.register(workday_start_tapped, WorkdayCb.filter())
    router.message.register(workday_start_typed, SettingsFlow.workday_start, F.text, ~F.text.startswith("/"))
    router.callback_query.register(show_invites, SettingsCb.filter(F.action == "invites"))
    router.callback_query.register(show_members, SettingsCb.filter(F.action == "members"))
    router.callback_query.register(leave, SettingsCb.filter(F.action.in_({"leave", "leave_yes"})))
    router.callback_query.register(show_teams, SettingsCb.filter(F.action == "teams"))
    router.callback_query.register(switch_team, TeamCb.filter())
    router.callback_query.register(change_invite, InviteCb.filter())
    router.callback_query.register(member_action, MemberCb.filter())
    router.callback_query.register(timezone_tapped, SettingsFlow.timezone, TimezoneCb.filter(F.target != "team"))
    router.message.register(timezone_typed, SettingsFlow.timezone, F.text, ~F.text.startswith("/"))
    router.message.register(display_name_given, SettingsFlow.display_name, F.text, ~F.text.startswith("/"))
    router.message.register(team_name_given, SettingsFlow.team_name, F.text, ~F.text.startswith("/"))
    return router
