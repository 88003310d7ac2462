"""What the bot says in a team's group chat and about it. Everything sent to a group is team-level: the team's
and the group's names at most, never a person's data (bot/group_posts.py states the rule)."""

from __future__ import annotations

from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import GroupCb, SettingsCb
from bot.views.common import Screen
from content import Content
from domain.groups import BindVerdict, UnbindVerdict


def bind_refusal(content: Content, verdict: BindVerdict) -> Screen:
    """NOT_HEAD, NOT_ADMIN, TAKEN: short, and naming no team."""
    return Screen(content.t(f"groups.bind.{verdict.value}"))


def bound(content: Content, team: str, replaced: str | None = None) -> Screen:
    if replaced is None:
        return Screen(content.t("groups.bind.done", team=escape(team)))
    return Screen(content.t("groups.bind.moved", team=escape(team), old=escape(replaced)))


def already_bound(content: Content, team: str) -> Screen:
    return Screen(content.t("groups.bind.already", team=escape(team)))


def confirm_move(content: Content, team_id: int, team: str, old: str) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("groups.bind.buttons.move"), callback_data=GroupCb(action="move", team=team_id))
    builder.button(text=content.t("groups.bind.buttons.cancel"), callback_data=GroupCb(action="cancel", team=team_id))
    builder.adjust(2)
    return Screen(content.t("groups.bind.confirm", team=escape(team), old=escape(old)), builder.as_markup())


def unbind_answer(content: Content, verdict: UnbindVerdict) -> Screen:
    key = {
        UnbindVerdict.UNBIND: "groups.unbind.done",
        UnbindVerdict.NOT_BOUND: "groups.unbind.not_bound",
        UnbindVerdict.NOT_ALLOWED: "groups.unbind.not_allowed",
    }[verdict]
    return Screen(content.t(key))


def removed_notice(content: Content, title: str, team: str) -> str:
    """To the team's heads, privately: the bot was removed from their group."""
    return content.t("groups.notices.removed", title=escape(title), team=escape(team))


def unbound_by_admin_notice(content: Content, title: str, team: str) -> str:
    return content.t("groups.notices.unbound_by_admin", title=escape(title), team=escape(team))


def settings_line(content: Content, title: str | None) -> str:
    """The head's /settings: the team's group, or how to bind one."""
    if title is None:
        return content.t("groups.settings.none")
    return content.t("groups.settings.line", title=escape(title))


def unbind_confirm(content: Content, title: str) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("settings.buttons.confirm"), callback_data=SettingsCb(action="unbind_yes"))
    builder.button(text=content.t("settings.buttons.cancel"), callback_data=SettingsCb(action="show"))
    builder.adjust(2)
    return Screen(content.t("groups.settings.unbind_confirm", title=escape(title)), builder.as_markup())


def unbound_from_settings(content: Content, title: str | None) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("settings.buttons.back"), callback_data=SettingsCb(action="show"))
    text = (
        content.t("groups.settings.not_bound")
        if title is None
        else content.t("groups.settings.unbound", title=escape(title))
    )
    return Screen(text, builder.as_markup())
