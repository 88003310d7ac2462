"""The owners' weekly digest, composed from stored snapshots, plans and ritual records. Pure: no aiogram, no SQL.

What an owner reads (articles 001 and 003): money first — won revenue against plan and the difference in
money (a shortfall is «не хватило», never a negative «сверх плана»), margin when the export has it; the last
full month against the one before, graded; conversion and funnel changes since the previous export; the client
base; managers against their personal plans; management hygiene from reminders and rituals; the diagnostic
results the head shared in the week, each with its change against the previous shared result of the same
checklist. Only aggregates: a snapshot holds no export rows and no client names, a shared result no answers.

`quiet`: nothing new in the week (no upload, no ritual activity, no result shared) — the owner gets a short form
and the head a nudge to upload a fresh export.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from domain.schedules import Frequency, Rule

if TYPE_CHECKING:
    from domain.calls import CallHygiene
    from domain.pdca import PdcaHygiene
    from domain.strategy import StrategyHygiene
    from domain.training import TrainingHygiene

# The last full month against the one before: within ±5 % it is «на уровне».
MONTH_LEVEL_BAND = 0.05
# A conversion or funnel share that moved less than this (in percentage points) is not worth a line.
SHARE_CHANGE_MIN_PP = 1.0
DIGEST_KIND = "digest"  # an owner's digest reminder (reminders.kind)
NUDGE_KIND = "upload_nudge"  # the heads' nudge after a quiet week
# Reminder kinds that are not the head's management work to answer: the digest's own traffic, and the case
# review's agenda (a message to read, with nothing to mark done).
NOT_HYGIENE_KINDS = frozenset({DIGEST_KIND, NUDGE_KIND, "owner_alerts", "case_agenda"})
WEEK = timedelta(days=7)
CHART_MONTHS = 6
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_TIME = time(9, 0)


class Grade(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    LEVEL = "level"


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """The week the digest covers: [start, end) in UTC; `end` is the moment it is composed."""

    start: datetime
    end: datetime

    @classmethod
    def week_before(cls, moment: datetime) -> DigestPeriod:
        return cls(moment - WEEK, moment)


def digest_rule(today: date, weekday: int = DEFAULT_WEEKDAY, at: time = DEFAULT_TIME) -> Rule:
    """Weekly on `weekday` (0 = Monday) at `at`, in the owner's zone, from `today` (a local date)."""
    return Rule(Frequency.WEEKLY, at=at, start=today, weekdays=(weekday,))


def week_start(moment: datetime, timezone: str) -> datetime:
    """Monday 00:00 of the local week `moment` falls in (for the heads' nudge: at most one a week)."""
    local = moment.astimezone(ZoneInfo(timezone))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0, 0), tzinfo=ZoneInfo(timezone))


# --- inputs ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManagerFigures:
    name: str
    revenue: float
    plan: float | None
    attainment: float | None  # revenue in the plan's months / plan (1.0 == 100 %)
    over_plan: float | None  # money; negative: a shortfall


@dataclass(frozen=True, slots=True)
class ClientCounts:
    active: int
    sleeping: int
    churned: int


@dataclass(frozen=True, slots=True)
class MonthFigures:
    last_month: str  # "YYYY-MM"
    previous_month: str
    last_revenue: float
    previous_revenue: float


@dataclass(frozen=True, slots=True)
class StageShare:
    stage: str
    reached_share: float  # 0-1


@dataclass(frozen=True, slots=True)
class SnapshotFigures:
    """What the digest reads of one stored snapshot (storage/snapshots.py, analytics/metrics_json.py)."""

    created_at: datetime
    period_start: date | None
    period_end: date | None
    currency: str | None
    won_revenue: float | None
    margin: float | None
    margin_share: float | None
    win_rate: float | None
    qualified_conversion: float | None
    funnel: tuple[StageShare, ...]
    clients: ClientCounts | None
    month: MonthFigures | None
    revenue_by_month: Mapping[str, float]
    managers: tuple[ManagerFigures, ...]


