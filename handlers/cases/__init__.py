"""/cases: team case reviews (article 000). The head schedules the review, keeps the case template, sees the agenda
(and posts it to the team's group), records decisions and action items; a member sends a case through a short form
and marks their action items done.

Handlers read the update, call a use case (services/case_reviews.py), render a view (bot/views/case_reviews.py).
One module a step: `schedule` (the schedule, pausing, the template), `submissions` (a member's case form), `agenda`
(the agenda, the group post, decisions and action items); `common` holds what they share. This module opens /cases
and a delivered reminder's button, and builds the router the dispatcher factory includes. A button of a finished or
abandoned step gets the stale-button toast."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import CaseCb, MenuCb, SubjectCb
from bot.replies import replace, respond
from bot.views import case_reviews as views
from content import Content
from domain.case_reviews import ACTION_KIND, AGENDA_KIND, KINDS
from domain.clock import Clock
from domain.errors import NotFound
from domain.models import Membership, Role, User
from handlers.cases import agenda, schedule, submissions
from handlers.cases.common import agenda_screen, home_screen, show, team_and_role
from storage import Store


async def show_cases(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id, role = team_and_role(membership)
    await state.clear()
    await show(event, await home_screen(store, content, clock, actor, team_id, role))


async def show_home(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id, role = team_and_role(membership)
    await state.clear()
    await replace(callback, await home_screen(store, content, clock, actor, team_id, role))


async def open_from_reminder(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
) -> None:
    """The button of a delivered nudge / escalation (the form), agenda (the live agenda) or action item (the
    member's items), as a new message: the reminder keeps its own buttons. The subject's team, not the current
    one: a forged or foreign id reads as NotFound."""
    now = clock.now()
    await state.clear()
    if callback_data.kind == ACTION_KIND:
        item = await store.cases.action(actor.id, callback_data.subject)
        items = await store.cases.actions(actor.id, item.series_id)
        role = await store.teams.role_of(actor.id, item.team_id)
        await respond(callback, views.items_screen(content, items, head=role is Role.HEAD))
        return
    series = await store.cases.get_series(actor.id, callback_data.subject)
    role = await store.teams.role_of(actor.id, series.team_id)
    if callback_data.kind == AGENDA_KIND or role is Role.HEAD:
        if role is not Role.HEAD:
            raise NotFound(f"case agenda {series.id}")
        await respond(callback, await agenda_screen(store, content, actor, series, now))
        return
    await submissions.start_form(callback, state, store, content, clock, actor, series, new_message=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_cases, Command("cases"))
    router.callback_query.register(show_cases, MenuCb.filter(F.action == "cases"))
    router.callback_query.register(open_from_reminder, SubjectCb.filter(F.kind.in_(set(KINDS))))
    router.callback_query.register(show_home, CaseCb.filter(F.action == "show"))
    router.include_routers(submissions.create_router(), schedule.create_router(), agenda.create_router())
    return router
