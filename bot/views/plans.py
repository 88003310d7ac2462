"""The /plans screen: the plans still ahead and how to send new ones."""

from __future__ import annotations

from html import escape

from analytics.render_format import group
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
    return Screen("\n".join(lines))