@dataclass(frozen=True, slots=True)
class ReminderCounts:
    """Deliveries of one reminder kind whose occurrence fell in the week."""

    kind: str
    done: int = 0
    skipped: int = 0
    missed: int = 0  # not sent (the bot was down past the grace window) or not answered at all
    total: int = 0

    @property
    def answered(self) -> int:
        return self.done + self.skipped


@dataclass(frozen=True, slots=True)
class RitualHygiene:
    """One ritual's line, from its repository's `hygiene(...)` record: `key` picks the text
    (digest.hygiene.rituals.<key>), `values` fill it. `active`: something was done in the week (not quiet)."""

    key: str
    values: tuple[tuple[str, int], ...]
    active: bool

    def value(self, name: str) -> int:
        return dict(self.values)[name]


def pdca_line(h: PdcaHygiene) -> RitualHygiene | None:
    """PDCA reviews held against those scheduled in the week; cycles open now and finished in the week."""
    if not (h.reviews_scheduled or h.active or h.finished):
        return None
    values = (
        ("held", h.reviews_held),
        ("scheduled", h.reviews_scheduled),
        ("active", h.active),
        ("finished", h.finished),
    )
    return RitualHygiene("pdca", values, active=h.reviews_held > 0 or h.finished > 0)


def calls_line(h: CallHygiene) -> RitualHygiene | None:
    """Calls listened against the target (the last full week)."""
    if not h.has_plan:
        return None
    return RitualHygiene("calls", (("listened", h.listened), ("target", h.target)), active=h.listened > 0)


def training_line(h: TrainingHygiene) -> RitualHygiene | None:
    """Modules passed for the first time in the week; assigned modules due in the week against passed."""
    if not (h.modules_passed or h.assigned_due):
        return None
    values = (
        ("passed", h.modules_passed),
        ("people", h.people_passed),
        ("due", h.assigned_due),
        ("done", h.assigned_done),
    )
    return RitualHygiene("training", values, active=h.modules_passed > 0 or h.assigned_done > 0)


def strategy_line(h: StrategyHygiene) -> RitualHygiene | None:
    """Milestones on track / at risk / overdue / done today. A state, not the week's activity."""
    if not h.total:
        return None
    values = (("on_track", h.on_track), ("at_risk", h.at_risk), ("overdue", h.overdue), ("done", h.done))
    return RitualHygiene("strategy", values, active=False)


@dataclass(frozen=True, slots=True)
class SharedFigures:
    """One result a head shared with the owners (storage/shares.py): score and zone, never the answers. The same
    result (`run_id`) may be shared twice: as a summary, then in full."""

    run_id: int
    checklist_key: str
    score: int  # 0-100
    zone: str  # the zone's key in the checklist's content
    shared_at: datetime


@dataclass(frozen=True, slots=True)
class DigestInputs:
    team_name: str
    latest: SnapshotFigures | None
    previous: SnapshotFigures | None  # the export before the latest, for changes
    plans: Mapping[tuple[str, str], float]  # (manager, "YYYY-MM") -> plan amount
    uploads_in_week: int
    reminders: tuple[ReminderCounts, ...] = ()
    rituals: tuple[RitualHygiene, ...] = ()
    # The shares of the week and, for each, the previous shared result of the same checklist (any time before).
    shares: tuple[SharedFigures, ...] = ()


# --- the digest -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MoneyVsPlan:
    month: str | None  # "YYYY-MM"; None: the plan is the managers' plans over the export's period
    revenue: float
    plan: float | None
    attainment: float | None  # 0-1+
    over_plan: float | None  # revenue - plan; negative: a shortfall

    @property
    def shortfall(self) -> float | None:
        return None if self.over_plan is None or self.over_plan >= 0 else -self.over_plan


@dataclass(frozen=True, slots=True)
class MonthVsMonth:
    last_month: str
    previous_month: str
    last_revenue: float
    previous_revenue: float
    change: float | None  # relative; None when the month before sold nothing
    difference: float  # money
    grade: Grade


@dataclass(frozen=True, slots=True)
class ShareChange:
    """A share (conversion, funnel) now and its change in percentage points since the previous export."""

    key: str  # "win_rate", "qualified_conversion" or "stage"
    value: float  # 0-1
    change_pp: float | None  # None: not known in the previous export
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class ClientsChange:
    now: ClientCounts
    change: ClientCounts | None  # differences against the previous export


