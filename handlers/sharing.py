"""«📤 Отправить собственнику» on a head's result: what to send, confirm, every owner of the team receives it; an
owner opens a shared result from /history."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import ShareCb, SharedCb
from bot.delivery import is_recipient_gone
from bot.replies import replace
from bot.views import sharing as views
from bot.views.common import local_date
from content import Content
from domain.checklists import score_run
from domain.clock import Clock
from domain.models import User
from services import sharing as use
from storage import Store

logger = logging.getLogger(__name__)


async def share_action(
    callback: CallbackQuery,
    callback_data: ShareCb,
    bot: Bot,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    ready = await use.shareable(store, actor.id, callback_data.run)
    checklist = content.checklists.get(ready.run.checklist_key)
    if checklist is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    run = ready.run
    if callback_data.action == "ask":
        await replace(callback, views.choose(content, checklist, run.id))
        return
    outcome = score_run(checklist, ready.answers)  # the head's result, in the head's voice
    full = callback_data.action in {"full", "send_full"}
    if callback_data.action in {"summary", "full"}:
        names = [owner.name for owner in ready.owners]
        await replace(callback, views.confirm(content, checklist, run.id, outcome, names, full))
        return
    if not ready.owners:
        await replace(callback, views.confirm(content, checklist, run.id, outcome, [], full))
        return
    plan = views.plan_keys(checklist, outcome)
    share, created = await use.record_share(store, actor.id, run.id, full, plan, clock.now())
    if not created:
        callback_answer.text = content.t("sharing.already", date=local_date(content, share.shared_at, actor.timezone))
        return
    delivered: list[str] = []
    failed: list[str] = []
    answers = ready.answers if full else None
    for owner in ready.owners:
        date = local_date(content, share.finished_at, owner.timezone)
        text = views.owner_message(content, checklist, share, answers, actor.display_name, date)
        try:
            await bot.send_message(owner.user_id, text)
        except TelegramAPIError as error:  # a 403 is recorded by the delivery layer (bot/delivery.py)
            gone = is_recipient_gone(error)
            logger.warning("share %s: not delivered to %s (gone: %s): %s", share.id, owner.user_id, gone, error)
            failed.append(owner.name)
        else:
            delivered.append(owner.name)
    await replace(callback, views.sent(content, run.id, delivered, failed))


async def open_shared(
    callback: CallbackQuery,
    callback_data: SharedCb,
    store: Store,
    content: Content,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    """An owner's view of a shared result: the text they received (answers only if it was sent in full)."""
    share, answers = await store.shares.open(actor.id, callback_data.share)
    checklist = content.checklists.get(share.checklist_key)
    if checklist is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    head = await store.users.get(share.shared_by)
    date = local_date(content, share.finished_at, actor.timezone)
    text = views.owner_message(content, checklist, share, answers, head.display_name if head else "", date)
    await replace(callback, views.shared_screen(content, text))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(share_action, ShareCb.filter())
    router.callback_query.register(open_shared, SharedCb.filter())
    return router
