"""Screens of the diagnostic checklists: the list, the intro card, a question, the result."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AnswerCb, ChecklistCb, MenuCb, QuestionCb, ResultCb, RunCb, TaskAddCb
from bot.views.checklist_table import signed
from bot.views.common import Screen, local_date, progress_bar
from content import Content
from content.schema import Checklist
from domain.checklist_groups import GroupResult, group_result
from domain.checklists import ChecklistResult, RunComparison, WeakItem
from domain.models import ChecklistRun

QuestionAction = Literal["why", "back", "later"]

MAX_WEAK_SHOWN = 5
MAX_CHANGES_SHOWN = 8
TASK_BUTTONS_PER_ROW = 5
SHORT_TASK_BUTTONS_PER_ROW = 6
# Telegram takes 4096 characters of text; the HTML tags are not counted, so this leaves room to spare.
TEXT_BUDGET = 3800


def checklist_list(
    content: Content,
    last_runs: dict[str, ChecklistRun],
    timezone: str | None,
    unfinished: dict[str, tuple[int, int]] | None = None,
    checklists: Sequence[Checklist] | None = None,
) -> Screen:
    """Every checklist (or those given: the ones the person's role takes, in their voice) with its last score;
    `unfinished` maps a checklist with an open run to (answered, position of the question to continue with): shown
    as unfinished, its button says where it goes on."""
    unfinished = unfinished or {}
    builder = InlineKeyboardBuilder()
    lines = [content.t("checklists.list_title")]
    for checklist in content.checklists.values() if checklists is None else checklists:
        run = last_runs.get(checklist.key)
        label = checklist.short_title
        if checklist.key in unfinished:
            answered, position = unfinished[checklist.key]
            total = len(checklist.items)
            last = content.t("checklists.unfinished", answered=answered, total=total, number=position + 1)
            label = content.t("checklists.buttons.unfinished", title=checklist.short_title, number=position + 1)
        elif run is not None and run.score is not None and run.finished_at is not None:
            last = content.t(
                "checklists.last_result", score=run.score, date=local_date(content, run.finished_at, timezone)
            )
        else:
            last = content.t("checklists.never_taken")
        lines.append(content.t("checklists.list_line", title=escape(checklist.title), last=last))
        builder.button(text=label, callback_data=ChecklistCb(action="open", key=checklist.key))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(1)
    return Screen("\n\n".join(lines), builder.as_markup())


def intro(content: Content, checklist: Checklist, in_progress_at: int | None) -> Screen:
    text = content.t(
        "checklists.intro",
        title=escape(checklist.title),
        description=escape(checklist.description),
        intro=escape(checklist.intro),
        questions=content.plural("checklists.questions_count", len(checklist.items)),
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
    ]
    asked = content.t("checklists.question", question=escape(item.question))
    if item.group is not None:  # the section above its question: «Ошибка 2. Один план для всех»
        asked = content.t("checklists.question_group", group=escape(checklist.group(item.group).title)) + "\n" + asked
    parts.append(asked)
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
    """A copy of a cached button with this run's data: 7 µs against 12 to validate a new one and 44 for
    model_construct, which resolves every default (pydantic 2.13; tests/unit/test_views_question_screen.py checks
    that it sends the same JSON as a validated button)."""
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
    extra_buttons: Sequence[InlineKeyboardButton] = (),
    *,
    with_tasks: bool = True,
) -> Screen:
    """The score and zone (`with_tasks` False: no task buttons, for an owner's run); by group (when the checklist
    has groups) each group's subtotal with the most urgent weak items under it, numbered like their «В задачи»
    buttons; «Показать все» and «Все в задачи» for the rest."""
    parts = [
        content.t(
            "checklists.result_header",
            title=escape(checklist.title),
            score=outcome.score,
            zone=escape(outcome.zone.title),
        ),
        escape(outcome.zone.text),
    ]
    grouped = group_result(checklist, outcome)
    shown: list[WeakItem] = []
    if outcome.weak_items:
        sections = grouped.shown(MAX_WEAK_SHOWN)
        with_action = _fits(sections, parts, comparison)
        parts.append(content.t("checklists.groups_title" if checklist.groups else "checklists.weak_title"))
        parts.append(_sections(content, sections, shown, with_action, with_totals=bool(checklist.groups)))
        hidden = len(outcome.weak_items) - len(shown)
        if hidden:
            parts.append(content.plural("checklists.weak_more", hidden))
    else:
        parts.append(content.t("checklists.all_good"))
    if comparison is not None and previous is not None and previous.finished_at is not None:
        parts.append(_changes(content, comparison, local_date(content, previous.finished_at, timezone)))
    index_of = {item.key: position for position, item in enumerate(checklist.items)}
    rows = _rows(
        [
            _cb_button(
                content.t("checklists.buttons.add_task", number=number),
                TaskAddCb(run=run.id, index=index_of[w.item_key]),
            )
            for number, w in enumerate(shown, start=1)
            if with_tasks
        ],
        TASK_BUTTONS_PER_ROW,
    )
    weak_count = len(outcome.weak_items)
    more: list[InlineKeyboardButton] = []
    if weak_count > 1 and with_tasks:
        more.append(
            _cb_button(
                content.t("checklists.buttons.all_tasks", count=weak_count), ResultCb(run=run.id, action="tasks")
            )
        )
    if weak_count > len(shown):
        more.append(
            _cb_button(content.t("checklists.buttons.show_all", count=weak_count), ResultCb(run=run.id, action="all"))
        )
    if more:
        rows.append(more)
    rows += [[button] for button in extra_buttons]
    rows.append(
        [
            _cb_button(content.t("checklists.buttons.xlsx"), RunCb(run=run.id, action="xlsx")),
            _cb_button(content.t("checklists.buttons.csv"), RunCb(run=run.id, action="csv")),
        ]
    )
    rows.append([_cb_button(content.t("menu.buttons.menu"), MenuCb(action="menu"))])
    return Screen("\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows))


def all_weak(
    content: Content, checklist: Checklist, run: ChecklistRun, outcome: ChecklistResult, *, with_tasks: bool = True
) -> Screen:
    """«Показать все»: every weak item by group, a «➕ N» button each, «Все в задачи» and back to the result
    (`with_tasks` False: only back to the result, for an owner's run)."""
    grouped = group_result(checklist, outcome)
    lines = [content.t("checklists.all_title", title=escape(checklist.title), count=len(outcome.weak_items))]
    shown: list[WeakItem] = []
    for section in grouped.groups:
        if section.title is not None:
            lines.append(_group_line(content, section))
        for item in section.weak:
            line = content.t(
                "checklists.all_item",
                number=len(shown) + 1,
                question=escape(item.question),
                answer=escape(item.answer_label),
            )
            if sum(map(len, lines)) + len(line) + len(lines) > TEXT_BUDGET:
                break
            shown.append(item)
            lines.append(line)
        else:
            continue
        lines.append(content.t("checklists.all_cut"))
        break
    if not with_tasks:
        back = _cb_button(content.t("checklists.buttons.back_to_result"), ResultCb(run=run.id, action="top"))
        return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[back]]))
    lines.append(content.t("checklists.all_hint"))
    index_of = {item.key: position for position, item in enumerate(checklist.items)}
    rows = _rows(
        [
            _cb_button(
                content.t("checklists.buttons.add_task_short", number=number),
                TaskAddCb(run=run.id, index=index_of[item.item_key]),
            )
            for number, item in enumerate(shown, start=1)
        ],
        SHORT_TASK_BUTTONS_PER_ROW,
    )
    rows.append(
        [
            _cb_button(
                content.t("checklists.buttons.all_tasks", count=len(outcome.weak_items)),
                ResultCb(run=run.id, action="tasks"),
            ),
            _cb_button(content.t("checklists.buttons.back_to_result"), ResultCb(run=run.id, action="top")),
        ]
    )
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def _group_line(content: Content, section: GroupResult) -> str:
    group = escape(section.title or "")
    if not section.weak:
        return content.t("checklists.group_line", group=group, score=section.score)
    weak = content.plural("checklists.weak_count", len(section.weak))
    return content.t("checklists.group_line_weak", group=group, score=section.score, weak=weak)


