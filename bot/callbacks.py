"""Callback data: short prefixes, integer ids and ASCII keys only (Telegram allows 64 bytes).

Every field is constrained: a forged or outdated value fails to unpack, `CallbackData.filter()` then does not
match, and the tap falls through to the stale-button answer (handlers/fallback.py) before any handler or query
sees it. Actions are `Literal`s, ids fit SQLite's INTEGER, positions are small and never negative.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, Field, StringConstraints

from content.schema import ChecklistKey
from content.training_schema import MAX_OPTIONS, MAX_SCREENS, QUESTIONS, ModuleKey
from domain.models import Role
from domain.timezones import RUSSIAN_TIMEZONES

Id = Annotated[int, Field(ge=1, lt=2**63)]  # a database row or a Telegram user: SQLite's INTEGER is 64-bit
Position = Annotated[int, Field(ge=0, lt=1000)]  # a place in a list we showed (items, options, candidates)

MenuAction = Literal[
    "menu",
    "checklists",
    "upload",
    "plans",
    "tasks",
    "reminders",
    "history",
    "settings",
    "pdca",
    "calls",
    "learn",
    "strategy",
    "digest",
    "templates",
    "cases",
    "my_plan",  # a member's own standing against their plan (handlers/my_plan.py)
]
TimezoneTarget = Literal["team", "user", "tteam"]  # onboarding, own (settings), the team's (settings)
_PersonAndTeamAction = Literal[
    "show", "tz", "ttz", "name", "workday", "rename", "invites", "members", "leave", "leave_yes", "teams"
]
SettingsAction = Literal[_PersonAndTeamAction, "unbind", "unbind_yes"]  # + «Отвязать группу» (handlers/groups.py)
ReminderAction = Literal["open", "pause", "resume", "time", "rule", "delete", "confirm_delete", "list", "new"]
DeliveryAction = Literal["done", "skip", "hour", "tomorrow"]
DraftAction = Literal["freq", "date", "weekday", "weekdays_ready", "time", "save", "edit", "cancel"]
DueChoice = Literal["ask", "today", "tomorrow", "week", "clear"]
# Reminder kinds that belong to a ritual: their delivered message opens the ritual (see SubjectCb).
SubjectKind = Literal[
    "pdca", "calls", "training", "strategy", "case_nudge", "case_escalation", "case_agenda", "case_action"
]


def _invitable(role: Role) -> Role:
    if role is Role.HEAD:
        raise ValueError("heads are not invited by a link")
    return role


class RoleCb(CallbackData, prefix="r"):
    role: Role


class TimezoneCb(CallbackData, prefix="tz"):
    index: Annotated[int, Field(ge=0, lt=len(RUSSIAN_TIMEZONES))]
    target: TimezoneTarget


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction


class ChecklistCb(CallbackData, prefix="cl"):
    action: Literal["open", "start", "restart"]
    key: ChecklistKey


class AnswerCb(CallbackData, prefix="a"):
    run: Id
    index: Position  # item position in the checklist
    option: Position  # answer option position


class QuestionCb(CallbackData, prefix="q"):
    run: Id
    index: Position
    action: Literal["why", "back", "later"]


class TaskAddCb(CallbackData, prefix="ta"):
    run: Id
    index: Position


class ResultCb(CallbackData, prefix="rs"):
    """A finished run's result: every weak item («Показать все»), back to the summary, all weak items to tasks."""

    run: Id
    action: Literal["all", "top", "tasks"]


class TaskDoneCb(CallbackData, prefix="td"):
    task: Id


class RunCb(CallbackData, prefix="h"):
    run: Id
    action: Literal["show", "xlsx", "csv"]


class SettingsCb(CallbackData, prefix="s"):
    action: SettingsAction


class WorkdayCb(CallbackData, prefix="wd"):
    minutes: int = Field(ge=0, lt=24 * 60)  # the start of the working day, minutes after midnight


class InviteCb(CallbackData, prefix="i"):
    role: Annotated[Role, AfterValidator(_invitable)]
    action: Literal["regen", "revoke"]


class MemberCb(CallbackData, prefix="mb"):
    user: Id
    action: Literal["ask", "remove"]


class TeamCb(CallbackData, prefix="tm"):
    """«Сменить команду»: make one of the person's teams the current one (storage checks the membership)."""

    team: Id


class JoinCb(CallbackData, prefix="jn"):
    """A head opened another team's link: join it (the code waits in FSM data) or stay."""

    action: Literal["yes", "no"]


class ColumnCb(CallbackData, prefix="col"):
    option: Annotated[int, Field(ge=-1, lt=1000)]  # position among the candidates kept in FSM data; -1 = "none"


class ReportCb(CallbackData, prefix="rep"):
    snapshot: Id


class ReminderCb(CallbackData, prefix="rm"):
    action: ReminderAction
    reminder: Annotated[int, Field(ge=0, lt=2**63)] = 0  # 0: none ("list", "new")


