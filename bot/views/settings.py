"""Screens of /settings."""

from __future__ import annotations

from datetime import time
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import InviteCb, MemberCb, MenuCb, SettingsAction, SettingsCb, TeamCb, WorkdayCb
from bot.views.common import Screen
from bot.views.groups import settings_line
from bot.views.onboarding import timezone_label
from bot.views.schedule_words import clock_time
from content import Content
from domain.models import Member, Membership, Role, Team, User
from storage.teams import TeamChoice

WORKDAY_CHOICES = (7, 8, 9, 10)
HEAD_ACTIONS: tuple[SettingsAction, ...] = ("rename", "ttz", "invites", "members")


def settings_screen(
    content: Content,
    actor: User,
    membership: Membership | None,
    team: Team | None,
    workday_start: time,
    several_teams: bool = False,
    group_title: str | None = None,  # the head's: the team's bound group chat
) -> Screen:
    lines = [
        content.t("settings.title"),
        content.t("settings.name", name=escape(actor.display_name)),
        content.t(
            "settings.timezone",
            timezone=timezone_label(content, actor.timezone, None) if actor.timezone else content.t("settings.not_set"),
        ),
        content.t("settings.workday", time=clock_time(content, workday_start)),
    ]
    if membership is not None and team is not None:
        lines.append(
            content.t("settings.team", team=escape(team.name), role=content.t(f"roles.{membership.role.value}"))
        )
        if membership.role is Role.HEAD:  # the head sets it («Пояс команды»): shown like their own, in Russian
            lines.append(content.t("settings.team_timezone", timezone=timezone_label(content, team.timezone, None)))
            lines.append(settings_line(content, group_title))
    builder = InlineKeyboardBuilder()
    actions: list[SettingsAction] = ["tz", "name", "workday"]
    if membership is not None and membership.role is Role.HEAD:
        actions += HEAD_ACTIONS
        if group_title is not None:
            actions.append("unbind")
    if several_teams:
        actions.append("teams")
    if membership is not None:
        actions.append("leave")
    labels = {"unbind": "groups.settings.button"}  # the group chat's texts live in groups.yaml
    for action in actions:
        label = content.t(labels.get(action, f"settings.buttons.{action}"))
        builder.button(text=label, callback_data=SettingsCb(action=action))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(2)
    return Screen("\n".join(lines), builder.as_markup())


def teams_screen(content: Content, choices: list[TeamChoice]) -> Screen:
    """«Сменить команду»: the person's teams with their role in each, the current one ticked."""
    builder = InlineKeyboardBuilder()
    for choice in choices:
        key = "settings.team_choice_current" if choice.current else "settings.team_choice"
        role = content.t(f"roles.{choice.role.value}")
        builder.button(text=content.t(key, team=choice.team.name, role=role), callback_data=TeamCb(team=choice.team.id))
    builder.button(text=content.t("settings.buttons.back"), callback_data=SettingsCb(action="show"))
    builder.adjust(1)
    return Screen(content.t("settings.teams_title"), builder.as_markup())


def workday_screen(content: Content, current: time) -> Screen:
    builder = InlineKeyboardBuilder()
    for hour in WORKDAY_CHOICES:
        builder.button(text=clock_time(content, time(hour)), callback_data=WorkdayCb(minutes=hour * 60))
    builder.button(text=content.t("settings.buttons.back"), callback_data=SettingsCb(action="show"))
    builder.adjust(4, 1)
    return Screen(content.t("settings.ask_workday", time=clock_time(content, current)), builder.as_markup())


def invites_keyboard(content: Content) -> list[list[InlineKeyboardButton]]:
    builder = InlineKeyboardBuilder()
    for role in (Role.OWNER, Role.MEMBER):
        for action in ("regen", "revoke"):
            builder.button(
                text=content.t(f"settings.invite_buttons.{action}.{role.value}"),
                callback_data=InviteCb(role=role, action=action),
            )
    builder.button(text=content.t("settings.buttons.back"), callback_data=SettingsCb(action="show"))
    builder.adjust(2, 2, 1)
    return builder.export()


def members_screen(content: Content, members: list[Member], actor_id: int) -> Screen:
    lines = [content.t("settings.members_title", count=len(members))]
    builder = InlineKeyboardBuilder()
    for member in members:
        username = f" @{member.username}" if member.username else ""
        lines.append(
            content.t(
                "settings.member_line",
                name=escape(member.display_name),
                username=escape(username),
                role=content.t(f"roles.{member.role.value}"),
            )
        )
        if member.user_id != actor_id:
            builder.button(
                text=content.t("settings.remove_button", name=member.display_name[:40]),
                callback_data=MemberCb(user=member.user_id, action="ask"),
            )
    builder.button(text=content.t("settings.buttons.back"), callback_data=SettingsCb(action="show"))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def confirm(content: Content, text: str, yes: SettingsCb | MemberCb) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("settings.buttons.confirm"), callback_data=yes)
    builder.button(text=content.t("settings.buttons.cancel"), callback_data=SettingsCb(action="show"))
    builder.adjust(2)
    return Screen(text, builder.as_markup())
