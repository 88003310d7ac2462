"""A head asked before another team's link moves them there."""

from __future__ import annotations

from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import JoinCb
from bot.views.common import Screen
from content import Content
from domain.models import Role


def move_screen(content: Content, current_team: str, new_team: str, invite_role: Role) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("team_move.buttons.yes"), callback_data=JoinCb(action="yes"))
    builder.button(text=content.t("team_move.buttons.no"), callback_data=JoinCb(action="no"))
    builder.adjust(2)
    text = content.t(
        "team_move.ask",
        current=escape(current_team),
        team=escape(new_team),
        link_for=content.t(f"start.link_for.{invite_role.value}"),
    )
    return Screen(text, builder.as_markup())