@dataclass(frozen=True, slots=True)
class ManagersVsPlan:
    best: ManagerFigures
    worst: ManagerFigures | None  # None with only one manager on a plan
    spread_pp: float | None  # best - worst attainment, percentage points
    with_plan: int
    below_plan: int


@dataclass(frozen=True, slots=True)
class SharedScore:
    """A result the head shared in the week, with the previous shared result of the same checklist (None: the first
    one shared)."""

    checklist_key: str
    score: int
    zone: str
    shared_at: datetime
    previous: SharedFigures | None

    @property
    def change(self) -> int | None:
        """Points against the previous shared result: 60 after 80 is −20."""
        return None if self.previous is None else self.score - self.previous.score


@dataclass(frozen=True, slots=True)
class Digest:
    team_name: str
    period: DigestPeriod
    quiet: bool
    uploads_in_week: int
    last_upload_at: datetime | None
    data_until: date | None  # the latest export's last date
    currency: str | None
    money: MoneyVsPlan | None
    margin: float | None
    margin_share: float | None
    month: MonthVsMonth | None
    conversions: tuple[ShareChange, ...]
    clients: ClientsChange | None
    managers: ManagersVsPlan | None
    reminders: tuple[ReminderCounts, ...]
    rituals: tuple[RitualHygiene, ...]
    # The chart: the latest export's last months ("YYYY-MM", won revenue, the team's plan for the month or None).
    months: tuple[tuple[str, float, float | None], ...] = ()
    shares: tuple[SharedScore, ...] = ()  # the diagnostic results the head shared in the week, oldest first

    @property
    def has_data(self) -> bool:
        return self.last_upload_at is not None


def compose_digest(inputs: DigestInputs, period: DigestPeriod) -> Digest:
    latest = inputs.latest
    reminders = tuple(
        sorted((r for r in inputs.reminders if r.kind not in NOT_HYGIENE_KINDS and r.total), key=lambda r: r.kind)
    )
    ritual_activity = any(r.answered for r in reminders) or any(r.active for r in inputs.rituals)
    shares = shared_scores(inputs.shares, period)  # a result sent to the owners is something they see: not quiet
    return Digest(
        team_name=inputs.team_name,
        period=period,
        quiet=inputs.uploads_in_week == 0 and not ritual_activity and not shares,
        uploads_in_week=inputs.uploads_in_week,
        last_upload_at=None if latest is None else latest.created_at,
        data_until=None if latest is None else latest.period_end,
        currency=None if latest is None else latest.currency,
        money=None if latest is None else money_vs_plan(latest, inputs.plans),
        margin=None if latest is None else latest.margin,
        margin_share=None if latest is None else latest.margin_share,
        month=None if latest is None or latest.month is None else month_vs_month(latest.month),
        conversions=() if latest is None else conversion_changes(latest, inputs.previous),
        clients=None if latest is None else clients_change(latest, inputs.previous),
        managers=None if latest is None else managers_vs_plan(latest.managers),
        reminders=reminders,
        rituals=inputs.rituals,
        months=() if latest is None else recent_months(latest, inputs.plans),
        shares=shares,
    )


def shared_scores(shares: Sequence[SharedFigures], period: DigestPeriod) -> tuple[SharedScore, ...]:
    """The results shared in the week, oldest first, each result once (sent as a summary and then in full, it is
    listed at its first share of the week), with the previous shared result of the same checklist: the latest
    share of another result of that checklist before it, whenever it was. Shares outside the week only serve as
    the previous one."""
    ordered = sorted(shares, key=lambda s: s.shared_at)  # stable: ties keep the order given (storage: by id)
    listed: list[SharedScore] = []
    seen: set[int] = set()
    for index, share in enumerate(ordered):
        if not period.start <= share.shared_at < period.end or share.run_id in seen:
            continue
        seen.add(share.run_id)
        previous = next(
            (
                earlier
                for earlier in reversed(ordered[:index])
                if earlier.checklist_key == share.checklist_key and earlier.run_id != share.run_id
            ),
            None,
        )
        listed.append(SharedScore(share.checklist_key, share.score, share.zone, share.shared_at, previous))
    return tuple(listed)


