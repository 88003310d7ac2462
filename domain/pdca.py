"""The Deming cycle (PDCA) as pure logic: the plan's validation, the stages a cycle goes through, plan against fact.

A plan (goal, metric, today's value, target, review date, actions) is a draft until it is complete; saving it starts
Do. Check records the actual value; Act decides: make it the standard, adjust (a next cycle) or drop. Stored stages:

    DO ──check──▶ ACT ──standard / adjust / drop──▶ CLOSED

`Cycle.phase(today)` adds what a person sees: DO becomes CHECK once the review date has come. Values are kept in the
units a person reads (money, percentage points, counts), so «15%» is 15.0. No aiogram, no storage.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.errors import Counted, DomainError

MAX_GOAL_CHARS = 200
MAX_METRIC_NAME_CHARS = 60
MAX_ACTIONS = 10
MAX_ACTION_CHARS = 200
MAX_ABS_VALUE = 1e15


class Stage(StrEnum):
    DO = "do"  # the plan is saved, its actions are tasks; waiting for the review
    ACT = "act"  # the fact is recorded; waiting for the decision
    CLOSED = "closed"


class Phase(StrEnum):
    """What the person sees: the four letters, and the end."""

    PLAN = "plan"
    DO = "do"
    CHECK = "check"
    ACT = "act"
    CLOSED = "closed"


class Decision(StrEnum):
    STANDARD = "standard"  # it works: keep it as a recurring check
    ADJUST = "adjust"  # a next cycle with a new target
    DROP = "drop"


class Origin(StrEnum):
    FREE = "free"  # typed goal
    ITEM = "item"  # a weak item of a checklist run (ref: "checklist:item")
    TASK = "task"  # a task made from a weak item (ref: task id)
    SIGNAL = "signal"  # a signal of an analysed export (ref: signal code)
    CYCLE = "cycle"  # «Скорректировать» on an earlier cycle (ref: its id)


class FactSource(StrEnum):
    TYPED = "typed"
    EXPORT = "export"


class Unit(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    NUMBER = "number"  # a custom metric: whatever the head counts


class Metric(StrEnum):
    """The metrics the bot computes from exports (their value comes from a snapshot), and a custom one."""

    WON_REVENUE = "won_revenue"
    OVER_PLAN = "over_plan"
    WIN_RATE = "win_rate"
    AVG_DEAL = "avg_deal"
    QUALIFIED_CONVERSION = "qualified_conversion"
    ACTIVE_CLIENTS = "active_clients"
    SLEEPING_CLIENTS = "sleeping_clients"
    CUSTOM = "custom"

    @property
    def unit(self) -> Unit:
        return _UNITS[self]

    @property
    def computed(self) -> bool:
        return self is not Metric.CUSTOM


_UNITS = {
    Metric.WON_REVENUE: Unit.MONEY,
    Metric.OVER_PLAN: Unit.MONEY,
    Metric.WIN_RATE: Unit.PERCENT,
    Metric.AVG_DEAL: Unit.MONEY,
    Metric.QUALIFIED_CONVERSION: Unit.PERCENT,
    Metric.ACTIVE_CLIENTS: Unit.COUNT,
    Metric.SLEEPING_CLIENTS: Unit.COUNT,
    Metric.CUSTOM: Unit.NUMBER,
}
METRICS = tuple(m for m in Metric)  # the order of the metric buttons

# Review date buttons: days (or a calendar month) after today.
REVIEW_CHOICES = ("week", "two_weeks", "month")


# --- errors -----------------------------------------------------------------------------------------------


class PdcaError(DomainError):
    text_key = "pdca.errors.generic"


class GoalInvalid(PdcaError):
    text_key = "pdca.errors.goal"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"limit": Counted("limits.chars", MAX_GOAL_CHARS)}


class MetricNameInvalid(PdcaError):
    text_key = "pdca.errors.metric_name"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"limit": Counted("limits.chars", MAX_METRIC_NAME_CHARS)}


class ActionsInvalid(PdcaError):
    text_key = "pdca.errors.actions"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"steps": MAX_ACTIONS, "limit": Counted("limits.chars", MAX_ACTION_CHARS)}


class NumberUnreadable(PdcaError):
    text_key = "pdca.errors.number"


class ReviewDateInPast(PdcaError):
    text_key = "pdca.errors.review_past"


class ReviewDateToday(PdcaError):
    text_key = "pdca.errors.review_today"


class NothingToImprove(PdcaError):
    """The target equals today's value."""

    text_key = "pdca.errors.target_equal"


