"""/calls screens: this week's count and lineup, the setup steps, a call review step by step, a manager's history,
and the feedback message a manager receives. User text (names, notes, feedback) is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    CallManagerCb,
    CallReviewCb,
    CallRosterCb,
    CallsCb,
    CallScheduleCb,
    CallTargetCb,
    MenuCb,
)
from bot.views.common import Screen, local_date, progress_bar
from bot.views.schedule_words import clock_time, describe_rule
from content import Content
from domain.calls import (
    MAX_TARGET,
    MIN_TARGET,
    NAME_LIMIT,
    CallManager,
    CallReview,
    CriterionScore,
    score_review,
)
from domain.models import Member
from domain.reminders import ReminderState
from services.calls import WeekView

_CRITERIA = "calls.review.criteria."
TARGET_PICKS = (2, 4, 6, 10)
MAX_NAME_SHOWN = 24  # a name on a button


def review_criteria(content: Content) -> tuple[str, ...]:
    """The call-review checklist: the keys under calls.review.criteria, in the order of the content file."""
    return tuple(
        key[len(_CRITERIA) : -len(".title")]
        for key in content.texts
        if key.startswith(_CRITERIA) and key.endswith(".title")
    )


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME_SHOWN else name[: MAX_NAME_SHOWN - 1] + "…"


def _join_names(content: Content, names: Sequence[str]) -> str:
    shown = [f"<b>{escape(n)}</b>" for n in names]
    if len(shown) == 1:
        return shown[0]
    text = content.t("calls.names.pair", first=shown[-2], last=shown[-1])
    for name in reversed(shown[:-2]):
        text = content.t("calls.names.more", first=name, next=text)
    return text


def _back_row(content: Content) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=content.t("calls.buttons.back"), callback_data=CallsCb(action="show").pack())]


# --- no plan yet, and the setup steps --------------------------------------------------------------------------


def intro_screen(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("calls.setup_button"), callback_data=CallsCb(action="setup"))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(1)
    return Screen(f"{content.t('calls.title')}\n\n{content.t('calls.intro')}", builder.as_markup())


def target_step(content: Content, has_plan: bool) -> Screen:
    builder = InlineKeyboardBuilder()
    for calls in TARGET_PICKS:
        builder.button(text=str(calls), callback_data=CallTargetCb(calls=calls))
    builder.adjust(len(TARGET_PICKS))
    if has_plan:
        builder.row(*_back_row(content))
    return Screen(content.t("calls.ask_target", min=MIN_TARGET, max=MAX_TARGET), builder.as_markup())


def target_saved(content: Content, target: int) -> str:
    return content.t("calls.target_saved", calls=content.plural("calls.calls_count", target))


def roster_step(content: Content, members: Sequence[Member], roster: Sequence[CallManager]) -> Screen:
    """Team members (role «менеджер») as toggles; typed names and members who left the team with ✖."""
    listed = {m.user_id: m for m in roster if m.user_id is not None}
    lines = [content.t("calls.ask_managers"), "", content.t("calls.roster_title")]
    for manager in roster:
        key = "calls.roster_line" if manager.active else "calls.roster_line_left"
        lines.append(content.t(key, name=escape(manager.name)))
    if not roster:
        lines.append(content.t("calls.roster_empty"))
    if not members:
        lines += ["", content.t("calls.no_members_hint")]
    builder = InlineKeyboardBuilder()
    for member in members:
        on = member.user_id in listed
        builder.button(
            text=content.t(
                "calls.buttons.member_on" if on else "calls.buttons.member_off", name=_short(member.display_name)
            ),
            callback_data=CallRosterCb(action="member", value=member.user_id),
        )
    member_ids = {m.user_id for m in members}
    for manager in roster:
        if manager.user_id is None or manager.user_id not in member_ids:
            builder.button(
                text=content.t("calls.buttons.drop", name=_short(manager.name)),
                callback_data=CallRosterCb(action="drop", value=manager.id),
            )
    builder.adjust(2)
    builder.row(
        InlineKeyboardButton(
            text=content.t("calls.buttons.add_names"), callback_data=CallRosterCb(action="add").pack()
        ),
        InlineKeyboardButton(text=content.t("calls.buttons.done"), callback_data=CallRosterCb(action="done").pack()),
    )
    return Screen("\n".join(lines), builder.as_markup())


def names_step(content: Content) -> Screen:
    return Screen(content.t("calls.ask_names", limit=content.plural("limits.chars", NAME_LIMIT)))


def day_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for weekday, label in enumerate(content.items("reminders.weekdays_short")):
        builder.button(text=label, callback_data=CallScheduleCb(action="day", value=weekday))
    builder.adjust(7)
    builder.row(*_back_row(content))
    return Screen(content.t("calls.ask_day"), builder.as_markup())


def time_step(content: Content, workday_start: time) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=content.t("calls.workday_button", time=clock_time(content, workday_start)),
        callback_data=CallScheduleCb(action="time", value=workday_start.hour * 60 + workday_start.minute),
    )
    builder.row(*_back_row(content))
    return Screen(content.t("calls.ask_time"), builder.as_markup())


# --- this week -------------------------------------------------------------------------------------------------


def week_screen(content: Content, view: WeekView, timezone: str, notice: str | None = None) -> Screen:
    tally = view.tally
    date_format = content.t("format.date")
    lines = [notice, ""] if notice else []
    lines += [
        content.t("calls.title"),
        content.t(
            "calls.week",
            start=tally.week.monday().strftime(date_format),
            end=tally.week.sunday().strftime(date_format),
        ),
        "",
        f"{progress_bar(min(tally.listened, tally.target), tally.target)} "
        + content.plural("calls.listened", tally.listened, target=tally.target),
        content.t("calls.met") if tally.met else content.plural("calls.left", tally.left),
        "",
    ]
    if view.lineup:
        lines.append(content.t("calls.lineup", names=_join_names(content, [m.name for m in view.lineup])))
    else:
        lines.append(content.t("calls.lineup_empty"))
    reminder = view.reminder
    if reminder is None or reminder.state is ReminderState.FINISHED:
        lines.append(content.t("calls.reminder_none"))
    else:
        key = "calls.reminder_paused" if reminder.state is ReminderState.PAUSED else "calls.reminder_on"
        lines.append(content.t(key, rule=describe_rule(content, reminder.rule)))
    if view.recent:
        lines += ["", content.t("calls.recent_title")]
        lines += [_review_line(content, review, timezone, recent=True) for review in view.recent]

    builder = InlineKeyboardBuilder()
    for manager in view.lineup:
        builder.button(
            text=content.t("calls.buttons.review", name=_short(manager.name)),
            callback_data=CallManagerCb(action="review", manager=manager.id),
        )
    if any(m.active for m in view.roster):
        builder.button(text=content.t("calls.buttons.another"), callback_data=CallsCb(action="another"))
    builder.adjust(1)
    builder.row(
        InlineKeyboardButton(text=content.t("calls.buttons.managers"), callback_data=CallsCb(action="managers").pack()),
        InlineKeyboardButton(text=content.t("calls.buttons.target"), callback_data=CallsCb(action="target").pack()),
    )
    builder.row(
        InlineKeyboardButton(text=content.t("calls.buttons.schedule"), callback_data=CallsCb(action="schedule").pack()),
        InlineKeyboardButton(text=content.t("calls.buttons.history"), callback_data=CallsCb(action="history").pack()),
    )
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


def _review_line(content: Content, review: CallReview, timezone: str, recent: bool) -> str:
    date = local_date(content, review.created_at, timezone)
    mark = content.t(f"calls.feedback_marks.{review.feedback.value}")
    prefix = "calls.recent_line" if recent else "calls.history_line"
    if review.max_points == 0:
        return content.t(f"{prefix}_unscored", date=date, name=escape(review.manager_name), mark=mark)
    return content.t(
        prefix, date=date, name=escape(review.manager_name), points=review.points, max=review.max_points, mark=mark
    )


def pick_screen(content: Content, managers: Sequence[CallManager], action: str) -> Screen:
    """«Другой менеджер» (action review) or «История» (action history): one button a manager."""
    builder = InlineKeyboardBuilder()
    for manager in managers:
        builder.button(
            text=_short(manager.name),
            callback_data=CallManagerCb(action="review" if action == "review" else "history", manager=manager.id),
        )
    builder.adjust(2)
    builder.row(*_back_row(content))
    if not managers:
        return Screen(content.t("calls.nobody"), builder.as_markup())
    return Screen(content.t("calls.pick_review" if action == "review" else "calls.pick_history"), builder.as_markup())


def history_screen(content: Content, manager: CallManager, reviews: Sequence[CallReview], timezone: str) -> Screen:
    lines = [content.t("calls.history_title", name=escape(manager.name))]
    if not manager.active:
        lines.append(content.t("calls.history_left"))
    if not reviews:
        lines.append(content.t("calls.history_empty"))
    for review in reviews:
        lines += ["", _review_line(content, review, timezone, recent=False)]
        if review.praise:
            lines.append(content.t("calls.history_praise", text=escape(review.praise)))
        if review.fix:
            lines.append(content.t("calls.history_fix", text=escape(review.fix)))
    builder = InlineKeyboardBuilder()
    if manager.active:
        builder.button(
            text=content.t("calls.buttons.review", name=_short(manager.name)),
            callback_data=CallManagerCb(action="review", manager=manager.id),
        )
    builder.row(*_back_row(content))
    return Screen("\n".join(lines), builder.as_markup())


# --- a call review ----------------------------------------------------------------------------------------------


def _score_key(score: int | None) -> str:
    return "na" if score is None else f"s{score}"


def criterion_title(content: Content, criterion: str) -> str:
    """A criterion's title; the bare key for a criterion no longer in the content (an old review)."""
    key = f"{_CRITERIA}{criterion}.title"
    return content.t(key) if content.has(key) else criterion


