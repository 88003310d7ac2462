"""Screens of sharing a head's result with the owners, the message the owners receive, and the owners' list of
shared results in /history. An owner sees the score, zone, the zone's advice and the plan (the weak items as
tasks); the answers only when the head sent the result in full."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import MenuCb, ResultCb, ShareCb, SharedCb
from bot.views.common import Screen, local_date
from content import Content
from content.schema import Checklist
from domain.checklist_groups import group_result
from domain.checklists import ChecklistResult, chosen_option
from storage.shares import SharedResult

MAX_PLAN_SHOWN = 10
# Telegram takes 4096 characters of text; the HTML tags are not counted, so this leaves room to spare.
TEXT_BUDGET = 3800
SHARED_BUTTONS_PER_ROW = 5


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def choose(content: Content, checklist: Checklist, run_id: int) -> Screen:
    rows = [
        [_button(content.t("sharing.buttons.summary"), ShareCb(run=run_id, action="summary"))],
        [_button(content.t("sharing.buttons.full"), ShareCb(run=run_id, action="full"))],
        [_button(content.t("sharing.buttons.to_result"), ResultCb(run=run_id, action="top"))],
    ]
    return Screen(
        content.t("sharing.choose", title=escape(checklist.title)), InlineKeyboardMarkup(inline_keyboard=rows)
    )


def confirm(
    content: Content, checklist: Checklist, run_id: int, outcome: ChecklistResult, owners: Sequence[str], full: bool
) -> Screen:
    back = [_button(content.t("sharing.buttons.back"), ShareCb(run=run_id, action="ask"))]
    if not owners:
        return Screen(content.t("sharing.no_owners"), InlineKeyboardMarkup(inline_keyboard=[back]))
    what = content.t(
        "sharing.what.full" if full else "sharing.what.summary", score=outcome.score, zone=escape(outcome.zone.title)
    )
    text = content.t(
        "sharing.confirm", title=escape(checklist.title), names=", ".join(escape(n) for n in owners), what=what
    )
    send = ShareCb(run=run_id, action="send_full" if full else "send_summary")
    rows = [[_button(content.t("sharing.buttons.send"), send)], back]
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def sent(content: Content, run_id: int, delivered: Sequence[str], failed: Sequence[str]) -> Screen:
    lines = []
    if delivered:
        lines.append(content.t("sharing.sent", names=", ".join(escape(n) for n in delivered)))
    if failed:
        lines.append(content.t("sharing.not_delivered", names=", ".join(escape(n) for n in failed)))
    rows = [[_button(content.t("sharing.buttons.to_result"), ResultCb(run=run_id, action="top"))]]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def owner_message(
    content: Content,
    checklist: Checklist,
    share: SharedResult,
    answers: Mapping[str, str] | None,
    head: str,
    date: str,
) -> str:
    """What an owner reads: score, zone, the zone's advice, the plan; the head's answers only when given (full).
    `checklist` is in the head's voice: it is the head's result and the head's plan."""
    zone = next((z for z in checklist.zones if z.key == share.zone), None)
    parts = [
        content.t("sharing.message_title", head=escape(head), title=escape(checklist.title), date=date),
        content.t("sharing.score", score=share.score, zone=escape(zone.title if zone else share.zone)),
    ]
    if zone is not None:
        parts.append(content.t("sharing.advice", text=escape(zone.text)))
    items = {item.key: item for item in checklist.items}
    tasks = [items[key].task for key in share.plan if key in items]
    if tasks:
        plan = [content.t("sharing.plan_title")]
        for number, task in enumerate(tasks[:MAX_PLAN_SHOWN], start=1):
            plan.append(content.t("sharing.plan_item", number=number, task=escape(task)))
        if len(tasks) > MAX_PLAN_SHOWN:
            plan.append(content.plural("sharing.plan_more", len(tasks) - MAX_PLAN_SHOWN))
        parts.append("\n".join(plan))
    else:
        parts.append(content.t("sharing.all_good"))
    if answers is None:
        parts.append(content.t("sharing.summary_only"))
        return "\n\n".join(parts)
    used = sum(map(len, parts))
    lines = [content.t("sharing.answers_title")]
    given = [(item, chosen_option(checklist, item, answers.get(item.key))) for item in checklist.items]
    shown = 0
    for number, (item, option) in enumerate(given, start=1):
        label = option.label if option is not None else "—"
        line = content.t("sharing.answer_line", number=number, question=escape(item.question), answer=escape(label))
        if used + sum(map(len, lines)) + len(line) + 200 > TEXT_BUDGET:
            break
        lines.append(line)
        shown += 1
    if shown < len(given):
        lines.append(content.plural("sharing.answers_more", len(given) - shown))
    parts.append("\n".join(lines))
    return "\n\n".join(parts)


def plan_keys(checklist: Checklist, outcome: ChecklistResult) -> tuple[str, ...]:
    """The plan the owners get: the weak items in the order the head's result shows them."""
    return tuple(item.item_key for item in group_result(checklist, outcome).ranked)


def shared_screen(content: Content, text: str) -> Screen:
    rows = [
        [_button(content.t("sharing.buttons.history"), MenuCb(action="history"))],
        [_button(content.t("menu.buttons.menu"), MenuCb(action="menu"))],
    ]
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def with_shared(content: Content, screen: Screen, shares: Sequence[SharedResult], timezone: str | None) -> Screen:
    """An owner's /history: their own runs, then «Присланные руководителем», each with a button «✉ N»."""
    lines = [content.t("sharing.history_title")]
    buttons: list[InlineKeyboardButton] = []
    for number, share in enumerate(shares, start=1):
        checklist = content.checklists.get(share.checklist_key)
        title = checklist.title if checklist else share.checklist_key
        zone = next((z.title for z in checklist.zones if z.key == share.zone), "") if checklist else ""
        lines.append(
            content.t(
                "sharing.history_line",
                number=number,
                date=local_date(content, share.shared_at, timezone),
                title=escape(title),
                score=share.score,
                zone=escape(zone),
                full=content.t("sharing.history_full") if share.full else "",
            )
        )
        buttons.append(_button(f"✉ {number}", SharedCb(share=share.id)))
    if not shares:
        lines.append(content.t("sharing.history_empty"))
    rows = [buttons[i : i + SHARED_BUTTONS_PER_ROW] for i in range(0, len(buttons), SHARED_BUTTONS_PER_ROW)]
    own_rows = [] if screen.markup is None else list(screen.markup.inline_keyboard)
    menu = [_button(content.t("menu.buttons.menu"), MenuCb(action="menu"))]
    own_rows = [row for row in own_rows if row != menu]  # the menu button goes last, once
    markup = InlineKeyboardMarkup(inline_keyboard=[*own_rows, *rows, menu])
    return Screen(screen.text + "\n\n" + "\n".join(lines), markup)
