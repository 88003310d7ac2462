from aiogram.fsm.state import State, StatesGroup


class Onboarding(StatesGroup):
    team_name = State()
    timezone = State()


class Joining(StatesGroup):
    confirm_move = State()  # a head opened another team's link; data["invite"]: its code


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


# --- PDCA (handlers/pdca/) ---
class PdcaFlow(StatesGroup):
    """data: the plan draft (origin, ref, parent, team, goal, metric, metric_name, baseline, target, review,
    actions) while planning; `cycle` while the fact is asked."""

    goal = State()
    metric = State()  # waits for a button
    metric_name = State()
    baseline = State()
    target = State()
    review_date = State()
    actions = State()
    confirm = State()
    fact = State()


# --- Call listening (handlers/calls.py) ---
class CallsFlow(StatesGroup):
    target = State()  # the weekly target, typed
    names = State()  # names of managers who are not in the bot, typed
    time = State()  # data: weekday; the reminder's time, typed


class CallReviewFlow(StatesGroup):
    """data: manager, index (the criterion asked), scores {criterion: 0..2 or None}, notes {criterion: text},
    praise, fix, share (send the feedback to the manager)."""

    scoring = State()
    praise = State()
    fix = State()
    confirm = State()


# --- Training modules (handlers/learn.py) ---


# --- Strategy milestones (handlers/strategy.py) ---
class StrategyFlow(StatesGroup):
    """The session's answers and milestones are saved as given: a restart resumes from the database."""

    answering = State()  # data: session (the question is the session's first unanswered one)
    milestone_title = State()  # data: horizon, session (0: outside a session)
    due_date = State()  # data: milestone


# --- Templates (handlers/templates.py) ---


# --- Owners' digest (handlers/digest.py) ---


# --- Case reviews (handlers/cases/) ---
class CaseFlow(StatesGroup):
    """The case form's answers are saved in the database as given (case_drafts): a restart resumes it."""

    time = State()  # data: weekday; the review's time, typed
    template = State()  # the head's questions, typed one a line
    answering = State()  # data: series (the question is the draft's first unanswered one)
    decision = State()  # data: series
    action_text = State()  # data: series, assignee
    action_due = State()  # data: series, assignee, text; a date typed or a button
