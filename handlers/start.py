"""/start, deep-link invites, role choice and the head's team set-up."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import JoinCb, RoleCb, TimezoneCb
from bot.commands import set_chat_commands
from bot.config import Settings
from bot.replies import replace, respond
from bot.states import Joining, Onboarding
from bot.views.common import Screen, main_menu
from bot.views.onboarding import choose_role, invite_links, team_created, timezone_aliases, timezone_keyboard
from bot.views.teams import move_screen
from content import Content
from domain.clock import Clock
from domain.errors import InvalidTimezone
from domain.models import Membership, Role, User
from domain.names import MAX_NAME_CHARS, clean_name
from domain.timezones import RUSSIAN_TIMEZONES, parse_timezone
from services.digest import ensure_owner_digest
from services.reminders import WakeUp
from services.teams import create_team
from storage import Store
from storage.invites import Acceptance


def ask_team_name(content: Content) -> str:
    return content.t("onboarding.ask_team_name", limit=content.plural("limits.chars", MAX_NAME_CHARS))


async def home_screen(content: Content, store: Store, actor: User, membership: Membership | None) -> Screen:
    if membership is None:
        return choose_role(content)
    team = await store.teams.get_for(actor.id, membership.team_id)
    text = content.t(f"menu.home.{membership.role.value}", name=escape(actor.display_name), team=escape(team.name))
    return Screen(text, main_menu(content, membership.role))


async def start_with_invite(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    code = command.args or ""
    if await _asked_before_moving(message, state, store, content, clock, actor, membership, code):
        return
    await join_by_invite(message, code, state, bot, store, content, clock, actor, reminder_engine)


async def _asked_before_moving(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    code: str,
) -> bool:
    """A head opening another team's link is asked first (JoinCb); True when the question was put."""
    if membership is None or membership.role is not Role.HEAD:
        return False
    preview = await store.invites.preview(code, clock.now())  # a dead link: the error handler says so
    if await store.teams.role_of(actor.id, preview.team_id) is not None:  # already in it: nothing moves
        return False
    current = await store.teams.get_for(actor.id, membership.team_id)
    await state.set_state(Joining.confirm_move)
    await state.set_data({"invite": code})
    await respond(message, move_screen(content, current.name, preview.team_name, preview.role))
    return True


