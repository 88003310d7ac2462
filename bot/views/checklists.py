"""Screens of the diagnostic checklists: the list, the intro card, a question, the result."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Literal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AnswerCb, ChecklistCb, MenuCb, QuestionCb, RunCb, TaskAddCb
from bot.views.common import Screen, local_date, progress_bar
from content import Content
from content.schema import Checklist
from domain.checklists import ChecklistResult, RunComparison
from domain.models import ChecklistRun

QuestionAction = Literal["why", "back", "later"]

MAX_WEAK_SHOWN = 5
MAX_CHANGES_SHOWN = 8


def checklist_list(content: Content, last_runs: dict[str, ChecklistRun], timezone: str | None) -> Screen:
    builder = InlineKeyboardBuilder()
    lines = [content.t("checklists.list_title")]
    for checklist in content.checklists.values():
        run = last_runs.get(checklist.key)
        if run is not None and run.score is not None and run.finished_at is not None:
            last = content.t(
                "checklists.last_result", score=run.score, date=local_date(content, run.finished_at, timezone)
            )
        else:
            last = content.t("checklists.never_taken")
        lines.append(content.t("checklists.list_line", title=escape(checklist.title), last=last))
        builder.button(text=checklist.short_title, callback_data=ChecklistCb(action="open", key=checklist.key))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(1)
    return Screen("\n\n".join(lines), builder.as_markup())


def intro(content: Content, checklist: Checklist, in_progress_at: int | None) -> Screen:
    text = content.t(
        "checklists.intro",
        title=escape(checklist.title),
        description=escape(checklist.description),
        intro=escape(checklist.intro),
        count=len(checklist.items),
        rule=escape(checklist.rule),
    )
    builder = InlineKeyboardBuilder()
    if in_progress_at is not None:
        builder.button(
            text=content.t("checklists.buttons.continue", number=in_progress_at + 1, total=len(checklist.items)),
            callback_data=ChecklistCb(action="start", key=checklist.key),
        )
        builder.button(
            text=content.t("checklists.buttons.restart"),
            callback_data=ChecklistCb(action="restart", key=checklist.key),
        )
    else:
        builder.button(
            text=content.t("checklists.buttons.start"), callback_data=ChecklistCb(action="start", key=checklist.key)
        )
    builder.button(text=content.t("checklists.buttons.all"), callback_data=MenuCb(action="checklists"))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def question(
    content: Content, checklist: Checklist, run_id: int, index: int, chosen: str | None, show_why: bool
) -> Screen:
    item = checklist.items[index]
    total = len(checklist.items)
    parts = [
        content.t("checklists.question_header", title=escape(checklist.title), number=index + 1, total=total),
        progress_bar(index, total),
        content.t("checklists.question", question=escape(item.question)),
    ]
    options = checklist.answers_for(item)
    if chosen is not None:
        label = next((option.label for option in options if option.key == chosen), None)
        if label is not None:
            parts.append(content.t("checklists.current_answer", answer=escape(label)))
    if show_why:
        if item.looks_like:
            parts.append(content.t("checklists.looks_like", text=escape(item.looks_like)))
        parts.append(content.t("checklists.why", text=escape(item.why)))
    # The most frequent screen (every answer shows the next one), so no keyboard builder (it deep-copies every
    # button) and no new validated button: each is a copy of a cached one with its text, with the run id put into
    # callback data packed once per question. Answers in one row; "why"; "back" and "later" together.
    rows = [[_button(option.label, _answer_data(index, n), run_id) for n, option in enumerate(options)]]
    if not show_why:
        rows.append([_button(content.t("checklists.buttons.why"), _action_data(index, "why"), run_id)])
    last: tuple[QuestionAction, ...] = ("back", "later") if index > 0 else ("later",)
    rows.append([_button(content.t(f"checklists.buttons.{a}"), _action_data(index, a), run_id) for a in last])
    return Screen("\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows))


@lru_cache(maxsize=1024)
def _prototype(text: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data="-")


def _button(text: str, around_run: tuple[str, str], run_id: int) -> InlineKeyboardButton:
    before, after = around_run
    return _prototype(text).model_copy(update={"callback_data": f"{before}{run_id}{after}"})


def _around_run(data: AnswerCb | QuestionCb) -> tuple[str, str]:
    """The packed callback data before and after the run id: a question's buttons differ only there."""
    separator = data.__separator__
    parts = data.pack().split(separator)
    at = 1 + list(type(data).model_fields).index("run")  # parts[0] is the prefix
    return separator.join([*parts[:at], ""]), separator.join(["", *parts[at + 1 :]])