def recent_months(
    figures: SnapshotFigures, plans: Mapping[tuple[str, str], float], count: int = CHART_MONTHS
) -> tuple[tuple[str, float, float | None], ...]:
    """The export's last `count` months of won revenue, each with the sum of the managers' plans for it."""
    planned: dict[str, float] = {}
    for (_, month), amount in plans.items():
        planned[month] = planned.get(month, 0.0) + amount
    last = sorted(figures.revenue_by_month)[-count:]
    return tuple((month, figures.revenue_by_month[month], planned.get(month) or None) for month in last)


def plan_month(figures: SnapshotFigures) -> str | None:
    """The month the money section speaks of: the month of the export's last date (month to date)."""
    if figures.period_end is not None:
        return f"{figures.period_end.year:04d}-{figures.period_end.month:02d}"
    return max(figures.revenue_by_month) if figures.revenue_by_month else None


def money_vs_plan(figures: SnapshotFigures, plans: Mapping[tuple[str, str], float]) -> MoneyVsPlan | None:
    """Won revenue of the export's last month against the team's plans for that month (the sum of the managers'
    plans set in /plans). Without plans for that month: the managers' plans the export was analysed with, over
    its period. Without any plan: the revenue alone."""
    month = plan_month(figures)
    if month is not None and figures.revenue_by_month:
        revenue = float(figures.revenue_by_month.get(month, 0.0))
        plan = sum(amount for (_, plan_of), amount in plans.items() if plan_of == month)
        if plan > 0:
            return MoneyVsPlan(month, revenue, plan, revenue / plan, revenue - plan)
    planned = [m for m in figures.managers if m.plan is not None and m.over_plan is not None]
    total_plan = sum(m.plan for m in planned if m.plan is not None)
    if planned and total_plan > 0:
        counted = sum(m.plan + m.over_plan for m in planned if m.plan is not None and m.over_plan is not None)
        return MoneyVsPlan(None, counted, total_plan, counted / total_plan, counted - total_plan)
    if month is not None and figures.revenue_by_month:
        return MoneyVsPlan(month, float(figures.revenue_by_month.get(month, 0.0)), None, None, None)
    if figures.won_revenue is not None:
        return MoneyVsPlan(None, figures.won_revenue, None, None, None)
    return None


def grade_change(change: float | None, last: float) -> Grade:
    if change is None:  # nothing sold the month before
        return Grade.BETTER if last > 0 else Grade.LEVEL
    if change >= MONTH_LEVEL_BAND:
        return Grade.BETTER
    if change <= -MONTH_LEVEL_BAND:
        return Grade.WORSE
    return Grade.LEVEL


def month_vs_month(month: MonthFigures) -> MonthVsMonth:
    change = month.last_revenue / month.previous_revenue - 1 if month.previous_revenue > 0 else None
    return MonthVsMonth(
        last_month=month.last_month,
        previous_month=month.previous_month,
        last_revenue=month.last_revenue,
        previous_revenue=month.previous_revenue,
        change=change,
        difference=month.last_revenue - month.previous_revenue,
        grade=grade_change(change, month.last_revenue),
    )


def _pp(now: float, before: float | None) -> float | None:
    return None if before is None else (now - before) * 100


def conversion_changes(latest: SnapshotFigures, previous: SnapshotFigures | None) -> tuple[ShareChange, ...]:
    """Win rate and qualified-lead conversion now, with their change since the previous export; and the funnel
    stage whose reached share moved the most (at least SHARE_CHANGE_MIN_PP), when both exports have it."""
    changes: list[ShareChange] = []
    for key in ("qualified_conversion", "win_rate"):
        value = getattr(latest, key)
        if value is not None:
            changes.append(ShareChange(key, value, _pp(value, None if previous is None else getattr(previous, key))))
    if previous is not None and latest.funnel and previous.funnel:
        before = {s.stage: s.reached_share for s in previous.funnel}
        moved = [
            ShareChange("stage", s.reached_share, _pp(s.reached_share, before[s.stage]), s.stage)
            for s in latest.funnel
            if s.stage in before
        ]
        moved = [m for m in moved if m.change_pp is not None and abs(m.change_pp) >= SHARE_CHANGE_MIN_PP]
        if moved:
            changes.append(max(moved, key=lambda m: (abs(m.change_pp or 0.0), m.stage)))
    return tuple(changes)


