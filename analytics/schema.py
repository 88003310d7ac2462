"""The contract between the steps of the export engine: canonical fields, typed results, errors.

Pure data: no pandas import here so that results pickle cheaply between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Field(StrEnum):
    """Canonical columns of a deals table. Values are the column names of the normalised DataFrame."""

    DEAL_ID = "deal_id"
    TITLE = "title"
    AMOUNT = "amount"
    STAGE = "stage"
    STATUS = "status"  # source column with won/lost/open words; normalised column holds DealStatus values
    MANAGER = "manager"
    CREATED = "created"
    CLOSED = "closed"
    CLIENT = "client"
    SOURCE = "source"
    COST = "cost"
    MARGIN = "margin"
    PIPELINE = "pipeline"
    LOST_REASON = "lost_reason"
    IS_REPEAT = "is_repeat"
    QUALIFIED = "qualified"
    MODIFIED = "modified"  # last change / stage change date: how long an open deal has not moved


class DealStatus(StrEnum):
    WON = "won"
    LOST = "lost"
    OPEN = "open"


class DatasetKind(StrEnum):
    DEALS = "deals"  # a CRM pipeline: stages, won/lost/open
    SALES = "sales"  # accounting export (1C shipments, invoices): every row is a completed sale


class ReadErrorCode(StrEnum):
    EMPTY = "empty"
    NOT_TABLE = "not_table"
    NO_HEADER = "no_header"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    ZIP_BOMB = "zip_bomb"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    NO_AMOUNT = "no_amount"  # nothing money-like could be recognised


class ExportReadError(Exception):
    """A file the engine refuses; `code` picks the user-facing text in content/<locale>/analytics.yaml."""

    def __init__(self, code: ReadErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[ExportReadError], tuple[ReadErrorCode, str]]:
        # Exceptions pickle from `args` (the message) by default; the sandbox sends this one between processes.
        return (type(self), (self.code, self.detail))


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 1_500_000
    max_unpacked_bytes: int = 300 * 1024 * 1024
    max_unpack_ratio: float = 100.0


@dataclass(frozen=True, slots=True)
class Recognition:
    kind: DatasetKind
    mapping: dict[Field, str]  # canonical field -> source header (as cleaned by reading)
    headers: tuple[str, ...]  # every source header, in order
    ambiguous: tuple[Field, ...] = ()  # fields the user should confirm (amount, stage/status)
    candidates: dict[Field, tuple[str, ...]] = field(default_factory=dict)  # options for the buttons

    @property
    def header_signature(self) -> str:
        """Stable key of a header layout, to remember the user's column choice for the next file."""
        import hashlib

        joined = "\x1f".join(h.strip().casefold() for h in self.headers)
        return hashlib.sha256(joined.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    active_days: int = 90
    sleeping_days: int = 180  # > active_days and <= this: sleeping; above: churned
    stale_open_days: int = 30
    many_small_deals_ratio: float = 0.5


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class DealCounts:
    total: int
    won: int
    lost: int
    open: int


@dataclass(frozen=True, slots=True)
class FunnelStage:
    stage: str  # the export's stage name; "" for the won step of an export without a won stage (Pipedrive)
    count: int  # deals at this stage now: open deals at an open stage, all won deals at the won step
    reached_share: float  # share of all deals that reached this stage or beyond (0-1)
    reached: int = 0  # deals that reached this stage or beyond
    conversion: float | None = None  # of the deals that reached this stage, the share that reached the next one
    lost: int = 0  # lost deals whose last stage was this one (when the export keeps it: Pipedrive, Bitrix24)
    won: bool = False  # the won step, always the funnel's last; lost deals are never a step (DealCounts.lost)


@dataclass(frozen=True, slots=True)
class ManagerStats:
    manager: str
    deals: int
    won: int
    revenue: float
    win_rate: float | None
    avg_deal: float | None
    cycle_days_median: float | None
    plan: float | None = None
    attainment: float | None = None  # revenue / plan, 0-1+ (1.0 == 100 %)
    over_plan: float | None = None  # revenue - plan, money
    plan_revenue: float | None = None  # won revenue in the plan's months only (all of it for a whole-period plan)


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """Plans against the export: the team's total over the compared months, and what could not be compared."""

    months: tuple[str, ...]  # "YYYY-MM" plan months compared with the export; () for a whole-period plan
    plan: float | None  # total plan of the managers compared (None: nothing could be compared)
    revenue: float | None  # their won revenue in those months
    months_outside: tuple[str, ...]  # plan months the export does not cover at all
    months_partial: tuple[str, ...]  # plan months the export covers only in part (starts late or ends early)
    unknown: tuple[tuple[str, tuple[str, ...]], ...]  # (name in the plans, closest names in the export)

    @property
    def over_plan(self) -> float | None:
        return None if self.plan is None or self.revenue is None else self.revenue - self.plan


@dataclass(frozen=True, slots=True)
class ClientBase:
    active: int
    sleeping: int
    churned: int
    active_revenue_share: float | None
    sleeping_revenue_share: float | None
    churned_revenue_share: float | None


@dataclass(frozen=True, slots=True)
class MonthComparison:
    last_month: str  # "YYYY-MM", the last full month in the data
    previous_month: str
    last_revenue: float
    previous_revenue: float
    change: float | None  # relative, e.g. 0.12 == +12 %; None when previous is 0
    grade: str  # "flat" (within ±5 %), "growth"/"decline" (to ±30 %), "surge"/"plunge" (beyond): metrics_time
    last_won: int = 0  # won deals closed in the last full month
    previous_won: int = 0
    last_avg_deal: float | None = None  # average won deal of the month (positive amounts)
    previous_avg_deal: float | None = None
    days_short: int = 0  # days from the export's last date to the end of its month (0: it ends on the last day)
    cut_month: str | None = None  # "YYYY-MM": the export's own last month, left out as incomplete


@dataclass(frozen=True, slots=True)
class TrendMonth:
    """One calendar month of the export by close date (analytics.metrics_trend)."""

    month: str  # "YYYY-MM"
    revenue: float | None  # won revenue closed that month; None when no column holds the amounts
    won: int  # won deals closed that month
    lost: int  # lost deals closed that month
    win_rate: float | None  # won / (won + lost) of the month; None when none closed, and for sales exports
    avg_deal: float | None  # average won deal of the month (positive amounts)
    clients: int | None  # distinct clients with a won deal that month; None when no won deal names a client
    incomplete: bool = False  # the export's own last month, cut before its end (metrics_time.last_full_month)


@dataclass(frozen=True, slots=True)
class Trend:
    """Month by month, and the export's own period against period: the last complete month and the one before."""

    months: tuple[TrendMonth, ...]  # first close to last close (at most the last 24), empty months as zeros
    current: TrendMonth | None  # the last complete month (MonthComparison's rule)
    previous: TrendMonth | None  # the month before it; both None when the export does not reach back into it


@dataclass(frozen=True, slots=True)
class Signal:
    code: str  # e.g. "plan_ceiling", "avg_up_revenue_down", "many_small_deals", "one_plan_for_all"
    seed: str  # seed file the rule comes from, e.g. "003_d90d5428d633787a.txt"
    facts: dict[str, float | str] = field(default_factory=dict)  # numbers for the text template


@dataclass(frozen=True, slots=True)
class StaleDeal:
    """An open deal that has not moved for long (analytics.metrics_actions). Names are shown to the head only."""

    deal: str  # deal name, else its id
    client: str | None
    manager: str | None
    stage: str | None
    amount: float | None
    last_moved: date | None  # last change date (or creation date, see Revival.stale_basis)
    days: int  # days without movement up to the export's last date


@dataclass(frozen=True, slots=True)
class LostDeal:
    deal: str
    client: str | None
    manager: str | None
    stage: str | None  # the stage the export shows for the lost deal
    amount: float | None
    reason: str | None
    closed: date | None


@dataclass(frozen=True, slots=True)
class SleepingClient:
    client: str
    revenue: float  # won revenue over the export's period
    won: int  # won deals
    last_deal: date  # close date of the client's last won deal
    days: int  # days from it to the export's last date
    group: str  # "sleeping" (active_days < days <= sleeping_days) or "churned"


@dataclass(frozen=True, slots=True)
class Revival:
    """Article 003's lists to act on: deals that can be revived, deals lost, clients to bring back.

    A list is None when the export cannot support it, empty when it can and nothing qualifies; lists are
    cut at analytics.metrics_actions.LIST_LIMIT items, the counts and sums cover every item."""

    stale_basis: str | None  # "modified" (the export's last change date) or "created"
    stale_days: int
    stale: tuple[StaleDeal, ...] | None
    stale_count: int
    stale_amount: float | None  # None when no stale deal has an amount
    lost: tuple[LostDeal, ...] | None  # largest amount first; those without a positive amount last, latest first
    lost_count: int
    lost_amount: float | None  # None when no lost deal has a positive amount
    sleeping: tuple[SleepingClient, ...] | None  # clients with no won deal for over active_days, by revenue
    sleeping_count: int
    sleeping_revenue: float


@dataclass(frozen=True, slots=True)
class ReasonStat:
    reason: str | None  # None: lost without a stated reason
    count: int
    amount: float  # money of those lost deals (unknown amounts count as 0)
    share: float  # of the lost deals counted (0-1)
    amount_share: float | None  # of their money


@dataclass(frozen=True, slots=True)
class ManagerReasons:
    manager: str
    lost: int
    amount: float
    reasons: tuple[ReasonStat, ...]  # shares within this manager's lost deals


@dataclass(frozen=True, slots=True)
class LostReasons:
    lost: int  # lost deals
    with_reason: int
    amount: float
    reasons: tuple[ReasonStat, ...]  # most frequent first; "no reason" included as reason None
    by_manager: tuple[ManagerReasons, ...]  # most lost deals first


@dataclass(frozen=True, slots=True)
class SourceStat:
    source: str
    deals: int
    won: int
    lost: int
    revenue: float
    revenue_share: float | None  # of won revenue from deals with a known source
    conversion: float | None  # won / all deals of the source (None for sales exports)
    win_rate: float | None  # won / (won + lost)


@dataclass(frozen=True, slots=True)
class Sources:
    items: tuple[SourceStat, ...]  # by revenue, then deals
    without_source: int  # deals with no source
    without_source_revenue: float


@dataclass(frozen=True, slots=True)
class ForecastStage:
    stage: str | None  # the open stage; None when the export has no stage column (one row for every open deal)
    deals: int  # open deals at the stage now
    amount: float  # their known amounts
    probability: float  # 0-1, the stage's (Forecast.basis)
    weighted: float  # amount x probability


@dataclass(frozen=True, slots=True)
class ForecastMonth:
    month: str  # "YYYY-MM" of the expected close date
    deals: int
    amount: float
    weighted: float


@dataclass(frozen=True, slots=True)
class ForecastBucket:
    deals: int
    amount: float
    weighted: float


@dataclass(frozen=True, slots=True)
class ForecastManager:
    manager: str
    deals: int
    amount: float
    weighted: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """Open deals weighted by the probability of their stage (analytics.metrics_forecast)."""

    basis: str  # "probability_column" (the export's own column) or "history" (its closed deals)
    weighted: float  # sum of amount x probability over open deals with a known amount
    amount: float  # their amounts
    deals: int  # open deals, those without an amount included
    without_amount: int  # open deals without an amount: counted, not summed
    history_deals: int  # closed deals behind the "history" basis (0 for the column)
    lost_stage_unknown: int  # "history": lost deals whose stage the export does not keep (counted at every stage)
    stages: tuple[ForecastStage, ...]  # stages with open deals, in pipeline order
    months: tuple[ForecastMonth, ...]  # by expected close, from the export's last date on, first to last
    overdue: ForecastBucket  # expected close before the export's last date
    no_date: ForecastBucket  # no expected close date
    managers: tuple[ForecastManager, ...]  # largest weighted first, at most metrics_forecast.MANAGERS_LIMIT


@dataclass(frozen=True, slots=True)
class Metrics:
    kind: DatasetKind
    rows: int  # data rows read (before de-duplication of product lines)
    period: Period
    deals: DealCounts
    won_revenue: float
    win_rate: float | None
    avg_deal: float | None
    avg_deal_new: float | None
    avg_deal_existing: float | None
    funnel: tuple[FunnelStage, ...]  # empty for DatasetKind.SALES
    managers: tuple[ManagerStats, ...]
    clients: ClientBase | None
    margin: float | None  # money
    margin_share: float | None  # margin / won revenue
    qualified_conversion: float | None  # won / qualified leads (0-1)
    cycle_days_median: float | None
    stale_open_deals: int | None
    month: MonthComparison | None
    plan_spread: float | None  # max - min attainment across managers with plans
    signals: tuple[Signal, ...] = ()
    currency: str | None = None
    revenue_by_month: tuple[tuple[str, float], ...] = ()  # ("YYYY-MM", won revenue), first to last month
    revival: Revival | None = None  # lists to act on (names of deals and clients: for the head only)
    lost_reasons: LostReasons | None = None  # None without a lost-reason column or lost deals
    sources: Sources | None = None  # None without a source column
    plans: PlanCheck | None = None  # None when no plans were given
    # How qualified_conversion counted qualified leads: "flag" (the export's qualification column) or "stage"
    # (a known source and past the first stage); None with no conversion.
    qualified_basis: str | None = None
    forecast: Forecast | None = None  # None when the export cannot support one (analytics.metrics_forecast)
    trend: Trend | None = None  # None for an export without dates


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    recognition: Recognition
    metrics: Metrics
