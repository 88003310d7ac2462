"""«Мой план» for a member (money only, never another manager's figures) and the head's screen behind it."""

from __future__ import annotations

from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from analytics.render_format import Fmt
from bot.callbacks import MenuCb, MyPlanCb, PlanLinkCb
from bot.views.common import Screen
from content import Content
from domain.my_plan import Standing
from services.my_plan import MembersPlans

MAX_NAMES_SHOWN = 40


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _menu(content: Content) -> list[InlineKeyboardButton]:
    return [_button(content.t("menu.buttons.menu"), MenuCb(action="menu"))]


def standing_screen(content: Content, standing: Standing) -> Screen:
    f = Fmt(content.t, standing.currency)
    month = f.month(standing.month)
    lines = [content.t("my_plan.title", month=month)]
    if standing.plan is not None:
        lines.append(content.t("my_plan.plan", amount=f.money(standing.plan)))
    if standing.revenue is not None:
        lines.append(content.t("my_plan.revenue_now", amount=f.money(standing.revenue)))
    over = standing.over_plan
    if over is not None:
        if round(over) > 0:
            lines.append(content.t("my_plan.over", amount=f.money(over)))
        elif round(over) < 0:
            lines.append(content.t("my_plan.short", amount=f.money(-over)))
        else:
            lines.append(content.t("my_plan.exact"))
    if standing.missing:
        lines.append("")
        lines.append(content.t("my_plan.missing_title"))
        for missing in standing.missing:
            text = content.t(f"my_plan.missing.{missing.value}", month=month, name=escape(standing.manager or ""))
            lines.append("• " + text)
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[_menu(content)]))


def settings_screen(content: Content, view: MembersPlans, notice: str | None = None) -> Screen:
    lines = [] if notice is None else [notice, ""]
    lines.append(content.t("my_plan.settings_title"))
    lines.append(content.t("my_plan.settings_on" if view.visible else "my_plan.settings_off"))
    rows: list[list[InlineKeyboardButton]] = []
    toggle = MyPlanCb(action="off" if view.visible else "on")
    rows.append([_button(content.t("my_plan.buttons.off" if view.visible else "my_plan.buttons.on"), toggle)])
    if view.members:
        lines.append("")
        lines.append(content.t("my_plan.settings_how"))
        for member in view.members:
            manager = escape(member.manager) if member.manager else content.t("my_plan.settings_unlinked")
            label = content.t("my_plan.settings_member", name=member.name, manager=member.manager or "—")
            lines.append(content.t("my_plan.settings_member", name=escape(member.name), manager=manager))
            rows.append([_button(label, PlanLinkCb(user=member.user_id, action="ask"))])
    else:
        lines.append(content.t("my_plan.no_members"))
    rows.append([_button(content.t("my_plan.buttons.back"), MenuCb(action="plans"))])
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def link_screen(content: Content, user_id: int, name: str, names: list[str], linked: bool) -> Screen:
    rows: list[list[InlineKeyboardButton]] = []
    if names:
        text = content.t("my_plan.link_title", name=escape(name))
        for index, manager in enumerate(names[:MAX_NAMES_SHOWN]):
            rows.append([_button(manager, PlanLinkCb(user=user_id, action="pick", index=index))])
    else:
        text = content.t("my_plan.no_names")
    if linked:
        rows.append([_button(content.t("my_plan.buttons.unlink"), PlanLinkCb(user=user_id, action="unlink"))])
    rows.append([_button(content.t("my_plan.buttons.cancel"), MyPlanCb(action="show"))])
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))