def clients_change(latest: SnapshotFigures, previous: SnapshotFigures | None) -> ClientsChange | None:
    if latest.clients is None:
        return None
    before = None if previous is None else previous.clients
    change = (
        None
        if before is None
        else ClientCounts(
            active=latest.clients.active - before.active,
            sleeping=latest.clients.sleeping - before.sleeping,
            churned=latest.clients.churned - before.churned,
        )
    )
    return ClientsChange(latest.clients, change)


def managers_vs_plan(managers: tuple[ManagerFigures, ...]) -> ManagersVsPlan | None:
    planned = [m for m in managers if m.attainment is not None]
    if not planned:
        return None
    ranked = sorted(planned, key=lambda m: (-(m.attainment or 0.0), m.name))
    best, worst = ranked[0], ranked[-1]
    two = len(ranked) >= 2
    return ManagersVsPlan(
        best=best,
        worst=worst if two else None,
        spread_pp=((best.attainment or 0.0) - (worst.attainment or 0.0)) * 100 if two else None,
        with_plan=len(ranked),
        below_plan=sum(1 for m in ranked if (m.attainment or 0.0) < 1.0),
    )


# --- reading a stored snapshot ----------------------------------------------------------------------------------


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def snapshot_figures(
    metrics_json: str, created_at: datetime, period_start: date | None, period_end: date | None
) -> SnapshotFigures:
    """A stored snapshot (analytics.metrics_json.snapshot_json, version 1) as the digest's figures. Fields a
    snapshot lacks read as unknown, never as 0."""
    data = json.loads(metrics_json)
    metrics: dict[str, Any] = data.get("metrics", {}) if isinstance(data, dict) else {}
    clients = metrics.get("clients")
    month = metrics.get("month")
    by_month = metrics.get("revenue_by_month") or {}
    if isinstance(by_month, list):  # the list form of the CLI's JSON
        by_month = {item["month"]: item["revenue"] for item in by_month}
    amounts_known = bool(by_month) or month is not None
    return SnapshotFigures(
        created_at=created_at,
        period_start=period_start,
        period_end=period_end,
        currency=metrics.get("currency"),
        won_revenue=_opt_float(metrics.get("won_revenue")) if amounts_known else None,
        margin=_opt_float(metrics.get("margin")),
        margin_share=_opt_float(metrics.get("margin_share")),
        win_rate=_opt_float(metrics.get("win_rate")),
        qualified_conversion=_opt_float(metrics.get("qualified_conversion")),
        funnel=tuple(
            StageShare(str(s["stage"]), float(s["reached_share"]))
            for s in metrics.get("funnel") or ()
            if s.get("reached_share") is not None and not s.get("won")  # the won step is the win rate's business
        ),
        clients=None
        if not clients
        else ClientCounts(int(clients["active"]), int(clients["sleeping"]), int(clients["churned"])),
        month=None
        if not month
        else MonthFigures(
            last_month=str(month["last_month"]),
            previous_month=str(month["previous_month"]),
            last_revenue=float(month["last_revenue"] or 0.0),
            previous_revenue=float(month["previous_revenue"] or 0.0),
        ),
        revenue_by_month={str(k): float(v or 0.0) for k, v in by_month.items()},
        managers=tuple(
            ManagerFigures(
                name=str(m["manager"]),
                revenue=float(m.get("revenue") or 0.0),
                plan=_opt_float(m.get("plan")),
                attainment=_opt_float(m.get("attainment")),
                over_plan=_opt_float(m.get("over_plan")),
            )
            for m in metrics.get("managers") or ()
        ),
    )


# --- alerts the owner opts into ---------------------------------------------------------------------------------

