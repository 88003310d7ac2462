"""/strategy screens: the strategy in force with its milestones, the session's questions, a milestone's card."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, MilestoneCb, MilestoneOwnerCb, MilestoneStatusCb, StrategyCb
from bot.views.common import Screen
from bot.views.schedule_words import describe_moment, describe_rule
from content import Content
from domain.models import Member
from domain.reminders import Reminder
from domain.strategy import (
    HORIZONS,
    MAX_TITLE_CHARS,
    OPEN_STATUSES,
    SESSION_QUESTIONS,
    Horizon,
    Milestone,
    MilestoneStatus,
    StrategySession,
    next_statuses,
)
from services.strategy import MilestoneCard, day_words

MAX_LISTED = 20


def _owner(content: Content, milestone: Milestone, actor_id: int) -> str:
    return content.t("strategy.owner_you") if milestone.owner_id == actor_id else escape(milestone.owner_name)


def _answers(content: Content, session: StrategySession) -> list[str]:
    lines = []
    for question in SESSION_QUESTIONS:
        answer = session.answer_to(question)
        lines.append(
            content.t(
                "strategy.answer_line",
                question=content.t(f"strategy.questions.{question}"),
                answer=escape(answer) if answer else content.t("strategy.skipped"),
            )
        )
    return lines


def overview(
    content: Content,
    *,
    versions: list[StrategySession],
    unfinished: StrategySession | None,
    milestones: list[Milestone],
    today: date,
    can_manage: bool,
    actor_id: int,
) -> Screen:
    builder = InlineKeyboardBuilder()
    lines = [content.t("strategy.intro" if can_manage else "strategy.intro_member"), ""]
    if can_manage:
        if versions:
            latest = versions[0]
            lines.append(content.t("strategy.version", version=latest.version, date=day_words(content, latest.day)))
            lines.extend(_answers(content, latest))
            if len(versions) > 1:
                lines.append(content.t("strategy.versions_kept", count=len(versions) - 1))
        else:
            lines.append(content.t("strategy.no_strategy"))
        if unfinished is not None and unfinished.next_question is not None:
            number = SESSION_QUESTIONS.index(unfinished.next_question) + 1
            lines.append(content.t("strategy.unfinished", number=number, total=len(SESSION_QUESTIONS)))
        lines.append("")
    if milestones:
        lines.append(
            content.t("strategy.milestones_title", count=content.plural("strategy.milestones_count", len(milestones)))
        )
    else:
        lines.append(content.t("strategy.no_milestones"))
    for number, milestone in enumerate(milestones[:MAX_LISTED], start=1):
        lines.append(milestone_line(content, number, milestone, today, actor_id))
        builder.button(
            text=content.t("strategy.buttons.open", number=number),
            callback_data=MilestoneCb(milestone=milestone.id, action="open"),
        )
    builder.adjust(6)
    if can_manage:
        session_key = "strategy.buttons.resume" if unfinished is not None else "strategy.buttons.session"
        builder.row(
            InlineKeyboardButton(text=content.t(session_key), callback_data=StrategyCb(action="session").pack()),
            InlineKeyboardButton(text=content.t("strategy.buttons.add"), callback_data=StrategyCb(action="add").pack()),
        )
        if len(versions) > 1:
            builder.row(
                InlineKeyboardButton(
                    text=content.t("strategy.buttons.versions"),
                    callback_data=StrategyCb(action="version", value=1).pack(),
                )
            )
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


def milestone_line(content: Content, number: int, milestone: Milestone, today: date, actor_id: int) -> str:
    icon = content.t(f"strategy.icons.{milestone.status.value}")
    if milestone.overdue(today):
        icon = f"{icon} {content.t('strategy.overdue_mark')}"
    return content.t(
        "strategy.milestone_line",
        number=number,
        icon=icon,
        title=escape(milestone.title),
        horizon=content.t(f"strategy.horizons.{milestone.horizon.value}"),
        date=day_words(content, milestone.due_date),
        owner=_owner(content, milestone, actor_id),
    )


def version_screen(content: Content, versions: list[StrategySession], position: int) -> Screen:
    """An earlier version (position 1 = the one before the strategy in force)."""
    session = versions[position]
    lines = [content.t("strategy.version_title", version=session.version, date=day_words(content, session.day))]
    lines.extend(_answers(content, session))
    builder = InlineKeyboardBuilder()
    if position + 1 < len(versions):
        builder.button(
            text=content.t("strategy.buttons.older", version=versions[position + 1].version),
            callback_data=StrategyCb(action="version", value=position + 1),
        )
    builder.button(text=content.t("strategy.buttons.back"), callback_data=StrategyCb(action="overview"))
    builder.adjust(1)
    return Screen("\n\n".join(lines), builder.as_markup())


def question_screen(content: Content, session: StrategySession) -> Screen:
    question = session.next_question
    assert question is not None
    index = SESSION_QUESTIONS.index(question)
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("strategy.buttons.skip"), callback_data=StrategyCb(action="skip", value=index))
    builder.button(text=content.t("strategy.buttons.later"), callback_data=StrategyCb(action="later"))
    builder.adjust(2)
    text = content.t(
        "strategy.session_question",
        number=index + 1,
        total=len(SESSION_QUESTIONS),
        question=content.t(f"strategy.questions.{question}"),
        hint=content.t(f"strategy.hints.{question}"),
    )
    return Screen(text, builder.as_markup())


def session_done(content: Content, session: StrategySession, review: Reminder) -> str:
    return content.t("strategy.session_done", version=session.version, rule=describe_rule(content, review.rule))


def ask_milestone(content: Content, horizon: Horizon, due: date, in_session: bool) -> Screen:
    builder = InlineKeyboardBuilder()
    if in_session:
        builder.button(
            text=content.t("strategy.buttons.skip_milestone"),
            callback_data=StrategyCb(action="skip_ms", value=HORIZONS.index(horizon)),
        )
    else:
        builder.button(text=content.t("strategy.buttons.back"), callback_data=StrategyCb(action="overview"))
    text = content.t(
        "strategy.ask_milestone",
        horizon=content.t(f"strategy.horizons.{horizon.value}"),
        date=day_words(content, due),
        limit=content.plural("limits.chars", MAX_TITLE_CHARS),
    )
    return Screen(text, builder.as_markup())


def horizon_choice(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for position, horizon in enumerate(HORIZONS):
        builder.button(
            text=content.t("strategy.buttons.horizon", horizon=content.t(f"strategy.horizons.{horizon.value}")),
            callback_data=StrategyCb(action="horizon", value=position),
        )
    builder.button(text=content.t("strategy.buttons.back"), callback_data=StrategyCb(action="overview"))
    builder.adjust(3, 1)
    return Screen(content.t("strategy.choose_horizon"), builder.as_markup())


def milestone_card(content: Content, card: MilestoneCard, actor_id: int, now: datetime, note: str = "") -> Screen:
    milestone = card.milestone
    text = content.t(
        "strategy.card",
        title=escape(milestone.title),
        horizon=content.t(f"strategy.horizons.{milestone.horizon.value}"),
        date=day_words(content, milestone.due_date),
        overdue=content.t("strategy.card_overdue") if milestone.overdue(card.today) else "",
        owner=_owner(content, milestone, actor_id),
        status=content.t(f"strategy.statuses.{milestone.status.value}"),
    )
    lines = [text]
    if milestone.owner_fell_back:
        lines.append(content.t("strategy.card_fell_back"))
    if card.paused:
        lines.append(content.t("strategy.card_paused"))
    else:
        moments = [
            describe_moment(content, r.next_due_at, r.timezone, now)
            for r in card.reminders
            if r.next_due_at is not None
        ]
        if moments:
            lines.append(content.t("strategy.card_reminders", when="; ".join(moments)))
        elif milestone.is_open:
            lines.append(content.t("strategy.card_no_reminders"))
    if note:
        lines.append(note)
    builder = InlineKeyboardBuilder()
    for status in next_statuses(milestone.status):
        label = "reopen" if milestone.status not in OPEN_STATUSES else status.value
        builder.button(
            text=content.t(f"strategy.buttons.{label}"),
            callback_data=MilestoneStatusCb(milestone=milestone.id, status=status.value),
        )
    if card.can_manage and milestone.is_open:
        builder.button(
            text=content.t("strategy.buttons.due"), callback_data=MilestoneCb(milestone=milestone.id, action="due")
        )
        builder.button(
            text=content.t("strategy.buttons.owner"), callback_data=MilestoneCb(milestone=milestone.id, action="owner")
        )
    if card.can_manage:
        builder.button(text=content.t("strategy.buttons.back"), callback_data=StrategyCb(action="overview"))
    builder.adjust(2)
    return Screen("\n".join(lines), builder.as_markup())


def owner_choice(content: Content, milestone: Milestone, members: list[Member]) -> Screen:
    builder = InlineKeyboardBuilder()
    for member in members:
        label = member.display_name if member.user_id != milestone.owner_id else f"✓ {member.display_name}"
        builder.button(text=label[:60], callback_data=MilestoneOwnerCb(milestone=milestone.id, user=member.user_id))
    builder.button(
        text=content.t("strategy.buttons.back"), callback_data=MilestoneCb(milestone=milestone.id, action="open")
    )
    builder.adjust(1)
    return Screen(content.t("strategy.choose_owner", title=escape(milestone.title)), builder.as_markup())


def status_note(content: Content, status: MilestoneStatus) -> str:
    key = "strategy.status_changed" if status in OPEN_STATUSES else "strategy.reminders_ended"
    return content.t(key, status=content.t(f"strategy.statuses.{status.value}"))
