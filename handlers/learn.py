"""/learn: training modules. Anyone in a team takes any module (screens, a three-question check with the
explanation of every answer, the result); a head assigns modules to managers on a weekly schedule (each gets a
reminder whose button opens the module of the week) and sees the team's progress.

No FSM state: every step rides in its button (attempt id, position, the head's choices so far), and the answers
are saved as they are given, so a restart or an old button never loses or doubles anything.
"""

from __future__ import annotations

from datetime import time

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import AssignCb, LearnCb, LessonAnswerCb, LessonCb, MenuCb, ModuleCb, SubjectCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.views import learn as views
from bot.views.common import Screen
from bot.views.schedule_words import describe_rule
from content import Content
from content.training_schema import TrainingModule
from domain.access import Permission
from domain.clock import Clock
from domain.errors import NoTeam, NotFound
from domain.models import Membership, Role, User
from domain.training import (
    Assignment,
    AssignmentState,
    Attempt,
    AttemptNotInProgress,
    AttemptStatus,
    NothingToAssign,
    StepKind,
    next_step,
)
from services import training as use
from services.reminders import WakeUp
from storage import Store


def _team(membership: Membership | None) -> int:
    """Any role may take modules: the current team of the actor."""
    if membership is None:
        raise NoTeam()
    return membership.team_id


