"""The /plans screen: the plans still ahead and how to send new ones."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from analytics.render_format import group
from bot.callbacks import MyPlanCb
from bot.views.common import Screen
from content import Content
from services.plans import UpcomingPlans

MAX_LINES_SHOWN = 40  # a long list would pass Telegram's 4096 characters


def plans_screen(content: Content, upcoming: UpcomingPlans) -> Screen:
    lines = [content.t("plans.title")]
    for plan in upcoming.plans[:MAX_LINES_SHOWN]:
        lines.append(content.t("plans.line", manager=escape(plan.manager), month=plan.month, amount=group(plan.amount)))
    if not upcoming.plans:
        lines.append(content.t("plans.none"))
    lines.append(content.t("plans.how", month=upcoming.month))
    members = InlineKeyboardButton(  # the switch «Менеджеры видят свой план» and who is who (handlers/my_plan.py)
        text=content.t("my_plan.button_from_plans"), callback_data=MyPlanCb(action="show").pack()
    )
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[members]]))