class DeliveryCb(CallbackData, prefix="dv"):
    delivery: Id
    action: DeliveryAction


class ReminderDraftCb(CallbackData, prefix="rd"):
    """Steps of a reminder being made or changed; the draft itself waits in FSM data."""

    action: DraftAction
    value: Annotated[int, Field(ge=0, lt=24 * 60)] = 0  # a choice's position, days ahead, weekday or minute of day


class TaskDueCb(CallbackData, prefix="tdu"):
    task: Id
    choice: DueChoice


class TaskUndoCb(CallbackData, prefix="tun"):
    """«Вернуть» after ✓: the task is open again."""

    task: Id


class TaskOpenCb(CallbackData, prefix="to"):
    """One task: its action and why, from the checklist item it came from."""

    task: Id


class TaskListCb(CallbackData, prefix="tl"):
    view: Literal["open", "done"]


class SubjectCb(CallbackData, prefix="sj"):
    """«Открыть» on a ritual's delivered reminder: the ritual's router handles its own kind."""

    kind: SubjectKind
    subject: Id


# --- PDCA (handlers/pdca/) ---
PdcaCbAction = Literal[
    "list",  # /pdca: active cycles and the history
    "new",  # a cycle from a typed goal
    "from_run",  # ref: a finished checklist run -> its weak items to pick one
    "item",  # ref: the run, pos: the item's position in the checklist
    "from_task",  # ref: a task made from a weak item
    "signals",  # ref: a metric snapshot -> its signals to pick one
    "signal",  # ref: the snapshot, pos: the signal's position
    "goal_ok",  # take the suggested goal
    "metric",  # pos: position in domain.pdca.METRICS
    "base_ok",  # take today's value from the latest export
    "target_ok",  # «Скорректировать»: keep the suggested target
    "review",  # pos: position in domain.pdca.REVIEW_CHOICES
    "same_actions",  # «Скорректировать»: the previous cycle's actions again
    "start",  # save the plan: Do begins
    "cancel",  # drop the draft
    "open",  # ref: a cycle
    "check",  # ref: a cycle -> enter the fact
    "take_fact",  # ref: a cycle -> the fact from the export uploaded after the plan
    "standard",  # ref: a cycle (Act)
    "adjust",  # ref: a cycle (Act)
    "drop",  # ref: a cycle (Act, or giving it up before Check)
]


class PdcaCb(CallbackData, prefix="pd"):
    action: PdcaCbAction
    ref: Annotated[int, Field(ge=0, lt=2**63)] = 0  # a cycle, run, task or snapshot id; 0: none
    pos: Position = 0


# --- Call listening (handlers/calls.py) ---
CallsAction = Literal["show", "setup", "target", "managers", "schedule", "another", "history"]


class CallsCb(CallbackData, prefix="ck"):
    """The /calls screen and its steps (no ids)."""

    action: CallsAction


class CallTargetCb(CallbackData, prefix="ckt"):
    """A quick pick of the weekly target (domain.calls bounds it again)."""

    calls: Annotated[int, Field(ge=1, le=50)]


class CallManagerCb(CallbackData, prefix="ckm"):
    """One manager of the rotation: review one of their calls, or show their history."""

    action: Literal["review", "history"]
    manager: Id


class CallRosterCb(CallbackData, prefix="ckr"):
    """The managers step: a team member in/out (value: user id), a typed name out (value: manager id)."""

    action: Literal["member", "drop", "add", "done"]
    value: Annotated[int, Field(ge=0, lt=2**63)] = 0


class CallScheduleCb(CallbackData, prefix="ckw"):
    """The weekly reminder: the day (value: weekday, 0 = Monday), then the time (value: minutes of the day)."""

    action: Literal["day", "time"]
    value: Annotated[int, Field(ge=0, lt=24 * 60)] = 0


class CallReviewCb(CallbackData, prefix="ckv"):
    """A step of a call review in progress (the draft waits in FSM data; a button of another step is stale)."""

    action: Literal["score", "na", "skip", "consent", "save", "cancel"]
    manager: Id
    index: Position = 0  # the criterion's place in the checklist
    score: Annotated[int, Field(ge=0, le=2)] = 0


# --- Training modules (handlers/learn.py) ---


class LearnCb(CallbackData, prefix="ln"):
    """/learn screens: the module list, the team's progress (head), whom to assign modules to (head)."""

    action: Literal["list", "team", "who"]


class ModuleCb(CallbackData, prefix="lm"):
    action: Literal["open", "start"]
    key: ModuleKey


class LessonCb(CallbackData, prefix="ls"):
    """A step of one attempt at a module: a screen, a check question (or its feedback), the result."""

    attempt: Id
    step: Literal["screen", "question", "result"]
    index: Annotated[int, Field(ge=0, lt=MAX_SCREENS)] = 0  # the screen or question position


class LessonAnswerCb(CallbackData, prefix="lq"):
    attempt: Id
    question: Annotated[int, Field(ge=0, lt=QUESTIONS)]
    option: Annotated[int, Field(ge=0, lt=MAX_OPTIONS)]


