"""Case review screens (/cases), the form's steps, the agenda (the head's, and the group's without anything
personal), and the messages of the case-review reminders. HTML; every text a person typed is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Literal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CaseCb, CaseItemCb, CaseMemberCb, MenuCb, SubjectCb
from bot.views.common import Screen
from bot.views.reminders import delivered_reminder, delivery_keyboard
from bot.views.schedule_words import describe_moment, describe_rule
from content import Content
from domain.case_reviews import (
    DECISION_LIMIT,
    ESCALATION_KIND,
    MAX_QUESTIONS,
    QUESTION_LIMIT,
    ActionItem,
    Agenda,
    Case,
    CaseSeries,
    Draft,
    TeamMember,
    action_due_choices,
)
from domain.reminders import DueDelivery
from scheduling.sender import Outgoing
from services.case_reviews import DueAction, DueAgenda, DueCase, HeadView, MemberView, Outcomes, due_delivery
from storage import Store

TIME_CHOICES = ((10, 0), (11, 0), (12, 0), (15, 0), (16, 0), (17, 0))
DUE_DAYS = (3, 7, 14)


def default_questions(content: Content) -> tuple[str, ...]:
    return content.items("cases.template.default")


def questions_of(content: Content, series: CaseSeries) -> tuple[str, ...]:
    return series.questions or default_questions(content)


def _button(text: str, data: CaseCb | SubjectCb | MenuCb | CaseItemCb | CaseMemberCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _menu(content: Content) -> InlineKeyboardButton:
    return _button(content.t("menu.buttons.menu"), MenuCb(action="menu"))


def _back(content: Content) -> InlineKeyboardButton:
    return _button(content.t("cases.buttons.back"), CaseCb(action="show"))


def _day(content: Content, day: date) -> str:
    return day.strftime(content.t("format.date"))


def _with_notice(screen: Screen, notice: str | None) -> Screen:
    return Screen(f"{notice}\n\n{screen.text}", screen.markup) if notice else screen


# --- the head ---------------------------------------------------------------------------------------------------


def intro_screen(content: Content) -> Screen:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(content.t("cases.buttons.setup"), CaseCb(action="setup"))], [_menu(content)]]
    )
    return Screen(f"{content.t('cases.title')}\n\n{content.t('cases.intro')}", markup)


def day_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for day, name in enumerate(content.items("reminders.weekdays_short")):
        builder.button(text=name, callback_data=CaseCb(action="day", value=day))
    builder.adjust(7)
    builder.row(_back(content))
    return Screen(content.t("cases.ask_day"), builder.as_markup())


def time_step(content: Content) -> Screen:
    builder = InlineKeyboardBuilder()
    for hour, minute in TIME_CHOICES:
        builder.button(text=f"{hour}:{minute:02d}", callback_data=CaseCb(action="time", value=hour * 60 + minute))
    builder.adjust(3)
    builder.row(_back(content))
    return Screen(content.t("cases.ask_time"), builder.as_markup())


def freq_step(content: Content) -> Screen:
    rows = [
        [_button(content.t(f"cases.buttons.every_{weeks}"), CaseCb(action="freq", value=weeks))] for weeks in (1, 2)
    ]
    rows.append([_back(content)])
    return Screen(content.t("cases.ask_freq"), InlineKeyboardMarkup(inline_keyboard=rows))


def schedule_line(content: Content, series: CaseSeries) -> str:
    return content.t("cases.schedule", rule=describe_rule(content, series.rule))


def head_screen(content: Content, view: HeadView, now: datetime, notice: str | None = None) -> Screen:
    series, agenda = view.series, view.agenda
    lines = [content.t("cases.title"), schedule_line(content, series)]
    if series.paused:
        lines.append(content.t("cases.paused"))
    else:
        when = describe_moment(content, agenda.review_at, series.timezone, now)
        lines.append(content.t("cases.next_review", when=when))
        lines.append(content.plural("cases.cases_count", len(agenda.cases)))
        if agenda.missing:
            lines.append(content.t("cases.missing", names=_names(agenda.missing)))
    lines.append(content.plural("cases.open_items_count", len(view.open_actions)))
    rows = [
        [
            _button(content.t("cases.buttons.agenda"), CaseCb(action="agenda")),
            _button(content.t("cases.buttons.outcomes"), CaseCb(action="outcomes")),
        ],
        [
            _button(content.t("cases.buttons.items"), CaseCb(action="items")),
            _button(content.t("cases.buttons.template"), CaseCb(action="template")),
        ],
        [
            _button(content.t("cases.buttons.schedule"), CaseCb(action="setup")),
            _button(content.t("cases.buttons.resume"), CaseCb(action="resume"))
            if series.paused
            else _button(content.t("cases.buttons.pause"), CaseCb(action="pause")),
        ],
        [_menu(content)],
    ]
    return _with_notice(Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)), notice)


def _names(members: Sequence[TeamMember]) -> str:
    return ", ".join(escape(m.name) for m in members)


def _case_lines(content: Content, number: int, case: Case, for_group: bool) -> list[str]:
    """The group's copy names no author: the case is the team's material, who brought it is the head's."""
    if for_group:
        lines = [content.t("cases.agenda_case_group", number=number, title=escape(case.title))]
    else:
        name = escape(case.author_name)
        lines = [content.t("cases.agenda_case", number=number, name=name, title=escape(case.title))]
    for question, answer in zip(case.questions[1:], case.answers[1:], strict=False):
        lines.append(content.t("cases.agenda_answer", question=escape(question), answer=escape(answer)))
    return lines


