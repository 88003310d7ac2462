"""Diagnostic checklists: list, intro, one question at a time (answers saved as given), result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import (
    AnswerCb,
    ChecklistCb,
    MenuCb,
    PdcaCb,
    QuestionCb,
    ResultCb,
    ShareCb,
    TaskAddCb,
    TemplateCb,
    TemplateName,
)
from bot.guards import team_with
from bot.replies import replace, respond
from bot.states import ChecklistFlow
from bot.views import checklists as views
from bot.views.common import Screen
from content import Content
from content.schema import Checklist
from domain.access import Permission, checklist_permission, may_take, require
from domain.checklist_groups import group_result
from domain.checklists import chosen_option, compare_runs, for_owners, in_voice, next_unanswered, score_run
from domain.clock import Clock
from domain.errors import NotFound
from domain.models import ChecklistRun, Membership, Role, RunStatus, User
from storage import Store


async def list_checklists(
    event: Message | CallbackQuery, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    team_id = team_with(membership, Permission.TAKE_CHECKLISTS)
    role = membership.role if membership is not None else None
    offered = [c for c in content.checklists.values() if may_take(role, for_owners(c))]
    last_runs: dict[str, ChecklistRun] = {}
    for run in await store.runs.history(actor.id, team_id, limit=100):
        last_runs.setdefault(run.checklist_key, run)
    unfinished: dict[str, tuple[int, int]] = {}  # checklist key -> (answered, the question to continue with)
    for key, (_, answers) in (await store.runs.open_with_answers(actor.id, team_id)).items():
        checklist = content.checklists.get(key)
        if checklist is not None:
            position = next_unanswered(checklist, answers)
            answered = sum(1 for item in checklist.items if chosen_option(checklist, item, answers.get(item.key)))
            unfinished[key] = (answered, len(checklist.items) - 1 if position is None else position)
    voiced = [in_voice(checklist, role) for checklist in offered]
    await respond(event, views.checklist_list(content, last_runs, actor.timezone, unfinished, voiced))


def _offered(content: Content, membership: Membership | None, key: str) -> tuple[int, Role, Checklist | None]:
    """The actor's team and role, and the checklist of a button when it exists; a checklist the role may not take
    (an owner and one not written for owners) is refused with what the role can do instead."""
    team_id = team_with(membership, Permission.TAKE_CHECKLISTS)
    assert membership is not None  # team_with raised otherwise
    checklist = content.checklists.get(key)
    if checklist is not None:
        require(membership.role, checklist_permission(for_owners(checklist), membership.role))
    return team_id, membership.role, checklist


async def _taker_role(store: Store, membership: Membership | None, run: ChecklistRun) -> Role | None:
    """The role of the person who took the run, in the run's team (the current membership when it is that team)."""
    if membership is not None and membership.team_id == run.team_id:
        return membership.role
    return await store.teams.role_of(run.user_id, run.team_id)