class PlanIncomplete(PdcaError):
    text_key = "pdca.errors.incomplete"


class CycleAlreadyChecked(PdcaError):
    """A second Check (an old «Проверить» button, a second tap)."""

    text_key = "pdca.errors.already_checked"


class CycleNotChecked(PdcaError):
    """Act before Check."""

    text_key = "pdca.errors.not_checked"


class CycleClosed(PdcaError):
    """A button of a cycle that is already finished."""

    text_key = "pdca.errors.closed"


# --- plan -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    goal: str
    metric: Metric
    metric_name: str | None  # the custom metric's name; None for a computed one
    baseline: float  # today's value
    target: float
    review_date: date  # local date in the head's zone
    actions: tuple[str, ...]
    currency: str | None = None  # "USD", ... of the export today's value came from; None: typed or not said


def validate_goal(text: str) -> str:
    goal = " ".join(text.split())
    if not goal or len(goal) > MAX_GOAL_CHARS:
        raise GoalInvalid(text[:50])
    return goal


def validate_metric_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_METRIC_NAME_CHARS:
        raise MetricNameInvalid(text[:50])
    return name


_BULLET = re.compile(r"^\s*(?:[-–—•*·]+|\d{1,2}[.)])\s*")


def parse_actions(text: str) -> tuple[str, ...]:
    """One action a line; list bullets and numbers are dropped, empty lines ignored."""
    actions = tuple(" ".join(_BULLET.sub("", line).split()) for line in text.splitlines())
    actions = tuple(a for a in actions if a)
    if not actions or len(actions) > MAX_ACTIONS or any(len(a) > MAX_ACTION_CHARS for a in actions):
        raise ActionsInvalid(str(len(actions)))
    return actions


def review_date_for(choice: str, today: date) -> date:
    if choice == "week":
        return today + timedelta(days=7)
    if choice == "two_weeks":
        return today + timedelta(days=14)
    if choice == "month":
        return today + relativedelta(months=1)
    raise ValueError(choice)


def validate_review_date(review: date, today: date) -> date:
    """The review is at least tomorrow: the actions need a day at least, and a reminder for today may be late."""
    if review < today:
        raise ReviewDateInPast(review.isoformat())
    if review == today:
        raise ReviewDateToday(review.isoformat())
    return review


def validate_target(baseline: float, target: float) -> float:
    if math.isclose(baseline, target, rel_tol=1e-9, abs_tol=1e-9):
        raise NothingToImprove(str(target))
    return target


def validate_plan(plan: Plan, today: date) -> Plan:
    if plan.metric is Metric.CUSTOM and not plan.metric_name:
        raise PlanIncomplete("metric_name")
    validate_goal(plan.goal)
    validate_review_date(plan.review_date, today)
    validate_target(plan.baseline, plan.target)
    if not plan.actions:
        raise ActionsInvalid("0")
    return plan