class AssignCb(CallbackData, prefix="la"):
    """The head's assignment, step by step; the choices so far ride in the button (no FSM state to lose)."""

    user: Annotated[int, Field(ge=0, lt=2**63)]  # 0: every manager of the team
    module: Annotated[str, StringConstraints(pattern=r"^(-|\*|[a-z0-9_]{1,12})$")] = "-"  # "*": all, in order
    weekday: Annotated[int, Field(ge=-1, le=6)] = -1  # -1: not chosen yet; 0 = Monday
    minutes: Annotated[int, Field(ge=-1, lt=24 * 60)] = -1  # time of day; -1: not chosen yet
    save: bool = False


# --- Strategy milestones (handlers/strategy.py) ---
StrategyAction = Literal[
    "overview",  # /strategy
    "session",  # start or resume the session
    "skip",  # value: the question's position (an old button for another question is stale)
    "later",  # leave the session for now (it is resumed from the same question)
    "skip_ms",  # in the session: no milestone for this horizon (value: the horizon's position)
    "add",  # a milestone outside the session: choose its horizon
    "horizon",  # value: the horizon's position
    "version",  # value: position in the list of earlier versions, newest first
]
MilestoneStatusKey = Literal["on_track", "at_risk", "done", "dropped"]


class StrategyCb(CallbackData, prefix="sg"):
    action: StrategyAction
    value: Position = 0


class MilestoneCb(CallbackData, prefix="sgm"):
    milestone: Id
    action: Literal["open", "due", "owner"]


class MilestoneStatusCb(CallbackData, prefix="sgs"):
    milestone: Id
    status: MilestoneStatusKey


class MilestoneOwnerCb(CallbackData, prefix="sgo"):
    milestone: Id
    user: Id


class CalendarCb(CallbackData, prefix="ics"):
    """«📅 В календарь (.ics)» in /reminders (handlers/calendar.py)."""

    action: Literal["file"] = "file"


# --- Templates (handlers/templates.py) ---
# The names of content/<locale>/templates.yaml (`templates.order`); a test keeps the two equal.
TemplateName = Literal["bonus_formula", "deal_review"]


class TemplateCb(CallbackData, prefix="tp"):
    """Open one template: the text, with a menu button."""

    name: TemplateName


# --- Owners' digest (handlers/digest.py) ---
DigestAction = Literal["show", "settings", "day", "time", "off", "on", "alerts", "alert"]


class DigestCb(CallbackData, prefix="dg"):
    """/digest and its settings: day (0 = Monday), time (minutes after midnight) or the alert toggled (an index of
    services.digest.ALERT_CHOICES) in `value`."""

    action: DigestAction
    value: Annotated[int, Field(ge=0, lt=24 * 60)] = 0


# --- Case reviews (handlers/cases/) ---
CaseAction = Literal[
    "show",  # /cases
    "setup",  # the schedule: choose the day
    "day",  # value: weekday 0..6
    "time",  # value: minutes after midnight
    "freq",  # value: weeks (1 or 2)
    "template",  # the case template
    "tpl_edit",
    "tpl_default",
    "agenda",  # the coming review's agenda
    "group",  # post the agenda to the bound group
    "outcomes",  # decisions and action items of the last review
    "decision",
    "action",  # a new action item: choose the member
    "due",  # value: days from today
    "items",  # open action items
    "pause",
    "resume",
    "write",  # a member: start or resume the case form
    "restart",
    "submit",
    "cancel",
]


class CaseCb(CallbackData, prefix="cs"):
    action: CaseAction
    value: Annotated[int, Field(ge=0, lt=24 * 60)] = 0


class CaseMemberCb(CallbackData, prefix="csm"):
    """The member an action item is for."""

    user: Id


class CaseItemCb(CallbackData, prefix="csi"):
    item: Id
    action: Literal["done"] = "done"


class GroupCb(CallbackData, prefix="gr"):
    """A button the bot posts in a group chat (anyone there can press it: the role is re-checked on every tap):
    moving the team's binding to this group, or keeping it."""

    action: Literal["move", "cancel"]
    team: Id


# --- Sharing and members' plans ---
ShareAction = Literal["ask", "summary", "full", "send_summary", "send_full"]


class ShareCb(CallbackData, prefix="sh"):
    """A head's finished result to the team's owners: «Отправить собственнику» → what to send → confirm."""

    run: Id
    action: ShareAction


class SharedCb(CallbackData, prefix="shr"):
    """An owner opens a result the head shared (their /history)."""

    share: Id


class MyPlanCb(CallbackData, prefix="mp"):
    """The head's screen of members' plans: the switch «Менеджеры видят свой план» and who is who."""

    action: Literal["show", "on", "off"]


class PlanLinkCb(CallbackData, prefix="mpl"):
    """«Кто это в выгрузке?» for one member: the list of plan/export names, a pick by its place, or unlink."""

    user: Id
    action: Literal["ask", "pick", "unlink"]
    index: Position = 0
