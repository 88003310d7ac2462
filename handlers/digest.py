"""/digest: the owners' weekly digest now (an owner: theirs; a head: a preview of what the owner sees), and the
owner's digest settings (day, time, off / on) under it."""

from __future__ import annotations

from datetime import time

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import DigestCb
from bot.config import Settings
from bot.replies import replace, respond
from bot.views.common import Screen
from bot.views.digest import alerts_screen, digest_chart, digest_screen, settings_screen
from content import Content
from domain.clock import Clock
from domain.digest import ALERT_CHOICES, Digest
from domain.models import Membership, Role, User
from scheduling.sender import PHOTO_NAME
from services import digest as use
from services.reminders import WakeUp
from storage import Store


def _zone(actor: User, settings: Settings) -> str:
    return actor.timezone or settings.default_timezone


async def _digest_screen(
    store: Store,
    content: Content,
    settings: Settings,
    wake: WakeUp,
    actor: User,
    membership: Membership | None,
    clock: Clock,
) -> tuple[Screen, Digest | None]:
    if membership is None:
        return Screen(content.t("digest.no_team")), None
    if membership.role is Role.MEMBER:
        return Screen(content.t("digest.members_only")), None
    now = clock.now()
    zone = _zone(actor, settings)
    if membership.role is Role.OWNER:
        # Lazily for an owner who has no digest yet (e.g. joined while it was being shipped).
        await use.digest_setting(
            store, wake, actor.id, membership.team_id, content.t("digest.reminder_title"), zone, now
        )
    digest = await use.compose_for(store, actor.id, membership.team_id, now)
    preview = membership.role is Role.HEAD
    owners = len(await store.teams.user_ids_with_role(membership.team_id, Role.OWNER)) if preview else 0
    return digest_screen(content, digest, zone, preview=preview, owners=owners), digest


async def show_digest(
    message: Message,
    store: Store,
    content: Content,
    settings: Settings,
    reminder_engine: WakeUp,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    screen, digest = await _digest_screen(store, content, settings, reminder_engine, actor, membership, clock)
    await respond(message, screen)
    chart = None if digest is None else await digest_chart(content, digest)
    if chart is not None:
        await message.answer_photo(BufferedInputFile(chart, PHOTO_NAME))


async def digest_tapped(
    callback: CallbackQuery,
    callback_data: DigestCb,
    store: Store,
    content: Content,
    settings: Settings,
    reminder_engine: WakeUp,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    action = callback_data.action
    if action == "show":
        screen, _ = await _digest_screen(store, content, settings, reminder_engine, actor, membership, clock)
        await replace(callback, screen)
        return
    if membership is None or membership.role is not Role.OWNER:
        # The settings belong to an owner of the current team (a button from another team or role does nothing).
        await replace(callback, Screen(content.t("digest.members_only" if membership else "digest.no_team")))
        return
    now = clock.now()
    team_id = membership.team_id
    title = content.t("digest.reminder_title")
    if action == "day":
        if callback_data.value > 6:
            return
        await use.change_digest_schedule(store, reminder_engine, actor.id, team_id, now, weekday=callback_data.value)
    elif action == "time":
        at = time(callback_data.value // 60, callback_data.value % 60)
        await use.change_digest_schedule(store, reminder_engine, actor.id, team_id, now, at=at)
    elif action in ("off", "on"):
        await use.turn_digest(store, reminder_engine, actor.id, team_id, action == "on", now)
    elif action in ("alerts", "alert"):
        if action == "alert":
            if callback_data.value >= len(ALERT_CHOICES):
                return
            choice = ALERT_CHOICES[callback_data.value]
            check_title = content.t("digest.alerts.check_title")
            zone = _zone(actor, settings)
            await use.change_alerts(store, reminder_engine, actor.id, team_id, choice, check_title, zone, now)
        await replace(callback, alerts_screen(content, await store.digests.alert_settings(actor.id, team_id)))
        return
    reminder = await use.digest_setting(store, reminder_engine, actor.id, team_id, title, _zone(actor, settings), now)
    if reminder is None:  # pragma: no cover - an owner always has one after digest_setting
        return
    await replace(callback, settings_screen(content, reminder, now))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_digest, Command("digest"))
    router.callback_query.register(digest_tapped, DigestCb.filter())
    return router
