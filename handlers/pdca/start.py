"""/pdca and where a cycle starts: «Новый цикл», a weak item of a finished checklist run (PdcaCb "from_run"), a
task (its card), or a signal of an analysed export (its summary). Each begins a draft and shows its first open step."""

from __future__ import annotations

from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import PdcaCb
from bot.guards import team_with
from bot.replies import replace
from bot.views import pdca as views
from content import Content
from content.schema import Checklist, Item
from domain.access import Permission
from domain.checklists import score_run
from domain.clock import Clock
from domain.models import Membership, RunStatus, User
from domain.pdca import (
    Metric,
    Origin,
    snapshot_signals,
)
from handlers.pdca.common import Event, head_today, show
from handlers.pdca.plan import advance, begin
from storage import Store


async def show_overview(
    event: Event,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await state.clear()
    open_cycles = await store.pdca.open_cycles(actor.id, team_id)
    history = await store.pdca.history(actor.id, team_id)
    await show(event, views.overview(content, open_cycles, history, head_today(clock, actor)))


async def new_cycle(
    callback: CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    await begin(state, team_id, Origin.FREE, None)
    await advance(callback, state, store, content, clock, actor)


async def from_run(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    """The weak items of a finished checklist run, to pick one."""
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    run, answers = await store.runs.with_answers(actor.id, callback_data.ref)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or run.status is not RunStatus.FINISHED or run.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    await state.clear()
    positions = {item.key: position for position, item in enumerate(checklist.items)}
    weak = [(positions[w.item_key], w) for w in score_run(checklist, answers).weak_items if w.item_key in positions]
    await replace(callback, views.weak_items_screen(content, run.id, checklist.title, weak))


async def from_item(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    run, answers = await store.runs.with_answers(actor.id, callback_data.ref)
    checklist = content.checklists.get(run.checklist_key)
    if checklist is None or not 0 <= callback_data.pos < len(checklist.items) or run.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    item = checklist.items[callback_data.pos]
    answer = _answer_label(checklist, item, answers.get(item.key))
    source = content.t(
        "pdca.source.item",
        checklist=escape(checklist.title),
        question=escape(item.question),
        answer=escape(answer),
        action=escape(item.action),
    )
    await begin(
        state,
        team_id,
        Origin.ITEM,
        f"{checklist.key}:{item.key}",
        suggested_goal=item.task,
        source=source,
        hint=escape(item.action),
    )
    await advance(callback, state, store, content, clock, actor)


def _answer_label(checklist: Checklist, item: Item, answer_key: str | None) -> str:
    options = item.answers or checklist.answers
    return next((option.label for option in options if option.key == answer_key), "—")


async def from_task(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    task = await store.tasks.get(actor.id, callback_data.ref)
    checklist = content.checklists.get(task.source_checklist or "")
    item = None if checklist is None else next((i for i in checklist.items if i.key == task.source_item), None)
    if item is None:
        source = content.t("pdca.source.task", task=escape(task.title))
    else:
        source = content.t("pdca.source.task_item", task=escape(task.title), action=escape(item.action))
    await begin(
        state,
        team_id,
        Origin.TASK,
        str(task.id),
        suggested_goal=task.title,
        source=source,
        hint=None if item is None else escape(item.action),
    )
    await advance(callback, state, store, content, clock, actor)


async def from_export(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    """The signals of an analysed export, to pick one."""
    team_with(membership, Permission.MANAGE_TASKS)
    snapshot = await store.snapshots.get(actor.id, callback_data.ref)
    await state.clear()
    await replace(callback, views.signals_screen(content, snapshot.id, snapshot_signals(snapshot.metrics_json)))


async def from_signal(
    callback: CallbackQuery,
    callback_data: PdcaCb,
    state: FSMContext,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.MANAGE_TASKS)
    snapshot = await store.snapshots.get(actor.id, callback_data.ref)
    codes = snapshot_signals(snapshot.metrics_json)
    if not 0 <= callback_data.pos < len(codes) or snapshot.team_id != team_id:
        callback_answer.text = content.t("errors.stale_button")
        return
    code = codes[callback_data.pos]
    metric = views.signal_text(content, code, "metric")
    await begin(
        state,
        team_id,
        Origin.SIGNAL,
        code,
        suggested_goal=views.signal_text(content, code, "goal"),
        suggested_metric=metric if metric in {m.value for m in Metric} else None,
        source=content.t("pdca.source.signal", signal=views.signal_text(content, code, "title")),
    )
    await advance(callback, state, store, content, clock, actor)
