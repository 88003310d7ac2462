from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuAction, MenuCb
from bot.commands import home_actions
from content import Content
from domain.errors import Counted, DomainError
from domain.models import Role

BAR_WIDTH = 10


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def error_text(content: Content, error: DomainError) -> str:
    """The error's text with its arguments; a counted one («до 200 символов») in its plural form."""
    args = {
        name: content.plural(value.key, value.count) if isinstance(value, Counted) else value
        for name, value in error.text_args.items()
    }
    return content.t(error.text_key, **args)


def local_date(content: Content, moment: datetime, timezone: str | None) -> str:
    tz = ZoneInfo(timezone) if timezone else None
    local = moment.astimezone(tz) if tz else moment
    return local.strftime(content.t("format.date"))


def main_menu(content: Content, role: Role | None) -> InlineKeyboardMarkup:
    """The role's buttons (bot/commands.py: the same list as its /help and command menu); no team: settings."""
    builder = InlineKeyboardBuilder()
    actions: tuple[MenuAction, ...] = ("settings",) if role is None else home_actions(role)
    for action in actions:
        builder.button(text=content.t(f"menu.buttons.{action}"), callback_data=MenuCb(action=action))
    builder.adjust(2)
    return builder.as_markup()


def menu_button(content: Content) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    return builder.as_markup()
