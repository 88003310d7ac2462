"""The case-review agenda goes to the team's bound group when it goes to the head, an hour before the review.

Called by the engine's render (bot/app.py) after the head's agenda is composed. A render may run again for the same
delivery (a retry after a network error): the post is recorded per review first (`record_group_post`), so the group
gets it once; a failed post is forgotten, so the head's «📣 Отправить в группу» can still send it."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot

from bot.group_posts import Posted, post_to_team_group
from bot.views.case_reviews import group_agenda
from content import Content
from domain.case_reviews import local_day
from domain.reminders import DueDelivery
from services.case_reviews import AGENDA_KIND, DueAgenda, due_delivery
from storage import Store

logger = logging.getLogger(__name__)


async def post_agenda_to_group(bot: Bot, store: Store, content: Content, delivery: DueDelivery, now: datetime) -> bool:
    """True when the group received the agenda now; False when there is no group, it was posted already, or the
    post failed (recorded by the groups service)."""
    if delivery.kind != AGENDA_KIND:
        return False
    due = await due_delivery(store, delivery.kind, delivery.subject_id, delivery.recipient_id, now)
    if not isinstance(due, DueAgenda) or not due.group_bound:
        return False
    chat_id = await store.groups.bound_chat_id(due.series.team_id)
    if chat_id is None:
        return False
    day = local_day(due.agenda.review_at, due.series.timezone)
    if not await store.cases.record_group_post(delivery.recipient_id, due.series.id, day, chat_id, now):
        return False
    posted = await post_to_team_group(
        bot, store, due.series.team_id, group_agenda(content, due.series, due.agenda, now), now
    )
    if posted is not Posted.SENT:
        logger.warning("case agenda of series %s not posted to the group: %s", due.series.id, posted.value)
        await store.cases.forget_group_post(delivery.recipient_id, due.series.id, day)
        return False
    return True