async def show_list(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    await respond(event, await _list_screen(store, content, actor, _team(membership), membership))


async def back_to_list(
    callback: CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    await replace(callback, await _list_screen(store, content, actor, _team(membership), membership))


async def _list_screen(
    store: Store, content: Content, actor: User, team_id: int, membership: Membership | None
) -> Screen:
    passed = await store.training.passed_modules(actor.id, team_id)
    assignment = await store.training.active_assignment(actor.id, team_id)
    is_head = membership is not None and membership.role is Role.HEAD
    return views.module_list(content, passed, assignment, is_head)


async def open_module(
    callback: CallbackQuery,
    callback_data: ModuleCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = _team(membership)
    module = content.training.get(callback_data.key)
    if module is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    await replace(callback, await _intro(store, content, actor, team_id, module))


async def _intro(store: Store, content: Content, actor: User, team_id: int, module: TrainingModule) -> Screen:
    last = await store.training.last_passed(actor.id, team_id, module.key)
    assignment = await store.training.active_assignment(actor.id, team_id)
    assigned = assignment is not None and assignment.current == module.key
    return views.intro(content, module, last, assigned, actor.timezone)


async def start_module(
    callback: CallbackQuery,
    callback_data: ModuleCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = _team(membership)
    module = content.training.get(callback_data.key)
    if module is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    assignment = await store.training.active_assignment(actor.id, team_id)
    linked = None
    if assignment is not None and any(i.module_key == module.key and i.completed_at is None for i in assignment.items):
        linked = assignment.id
    attempt = await use.start_module(store, actor.id, team_id, module.key, clock.now(), linked)
    await use.read_screen(store, actor.id, attempt.id, 1)
    await replace(callback, views.screen(content, module, attempt.id, 0))


async def _attempt(
    store: Store, content: Content, actor: User, attempt_id: int
) -> tuple[Attempt, dict[int, int], TrainingModule | None]:
    attempt, answers = await store.training.with_answers(actor.id, attempt_id)  # NotFound: another's or forged
    return attempt, answers, content.training.get(attempt.module_key)


async def lesson_step(
    callback: CallbackQuery,
    callback_data: LessonCb,
    store: Store,
    content: Content,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    attempt, answers, module = await _attempt(store, content, actor, callback_data.attempt)
    if module is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    index = callback_data.index
    if callback_data.step == "screen":
        if attempt.status is not AttemptStatus.IN_PROGRESS:
            raise AttemptNotInProgress(str(attempt.id))
        if index >= len(module.screens):
            callback_answer.text = content.t("errors.stale_button")
            return
        await use.read_screen(store, actor.id, attempt.id, index + 1)
        await replace(callback, views.screen(content, module, attempt.id, index))
        return
    if callback_data.step == "question":
        if index >= len(module.questions):
            callback_answer.text = content.t("errors.stale_button")
            return
        if index in answers:  # answered already: its explanations again
            await replace(callback, views.feedback(content, module, attempt.id, index, answers[index]))
            return
        if attempt.status is not AttemptStatus.IN_PROGRESS:
            raise AttemptNotInProgress(str(attempt.id))
        await use.read_screen(store, actor.id, attempt.id, len(module.screens))
        await replace(callback, views.question(content, module, attempt.id, index))
        return
    if attempt.status is not AttemptStatus.FINISHED:  # not every question answered: back to where the person is
        if attempt.status is not AttemptStatus.IN_PROGRESS:
            raise AttemptNotInProgress(str(attempt.id))
        callback_answer.text = content.t("errors.stale_button")
        step = next_step(len(module.screens), attempt.screens_read, answers, len(module.questions))
        if step.kind is StepKind.SCREEN:
            await replace(callback, views.screen(content, module, attempt.id, step.index))
        else:
            await replace(callback, views.question(content, module, attempt.id, step.index))
        return
    await replace(
        callback, views.result(content, module, attempt, answers, await _assignment_after(store, actor, attempt))
    )


async def _assignment_after(store: Store, actor: User, attempt: Attempt) -> Assignment | None:
    """The assignment the result speaks of: the one the attempt belonged to, else the person's active one."""
    if attempt.assignment_id is not None:
        try:
            linked = await store.training.assignment(actor.id, attempt.assignment_id)
        except NotFound:
            linked = None
        if linked is not None and linked.state in (AssignmentState.ACTIVE, AssignmentState.DONE):
            return linked
    return await store.training.active_assignment(actor.id, attempt.team_id)


async def answer_given(
    callback: CallbackQuery,
    callback_data: LessonAnswerCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    attempt, answers, module = await _attempt(store, content, actor, callback_data.attempt)
    index = callback_data.question
    if module is None or index >= len(module.questions) or callback_data.option >= len(module.questions[index].options):
        callback_answer.text = content.t("errors.stale_button")
        return
    if index in answers:  # a double tap, or an old button: the first answer stands
        callback_answer.text = content.t("learn.already_answered")
        await replace(callback, views.feedback(content, module, attempt.id, index, answers[index]))
        return
    answered = await use.answer_question(store, module, actor.id, attempt.id, index, callback_data.option, clock.now())
    if not answered.first:
        callback_answer.text = content.t("learn.already_answered")
    await replace(callback, views.feedback(content, module, attempt.id, index, answered.option))


# --- a delivered reminder: «📚 Открыть модуль» --------------------------------------------------------------------


async def open_assigned(
    callback: CallbackQuery,
    callback_data: SubjectCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        assignment = await store.training.assignment(actor.id, callback_data.subject)
    except NotFound:  # removed from the team, or a forged id
        callback_answer.text = content.t("learn.assignment_over")
        return
    module = content.training.get(assignment.current or "")
    if assignment.state is not AssignmentState.ACTIVE or assignment.user_id != actor.id or module is None:
        callback_answer.text = content.t("learn.assignment_over")
        if membership is not None:
            await respond(callback, await _list_screen(store, content, actor, membership.team_id, membership))
        return
    if membership is None or membership.team_id != assignment.team_id:  # open it in the assignment's team
        await store.users.set_current_team(actor.id, assignment.team_id)
    await respond(callback, await _intro(store, content, actor, assignment.team_id, module))


# --- the head: team progress and assignments ----------------------------------------------------------------------


async def show_team(
    callback: CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    progress = await use.progress_of_team(store, list(content.training), actor.id, team_id)
    await replace(callback, views.team(content, progress))


async def choose_who(
    callback: CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    await replace(callback, views.assign_who(content, await store.training.learners(actor.id, team_id)))


async def assign_step(
    callback: CallbackQuery,
    callback_data: AssignCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
    reminder_engine: WakeUp,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TEAM)
    choice = callback_data
    if choice.user == 0:
        whom = content.t("learn.whom_all")
    else:
        learners = await store.training.learners(actor.id, team_id, choice.user)
        if not learners:  # removed meanwhile, or a forged id
            callback_answer.text = content.t("errors.stale_button")
            return
        whom = learners[0].name
    if choice.module not in ("-", "*") and choice.module not in content.training:
        callback_answer.text = content.t("errors.stale_button")
        return
    if choice.module == "-":
        await replace(callback, views.assign_what(content, choice, whom))
        return
    if choice.weekday < 0:
        await replace(callback, views.assign_day(content, choice))
        return
    if choice.minutes < 0:
        await replace(callback, views.assign_time(content, choice))
        return
    at = time(choice.minutes // 60, choice.minutes % 60)
    now = clock.now()
    if not choice.save:
        rule = use.weekly_rule(choice.weekday, at, actor.timezone or "UTC", now)
        await replace(callback, views.assign_confirm(content, choice, whom, describe_rule(content, rule)))
        return
    modules = list(content.training) if choice.module == "*" else [choice.module]
    results = await use.assign_modules(
        store,
        reminder_engine,
        actor.id,
        team_id,
        choice.user or None,
        modules,
        choice.weekday,
        at,
        content.t("learn.reminder_title"),
        now,
    )
    if choice.user and all(r.assignment is None for r in results):
        raise NothingToAssign(choice.module)
    await replace(callback, views.assigned(content, results, now))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_list, Command("learn"))
    router.callback_query.register(show_list, MenuCb.filter(F.action == "learn"))
    router.callback_query.register(back_to_list, LearnCb.filter(F.action == "list"))
    router.callback_query.register(show_team, LearnCb.filter(F.action == "team"))
    router.callback_query.register(choose_who, LearnCb.filter(F.action == "who"))
    router.callback_query.register(open_module, ModuleCb.filter(F.action == "open"))
    router.callback_query.register(start_module, ModuleCb.filter(F.action == "start"))
    router.callback_query.register(lesson_step, LessonCb.filter())
    router.callback_query.register(answer_given, LessonAnswerCb.filter())
    router.callback_query.register(open_assigned, SubjectCb.filter(F.kind == "training"))
    router.callback_query.register(assign_step, AssignCb.filter())
    return router
