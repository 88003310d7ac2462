"""/start, deep-link invites, role choice and the head's team set-up."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import RoleCb, TimezoneCb
from bot.config import Settings
from bot.replies import replace, respond
from bot.states import Onboarding
from bot.views.common import Screen, main_menu
from bot.views.onboarding import choose_role, invite_links, team_created, timezone_aliases, timezone_keyboard
from content import Content
from domain.clock import Clock
from domain.errors import InvalidTimezone
from domain.models import Membership, Role, User
from domain.names import clean_name
from domain.timezones import RUSSIAN_TIMEZONES, parse_timezone
from services.teams import create_team
from storage import Store

MAX_TEAM_NAME = 64


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
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
) -> None:
    membership = await store.invites.accept(actor.id, command.args or "", clock.now())
    await state.clear()
    team = await store.teams.get_for(actor.id, membership.team_id)
    stored = await store.users.get(actor.id)
    if stored is not None and stored.timezone is None:  # the team's clock until the person picks one
        await store.users.set_timezone(actor.id, team.timezone)
    await message.answer(
        content.t(f"start.joined.{membership.role.value}", team=escape(team.name)),
        reply_markup=main_menu(content, membership.role),
    )


async def start(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    await state.clear()
    await respond(message, await home_screen(content, store, actor, membership))


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
        await replace(callback, Screen(content.t("onboarding.ask_team_name")))
        return
    await replace(callback, Screen(content.t(f"onboarding.need_invite.{role.value}")))


async def team_name_given(message: Message, state: FSMContext, content: Content, clock: Clock) -> None:
    name = clean_name(message.text or "", MAX_TEAM_NAME)  # a refused name: the error handler says why
    await state.update_data(team_name=name)
    await state.set_state(Onboarding.timezone)
    await message.answer(
        content.t("onboarding.ask_timezone", team=escape(name)),
        reply_markup=timezone_keyboard(content, "team", clock.now()),
    )


async def team_name_not_text(message: Message, content: Content) -> None:
    await message.answer(content.t("onboarding.ask_team_name"))


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
        await respond(event, Screen(content.t("onboarding.ask_team_name")))
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


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_invite, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.callback_query.register(role_chosen, RoleCb.filter())
    router.message.register(team_name_given, Onboarding.team_name, F.text, ~F.text.startswith("/"))
    router.message.register(team_name_not_text, Onboarding.team_name)
    router.callback_query.register(team_timezone_tapped, Onboarding.timezone, TimezoneCb.filter(F.target == "team"))
    router.message.register(team_timezone_typed, Onboarding.timezone, F.text, ~F.text.startswith("/"))
    return router
