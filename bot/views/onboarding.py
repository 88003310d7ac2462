from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import RoleCb, TimezoneCb, TimezoneTarget
from bot.views.common import Screen, main_menu
from content import Content
from domain.invites import deep_link
from domain.models import Invite, Role, Team
from domain.timezones import RUSSIAN_TIMEZONES, utc_offset_label


def choose_role(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for role in Role:
        builder.button(text=content.t(f"start.role_buttons.{role.value}"), callback_data=RoleCb(role=role))
    builder.adjust(1)
    return Screen(content.t("start.welcome"), builder.as_markup())


def timezone_keyboard(content: Content, target: TimezoneTarget, now: datetime) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(RUSSIAN_TIMEZONES):
        label = content.t(f"timezones.{name.replace('/', '_')}", offset=utc_offset_label(name, now))
        builder.button(text=label, callback_data=TimezoneCb(index=index, target=target))
    builder.adjust(2)
    return builder.as_markup()


def invite_links(content: Content, bot_username: str, invites: list[Invite], now: datetime) -> str:
    lines = [content.t("invites.title")]
    by_role = {invite.role: invite for invite in invites if invite.is_usable(now)}
    for role in (Role.OWNER, Role.MEMBER):
        invite = by_role.get(role)
        if invite is None:
            lines.append(content.t(f"invites.none.{role.value}"))
        else:
            lines.append(
                content.t(
                    f"invites.link.{role.value}",
                    link=deep_link(bot_username, invite.code),
                    expires=invite.expires_at.strftime(content.t("format.date")),
                )
            )
    return "\n\n".join(lines)


def team_created(content: Content, team: Team, links: str) -> Screen:
    text = content.t("onboarding.team_created", team=escape(team.name), timezone=team.timezone) + "\n\n" + links
    return Screen(text, main_menu(content, Role.HEAD))