async def open_checklist(
    callback: CallbackQuery,
    callback_data: ChecklistCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id, role, checklist = _offered(content, membership, callback_data.key)
    if checklist is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    run = await store.runs.in_progress(actor.id, team_id, checklist.key)
    position = None
    if run is not None:
        position = next_unanswered(checklist, await store.runs.answers(actor.id, run.id))
    await replace(callback, views.intro(content, in_voice(checklist, role), position))


async def start_checklist(
    callback: CallbackQuery,
    callback_data: ChecklistCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id, role, checklist = _offered(content, membership, callback_data.key)
    if checklist is None:
        callback_answer.text = content.t("errors.stale_button")
        return
    now = clock.now()
    run = await store.runs.in_progress(actor.id, team_id, checklist.key)
    if run is not None and callback_data.action == "restart":
        await store.runs.abandon(actor.id, run.id)
        run = None
    if run is None:
        run = await store.runs.start(actor.id, team_id, checklist.key, now, worded_for_owners=for_owners(checklist))
    answers = await store.runs.answers(actor.id, run.id)
    position = next_unanswered(checklist, answers)
    if position is None:  # everything answered before a restart: just finish
        await _finish(callback, state, store, content, actor, checklist, run, answers, now, role)
        return
    await state.set_state(ChecklistFlow.answering)
    await state.set_data(_flow_data({}, checklist, run.id, position, answers))
    chosen = answers.get(checklist.items[position].key)
    await replace(callback, views.question(content, in_voice(checklist, role), run.id, position, chosen, False))


def _flow_data(
    data: dict[str, Any], checklist: Checklist, run_id: int, position: int, answers: dict[str, str]
) -> dict[str, Any]:
    """FSM data saying which question of which run is on screen. The position is left out when it is the first
    unanswered question, where `_current` (and so a restart) finds it from the saved answers anyway: answering
    questions in order then changes nothing, and the tap writes only its answer."""
    wanted = {**data, "run_id": run_id}
    if position == next_unanswered(checklist, answers):
        wanted.pop("position", None)
    else:  # e.g. after "back": an answered question is on screen
        wanted["position"] = position
    return wanted


async def _current(
    state: FSMContext, store: Store, content: Content, actor: User, run_id: int
) -> tuple[ChecklistRun, Checklist | None, dict[str, str], int | None, dict[str, Any]]:
    """The run (NotFound for somebody else's or a forged run), its answers, the question on screen, FSM data."""
    run, answers = await store.runs.with_answers(actor.id, run_id)
    checklist = content.checklists.get(run.checklist_key)
    if run.status is not RunStatus.IN_PROGRESS or checklist is None:
        return run, checklist, {}, None, {}
    data = await state.get_data()
    if data.get("run_id") == run.id and isinstance(data.get("position"), int):
        position: int | None = data["position"]
    else:  # no saved position (answering in order, or the state was cleared): the first unanswered question
        position = next_unanswered(checklist, answers)
    return run, checklist, answers, position, data


def _stale(
    callback_answer: CallbackAnswer,
    content: Content,
    run: ChecklistRun,
    checklist: Checklist | None,
    position: int | None,
) -> None:
    """A button of a question no longer on screen (a double tap, an older message): a toast saying which question
    is open, and nothing sent, so the chat never holds two live copies of a question."""
    if run.status is RunStatus.FINISHED or checklist is None or position is None:
        callback_answer.text = content.t("checklists.stale_finished")
        return
    callback_answer.text = content.t("checklists.stale_question", number=position + 1, total=len(checklist.items))


async def answer_given(
    callback: CallbackQuery,
    callback_data: AnswerCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    run, checklist, answers, position, data = await _current(state, store, content, actor, callback_data.run)
    if checklist is None or position is None or callback_data.index != position:
        _stale(callback_answer, content, run, checklist, position)
        return
    item = checklist.items[position]
    options = checklist.answers_for(item)
    if not 0 <= callback_data.option < len(options):
        _stale(callback_answer, content, run, checklist, position)
        return
    now = clock.now()
    answer = options[callback_data.option].key
    answered = {**answers, item.key: answer}
    following = position + 1 if position + 1 < len(checklist.items) else next_unanswered(checklist, answered)
    flow = None if following is None else _flow_data(data, checklist, run.id, following, answered)
    # The answer is committed before the next question shows; with the position, when that changes, in one
    # transaction, so a restart shows the same question.
    if flow is None or flow == data:
        await store.runs.save_answer(actor.id, run.id, item.key, answer, now)
    else:
        async with store.db.transaction():
            await store.runs.save_answer(actor.id, run.id, item.key, answer, now)
            await state.set_data(flow)
    role = await _taker_role(store, membership, run)
    if following is None:
        await _finish(callback, state, store, content, actor, checklist, run, answered, now, role)
        return
    chosen = answered.get(checklist.items[following].key)
    await replace(callback, views.question(content, in_voice(checklist, role), run.id, following, chosen, False))


async def question_action(
    callback: CallbackQuery,
    callback_data: QuestionCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    run, checklist, answers, position, _ = await _current(state, store, content, actor, callback_data.run)
    if checklist is None or position is None or callback_data.index != position:
        _stale(callback_answer, content, run, checklist, position)
        return
    if callback_data.action == "later":
        await state.clear()
        await replace(callback, views.paused(content, checklist, position))
        return
    if callback_data.action == "back" and position > 0:
        position -= 1
        await state.update_data(run_id=run.id, position=position)
    show_why = callback_data.action == "why"
    item = checklist.items[position]
    voiced = in_voice(checklist, await _taker_role(store, membership, run))
    await replace(callback, views.question(content, voiced, run.id, position, answers.get(item.key), show_why))


async def _finish(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    checklist: Checklist,
    run: ChecklistRun,
    answers: dict[str, str],
    now: datetime,
    role: Role | None,
) -> None:
    outcome = score_run(checklist, answers, role=role)
    finished = await store.runs.finish(actor.id, run.id, outcome.score, outcome.zone.key, now)
    await state.clear()
    await replace(callback, await result_screen(store, content, actor, checklist, finished, answers, role))


async def result_screen(
    store: Store,
    content: Content,
    actor: User,
    checklist: Checklist,
    run: ChecklistRun,
    answers: dict[str, str],
    role: Role | None = Role.HEAD,
) -> Screen:
    """The result of a finished run in its taker's voice, with the change against the run before it. An owner's
    result (about their head) leads to no tasks, cycles or templates: those are the head's tools."""
    outcome = score_run(checklist, answers, role=role)
    previous = await store.runs.previous_finished(actor.id, run.team_id, checklist.key, run.id)
    comparison = None
    if previous is not None:
        comparison = compare_runs(checklist, await store.runs.answers(actor.id, previous.id), answers, role=role)
    voiced = in_voice(checklist, role)
    if role is Role.OWNER:
        return views.result(content, voiced, run, outcome, comparison, previous, actor.timezone, with_tasks=False)
    extra = result_buttons(content, checklist, run, bool(outcome.weak_items))
    return views.result(content, voiced, run, outcome, comparison, previous, actor.timezone, extra)


def result_buttons(
    content: Content, checklist: Checklist, run: ChecklistRun, has_weak: bool
) -> list[InlineKeyboardButton]:
    """What a head's result leads on to besides tasks and files: a PDCA cycle on one of its weak items (when it has
    any), the working templates the checklist names (the loader checks each name exists), sending it to owners."""
    buttons = [
        InlineKeyboardButton(
            text=content.t("sharing.buttons.share"), callback_data=ShareCb(run=run.id, action="ask").pack()
        )
    ]
    if has_weak:
        pdca = PdcaCb(action="from_run", ref=run.id).pack()
        buttons.append(InlineKeyboardButton(text=content.t("checklists.buttons.pdca"), callback_data=pdca))
    for name in checklist.templates:
        data = TemplateCb(name=cast(TemplateName, name)).pack()  # validated: an unknown name raises here
        buttons.append(InlineKeyboardButton(text=content.t(f"templates.{name}.button"), callback_data=data))
    return buttons


async def result_action(
    callback: CallbackQuery,
    callback_data: ResultCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    """«Показать все», «← К итогу», «Все в задачи» on a finished run's result."""
    run = await store.runs.get(actor.id, callback_data.run)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or run.status is not RunStatus.FINISHED:
        callback_answer.text = content.t("errors.stale_button")
        return
    answers = await store.runs.answers(actor.id, run.id)
    role = await _taker_role(store, membership, run)
    if callback_data.action == "top":
        await replace(callback, await result_screen(store, content, actor, checklist, run, answers, role))
        return
    outcome = score_run(checklist, answers, role=role)
    if callback_data.action == "all":
        voiced = in_voice(checklist, role)
        await replace(callback, views.all_weak(content, voiced, run, outcome, with_tasks=role is not Role.OWNER))
        return
    weak = group_result(checklist, outcome).ranked  # the task list follows the order the result shows
    now = clock.now()
    created = 0
    async with store.db.transaction():  # all or none; an open task from the same item is kept, not doubled
        for item in weak:
            _, new = await store.tasks.add_or_find(actor.id, run.team_id, item.task, checklist.key, item.item_key, now)
            created += new
    if not created:
        callback_answer.text = content.plural("checklists.all_existed", len(weak))
        return
    text = content.plural("checklists.all_added", created)
    if created < len(weak):
        text += " " + content.plural("checklists.some_existed", len(weak) - created)
    callback_answer.text = text


async def typed_mid_question(
    message: Message, state: FSMContext, store: Store, content: Content, actor: User, membership: Membership | None
) -> None:
    """Text typed while a question waits for its button: the open question again, under a hint."""
    run_id = (await state.get_data()).get("run_id")
    try:
        if not isinstance(run_id, int):
            raise NotFound("run")
        run, checklist, answers, position, _ = await _current(state, store, content, actor, run_id)
    except NotFound:  # no run in the state, the run is gone (started over), or it is no longer the actor's
        checklist = position = None
    if checklist is None or position is None:
        await state.clear()
        await message.answer(content.t("help.unknown"))
        return
    item = checklist.items[position]
    voiced = in_voice(checklist, await _taker_role(store, membership, run))
    screen = views.question(content, voiced, run.id, position, answers.get(item.key), False)
    await message.answer(content.t("checklists.typed_mid_question") + "\n\n" + screen.text, reply_markup=screen.markup)


async def add_task(
    callback: CallbackQuery,
    callback_data: TaskAddCb,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    callback_answer: CallbackAnswer,
) -> None:
    run = await store.runs.get(actor.id, callback_data.run)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or not 0 <= callback_data.index < len(checklist.items):
        callback_answer.text = content.t("errors.stale_button")
        return
    item = checklist.items[callback_data.index]
    _, created = await store.tasks.add_or_find(actor.id, run.team_id, item.task, checklist.key, item.key, clock.now())
    callback_answer.text = content.t("tasks.added" if created else "tasks.already_added", task=item.task)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_checklists, Command("checklists"))
    router.callback_query.register(list_checklists, MenuCb.filter(F.action == "checklists"))
    router.callback_query.register(open_checklist, ChecklistCb.filter(F.action == "open"))
    router.callback_query.register(start_checklist, ChecklistCb.filter(F.action.in_({"start", "restart"})))
    router.callback_query.register(answer_given, AnswerCb.filter())
    router.callback_query.register(question_action, QuestionCb.filter())
    router.callback_query.register(add_task, TaskAddCb.filter())
    router.callback_query.register(result_action, ResultCb.filter())
    router.message.register(typed_mid_question, ChecklistFlow.answering, F.text, ~F.text.startswith("/"))
    return router