def action_due_date(today: date, review: date) -> date:
    """The actions are due halfway to the review (at least tomorrow), so their effect can show by the Check."""
    days = max(1, (review - today).days // 2)
    return min(today + timedelta(days=days), review)


# --- numbers ----------------------------------------------------------------------------------------------

_MULTIPLIERS = (
    (("млрд", "mlrd", "bn"), 1e9),
    (("миллионов", "миллиона", "миллион", "млн", "mln", "м", "m"), 1e6),
    (("тысяч", "тысячи", "тысяча", "тыс", "т", "к", "k"), 1e3),
)
_UNIT_WORDS = ("₽", "руб", "рублей", "рубля", "рубль", "р", "rub", "%", "процентов", "процента", "процент", "шт")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")


def parse_number(text: str) -> float:
    """«1 200 000», «1,5 млн», «300 тыс», «15%», «-20 000 ₽», «1.5», «1,234,567» (several separators of one kind
    are thousands); anything else is NumberUnreadable and the step waits."""
    raw = text.strip().lower().replace("−", "-").replace("–", "-").rstrip(". ")
    for word in _UNIT_WORDS:  # the longest first would matter only for "р" vs "руб": both are stripped
        if raw.endswith(word):
            raw = raw[: -len(word)].rstrip(" .")
            break
    multiplier = 1.0
    for words, factor in _MULTIPLIERS:
        found = next((w for w in words if raw.endswith(w) and raw[: -len(w)].strip()[-1:].isdigit()), None)
        if found is not None:
            raw, multiplier = raw[: -len(found)].rstrip(" ."), factor
            break
    compact = _SPACES.sub("", raw)
    if not compact or not _NUMBER.match(compact):
        raise NumberUnreadable(text[:50])
    value = _to_float(compact) * multiplier
    if not math.isfinite(value) or abs(value) >= MAX_ABS_VALUE:
        raise NumberUnreadable(text[:50])
    return value


def _to_float(compact: str) -> float:
    sign = -1.0 if compact.startswith("-") else 1.0
    digits = compact.lstrip("+-")
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:  # the last separator is the decimal one: «1.234,5» or «1,234.5»
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif commas > 1 or dots > 1:  # «1,234,567» / «1.234.567»
        digits = digits.replace(",", "").replace(".", "")
    else:
        digits = digits.replace(",", ".")
    return sign * float(digits)


# --- the cycle --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cycle:
    id: int
    team_id: int
    user_id: int
    origin: Origin
    origin_ref: str | None
    parent_id: int | None
    goal: str
    metric: Metric
    metric_name: str | None
    baseline: float
    target: float
    review_date: date
    stage: Stage
    created_at: datetime  # when the plan was saved: an export uploaded after this can give the fact
    fact: float | None = None
    fact_source: FactSource | None = None
    fact_snapshot_id: int | None = None
    checked_at: datetime | None = None
    decision: Decision | None = None
    closed_at: datetime | None = None
    currency: str | None = None  # of the export the baseline or fact came from; None: typed, or not said

    def phase(self, today: date) -> Phase:
        if self.stage is Stage.DO:
            return Phase.CHECK if today >= self.review_date else Phase.DO
        return Phase.ACT if self.stage is Stage.ACT else Phase.CLOSED

    @property
    def verdict(self) -> Verdict | None:
        return None if self.fact is None else compare(self.baseline, self.target, self.fact)


@dataclass(frozen=True, slots=True)
class CycleAction:
    """One action of the plan and its Do task."""

    cycle_id: int
    position: int
    text: str
    task_id: int | None  # None once the task is deleted
    done: bool  # the task is closed (✓ in /tasks or «Сделано» on its reminder)


def record_check(
    cycle: Cycle,
    fact: float,
    source: FactSource,
    snapshot_id: int | None,
    now: datetime,
    currency: str | None = None,
) -> Cycle:
    """DO → ACT. A Check may come before the review date (the result is already visible), never twice.
    `currency` is the fact's export's: it names the cycle's money only when the plan's did not (a typed baseline)."""
    if cycle.stage is Stage.CLOSED:
        raise CycleClosed(str(cycle.id))
    if cycle.stage is not Stage.DO:
        raise CycleAlreadyChecked(str(cycle.id))
    if not math.isfinite(fact) or abs(fact) >= MAX_ABS_VALUE:
        raise NumberUnreadable(str(fact))
    return replace(
        cycle,
        stage=Stage.ACT,
        fact=fact,
        fact_source=source,
        fact_snapshot_id=snapshot_id if source is FactSource.EXPORT else None,
        checked_at=now,
        currency=cycle.currency or (currency if source is FactSource.EXPORT else None),
    )


def decide(cycle: Cycle, decision: Decision, now: datetime) -> Cycle:
    """ACT → CLOSED. Dropping is also allowed before the Check (the head gives the cycle up)."""
    if cycle.stage is Stage.CLOSED:
        raise CycleClosed(str(cycle.id))
    if cycle.stage is Stage.DO and decision is not Decision.DROP:
        raise CycleNotChecked(str(cycle.id))
    return replace(cycle, stage=Stage.CLOSED, decision=decision, closed_at=now)


# --- plan against fact ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    baseline: float
    target: float
    fact: float
    change: float  # fact - baseline
    change_share: float | None  # change / |baseline|; None when the baseline is 0
    progress: float  # the share of the way from baseline to target that was made (1.0 = reached; may be < 0)
    reached: bool  # the target was met or passed, in the plan's direction (up or down)

    @property
    def improved(self) -> bool:
        return self.progress > 0


def compare(baseline: float, target: float, fact: float) -> Verdict:
    """Direction-aware: a target below today's value (fewer sleeping clients) is reached by going down."""
    step = target - baseline
    progress = (fact - baseline) / step if step else 0.0
    change = fact - baseline
    return Verdict(
        baseline=baseline,
        target=target,
        fact=fact,
        change=change,
        change_share=None if baseline == 0 else change / abs(baseline),
        progress=progress,
        reached=progress >= 1 - 1e-9,
    )


def next_target(verdict: Verdict) -> float:
    """«Скорректировать» suggests: not reached — the same target from where we are now; reached — the same step
    again from the fact."""
    if verdict.reached:
        return verdict.fact + (verdict.target - verdict.baseline)
    if math.isclose(verdict.fact, verdict.target):
        return verdict.fact + (verdict.target - verdict.baseline)
    return verdict.target


# --- snapshots --------------------------------------------------------------------------------------------


def metric_value(metrics_json: str, metric: Metric) -> float | None:
    """The metric's value in a stored snapshot (analytics.metrics_json), in the units a person reads; None when
    the export did not allow it (no plans, no stages, no clients...)."""
    if not metric.computed:
        return None
    try:
        data: dict[str, Any] = json.loads(metrics_json).get("metrics") or {}
    except (ValueError, AttributeError):
        return None
    value: Any
    if metric is Metric.OVER_PLAN:
        overs = [m.get("over_plan") for m in data.get("managers") or () if isinstance(m, dict)]
        known = [o for o in overs if isinstance(o, int | float)]
        value = sum(known) if known else None
    elif metric in (Metric.ACTIVE_CLIENTS, Metric.SLEEPING_CLIENTS):
        clients = data.get("clients") or {}
        value = clients.get("active" if metric is Metric.ACTIVE_CLIENTS else "sleeping")
    else:
        value = data.get(metric.value)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    return float(value) * (100 if metric.unit is Unit.PERCENT else 1)


def snapshot_currency(metrics_json: str) -> str | None:
    """The currency code a stored snapshot names ("USD"), or None when the export did not say."""
    try:
        code = json.loads(metrics_json).get("metrics", {}).get("currency")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and code else None


def same_money(plan_currency: str | None, export_currency: str | None) -> bool:
    """Whether an export's money can be compared with the plan's: not when both name different currencies."""
    return plan_currency is None or export_currency is None or plan_currency == export_currency


def snapshot_signals(metrics_json: str) -> tuple[str, ...]:
    """The codes of the signals an analysed export raised, in the report's order."""
    try:
        data = json.loads(metrics_json).get("metrics") or {}
    except (ValueError, AttributeError):
        return ()
    return tuple(str(s["code"]) for s in data.get("signals") or () if isinstance(s, dict) and "code" in s)


# --- the owners' digest -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PdcaHygiene:
    """Whether the department runs its cycles: reviews due in the period against those held (Check recorded),
    and how many cycles are open now and were finished in the period."""

    reviews_scheduled: int
    reviews_held: int
    active: int
    finished: int

    @property
    def reviews_missed(self) -> int:
        return self.reviews_scheduled - self.reviews_held
