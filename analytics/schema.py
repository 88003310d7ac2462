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
    stage: str
    count: int  # deals currently at this stage
    reached_share: float  # share of all deals that reached this stage or beyond (0-1)


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
    grade: str  # "decline" (<= 0), "flat" (0-10 %), "growth" (10-30 %), "surge" (> 30 %)
    last_won: int = 0  # won deals closed in the last full month
    previous_won: int = 0
    last_avg_deal: float | None = None  # average won deal of the month (positive amounts)
    previous_avg_deal: float | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    code: str  # e.g. "plan_ceiling", "avg_up_revenue_down", "many_small_deals", "one_plan_for_all"
    seed: str  # seed file the rule comes from, e.g. "003_d90d5428d633787a.txt"
    facts: dict[str, float | str] = field(default_factory=dict)  # numbers for the text template


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


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    recognition: Recognition
    metrics: Metrics