def criterion_step(content: Content, manager: CallManager, criteria: Sequence[str], index: int) -> Screen:
    key = criteria[index]
    text = content.t(
        "calls.review.criterion",
        name=escape(manager.name),
        number=index + 1,
        total=len(criteria),
        title=criterion_title(content, key),
        listen_for=content.t(f"{_CRITERIA}{key}.listen_for"),
        source=content.t(f"{_CRITERIA}{key}.source"),
    )
    builder = InlineKeyboardBuilder()
    for score in (0, 1, 2):
        builder.button(
            text=content.t(f"calls.review.scores.s{score}"),
            callback_data=CallReviewCb(action="score", manager=manager.id, index=index, score=score),
        )
    builder.button(
        text=content.t("calls.review.scores.na"),
        callback_data=CallReviewCb(action="na", manager=manager.id, index=index),
    )
    builder.button(
        text=content.t("calls.review.cancel"), callback_data=CallReviewCb(action="cancel", manager=manager.id)
    )
    builder.adjust(3, 1, 1)
    return Screen(text, builder.as_markup())


def feedback_step(content: Content, manager_id: int, step: str, weakest: Sequence[str] = ()) -> Screen:
    """«Что похвалить?» (step praise) or «Что исправить?» (step fix), answered by a message or skipped."""
    index = 0 if step == "praise" else 1
    text = content.t(f"calls.review.ask_{step}")
    if step == "fix" and weakest:
        names = ", ".join(criterion_title(content, key) for key in weakest)
        text += "\n" + content.t("calls.review.weakest_hint", criteria=names)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=content.t("calls.review.skip"), callback_data=CallReviewCb(action="skip", manager=manager_id, index=index)
    )
    builder.button(
        text=content.t("calls.review.cancel"), callback_data=CallReviewCb(action="cancel", manager=manager_id)
    )
    builder.adjust(2)
    return Screen(text, builder.as_markup())


