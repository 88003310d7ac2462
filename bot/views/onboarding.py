from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import RoleCb, TimezoneCb, TimezoneTarget
from bot.views.common import Screen, main_menu
from content import Content
from domain.invites import deep_link
from domain.models import Invite, Role, Team
from domain.timezones import RUSSIAN_TIMEZONES, normalize_alias, utc_offset_label

_ALIASES = "timezone_aliases."
_FIXED_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


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


def timezone_label(content: Content, tz: str, now: datetime | None) -> str:
    """«Новосибирск (UTC+7)»; a zone without a Russian name shows its IANA name, an Etc/GMT zone its offset.

    Without `now` a named zone is shown by its name alone (its offset may depend on the date).
    """
    key = f"timezone_names.{tz.replace('/', '_')}"
    name = content.t(key) if content.has(key) else tz
    if tz.startswith("Etc/") or tz == "UTC":
        return utc_offset_label(tz, now or _FIXED_MOMENT)  # fixed offsets: any moment will do
    if now is None:
        return name
    return content.t("timezone_label", name=name, offset=utc_offset_label(tz, now))


def timezone_aliases(content: Content) -> dict[str, str]:
    """Typed place names (normalised) -> IANA zone, from content `timezone_aliases.<Zone>`."""
    aliases: dict[str, str] = {}
    for key in content.keys():  # noqa: SIM118 - Content is not a mapping
        if key.startswith(_ALIASES):
            zone = key[len(_ALIASES) :].replace("_", "/", 1)
            aliases.update((normalize_alias(name), zone) for name in content.items(key))
    return aliases


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


def team_created(content: Content, team: Team, links: str, now: datetime) -> Screen:
    timezone = timezone_label(content, team.timezone, now)
    text = content.t("onboarding.team_created", team=escape(team.name), timezone=timezone) + "\n\n" + links
    return Screen(text, main_menu(content, Role.HEAD))
