"""A member's case for the coming review: a short form whose answers are saved in the database as they are typed
(case_drafts), so a restart or another screen in between resumes it; restart, cancel and send."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CaseCb
from bot.replies import replace, respond
from bot.states import CaseFlow
from bot.views import case_reviews as views
from content import Content
from domain.case_reviews import ANSWER_LIMIT, CaseSeries, clean_text
from domain.clock import Clock
from domain.errors import AccessDenied
from domain.models import Membership, Role, User
from handlers.cases.common import home_screen, team_and_role
from services import case_reviews as use
from storage import Store

FORM_ACTIONS = frozenset({"write", "restart", "submit", "cancel"})


async def start_form(
    event: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    series: CaseSeries,
    new_message: bool = False,
    restart: bool = False,
) -> None:
    if await store.teams.role_of(actor.id, series.team_id) is not Role.MEMBER:
        raise AccessDenied("submit_case")
    now = clock.now()
    defaults = views.default_questions(content)
    if restart:
        draft = await use.restart_case(store, actor.id, series.id, defaults, now)
    else:
        draft = await use.start_case(store, actor.id, series.id, defaults, now)
    own = await store.cases.own_case(actor.id, series.id, use.review_day(series, now))
    await state.set_state(CaseFlow.answering)
    await state.set_data({"series": series.id})
    screen = (
        views.summary_step(content, draft) if draft.complete else views.question_step(content, draft, own is not None)
    )
    if new_message:
        await respond(event, screen)
    else:
        await replace(event, screen)


async def form_action(
    callback: CallbackQuery,
    callback_data: CaseCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id, _ = team_and_role(membership)
    series = await use.require_series(store, actor.id, team_id)
    action = callback_data.action
    if action == "write":
        await start_form(callback, state, store, content, clock, actor, series)
        return
    draft = await store.cases.draft(actor.id, series.id)
    if draft is None:  # sent or cancelled already: an old button
        callback_answer.text = content.t("errors.stale_button")
        return
    if action == "restart":
        await start_form(callback, state, store, content, clock, actor, series, restart=True)
    elif action == "cancel":
        await store.cases.drop_draft(actor.id, series.id)
        await state.clear()
        notice = content.t("cases.form_cancelled")
        await replace(callback, await home_screen(store, content, clock, actor, team_id, Role.MEMBER, notice))
    elif action == "submit":
        if not draft.complete:
            callback_answer.text = content.t("errors.stale_button")
            return
        case, replaced = await use.submit_case(store, actor.id, series.id, clock.now())
        await state.clear()
        notice = views.submitted_notice(content, case, replaced)
        await replace(callback, await home_screen(store, content, clock, actor, team_id, Role.MEMBER, notice))


async def answer_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
) -> None:
    """An answer to the question on screen, saved at once; after the last one, the case to check and send."""
    series_id = int((await state.get_data()).get("series", 0))
    draft = await store.cases.draft(actor.id, series_id) if series_id else None
    if draft is None or draft.complete:
        await state.clear()
        await message.answer(content.t("errors.stale_button"))
        return
    answer = clean_text(message.text or "", ANSWER_LIMIT)  # refused: its text, the question stays open
    draft = await store.cases.answer_draft(actor.id, series_id, answer)
    screen = views.summary_step(content, draft) if draft.complete else views.question_step(content, draft)
    await respond(message, screen)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(form_action, CaseCb.filter(F.action.in_(FORM_ACTIONS)))
    router.message.register(answer_typed, CaseFlow.answering, F.text, ~F.text.startswith("/"))
    return router