ALERTS_KIND = "owner_alerts"  # the owner's daily alert check (reminders.kind)
ALERTS_TIME = time(10, 0)
PLAN_ALERT_DAY = 20  # «plan attainment below N % on the 20th»
DEFAULT_PLAN_BELOW_PCT = 80
PLAN_THRESHOLDS = (60, 70, 80, 90)
NO_EXPORT_DAYS = 14
RITUAL_KINDS = ("pdca", "calls", "training", "strategy")
NO_SNAPSHOT = "none"
AlertChoice = Literal["plan", "threshold", "ritual", "export"]
ALERT_CHOICES: tuple[AlertChoice, ...] = ("plan", "threshold", "ritual", "export")  # DigestCb.value indexes this


@dataclass(frozen=True, slots=True)
class AlertSettings:
    plan_below_pct: int | None = None  # None: off
    ritual_skips: bool = False
    no_export: bool = False
    plan_alerted: str | None = None
    plan_alerted_by: int | None = None
    export_alerted: str | None = None
    export_alerted_by: int | None = None
    ritual_alerted: datetime | None = None
    ritual_alerted_by: int | None = None

    @property
    def any_on(self) -> bool:
        return self.plan_below_pct is not None or self.ritual_skips or self.no_export


@dataclass(frozen=True, slots=True)
class SkippedTwice:
    """A ritual reminder whose last two answers were «Пропустить»."""

    kind: str
    last_skipped: datetime  # the later occurrence


@dataclass(frozen=True, slots=True)
class PlanAlert:
    month: str
    attainment: float
    plan: float
    shortfall: float
    threshold_pct: int


@dataclass(frozen=True, slots=True)
class ExportAlert:
    key: str  # the latest snapshot's created_at, or NO_SNAPSHOT
    days: int | None  # since the latest export; None: there has been none


@dataclass(frozen=True, slots=True)
class RitualAlert:
    kinds: tuple[str, ...]
    latest: datetime


@dataclass(frozen=True, slots=True)
class Alerts:
    plan: PlanAlert | None = None
    export: ExportAlert | None = None
    ritual: RitualAlert | None = None

    def __bool__(self) -> bool:
        return self.plan is not None or self.export is not None or self.ritual is not None


def alerts_rule(today: date) -> Rule:
    return Rule(Frequency.DAILY, at=ALERTS_TIME, start=today)


def check_alerts(
    settings: AlertSettings,
    latest: SnapshotFigures | None,
    plans: Mapping[tuple[str, str], float],
    skipped: tuple[SkippedTwice, ...],
    today: date,
    now: datetime,
    delivery_id: int,
) -> Alerts:
    """Which opted-in alerts are due, each once per occasion: the plan once a month from the 20th (when the latest
    export covers the month and attainment is below the threshold); the export once per stale export (14 days
    since the latest upload, or none at all); a ritual once per new skip. A retry of the same delivery
    (`delivery_id` recorded as the sender of an alert) gets the same alert again."""

    def fresh(alerted: object, alerted_by: int | None, now_key: object) -> bool:
        return alerted != now_key or alerted_by == delivery_id

    plan = None
    month = f"{today.year:04d}-{today.month:02d}"
    threshold = settings.plan_below_pct
    if (
        threshold is not None
        and today.day >= PLAN_ALERT_DAY
        and latest is not None
        and plan_month(latest) == month
        and fresh(settings.plan_alerted, settings.plan_alerted_by, month)
    ):
        money = money_vs_plan(latest, plans)
        if (
            money is not None
            and money.month == month
            and money.plan
            and money.attainment is not None
            and money.attainment < threshold / 100
        ):
            plan = PlanAlert(month, money.attainment, money.plan, money.shortfall or 0.0, threshold)
    export = None
    if settings.no_export:
        key = NO_SNAPSHOT if latest is None else latest.created_at.isoformat()
        days = None if latest is None else (now - latest.created_at).days
        if (days is None or days >= NO_EXPORT_DAYS) and fresh(settings.export_alerted, settings.export_alerted_by, key):
            export = ExportAlert(key, days)
    ritual = None
    if settings.ritual_skips and skipped:
        latest_skip = max(s.last_skipped for s in skipped)
        new = [s for s in skipped if settings.ritual_alerted is None or s.last_skipped > settings.ritual_alerted]
        if new or settings.ritual_alerted_by == delivery_id:
            shown = new or list(skipped)
            ritual = RitualAlert(tuple(sorted({s.kind for s in shown})), latest_skip)
    return Alerts(plan, export, ritual)
