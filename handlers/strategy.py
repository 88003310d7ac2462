"""/strategy: the strategy session (the article-000 questions one by one), milestones at quarter / half-year /
year with their owners, due dates and statuses, and the milestone a delivered reminder opens. Handlers read the
update, call a use case (services/strategy.py), render a view (bot/views/strategy.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MenuCb, MilestoneCb, MilestoneOwnerCb, MilestoneStatusCb, StrategyCb, SubjectCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import StrategyFlow
from bot.views.common import Screen, error_text
from bot.views.strategy import (
    ask_milestone,
    horizon_choice,
    milestone_card,
    overview,
    owner_choice,
    question_screen,
    session_done,
    status_note,
    version_screen,
)
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.errors import NoTeam
from domain.models import Membership, Role, User
from domain.strategy import (
    HORIZONS,
    SESSION_QUESTIONS,
    DueDateInPast,
    DueDateTooFar,
    Horizon,
    MilestoneStatus,
    StatusChangeNotAllowed,
    StrategySession,
    suggested_due,
)
from domain.typed_dates import TypedDateError, parse_typed_date
from services import strategy as use
from services.reminders import WakeUp
from storage import Store


async def _show(event: Message | CallbackQuery, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


# --- the overview -----------------------------------------------------------------------------------------


async def show_overview(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    await state.clear()
    await _show(event, await _overview(store, content, clock, actor, membership))


async def _overview(store: Store, content: Content, clock: Clock, actor: User, membership: Membership | None) -> Screen:
    if membership is None:
        raise NoTeam()
    team_id = membership.team_id
    can_manage = membership.role is Role.HEAD
    versions = await store.strategy.versions(actor.id, team_id) if can_manage else []
    unfinished = await store.strategy.unfinished_session(actor.id, team_id) if can_manage else None
    return overview(
        content,
        versions=versions,
        unfinished=unfinished,
        milestones=await store.strategy.milestones(actor.id, team_id),
        today=await use.team_today(store, actor.id, team_id, clock.now()),
        can_manage=can_manage,
        actor_id=actor.id,
    )


async def strategy_action(
    callback: CallbackQuery,
    callback_data: StrategyCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    action, value = callback_data.action, callback_data.value
    if action == "overview":
        await show_overview(callback, state, store, content, clock, actor, membership)
        return
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    if action == "session":
        session = await use.start_session(store, actor.id, team_id, clock.now())
        await state.set_state(StrategyFlow.answering)
        await state.set_data({"session": session.id})
        await replace(callback, question_screen(content, session))
    elif action == "skip":
        data = await state.get_data()
        current = await store.strategy.session(actor.id, int(data["session"])) if "session" in data else None
        if (
            current is None
            or current.next_question is None
            or SESSION_QUESTIONS.index(current.next_question) != value
            or await state.get_state() != StrategyFlow.answering.state
        ):
            callback_answer.text = content.t("errors.stale_button")
            return
        await _answered(callback, state, store, content, clock, actor, current.id, None, reminder_engine)
    elif action == "later":
        await state.clear()
        await replace(callback, Screen(content.t("strategy.later")))
    elif action == "skip_ms":
        data = await state.get_data()
        if (
            await state.get_state() != StrategyFlow.milestone_title.state
            or data.get("horizon") != HORIZONS[min(value, len(HORIZONS) - 1)].value
        ):
            callback_answer.text = content.t("errors.stale_button")
            return
        await _next_horizon(callback, state, store, content, clock, actor, membership, Horizon(data["horizon"]))
    elif action == "add":
        await state.clear()
        await replace(callback, horizon_choice(content))
    elif action == "horizon" and value < len(HORIZONS):
        horizon = HORIZONS[value]
        await state.set_state(StrategyFlow.milestone_title)
        await state.set_data({"horizon": horizon.value, "session": 0})
        today = await use.team_today(store, actor.id, team_id, clock.now())
        await replace(callback, ask_milestone(content, horizon, suggested_due(horizon, today), in_session=False))
    elif action == "version":
        versions = await store.strategy.versions(actor.id, team_id)
        if not 0 < value < len(versions):
            callback_answer.text = content.t("errors.stale_button")
            return
        await replace(callback, version_screen(content, versions, value))


# --- the session ------------------------------------------------------------------------------------------


async def answer_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    reminder_engine: WakeUp,
) -> None:
    data = await state.get_data()
    if "session" not in data:
        await state.clear()
        return
    await _answered(
        message, state, store, content, clock, actor, int(data["session"]), message.text or "", reminder_engine
    )


async def answer_not_text(message: Message, content: Content) -> None:
    await message.answer(content.t("strategy.errors.not_text"))


async def _answered(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    session_id: int,
    text: str | None,
    engine: WakeUp,
) -> None:
    now = clock.now()
    session = await use.answer_question(store, engine, content, actor.id, session_id, text, now)
    if session.next_question is not None:
        await _show(event, question_screen(content, session))
        return
    review = await use.ensure_review(store, engine, content, actor.id, session.team_id, now)
    await state.set_state(StrategyFlow.milestone_title)
    await state.set_data({"horizon": HORIZONS[0].value, "session": session.id})
    ask = ask_milestone(content, HORIZONS[0], suggested_due(HORIZONS[0], session.day), in_session=True)
    await _show(event, Screen(f"{session_done(content, session, review)}\n\n{ask.text}", ask.markup))


# --- milestones -------------------------------------------------------------------------------------------


async def milestone_title_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    data = await state.get_data()
    horizon = Horizon(data.get("horizon", Horizon.QUARTER.value))
    session_id = int(data.get("session", 0)) or None
    now = clock.now()
    due = None
    if session_id is not None:
        session: StrategySession = await store.strategy.session(actor.id, session_id)
        due = suggested_due(horizon, session.day)  # counted from the session's date, as it was shown
        today = await use.team_today(store, actor.id, team_id, now)
        due = max(due, today)
    milestone = await use.add_milestone(
        store, reminder_engine, content, actor.id, team_id, horizon, message.text or "", now, session_id, due
    )
    if session_id is not None:
        await _next_horizon(message, state, store, content, clock, actor, membership, horizon)
        return
    await state.clear()
    card = await use.open_milestone(store, actor.id, milestone.id, now)
    await respond(message, milestone_card(content, card, actor.id, now, content.t("strategy.milestone_added")))


async def _next_horizon(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    done: Horizon,
) -> None:
    position = HORIZONS.index(done) + 1
    data = await state.get_data()
    if position < len(HORIZONS):
        horizon = HORIZONS[position]
        session = await store.strategy.session(actor.id, int(data["session"]))
        await state.update_data(horizon=horizon.value)
        await _show(event, ask_milestone(content, horizon, suggested_due(horizon, session.day), in_session=True))
        return
    await state.clear()
    screen = await _overview(store, content, clock, actor, membership)
    await _show(event, Screen(f"{content.t('strategy.session_finished')}\n\n{screen.text}", screen.markup))


async def milestone_action(
    callback: CallbackQuery,
    callback_data: MilestoneCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    now = clock.now()
    card = await use.open_milestone(store, actor.id, callback_data.milestone, now)
    milestone = card.milestone
    if callback_data.action == "due" and card.can_manage:
        await state.set_state(StrategyFlow.due_date)
        await state.set_data({"milestone": milestone.id})
        await replace(callback, Screen(content.t("strategy.ask_due", title=milestone.title)))
    elif callback_data.action == "owner" and card.can_manage:
        members = await store.teams.members(actor.id, milestone.team_id)
        await replace(callback, owner_choice(content, milestone, members))
    else:
        await state.clear()
        await replace(callback, milestone_card(content, card, actor.id, now))


async def subject_opened(
    callback: CallbackQuery, callback_data: SubjectCb, state: FSMContext, store: Store, content: Content, clock: Clock,
    actor: User,
) -> None:  # fmt: skip
    """«🧭 Открыть веху» on a delivered reminder: the card comes as a new message (the reminder keeps its buttons)."""
    now = clock.now()
    card = await use.open_milestone(store, actor.id, callback_data.subject, now)
    await respond(callback, milestone_card(content, card, actor.id, now))


async def due_typed(
    message: Message,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    reminder_engine: WakeUp,
) -> None:
    data = await state.get_data()
    if "milestone" not in data:
        await state.clear()
        return
    now = clock.now()
    milestone = await store.strategy.milestone(actor.id, int(data["milestone"]))
    today = await use.team_today(store, actor.id, milestone.team_id, now)
    try:
        due = parse_typed_date(message.text or "", today)
        milestone = await use.change_due(store, reminder_engine, content, actor.id, milestone.id, due, now)
    except TypedDateError:
        await message.answer(content.t("strategy.errors.bad_date"))
        return
    except (DueDateInPast, DueDateTooFar) as error:
        await message.answer(error_text(content, error))
        return
    await state.clear()
    card = await use.open_milestone(store, actor.id, milestone.id, now)
    note = content.t("strategy.due_changed", date=use.day_words(content, milestone.due_date))
    await respond(message, milestone_card(content, card, actor.id, now, note))


async def owner_chosen(
    callback: CallbackQuery,
    callback_data: MilestoneOwnerCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    reminder_engine: WakeUp,
) -> None:
    now = clock.now()
    milestone = await use.change_owner(
        store, reminder_engine, content, actor.id, callback_data.milestone, callback_data.user, now
    )
    card = await use.open_milestone(store, actor.id, milestone.id, now)
    owner = content.t("strategy.owner_you") if milestone.owner_id == actor.id else milestone.owner_name
    await replace(
        callback, milestone_card(content, card, actor.id, now, content.t("strategy.owner_changed", name=owner))
    )


async def status_tapped(
    callback: CallbackQuery,
    callback_data: MilestoneStatusCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    now = clock.now()
    status = MilestoneStatus(callback_data.status)
    try:
        await use.change_status(store, reminder_engine, content, actor.id, callback_data.milestone, status, now)
    except StatusChangeNotAllowed:  # an old button: the status changed since; show it as it is now
        callback_answer.text = content.t("strategy.errors.status_not_allowed")
        card = await use.open_milestone(store, actor.id, callback_data.milestone, now)
        await replace(callback, milestone_card(content, card, actor.id, now))
        return
    card = await use.open_milestone(store, actor.id, callback_data.milestone, now)
    note = status_note(content, status)
    callback_answer.text = note[:200]
    await replace(callback, milestone_card(content, card, actor.id, now, note))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_overview, Command("strategy"))
    router.callback_query.register(show_overview, MenuCb.filter(F.action == "strategy"))
    router.callback_query.register(strategy_action, StrategyCb.filter())
    router.callback_query.register(milestone_action, MilestoneCb.filter())
    router.callback_query.register(status_tapped, MilestoneStatusCb.filter())
    router.callback_query.register(owner_chosen, MilestoneOwnerCb.filter())
    router.callback_query.register(subject_opened, SubjectCb.filter(F.kind == "strategy"))
    not_command = ~F.text.startswith("/")
    router.message.register(answer_typed, StrategyFlow.answering, F.text, not_command)
    router.message.register(answer_not_text, StrategyFlow.answering, ~F.text)
    router.message.register(milestone_title_typed, StrategyFlow.milestone_title, F.text, not_command)
    router.message.register(due_typed, StrategyFlow.due_date, F.text, not_command)
    return router