async def move_answered(
    callback: CallbackQuery,
    callback_data: JoinCb,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    code = (await state.get_data()).get("invite")
    if callback_data.action == "yes" and isinstance(code, str):
        await join_by_invite(callback, code, state, bot, store, content, clock, actor, reminder_engine)
        return
    await state.clear()
    if membership is None:  # pragma: no cover - only heads are asked; the team may be gone meanwhile
        await replace(callback, await home_screen(content, store, actor, membership))
        return
    current = await store.teams.get_for(actor.id, membership.team_id)
    await replace(callback, Screen(content.t("team_move.stayed", current=escape(current.name))))


async def join_by_invite(
    event: Message | CallbackQuery,
    code: str,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    reminder_engine: WakeUp,
) -> None:
    acceptance = await store.invites.accept_invite(actor.id, code, clock.now())
    membership = acceptance.membership
    await state.clear()
    team = await store.teams.get_for(actor.id, membership.team_id)
    stored = await store.users.get(actor.id)
    if stored is not None and stored.timezone is None:  # the team's clock until the person picks one
        await store.users.set_timezone(actor.id, team.timezone)
    if membership.role is Role.OWNER:  # the weekly digest: Monday 09:00 in their zone until they change it
        await ensure_owner_digest(
            store, reminder_engine, actor.id, team.id, content.t("digest.reminder_title"), team.timezone, clock.now()
        )
    await respond(event, Screen(invite_outcome(content, acceptance, team.name), main_menu(content, membership.role)))
    await set_chat_commands(bot, content, actor.id, membership.role)


def invite_outcome(content: Content, acceptance: Acceptance, team_name: str) -> str:
    """What opening the link did: joined with the invite's role, or nothing (already in the team, role kept)."""
    role = acceptance.membership.role
    team = escape(team_name)
    if acceptance.joined:
        return content.t(f"start.joined.{role.value}", team=team)
    role_name = content.t(f"roles.{role.value}")
    if role is acceptance.invite_role:
        text = content.t("start.already.same", team=team, role=role_name)
    else:
        link_for = content.t(f"start.link_for.{acceptance.invite_role.value}")
        text = content.t("start.already.role_kept", team=team, role=role_name, link_for=link_for)
    if acceptance.switched:
        text += "\n" + content.t("start.already.switched")
    return text


async def start(
    message: Message,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    await state.clear()
    await respond(message, await home_screen(content, store, actor, membership))
    # The command menu of the person's role: also brings chats from before per-role menus up to date.
    await set_chat_commands(bot, content, actor.id, None if membership is None else membership.role)


async def role_chosen(
    callback: CallbackQuery,
    callback_data: RoleCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    role = callback_data.role
    await store.users.set_chosen_role(actor.id, role)
    if role is Role.HEAD:
        await state.set_state(Onboarding.team_name)
        await replace(callback, Screen(ask_team_name(content)))
        return
    await replace(callback, Screen(content.t(f"onboarding.need_invite.{role.value}")))


async def team_name_given(message: Message, state: FSMContext, content: Content, clock: Clock) -> None:
    name = clean_name(message.text or "", MAX_NAME_CHARS)  # a refused name: the error handler says why
    await state.update_data(team_name=name)
    await state.set_state(Onboarding.timezone)
    await message.answer(
        content.t("onboarding.ask_timezone", team=escape(name)),
        reply_markup=timezone_keyboard(content, "team", clock.now()),
    )


async def team_name_not_text(message: Message, content: Content) -> None:
    await message.answer(ask_team_name(content))


async def team_timezone_tapped(
    callback: CallbackQuery,
    callback_data: TimezoneCb,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    settings: Settings,
    clock: Clock,
    actor: User,
) -> None:
    if not 0 <= callback_data.index < len(RUSSIAN_TIMEZONES):
        return
    timezone = RUSSIAN_TIMEZONES[callback_data.index]
    await _create_team(callback, state, bot, store, content, settings, actor, timezone, clock.now())


async def team_timezone_typed(
    message: Message,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    settings: Settings,
    clock: Clock,
    actor: User,
) -> None:
    now = clock.now()
    try:
        timezone = parse_timezone(message.text or "", timezone_aliases(content))
    except InvalidTimezone:
        await message.answer(
            content.t("errors.invalid_timezone"),
            reply_markup=timezone_keyboard(content, "team", now),
        )
        return
    await _create_team(message, state, bot, store, content, settings, actor, timezone, now)


async def _create_team(
    event: Message | CallbackQuery,
    state: FSMContext,
    bot: Bot,
    store: Store,
    content: Content,
    settings: Settings,
    actor: User,
    timezone: str,
    now: datetime,
) -> None:
    data = await state.get_data()
    name = data.get("team_name")
    if not name:  # the state was lost: start the set-up again
        await state.set_state(Onboarding.team_name)
        await respond(event, Screen(ask_team_name(content)))
        return
    created = await create_team(store, actor.id, name, timezone, settings.invite_ttl, now)
    await state.clear()
    me = await bot.me()
    links = invite_links(content, me.username or "", list(created.invites), now)
    screen = team_created(content, created.team, links, now)
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)
    await set_chat_commands(bot, content, actor.id, Role.HEAD)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_invite, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.callback_query.register(role_chosen, RoleCb.filter())
    router.callback_query.register(move_answered, Joining.confirm_move, JoinCb.filter())
    router.message.register(team_name_given, Onboarding.team_name, F.text, ~F.text.startswith("/"))
    router.message.register(team_name_not_text, Onboarding.team_name)
    router.callback_query.register(team_timezone_tapped, Onboarding.timezone, TimezoneCb.filter(F.target == "team"))
    router.message.register(team_timezone_typed, Onboarding.timezone, F.text, ~F.text.startswith("/"))
    return router