def agenda_text(content: Content, series: CaseSeries, agenda: Agenda, now: datetime, for_group: bool = False) -> str:
    """The head's agenda: every case and who has not sent one. The group's: the cases (team material: what was
    asked for the review) and only how many did not send one — no names of the missing, nothing else personal."""
    when = describe_moment(content, agenda.review_at, series.timezone, now)
    lines = [content.t("cases.agenda_title", when=when)]
    if agenda.empty:
        lines.append(content.t("cases.agenda_empty"))
    else:
        lines.append(content.plural("cases.cases_count", len(agenda.cases)))
        for number, case in enumerate(agenda.cases, start=1):
            lines.append("")
            lines.extend(_case_lines(content, number, case, for_group))
    if agenda.missing:
        lines.append("")
        if for_group:
            lines.append(content.plural("cases.missing_count", len(agenda.missing)))
        else:
            lines.append(content.t("cases.missing", names=_names(agenda.missing)))
    return "\n".join(lines)


def agenda_screen(
    content: Content, series: CaseSeries, agenda: Agenda, now: datetime, group_bound: bool, notice: str | None = None
) -> Screen:
    rows = []
    if group_bound:
        rows.append([_button(content.t("cases.buttons.to_group"), CaseCb(action="group"))])
    rows.append([_back(content), _menu(content)])
    text = agenda_text(content, series, agenda, now)
    if not group_bound:
        text += "\n\n" + content.t("cases.no_group")
    return _with_notice(Screen(text, InlineKeyboardMarkup(inline_keyboard=rows)), notice)


def template_screen(content: Content, series: CaseSeries, notice: str | None = None) -> Screen:
    questions = questions_of(content, series)
    lines = [content.t("cases.template_title")]
    lines.extend(f"{n}. {escape(q)}" for n, q in enumerate(questions, start=1))
    if not series.questions:
        lines.append(content.t("cases.template_is_default"))
    rows = [[_button(content.t("cases.buttons.tpl_edit"), CaseCb(action="tpl_edit"))]]
    if series.questions:
        rows.append([_button(content.t("cases.buttons.tpl_default"), CaseCb(action="tpl_default"))])
    rows.append([_back(content)])
    return _with_notice(Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)), notice)


def template_ask(content: Content) -> Screen:
    text = content.t(
        "cases.ask_template",
        questions=content.plural("limits.questions", MAX_QUESTIONS),
        limit=content.plural("limits.chars", QUESTION_LIMIT),
    )
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=[[_back(content)]]))