@lru_cache(maxsize=4096)
def _answer_data(index: int, option: int) -> tuple[str, str]:
    return _around_run(AnswerCb(run=1, index=index, option=option))


@lru_cache(maxsize=4096)
def _action_data(index: int, action: QuestionAction) -> tuple[str, str]:
    return _around_run(QuestionCb(run=1, index=index, action=action))


def paused(content: Content, checklist: Checklist, index: int) -> Screen:
    return Screen(
        content.t("checklists.paused", title=escape(checklist.title), number=index + 1, total=len(checklist.items))
    )


def result(
    content: Content,
    checklist: Checklist,
    run: ChecklistRun,
    outcome: ChecklistResult,
    comparison: RunComparison | None,
    previous: ChecklistRun | None,
    timezone: str | None,
    with_task_buttons: bool = True,
) -> Screen:
    parts = [
        content.t(
            "checklists.result_header",
            title=escape(checklist.title),
            score=outcome.score,
            zone=escape(outcome.zone.title),
        ),
        escape(outcome.zone.text),
    ]
    weak = outcome.weak_items[:MAX_WEAK_SHOWN]
    if weak:
        parts.append(content.t("checklists.weak_title"))
        for number, item in enumerate(weak, start=1):
            parts.append(
                content.t(
                    "checklists.weak_item",
                    number=number,
                    question=escape(item.question),
                    answer=escape(item.answer_label),
                    action=escape(item.action),
                )
            )
        if len(outcome.weak_items) > MAX_WEAK_SHOWN:
            parts.append(content.t("checklists.weak_more", count=len(outcome.weak_items) - MAX_WEAK_SHOWN))
    else:
        parts.append(content.t("checklists.all_good"))
    if comparison is not None and previous is not None and previous.finished_at is not None:
        parts.append(_changes(content, comparison, local_date(content, previous.finished_at, timezone)))
    builder = InlineKeyboardBuilder()
    if with_task_buttons:
        index_of = {item.key: position for position, item in enumerate(checklist.items)}
        for number, item in enumerate(weak, start=1):
            builder.button(
                text=content.t("checklists.buttons.add_task", number=number),
                callback_data=TaskAddCb(run=run.id, index=index_of[item.item_key]),
            )
    builder.button(text=content.t("checklists.buttons.xlsx"), callback_data=RunCb(run=run.id, action="xlsx"))
    builder.button(text=content.t("checklists.buttons.csv"), callback_data=RunCb(run=run.id, action="csv"))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    task_buttons = len(weak) if with_task_buttons else 0
    builder.adjust(*([min(task_buttons, 5)] if task_buttons else []), 2, 1)
    return Screen("\n\n".join(parts), builder.as_markup())


def _changes(content: Content, comparison: RunComparison, date: str) -> str:
    lines = [
        content.t(
            "checklists.changes_header",
            date=date,
            before=comparison.previous_score,
            after=comparison.current_score,
            delta=f"{comparison.score_delta:+d}",
        )
    ]
    changed = [change for change in comparison.changes if change.direction != "same"]
    for change in changed[:MAX_CHANGES_SHOWN]:
        lines.append(
            content.t(
                f"checklists.change.{change.direction}",
                question=escape(change.question),
                before=escape(change.before_label or "—"),
                after=escape(change.after_label or "—"),
            )
        )
    if not changed:
        lines.append(content.t("checklists.no_changes"))
    return "\n".join(lines)