def _sections(
    content: Content,
    sections: Sequence[tuple[GroupResult, tuple[WeakItem, ...]]],
    shown: list[WeakItem],
    with_action: bool,
    with_totals: bool,
) -> str:
    """The groups (with totals) and the weak items picked for each, numbered in the order shown; fills `shown`."""
    blocks: list[str] = []
    for section, picked in sections:
        lines = [_group_line(content, section)] if with_totals and section.title is not None else []
        for item in picked:
            shown.append(item)
            key = "checklists.weak_item" if with_action else "checklists.all_item"
            lines.append(
                content.t(
                    key,
                    number=len(shown),
                    question=escape(item.question),
                    answer=escape(item.answer_label),
                    action=escape(item.action),
                )
            )
        if with_totals:  # a group: its line and its items together, groups apart
            blocks.append("\n".join(lines))
        else:
            blocks += lines
    return "\n\n".join(blocks)


def _fits(
    sections: Sequence[tuple[GroupResult, tuple[WeakItem, ...]]], parts: list[str], comparison: RunComparison | None
) -> bool:
    """Whether the shown weak items can carry their «what to do» and keep the result within one message."""
    actions = sum(len(item.action) + len(item.question) + 40 for _, picked in sections for item in picked)
    groups = sum(len(section.title or "") + 40 for section, _ in sections)
    changes = 0 if comparison is None else (MAX_CHANGES_SHOWN + 1) * 160
    return sum(map(len, parts)) + actions + groups + changes <= TEXT_BUDGET


def _cb_button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


def _changes(content: Content, comparison: RunComparison, date: str) -> str:
    lines = [
        content.t(
            "checklists.changes_header",
            date=date,
            before=comparison.previous_score,
            after=comparison.current_score,
            delta=signed(comparison.score_delta),
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