def outcomes_screen(content: Content, view: Outcomes, notice: str | None = None) -> Screen:
    lines = [content.t("cases.outcomes_title", day=_day(content, view.review_on))]
    if view.decisions:
        lines.append(content.t("cases.decisions_title"))
        lines.extend(content.t("cases.decision_line", text=escape(d.text)) for d in view.decisions)
    if view.actions:
        lines.append(content.t("cases.actions_title"))
        lines.extend(_item_line(content, item) for item in view.actions)
    if not view.decisions and not view.actions:
        lines.append(content.t("cases.outcomes_empty"))
    rows = [
        [
            _button(content.t("cases.buttons.decision"), CaseCb(action="decision")),
            _button(content.t("cases.buttons.action"), CaseCb(action="action")),
        ],
        [_back(content)],
    ]
    return _with_notice(Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)), notice)


def decision_step(content: Content) -> Screen:
    return typed_step(content, "cases.ask_decision", limit=content.plural("limits.chars", DECISION_LIMIT))


def action_step(content: Content, name: str) -> Screen:
    """`name`: already escaped."""
    return typed_step(content, "cases.ask_action", name=name, limit=content.plural("limits.chars", DECISION_LIMIT))


def typed_step(content: Content, key: str, **kwargs: object) -> Screen:
    rows = [[_button(content.t("cases.buttons.cancel"), CaseCb(action="outcomes"))]]
    return Screen(content.t(key, **kwargs), InlineKeyboardMarkup(inline_keyboard=rows))


def pick_member_step(content: Content, members: Sequence[TeamMember]) -> Screen:
    builder = InlineKeyboardBuilder()
    for member in members:
        builder.button(text=member.name, callback_data=CaseMemberCb(user=member.user_id))
    builder.adjust(2)
    builder.row(_button(content.t("cases.buttons.cancel"), CaseCb(action="outcomes")))
    key = "cases.ask_member" if members else "cases.no_members"
    return Screen(content.t(key), builder.as_markup())


def due_step(content: Content, today: date) -> Screen:
    builder = InlineKeyboardBuilder()
    for days, day in zip(DUE_DAYS, action_due_choices(today), strict=True):
        builder.button(
            text=content.t(f"cases.buttons.due_{days}", day=_day(content, day)),
            callback_data=CaseCb(action="due", value=days),
        )
    builder.adjust(1)
    builder.row(_button(content.t("cases.buttons.cancel"), CaseCb(action="outcomes")))
    return Screen(content.t("cases.ask_due"), builder.as_markup())


def _item_line(content: Content, item: ActionItem) -> str:
    key = "cases.item_done" if not item.open else "cases.item_line"
    line = content.t(key, name=escape(item.assignee_name), text=escape(item.text), due=_day(content, item.due_on))
    if item.open and not item.assignee_in_team:
        line += " " + content.t("cases.item_left")
    return line


def items_screen(content: Content, items: Sequence[ActionItem], head: bool, notice: str | None = None) -> Screen:
    lines = [content.t("cases.items_title")]
    rows: list[list[InlineKeyboardButton]] = []
    if not items:
        lines.append(content.t("cases.items_empty"))
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. " + _item_line(content, item))
        rows.append([_button(content.t("cases.buttons.done", number=number), CaseItemCb(item=item.id))])
    rows.append([_back(content)] if head else [_back(content), _menu(content)])
    return _with_notice(Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)), notice)


# --- a member ---------------------------------------------------------------------------------------------------


def member_no_series(content: Content) -> Screen:
    return Screen(content.t("cases.member_no_series"), InlineKeyboardMarkup(inline_keyboard=[[_menu(content)]]))