def _score_lines(content: Content, scores: Sequence[CriterionScore]) -> list[str]:
    lines: list[str] = []
    for item in scores:
        key = _score_key(item.score)
        lines.append(
            content.t(
                "calls.review.line",
                mark=content.t(f"calls.review.marks.{key}"),
                title=criterion_title(content, item.criterion),
                score=content.t(f"calls.review.score_words.{key}"),
            )
        )
        if item.note:
            lines.append(content.t("calls.review.note", note=escape(item.note)))
    return lines


def _total(content: Content, scores: Sequence[CriterionScore]) -> str:
    total = score_review([item.criterion for item in scores], scores)
    if total.max_points == 0:
        return content.t("calls.review.total_unscored")
    return content.t("calls.review.total", points=total.points, max=total.max_points)


def _review_text(content: Content, scores: Sequence[CriterionScore], praise: str, fix: str) -> tuple[str, str]:
    lines = _score_lines(content, scores)
    total = _total(content, scores)
    extra = []
    if praise:
        extra.append(content.t("calls.review.praise", text=escape(praise)))
    if fix:
        extra.append(content.t("calls.review.fix", text=escape(fix)))
    if extra:
        total += "\n\n" + "\n".join(extra)
    return "\n".join(lines), total


def summary_step(
    content: Content,
    manager: CallManager,
    scores: Sequence[CriterionScore],
    praise: str,
    fix: str,
    share: bool,
) -> Screen:
    lines, total = _review_text(content, scores, praise, fix)
    text = content.t("calls.review.summary", name=escape(manager.name), lines=lines, total=total)
    builder = InlineKeyboardBuilder()
    if manager.reachable:
        text += "\n\n" + content.t("calls.review.consent_hint")
        key = "calls.review.consent_on" if share else "calls.review.consent_off"
        builder.button(
            text=content.t(key, name=_short(manager.name)),
            callback_data=CallReviewCb(action="consent", manager=manager.id),
        )
    else:
        text += "\n\n" + content.t("calls.review.not_in_bot", name=escape(manager.name))
    builder.button(text=content.t("calls.review.save"), callback_data=CallReviewCb(action="save", manager=manager.id))
    builder.button(
        text=content.t("calls.review.cancel"), callback_data=CallReviewCb(action="cancel", manager=manager.id)
    )
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def feedback_message(content: Content, review: CallReview, head_name: str, timezone: str) -> str:
    """What the manager receives: their own review only (scores, notes, praise, fix), no other manager's data."""
    lines, total = _review_text(content, review.scores, review.praise, review.fix)
    return content.t(
        "calls.feedback.message",
        head=escape(head_name),
        date=local_date(content, review.created_at, timezone),
        lines=lines,
        total=total,
    )
