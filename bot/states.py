from aiogram.fsm.state import State, StatesGroup


class Onboarding(StatesGroup):
    team_name = State()
    timezone = State()


class ChecklistFlow(StatesGroup):
    answering = State()


class SettingsFlow(StatesGroup):
    display_name = State()
    team_name = State()
    timezone = State()  # data["target"]: "user" or "tteam"
    workday_start = State()


class ExportFlow(StatesGroup):
    choosing_column = State()  # data: file_id, file_name, field, candidates, overrides, progress message


class PlansFlow(StatesGroup):
    waiting = State()


class ReminderFlow(StatesGroup):
    """data: title, frequency, weekdays, start (ISO date), month_day, editing (reminder id or 0), mode."""

    title = State()
    frequency = State()
    date = State()
    weekdays = State()
    month_day = State()
    time = State()
    confirm = State()


class TaskDueFlow(StatesGroup):
    date = State()  # data: task


# --- PDCA (handlers/pdca.py) ---


# --- Call listening (handlers/calls.py) ---


# --- Training modules (handlers/learn.py) ---


# --- Strategy milestones (handlers/strategy.py) ---


# --- Templates (handlers/templates.py) ---


# --- Owners' digest (handlers/digest.py) ---