def member_screen(content: Content, view: MemberView, now: datetime, notice: str | None = None) -> Screen:
    series = view.series
    lines = [content.t("cases.title"), schedule_line(content, series)]
    if series.paused:
        lines.append(content.t("cases.paused"))
    else:
        lines.append(
            content.t("cases.next_review", when=describe_moment(content, view.review_at, series.timezone, now))
        )
    rows: list[list[InlineKeyboardButton]] = []
    if view.case is not None:
        lines.append(content.t("cases.member_sent", title=escape(view.case.title)))
    else:
        lines.append(content.t("cases.member_ask"))
    if view.draft is not None and not view.draft.complete:
        label = content.t("cases.buttons.resume_form", done=len(view.draft.answers), total=len(view.draft.questions))
    elif view.case is not None:
        label = content.t("cases.buttons.replace")
    else:
        label = content.t("cases.buttons.write")
    rows.append([_button(label, CaseCb(action="write"))])
    if view.actions:
        lines.append("")
        lines.append(content.t("cases.my_items_title"))
        for number, item in enumerate(view.actions, start=1):
            lines.append(f"{number}. " + _item_line(content, item))
            rows.append([_button(content.t("cases.buttons.done", number=number), CaseItemCb(item=item.id))])
    rows.append([_menu(content)])
    return _with_notice(Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)), notice)


def question_step(content: Content, draft: Draft, replacing: bool = False) -> Screen:
    index = len(draft.answers)
    text = content.t(
        "cases.question", number=index + 1, total=len(draft.questions), question=escape(draft.questions[index])
    )
    if index == 0 and replacing:
        text = content.t("cases.replace_warning") + "\n\n" + text
    rows = [[_button(content.t("cases.buttons.cancel_form"), CaseCb(action="cancel"))]]
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def summary_step(content: Content, draft: Draft) -> Screen:
    lines = [content.t("cases.summary_title")]
    for question, answer in zip(draft.questions, draft.answers, strict=False):
        lines.append(content.t("cases.agenda_answer", question=escape(question), answer=escape(answer)))
    rows = [
        [_button(content.t("cases.buttons.submit"), CaseCb(action="submit"))],
        [
            _button(content.t("cases.buttons.restart"), CaseCb(action="restart")),
            _button(content.t("cases.buttons.cancel_form"), CaseCb(action="cancel")),
        ],
    ]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def submitted_notice(content: Content, case: Case, replaced: bool) -> str:
    key = "cases.replaced" if replaced else "cases.submitted"
    return content.t(key, day=_day(content, case.review_on))


# --- the reminders' messages ------------------------------------------------------------------------------------


def delivered(content: Content, due: DueCase | DueAgenda | DueAction, delivery: DueDelivery, now: datetime) -> Outgoing:
    """The nudge and the escalation open the form; the agenda is computed now and opens the live one (and the
    group post); an action item is an ordinary reminder whose button opens the member's items."""
    if isinstance(due, DueAction):
        return delivered_reminder(content, delivery, now)
    series = due.series
    if isinstance(due, DueAgenda):
        text = agenda_text(content, series, due.agenda, now)
        opens = (content.t("reminders.open_subject.case_agenda"), SubjectCb(kind="case_agenda", subject=series.id))
        keyboard = delivery_keyboard(content, delivery.id, opens)
        return Outgoing(chat_id=delivery.recipient_id, text=text, reply_markup=keyboard)
    when = describe_moment(content, due.review_at, series.timezone, now)
    key = "cases.escalation_message" if delivery.kind == ESCALATION_KIND else "cases.nudge_message"
    kind: Literal["case_nudge", "case_escalation"] = (
        "case_escalation" if delivery.kind == ESCALATION_KIND else "case_nudge"
    )
    opens = (content.t(f"reminders.open_subject.{kind}"), SubjectCb(kind=kind, subject=series.id))
    return Outgoing(
        chat_id=delivery.recipient_id,
        text=content.t(key, when=when),
        reply_markup=delivery_keyboard(content, delivery.id, opens),
    )


async def render_delivery(store: Store, content: Content, delivery: DueDelivery, now: datetime) -> Outgoing | None:
    """The engine's render for the case-review kinds; None: nothing to send (see services.case_reviews)."""
    due = await due_delivery(store, delivery.kind, delivery.subject_id, delivery.recipient_id, now)
    return None if due is None else delivered(content, due, delivery, now)


def group_agenda(content: Content, series: CaseSeries, agenda: Agenda, now: datetime) -> str:
    return agenda_text(content, series, agenda, now, for_group=True)
