"""Callback data: short prefixes, integer ids and ASCII keys only (Telegram allows 64 bytes).

Every field is constrained: a forged or outdated value fails to unpack, `CallbackData.filter()` then does not
match, and the tap falls through to the stale-button answer (handlers/fallback.py) before any handler or query
sees it. Actions are `Literal`s, ids fit SQLite's INTEGER, positions are small and never negative.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, Field

from content.schema import ChecklistKey
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
]
TimezoneTarget = Literal["team", "user", "tteam"]  # onboarding, own (settings), the team's (settings)
SettingsAction = Literal["show", "tz", "ttz", "name", "workday", "rename", "invites", "members", "leave", "leave_yes"]
ReminderAction = Literal["open", "pause", "resume", "time", "rule", "delete", "confirm_delete", "list", "new"]
DeliveryAction = Literal["done", "skip", "hour", "tomorrow"]
DraftAction = Literal["freq", "date", "weekday", "weekdays_ready", "time", "save", "edit", "cancel"]
DueChoice = Literal["ask", "today", "tomorrow", "week", "clear"]
# Reminder kinds that belong to a ritual: their delivered message opens the ritual (see SubjectCb).
SubjectKind = Literal["pdca", "calls", "training", "strategy"]


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


# --- PDCA (handlers/pdca.py) ---


# --- Call listening (handlers/calls.py) ---


# --- Training modules (handlers/learn.py) ---


# --- Strategy milestones (handlers/strategy.py) ---


# --- Templates (handlers/templates.py) ---


# --- Owners' digest (handlers/digest.py) ---
