"""Metrics on small hand-built deal tables; every expected number is worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.metrics import compute_metrics
from analytics.metrics_time import grade, last_full_month
from analytics.schema import AnalysisParams, DatasetKind, FunnelStage, Metrics
from tests.unit.analytics.deals_factory import make_deals

STAGES = ["Новая", "Квалификация", "Переговоры", "Успешно реализовано", "Закрыто и не реализовано"]
WON, LOST = "Успешно реализовано", "Закрыто и не реализовано"


def _deal(stage: str, status: str, manager: str | None, amount: float | None, created: str,
          closed: str | None = None, client: str | None = None, source: str | None = None, **extra: object) -> dict:
    return dict(stage=stage, status=status, manager=manager, amount=amount, created=created, closed=closed,
                client=client, source=source, **extra)


def base_rows() -> list[dict]:
    return [
        _deal("Новая", "open", "Анна", 1000, "2024-03-20", client="К1", source="сайт"),  # 1
        _deal("Квалификация", "open", "Анна", 2000, "2024-01-10", client="К2", source="сайт"),  # 2
        _deal("Переговоры", "open", "Борис", 3000, "2024-02-01", client="К3"),  # 3
        _deal(WON, "won", "Анна", 10000, "2024-01-01", "2024-01-11", "К1", "сайт"),  # 4: cycle 10
        _deal(WON, "won", "Анна", 20000, "2024-02-01", "2024-02-21", "К1", "сайт"),  # 5: cycle 20
        _deal(WON, "won", "Борис", 30000, "2024-02-10", "2024-03-11", "К4"),  # 6: cycle 30
        _deal(WON, "won", "Борис", 0, "2024-03-01", "2024-03-05", "К5"),  # 7: cycle 4, budget not filled
        _deal(LOST, "lost", "Анна", 5000, "2024-01-05", "2024-01-25", "К6", "сайт"),  # 8
        _deal(LOST, "lost", "Борис", None, "2024-03-01", "2024-03-31"),  # 9
        _deal("Новая", "open", None, None, "2024-03-25"),  # 10
    ]


def metrics_of(rows: list[dict], plans: dict | None = None, **params: int) -> Metrics:
    return compute_metrics(make_deals(rows, STAGES), DatasetKind.DEALS, plans, AnalysisParams(**params))


def test_counts_revenue_and_period() -> None:
    m = metrics_of(base_rows())
    assert (m.deals.total, m.deals.won, m.deals.lost, m.deals.open) == (10, 4, 2, 4)
    assert m.rows == 10
    assert m.won_revenue == 60000  # 10000 + 20000 + 30000 + 0
    assert m.win_rate == pytest.approx(4 / 6)
    assert m.avg_deal == 20000  # the 0 budget is not a deal size: (10000 + 20000 + 30000) / 3
    assert m.period.start == date(2024, 1, 1) and m.period.end == date(2024, 3, 31)
    assert m.cycle_days_median == 15  # cycles 4, 10, 20, 30
    assert m.stale_open_deals == 2  # open and created before 2024-03-01: deals 2 and 3
    assert m.revenue_by_month == (("2024-01", 10000.0), ("2024-02", 20000.0), ("2024-03", 30000.0))
    assert m.margin is None and m.margin_share is None


def test_funnel_reached_shares() -> None:
    # open stages: Новая (deals 1, 10), Квалификация (2), Переговоры (3); 4 won, 2 lost in terminal stages.
    # reach: 1,10 -> 0; 2 -> 1; 3 -> 2; the 4 won -> 2; the 2 lost (last stage unknown) -> 0.
    # The lost stage is no step: lost deals stand apart (their last open stage unknown, so no stage counts them).
    assert metrics_of(base_rows()).funnel == (
        FunnelStage("Новая", 2, 1.0, 10, 0.6),  # all 10; 6 of them went on
        FunnelStage("Квалификация", 1, 0.6, 6, 5 / 6),  # 2, 3 and the four won; 5 of them went on
        FunnelStage("Переговоры", 1, 0.5, 5, 0.8),  # 3 and the four won; 4 of 5 won
        FunnelStage(WON, 4, 0.4, 4, None, 0, True),
    )


def test_funnel_with_lost_deals_keeping_their_stage_and_export_order() -> None:
    rows = [
        _deal("Lead", "open", "A", 1, "2024-01-01"),
        _deal("Proposal", "open", "A", 1, "2024-01-01"),
        _deal("Negotiation", "open", "A", 1, "2024-01-01"),
        _deal("Negotiation", "won", "A", 1, "2024-01-01", "2024-01-02"),
        _deal("Proposal", "lost", "A", 1, "2024-01-01", "2024-01-02"),
        _deal("Lead", "lost", "A", 1, "2024-01-01", "2024-01-02"),
    ]
    m = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    # open deals now: one per stage; the won deal is the won step (no won stage: named ""); lost where they stopped
    assert [(s.stage, s.count, s.lost) for s in m.funnel] == [
        ("Lead", 1, 1),
        ("Proposal", 1, 1),
        ("Negotiation", 1, 0),
        ("", 1, 0),
    ]
    # reach: 0, 1, 2, 2 (won), 1 (lost at Proposal), 0 (lost at Lead) -> reached 6, 4, 2; won 1
    assert [s.reached for s in m.funnel] == [6, 4, 2, 1]
    assert [s.reached_share for s in m.funnel] == pytest.approx([1.0, 4 / 6, 2 / 6, 1 / 6])
    assert [s.conversion for s in m.funnel[:3]] == pytest.approx([4 / 6, 2 / 4, 1 / 2])
    assert m.funnel[-1].won and m.funnel[-1].conversion is None


def test_funnel_puts_terminal_stages_last_and_drops_unused_trailing_ones() -> None:
    rows = [
        _deal("Won", "won", "A", 5, "2024-01-01", "2024-01-02"),
        _deal("A", "open", "A", 1, "2024-01-01"),
        _deal("C", "open", "A", 1, "2024-01-01"),
    ]
    m = compute_metrics(make_deals(rows, ["Won", "A", "B", "C", "D"]), DatasetKind.DEALS)
    # B (empty, between occupied open stages) stays; D (empty, after the last one) goes; Won moves last.
    # reach: A -> 0, C -> 2, the won deal -> 2: reached 3, 2, 2, then 1 won
    assert m.funnel == (
        FunnelStage("A", 1, 1.0, 3, 2 / 3),
        FunnelStage("B", 0, 2 / 3, 2, 1.0),  # C's deal and the won one
        FunnelStage("C", 1, 2 / 3, 2, 0.5),
        FunnelStage("Won", 1, 1 / 3, 1, None, 0, True),
    )


def test_new_and_existing_clients_by_close_order() -> None:
    m = metrics_of(base_rows())
    # К1: deal 4 (Jan) is new, deal 5 (Feb) existing; К4 and К5 new (К5's 0 is not a deal size)
    assert m.avg_deal_new == 20000  # (10000 + 30000) / 2
    assert m.avg_deal_existing == 20000


def test_repeat_flag_wins_over_the_order() -> None:
    rows = base_rows()
    rows[5]["is_repeat"] = True  # deal 6 (К4's only deal) is a repeat sale per the CRM
    rows[3]["is_repeat"] = False
    m = metrics_of(rows)
    assert m.avg_deal_new == 10000  # deal 4 (deal 7 is 0)
    assert m.avg_deal_existing == 25000  # deals 5 (by order) and 6 (by flag)


def test_no_client_and_no_flag_means_unknown() -> None:
    rows = [_deal(WON, "won", "A", 100, "2024-01-01", "2024-01-05")]
    m = metrics_of(rows)
    assert m.avg_deal == 100
    assert m.avg_deal_new is None and m.avg_deal_existing is None
    assert m.clients is None


def test_managers() -> None:
    anna, boris = metrics_of(base_rows()).managers  # equal revenue: by name
    assert (anna.manager, anna.deals, anna.won, anna.revenue) == ("Анна", 5, 2, 30000)
    assert anna.win_rate == pytest.approx(2 / 3) and anna.avg_deal == 15000 and anna.cycle_days_median == 15
    assert (boris.manager, boris.deals, boris.won, boris.revenue) == ("Борис", 4, 2, 30000)
    assert boris.avg_deal == 30000 and boris.cycle_days_median == 17  # cycles 30 and 4
    assert anna.plan is None and anna.attainment is None and anna.over_plan is None


def test_monthly_plans() -> None:
    plans = {
        ("анна", "2024-02"): 10000.0,  # names match regardless of case and spacing
        ("Анна", "2024-03"): 10000.0,
        ("Анна", "2024-05"): 99999.0,  # outside the export: ignored
        ("Борис  ", "2024-03"): 25000.0,
    }
    m = metrics_of(base_rows(), plans)
    by_name = {s.manager: s for s in m.managers}
    assert m.managers[0].manager == "Анна"
    anna, boris = by_name["Анна"], by_name["Борис"]
    assert (anna.plan, anna.attainment, anna.over_plan) == (20000, 1.0, 0)  # Feb+Mar revenue: 20000
    assert (boris.plan, boris.attainment, boris.over_plan) == (25000, 1.2, 5000)  # March: 30000
    assert m.plan_spread == pytest.approx(0.2)


def test_whole_period_plan() -> None:
    m = metrics_of(base_rows(), {("Анна", "*"): 40000.0})
    anna = next(s for s in m.managers if s.manager == "Анна")
    assert (anna.plan, anna.attainment, anna.over_plan) == (40000, 0.75, -10000)
    assert m.plan_spread is None  # one manager with a plan


def test_client_base_boundaries() -> None:
    rows = [
        _deal(WON, "won", "A", 100, "2024-06-01", "2024-06-30", "C1"),  # 0 days: active
        _deal(WON, "won", "A", 100, "2022-12-01", "2023-01-01", "C2"),
        _deal(WON, "won", "A", 200, "2024-03-01", "2024-04-01", "C2"),  # 90 days: active
        _deal(WON, "won", "A", 300, "2024-03-01", "2024-03-31 18:00", "C3"),  # 91 days: sleeping
        _deal(WON, "won", "A", 400, "2023-12-01", "2024-01-02", "C4"),  # 180 days: sleeping
        _deal(WON, "won", "A", 500, "2023-12-01", "2024-01-01", "C5"),  # 181 days: churned
        _deal(LOST, "lost", "A", 900, "2024-01-01", "2024-01-10", "C6"),  # never bought: not in the base
    ]
    c = metrics_of(rows).clients
    assert c is not None
    assert (c.active, c.sleeping, c.churned) == (2, 2, 1)
    # revenue 1600: active C1 + C2 = 400, sleeping 300 + 400, churned 500
    assert c.active_revenue_share == pytest.approx(0.25)
    assert c.sleeping_revenue_share == pytest.approx(0.4375)
    assert c.churned_revenue_share == pytest.approx(0.3125)


def test_client_base_thresholds_are_params() -> None:
    c = metrics_of(base_rows(), active_days=25, sleeping_days=35).clients
    # last won: К1 2024-02-21 (39 days), К4 03-11 (20), К5 03-05 (26)
    assert c is not None and (c.active, c.sleeping, c.churned) == (1, 1, 1)


def test_margin_from_cost_and_from_margin_column() -> None:
    rows = base_rows()
    rows[3]["cost"], rows[4]["cost"] = 6000, 15000
    m = metrics_of(rows)
    assert m.margin == 9000 and m.margin_share == pytest.approx(9000 / 30000)
    rows[3]["margin"], rows[5]["margin"] = 3000, 12000  # a margin column wins over cost
    m = metrics_of(rows)
    assert m.margin == 15000 and m.margin_share == pytest.approx(15000 / 40000)


def test_qualified_conversion_from_source_and_from_flag() -> None:
    # with a source and no flag: deals with a source past the first stage (2, 4, 5) or lost (8); won: 4, 5
    assert metrics_of(base_rows()).qualified_conversion == 0.5
    rows = base_rows()
    for index in (1, 3, 5):
        rows[index]["qualified"] = True
    rows[0]["qualified"] = False
    assert metrics_of(rows).qualified_conversion == pytest.approx(2 / 3)  # 2, 4, 6 qualified; 4, 6 won


def test_no_source_no_flag_no_conversion() -> None:
    rows = [{**r, "source": None} for r in base_rows()]
    assert metrics_of(rows).qualified_conversion is None


def test_month_comparison() -> None:
    c = metrics_of(base_rows()).month
    assert c is not None
    assert (c.last_month, c.previous_month) == ("2024-03", "2024-02")  # 31 March is the month's last day
    assert (c.last_revenue, c.previous_revenue) == (30000, 20000)
    assert c.change == pytest.approx(0.5) and c.grade == "surge"
    assert (c.last_won, c.previous_won, c.last_avg_deal, c.previous_avg_deal) == (2, 1, 30000, 20000)


def test_month_comparison_needs_the_previous_month_in_the_export() -> None:
    rows = [_deal(WON, "won", "A", 10, "2024-03-01", "2024-03-31")]
    assert metrics_of(rows).month is None


@pytest.mark.parametrize(
    ("end", "expected"),
    # within analytics.metrics_time.COMPLETE_WITHIN_DAYS (1) of the month's end the month counts as complete
    [("2024-03-31 10:00", "2024-03"), ("2024-03-30", "2024-03"), ("2024-03-29", "2024-02"), ("2024-02-29", "2024-02"),
     ("2024-02-28", "2024-02"), ("2023-02-26", "2023-01"), ("2024-04-30", "2024-04"), ("2024-01-15", "2023-12")],
)
def test_last_full_month(end: str, expected: str) -> None:
    index = last_full_month(pd.Timestamp(end))
    assert f"{index // 12:04d}-{index % 12 + 1:02d}" == expected


@pytest.mark.parametrize(
    ("change", "last", "expected"),
    # one band both ways: within ±5 % flat, to ±30 % growth / decline, beyond surge / plunge
    [(-0.2, 1, "decline"), (0.0, 1, "flat"), (-0.01, 1, "flat"), (0.05, 1, "growth"), (0.10, 1, "growth"),
     (0.2, 1, "growth"), (0.30, 1, "growth"), (0.31, 1, "surge"), (-0.31, 1, "plunge"), (None, 5, "surge"),
     (None, 0, "flat")],
)
def test_grade(change: float | None, last: float, expected: str) -> None:
    assert grade(change, last) == expected


def test_sales_export() -> None:
    rows = [
        dict(status="won", manager="A", amount=100, closed="2024-01-10", client="X"),
        dict(status="won", manager="A", amount=300, closed="2024-02-10", client="X"),
        dict(status="won", manager="B", amount=-50, closed="2024-02-11", client="Y"),  # a refund
    ]
    m = compute_metrics(make_deals(rows), DatasetKind.SALES)
    assert m.funnel == () and m.win_rate is None and m.stale_open_deals is None
    assert m.qualified_conversion is None
    assert (m.deals.total, m.deals.won) == (3, 3)
    assert m.won_revenue == 350 and m.avg_deal == 200
    assert (m.avg_deal_new, m.avg_deal_existing) == (100, 300)
    assert m.managers[0].manager == "A" and m.managers[0].revenue == 400


def test_open_deals_expected_close_dates_do_not_extend_the_period() -> None:
    rows = [
        _deal(WON, "won", "A", 10, "2024-01-01", "2024-02-01"),
        _deal("Новая", "open", "A", 10, "2024-02-10", "2025-12-31"),  # Salesforce: expected close
    ]
    assert metrics_of(rows).period.end == date(2024, 2, 10)


def test_empty_export() -> None:
    m = compute_metrics(make_deals([]), DatasetKind.DEALS)
    assert m.deals.total == 0 and m.won_revenue == 0
    assert m.win_rate is None and m.avg_deal is None and m.funnel == () and m.managers == ()
    assert m.period.start is None and m.month is None and m.clients is None


def test_undated_won_deal_of_a_client_counts_after_its_dated_ones() -> None:
    rows = [
        dict(status="won", amount=700, client="X"),  # no dates at all: after X's dated deal
        dict(status="won", amount=100, client="X", closed="2024-01-10"),
        dict(status="won", amount=300, client="Y", closed="1965-05-01"),  # before 1970 sorts fine too
        dict(status="won", amount=500, client="Y", closed="1966-05-01"),
    ]
    m = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    assert (m.avg_deal_new, m.avg_deal_existing) == (200, 600)  # new: 100, 300; existing: 700, 500


def test_categorical_text_columns_give_the_same_metrics() -> None:
    """The normaliser may hand over stage/status/manager/client as categoricals (with unused categories)."""
    deals = make_deals(base_rows(), STAGES)
    frame = deals.frame.copy()
    for column in ("stage", "status", "manager", "client", "source"):
        values = frame[column].astype("category")
        frame[column] = values.cat.add_categories(["никто"])  # an unused category must not show up
    categorical = type(deals)(frame, deals.stage_order, deals.rows, deals.currency)
    plans = {("Анна", "2024-03"): 10.0}
    assert compute_metrics(categorical, DatasetKind.DEALS, plans) == compute_metrics(deals, DatasetKind.DEALS, plans)


@pytest.mark.parametrize("dtype", ["object", "str", "string", "category"])
def test_text_codes_treat_every_missing_marker_as_missing(dtype: str) -> None:
    from analytics.metrics_prep import text_codes

    series = pd.Series(["a", None, float("nan"), pd.NA, "b", "a"], dtype="object").astype(dtype)
    codes, names = text_codes(series)
    assert [names[c] if c >= 0 else None for c in codes] == ["a", None, None, None, "b", "a"]
    codes, names = text_codes(series, mask=pd.Series([False, True, True, True, True, True]).to_numpy())
    assert [names[c] if c >= 0 else None for c in codes] == [None, None, None, None, "b", "a"]
