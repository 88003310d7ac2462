"""Screens of /learn: the module list, a module's intro, screens, check questions with explanations, the result,
the team's progress and the head's assignment steps. Module texts are plain text from content and are escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AssignCb, LearnCb, LessonAnswerCb, LessonCb, MenuCb, ModuleCb
from bot.views.common import Screen, local_date
from bot.views.schedule_words import clock_time, describe_moment, describe_rule
from content import Content
from content.training_schema import TrainingModule
from domain.training import PASS_MARK, QUESTIONS, Assignment, Attempt, PersonProgress
from services.training import Assigned
from storage.training import Learner

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = (time(9, 0), time(10, 0), time(11, 0), time(12, 0), time(14, 0), time(16, 0), time(17, 0), time(18, 0))


def source_name(content: Content, source: str) -> str:
    if source == "general":
        return content.t("learn.source_general")
    key = f"learn.seeds.s{source[:3]}"
    title = content.t(key) if content.has(key) else source
    return content.t("learn.source_seed", title=escape(title))


def _letter(content: Content, index: int) -> str:
    return content.items("learn.letters")[index]


# --- the list and the intro -------------------------------------------------------------------------------------


def module_list(content: Content, passed: frozenset[str], assignment: Assignment | None, is_head: bool) -> Screen:
    modules = list(content.training.values())
    lines = [content.t("learn.list_title", mark=PASS_MARK, total=QUESTIONS)]
    done = sum(1 for m in modules if m.key in passed)
    lines.append(content.plural("learn.passed_count", done, total=len(modules)))
    current = assignment.current if assignment is not None else None
    if current is not None and current in content.training:
        lines.append(content.t("learn.assigned_now", title=escape(content.training[current].title)))
    builder = InlineKeyboardBuilder()
    for module in modules:
        mark = content.t("learn.mark_passed" if module.key in passed else "learn.mark_open")
        builder.button(
            text=content.t("learn.module_button", mark=mark, title=module.short_title),
            callback_data=ModuleCb(action="open", key=module.key),
        )
    if is_head:
        builder.button(text=content.t("learn.buttons.team"), callback_data=LearnCb(action="team"))
    builder.button(text=content.t("learn.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(1)
    if not modules:
        lines.append(content.t("learn.no_modules"))
    return Screen("\n".join(lines), builder.as_markup())


def intro(
    content: Content, module: TrainingModule, last_pass: Attempt | None, assigned: bool, timezone: str | None
) -> Screen:
    sources = [source_name(content, s) for s in module.sources]
    if any(s.is_general for s in module.screens):
        sources.append(content.t("learn.source_general"))
    parts = [
        content.t(
            "learn.intro",
            title=escape(module.title),
            summary=escape(module.summary),
            screens=content.plural("learn.screens", len(module.screens)),
            questions=len(module.questions),
            mark=PASS_MARK,
            sources=content.t("learn.sources_sep").join(sources),
        )
    ]
    if last_pass is not None and last_pass.finished_at is not None:
        parts.append(
            content.t(
                "learn.intro_passed",
                date=local_date(content, last_pass.finished_at, timezone),
                score=last_pass.score,
                total=len(module.questions),
            )
        )
    if assigned:
        parts.append(content.t("learn.intro_assigned"))
    builder = InlineKeyboardBuilder()
    start = "learn.buttons.again" if last_pass is not None else "learn.buttons.start"
    builder.button(text=content.t(start), callback_data=ModuleCb(action="start", key=module.key))
    builder.button(text=content.t("learn.buttons.all"), callback_data=LearnCb(action="list"))
    builder.adjust(1)
    return Screen("\n\n".join(parts), builder.as_markup())


# --- taking a module --------------------------------------------------------------------------------------------


def screen(content: Content, module: TrainingModule, attempt_id: int, index: int) -> Screen:
    page = module.screens[index]
    text = "\n\n".join(
        [
            content.t("learn.screen_header", title=escape(module.title), number=index + 1, total=len(module.screens)),
            escape(page.text),
            content.t("learn.screen_source", source=source_name(content, page.source)),
        ]
    )
    builder = InlineKeyboardBuilder()
    if index + 1 < len(module.screens):
        builder.button(
            text=content.t("learn.buttons.next"),
            callback_data=LessonCb(attempt=attempt_id, step="screen", index=index + 1),
        )
    else:
        builder.button(
            text=content.t("learn.buttons.to_check"), callback_data=LessonCb(attempt=attempt_id, step="question")
        )
    return Screen(text, builder.as_markup())


def question(content: Content, module: TrainingModule, attempt_id: int, index: int) -> Screen:
    asked = module.questions[index]
    lines = [
        content.t("learn.question_header", title=escape(module.title), number=index + 1, total=len(module.questions)),
        "",
        f"<b>{escape(asked.text)}</b>",
        "",
    ]
    builder = InlineKeyboardBuilder()
    for n, option in enumerate(asked.options):
        lines.append(content.t("learn.option_line", letter=_letter(content, n), text=escape(option.text)))
        builder.button(
            text=_letter(content, n), callback_data=LessonAnswerCb(attempt=attempt_id, question=index, option=n)
        )
    builder.adjust(len(asked.options))
    return Screen("\n".join(lines), builder.as_markup())


def feedback(content: Content, module: TrainingModule, attempt_id: int, index: int, chosen: int) -> Screen:
    """The answer given (the first one), then every option with why it is right or why not."""
    asked = module.questions[index]
    right = asked.right_index
    if chosen == right:
        verdict = content.t("learn.feedback_right")
    else:
        verdict = content.t("learn.feedback_wrong", letter=_letter(content, right))
    parts = [
        content.t("learn.question_header", title=escape(module.title), number=index + 1, total=len(module.questions)),
        f"<b>{escape(asked.text)}</b>",
        verdict,
    ]
    for n, option in enumerate(asked.options):
        if n == right:
            mark = content.t("learn.mark_right")
        elif n == chosen:
            mark = content.t("learn.mark_wrong_chosen")
        else:
            mark = content.t("learn.mark_other")
        parts.append(
            content.t(
                "learn.feedback_option",
                mark=mark,
                letter=_letter(content, n),
                text=escape(option.text),
                why=escape(option.why),
            )
        )
    builder = InlineKeyboardBuilder()
    if index + 1 < len(module.questions):
        builder.button(
            text=content.t("learn.buttons.next_question"),
            callback_data=LessonCb(attempt=attempt_id, step="question", index=index + 1),
        )
    else:
        builder.button(
            text=content.t("learn.buttons.result"), callback_data=LessonCb(attempt=attempt_id, step="result")
        )
    return Screen("\n\n".join(parts), builder.as_markup())


def result(
    content: Content,
    module: TrainingModule,
    attempt: Attempt,
    answers: Mapping[int, int],
    assignment: Assignment | None,
) -> Screen:
    total = len(module.questions)
    key = "learn.result_passed" if attempt.passed else "learn.result_failed"
    parts = [content.t(key, title=escape(module.title), score=attempt.score or 0, total=total, mark=PASS_MARK)]
    lines = []
    for n, asked in enumerate(module.questions):
        ok = answers.get(n) == asked.right_index
        mark = content.t("learn.mark_right" if ok else "learn.mark_wrong_chosen")
        lines.append(content.t("learn.result_line", mark=mark, number=n + 1, question=escape(asked.text)))
    parts.append("\n".join(lines))
    builder = InlineKeyboardBuilder()
    if assignment is not None:
        following = assignment.current
        if following is None:
            parts.append(content.t("learn.assignment_done"))
        elif following in content.training and following != module.key:
            parts.append(content.t("learn.assignment_next", title=escape(content.training[following].title)))
            builder.button(
                text=content.t("learn.buttons.next_module"), callback_data=ModuleCb(action="open", key=following)
            )
    builder.button(text=content.t("learn.buttons.again"), callback_data=ModuleCb(action="start", key=module.key))
    builder.button(text=content.t("learn.buttons.all"), callback_data=LearnCb(action="list"))
    builder.adjust(1)
    return Screen("\n\n".join(parts), builder.as_markup())


# --- the head: team progress and assignments --------------------------------------------------------------------


def team(content: Content, progress: Sequence[PersonProgress]) -> Screen:
    modules = content.training
    parts = [content.t("learn.team_title", total=len(modules))]
    for person in progress:
        lines = [content.t("learn.team_person", name=escape(person.name), count=len(person.passed), total=len(modules))]
        if person.passed:
            titles = ", ".join(escape(modules[k].short_title) for k in person.passed if k in modules)
            lines.append(content.t("learn.team_passed", titles=titles))
        else:
            lines.append(content.t("learn.team_none"))
        assignment = person.assignment
        if assignment is not None and assignment.current in modules:
            lines.append(
                content.t(
                    "learn.team_assignment",
                    done=assignment.completed,
                    count=len(assignment.items),
                    rule=describe_rule(content, assignment.rule),
                    current=escape(modules[assignment.current].short_title),
                )
            )
        parts.append("\n".join(lines))
    if len(progress) <= 1:
        parts.append(content.t("learn.team_empty"))
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("learn.buttons.assign"), callback_data=LearnCb(action="who"))
    builder.button(text=content.t("learn.buttons.all"), callback_data=LearnCb(action="list"))
    builder.adjust(1)
    return Screen("\n\n".join(parts), builder.as_markup())


def assign_who(content: Content, learners: Sequence[Learner]) -> Screen:
    builder = InlineKeyboardBuilder()
    if not learners:
        builder.button(text=content.t("learn.buttons.team"), callback_data=LearnCb(action="team"))
        return Screen(content.t("learn.who_none"), builder.as_markup())
    for learner in learners:
        builder.button(text=learner.name[:40], callback_data=AssignCb(user=learner.user_id))
    if len(learners) > 1:
        builder.button(text=content.t("learn.who_all"), callback_data=AssignCb(user=0))
    builder.button(text=content.t("learn.buttons.cancel"), callback_data=LearnCb(action="team"))
    builder.adjust(1)
    return Screen(content.t("learn.who"), builder.as_markup())


def assign_what(content: Content, choice: AssignCb, whom: str) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("learn.what_all"), callback_data=AssignCb(user=choice.user, module="*"))
    for module in content.training.values():
        builder.button(text=module.short_title, callback_data=AssignCb(user=choice.user, module=module.key))
    builder.button(text=content.t("learn.buttons.cancel"), callback_data=LearnCb(action="team"))
    builder.adjust(1)
    return Screen(content.t("learn.what", whom=escape(whom)), builder.as_markup())


def assign_day(content: Content, choice: AssignCb) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=content.t("learn.day_default"),
        callback_data=AssignCb(user=choice.user, module=choice.module, weekday=0, minutes=10 * 60),
    )
    for day, key in enumerate(DAY_KEYS):
        builder.button(
            text=content.t(f"learn.days.{key}"),
            callback_data=AssignCb(user=choice.user, module=choice.module, weekday=day),
        )
    builder.button(text=content.t("learn.buttons.cancel"), callback_data=LearnCb(action="team"))
    builder.adjust(1, 7, 1)
    return Screen(content.t("learn.day"), builder.as_markup())


def assign_time(content: Content, choice: AssignCb) -> Screen:
    builder = InlineKeyboardBuilder()
    for at in TIMES:
        builder.button(
            text=clock_time(content, at),
            callback_data=AssignCb(
                user=choice.user, module=choice.module, weekday=choice.weekday, minutes=at.hour * 60 + at.minute
            ),
        )
    builder.button(text=content.t("learn.buttons.cancel"), callback_data=LearnCb(action="team"))
    builder.adjust(4, 4, 1)
    return Screen(content.t("learn.time"), builder.as_markup())


def assign_confirm(content: Content, choice: AssignCb, whom: str, rule_text: str) -> Screen:
    if choice.module == "*":
        what = content.t("learn.confirm_all_modules")
    else:
        what = content.t("learn.confirm_one_module", title=escape(content.training[choice.module].title))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=content.t("learn.buttons.save"),
        callback_data=AssignCb(
            user=choice.user, module=choice.module, weekday=choice.weekday, minutes=choice.minutes, save=True
        ),
    )
    builder.button(text=content.t("learn.buttons.cancel"), callback_data=LearnCb(action="team"))
    builder.adjust(1)
    return Screen(content.t("learn.confirm", whom=escape(whom), what=what, rule=rule_text), builder.as_markup())


def assigned(content: Content, results: Sequence[Assigned], now: datetime) -> Screen:
    lines = [content.t("learn.assigned_title")]
    for done in results:
        name = escape(done.learner.name)
        if done.already:
            lines.append(content.t("learn.assigned_same", name=name))
            continue
        if done.assignment is None or done.reminder is None or done.reminder.next_due_at is None:
            lines.append(content.t("learn.assigned_nothing", name=name))
            continue
        first = describe_moment(content, done.reminder.next_due_at, done.reminder.timezone, now)
        count = content.plural("learn.assigned_count", len(done.assignment.items))
        lines.append(content.t("learn.assigned_line", name=name, count=count, first=first))
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("learn.buttons.team"), callback_data=LearnCb(action="team"))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())
