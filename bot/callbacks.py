"""Callback data: short prefixes, integer ids and ASCII keys only (Telegram allows 64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RoleCb(CallbackData, prefix="r"):
    role: str


class TimezoneCb(CallbackData, prefix="tz"):
    index: int  # position in domain.timezones.RUSSIAN_TIMEZONES
    target: str  # "team" (onboarding), "user" or "tteam" (settings)


class MenuCb(CallbackData, prefix="m"):
    action: str


class ChecklistCb(CallbackData, prefix="cl"):
    action: str  # "open" | "start" | "restart"
    key: str


class AnswerCb(CallbackData, prefix="a"):
    run: int
    index: int  # item position in the checklist
    option: int  # answer option position


class QuestionCb(CallbackData, prefix="q"):
    run: int
    index: int
    action: str  # "why" | "back" | "later"


class TaskAddCb(CallbackData, prefix="ta"):
    run: int
    index: int


class TaskDoneCb(CallbackData, prefix="td"):
    task: int


class RunCb(CallbackData, prefix="h"):
    run: int
    action: str  # "show" | "xlsx" | "csv"


class SettingsCb(CallbackData, prefix="s"):
    action: str


class InviteCb(CallbackData, prefix="i"):
    role: str
    action: str  # "regen" | "revoke"


class MemberCb(CallbackData, prefix="mb"):
    user: int
    action: str  # "ask" | "remove"


class ColumnCb(CallbackData, prefix="col"):
    option: int  # position among the candidate columns kept in FSM data; -1 = "no such column"


class ReportCb(CallbackData, prefix="rep"):
    snapshot: int


class ReminderCb(CallbackData, prefix="rm"):
    action: str  # "open" | "pause" | "resume" | "time" | "rule" | "delete" | "confirm_delete" | "list" | "new"
    reminder: int = 0


class DeliveryCb(CallbackData, prefix="dv"):
    delivery: int
    action: str  # "done" | "skip" | "hour" | "tomorrow"


class ReminderDraftCb(CallbackData, prefix="rd"):
    """Steps of a reminder being made or changed; the draft itself waits in FSM data."""

    action: str  # "freq" | "date" | "weekday" | "weekdays_ready" | "time" | "save" | "edit" | "cancel"
    value: int = 0


class TaskDueCb(CallbackData, prefix="tdu"):
    task: int
    choice: str  # "ask" | "today" | "tomorrow" | "week" | "clear"
