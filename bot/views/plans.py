"""The /plans screen: the plans of the months just closed and still ahead, and how to send new ones."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from analytics.render_format import group
from bot.callbacks import MenuCb, MyPlanCb
from bot.views.common import Screen
from content import Content
from services.plans import UpcomingPlans

MAX_LINES_SHOWN = 40  # a long list would pass Telegram's 4096 characters


def plans_screen(content: Content, upcoming: UpcomingPlans) -> Screen:
    lines = [content.t("plans.title")]
    shown = [*upcoming.past, *upcoming.plans][:MAX_LINES_SHOWN]  # by month: the closed months first
    for plan in shown:
        lines.append(content.t("plans.line", manager=escape(plan.manager), month=plan.month, amount=group(plan.amount)))
    if not shown:
        lines.append(content.t("plans.none"))
    lines.append(content.t("plans.how", month=upcoming.month, previous=upcoming.previous_month))
    members = InlineKeyboardButton(  # the switch «Менеджеры видят свой план» and who is who (handlers/my_plan.py)
        text=content.t("my_plan.button_from_plans"), callback_data=MyPlanCb(action="show").pack()
    )
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[members]]))


def plans_again(content: Content) -> InlineKeyboardMarkup:
    """After an answer that ended the wait: one tap opens /plans again."""
    button = InlineKeyboardButton(text=content.t("plans.again"), callback_data=MenuCb(action="plans").pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
