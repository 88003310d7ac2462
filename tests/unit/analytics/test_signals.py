"""Each signal fires on the figures its seed describes and stays silent just outside them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from analytics.metrics import compute_metrics
from analytics.schema import (
    AnalysisParams,
    ClientBase,
    DatasetKind,
    DealCounts,
    ManagerStats,
    Metrics,
    MonthComparison,
    Period,
)
from analytics.signals import (
    SEED_HEAD_KPI,
    SEED_MISTAKES,
    SEED_ONE_KPI,
    SEED_WEAK_HEAD,
    avg_up_revenue_down,
    find_signals,
    many_small_deals,
    one_plan_for_all,
    plan_ceiling,
    sleeping_base,
    stale_deals,
)
from tests.unit.analytics.deals_factory import make_deals

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
PARAMS = AnalysisParams()


def metrics(**changes: Any) -> Metrics:
    base = Metrics(
        kind=DatasetKind.DEALS, rows=0, period=Period(None, None), deals=DealCounts(0, 0, 0, 0), won_revenue=0.0,
        win_rate=None, avg_deal=None, avg_deal_new=None, avg_deal_existing=None, funnel=(), managers=(),
        clients=None, margin=None, margin_share=None, qualified_conversion=None, cycle_days_median=None,
        stale_open_deals=None, month=None, plan_spread=None,
    )
    return dataclasses.replace(base, **changes)


def planned(*pairs: tuple[float, float]) -> tuple[ManagerStats, ...]:
    """Managers M1.. with (plan, attainment)."""
    return tuple(
        ManagerStats(f"M{i}", 10, 5, plan * att, 0.5, 1.0, 10.0, plan=plan, attainment=att, over_plan=plan * (att - 1))
        for i, (plan, att) in enumerate(pairs, start=1)
    )


@pytest.mark.parametrize(
    ("attainments", "fires"),
    [
        ([1.02, 1.05, 1.08, 0.6, 0.7, 0.8, 0.9], True),  # three bunched
        ([1.0, 1.10, 0.5, 0.6], True),  # two of four: half; both edges count
        ([1.02, 1.05, 0.5, 0.6, 0.7], False),  # two of five
        ([1.05], False),  # one manager is not "several"
        ([1.02, 0.5, 0.6], False),
        ([1.11, 1.2, 1.3], False),  # above the ceiling: no ceiling
        ([0.999, 0.98, 1.01], False),
    ],
)
def test_plan_ceiling(attainments: list[float], fires: bool) -> None:
    found = plan_ceiling(metrics(managers=planned(*[(100.0, a) for a in attainments])))
    assert (found is not None) == fires
    if found is not None:
        assert found.seed == SEED_HEAD_KPI and found.code == "plan_ceiling"
        assert found.facts["planned_n"] == len(attainments)


def test_plan_ceiling_facts() -> None:
    found = plan_ceiling(metrics(managers=planned((100.0, 1.02), (100.0, 1.05), (100.0, 1.08), (100.0, 0.5))))
    assert found is not None
    assert found.facts == {"bunched_n": 3, "planned_n": 4, "low_pct": 1.0, "high_pct": 1.1, "managers": "M1, M2, M3"}


def month(last_avg: float, prev_avg: float, last_rev: float, prev_rev: float, won: int = 7) -> MonthComparison:
    change = last_rev / prev_rev - 1
    return MonthComparison("2024-03", "2024-02", last_rev, prev_rev, change, "decline", won, won, last_avg, prev_avg)


@pytest.mark.parametrize(
    ("comparison", "fires"),
    [
        (month(115, 100, 800, 1000), True),  # the seed's picture: +15 % average, -20 % revenue
        (month(115, 100, 800, 1000, won=4), False),  # too few deals for an average
        (month(103, 100, 800, 1000), False),  # average barely moved
        (month(115, 100, 980, 1000), False),  # revenue barely moved
        (month(90, 100, 800, 1000), False),  # both down
    ],
)
def test_avg_up_revenue_down(comparison: MonthComparison, fires: bool) -> None:
    found = avg_up_revenue_down(metrics(month=comparison))
    assert (found is not None) == fires
    if found is not None:
        assert found.seed == SEED_HEAD_KPI
        assert found.facts["avg_change_pct"] == pytest.approx(0.15)
        assert found.facts["revenue_change_pct"] == pytest.approx(0.2)


def small_deals_table(amount_a: float) -> list[dict]:
    rows = [dict(status="won", manager="A", amount=amount_a) for _ in range(6)]
    rows += [dict(status="won", manager="B", amount=5000) for _ in range(3)]
    rows += [dict(status="won", manager="C", amount=4000) for _ in range(2)]
    rows += [dict(status="lost", manager="C", amount=10)]  # lost deals are not deal sizes
    return rows


def test_many_small_deals() -> None:
    deals = make_deals(small_deals_table(1000))
    found = many_small_deals(deals, metrics(), PARAMS)
    # counts 6, 3, 2 (median 3): only A has many; the rest's median of 5000 x3, 4000 x2 is 5000
    assert [(s.code, s.seed) for s in found] == [("many_small_deals", SEED_ONE_KPI)]
    assert found[0].facts == {
        "manager": "A", "won_n": 6, "median_money": 1000.0, "team_median_money": 5000.0, "times_x": 5.0,
    }


@pytest.mark.parametrize("amount_a", [3000, 2600])  # not far enough below half of 5000
def test_many_small_deals_needs_small_deals(amount_a: float) -> None:
    assert many_small_deals(make_deals(small_deals_table(amount_a)), metrics(), PARAMS) == []


def test_many_small_deals_needs_many_deals() -> None:
    rows = [dict(status="won", manager="A", amount=1000) for _ in range(4)]  # 4 < 5 deals
    rows += [dict(status="won", manager="B", amount=5000) for _ in range(3)]
    assert many_small_deals(make_deals(rows), metrics(), PARAMS) == []


@pytest.mark.parametrize(
    ("pairs", "fires"),
    [
        ([(100000, 0.4), (100000, 0.9), (100000, 1.3)], True),
        ([(100000, 0.4), (100000, 0.9), (120000, 1.3)], False),  # plans differ
        ([(100000, 0.9), (100000, 1.0), (100000, 1.2)], False),  # results close
        ([(100000, 0.4), (100000, 1.3)], False),  # two managers are not "everyone"
    ],
)
def test_one_plan_for_all(pairs: list[tuple[float, float]], fires: bool) -> None:
    found = one_plan_for_all(metrics(managers=planned(*pairs)))
    assert (found is not None) == fires
    if found is not None:
        assert found.seed == SEED_MISTAKES
        assert found.facts == {
            "planned_n": 3, "plan_money": 100000, "low_manager": "M1", "low_pct": 0.4, "high_manager": "M3",
            "high_pct": 1.3,
        }


@pytest.mark.parametrize(
    ("active", "sleeping", "churned", "fires"),
    [(4, 3, 3, True), (5, 3, 2, True), (6, 2, 2, False), (3, 3, 2, False)],  # the last: 8 clients only
)
def test_sleeping_base(active: int, sleeping: int, churned: int, fires: bool) -> None:
    found = sleeping_base(metrics(clients=ClientBase(active, sleeping, churned, None, None, None)))
    assert (found is not None) == fires
    if found is not None:
        assert found.seed == SEED_MISTAKES
        assert found.facts["asleep_pct"] == pytest.approx((sleeping + churned) / (active + sleeping + churned))


@pytest.mark.parametrize(
    ("stale", "open_", "fires"), [(6, 10, True), (4, 10, False), (5, 20, False), (None, 10, False)]
)
def test_stale_deals(stale: int | None, open_: int, fires: bool) -> None:
    found = stale_deals(metrics(stale_open_deals=stale, deals=DealCounts(open_, 0, 0, open_)), PARAMS)
    assert (found is not None) == fires
    if found is not None:
        assert found.seed == SEED_WEAK_HEAD and found.facts["days_n"] == 30


def test_find_signals_on_computed_metrics() -> None:
    deals = make_deals([{**r, "closed": "2024-01-10"} for r in small_deals_table(1000)])
    m = compute_metrics(deals, DatasetKind.DEALS)
    assert [s.code for s in find_signals(m, deals, PARAMS)] == ["many_small_deals"]


@pytest.mark.parametrize(
    ("seed", "quote"),
    [
        (SEED_HEAD_KPI, "Вы создали потолок"),
        (SEED_HEAD_KPI, "Средний чек вырос на 15%, общая выручка упала на 20%"),
        (SEED_ONE_KPI, "Мелкие сделки ради количества"),
        (SEED_MISTAKES, "Ошибка №2: Один план для всех"),
        (SEED_MISTAKES, "клиентская база (активные/спящие/ушедшие)"),
        (SEED_WEAK_HEAD, "Менеджеры предоставлены сами себе"),
    ],
)
def test_signals_cite_their_seeds_faithfully(seed: str, quote: str) -> None:
    path = SEEDS / seed
    if not path.is_file():
        pytest.skip("the seed articles are not next to the repository")
    assert quote in path.read_text(encoding="utf-8")


SIGNAL_SEEDS = {
    "plan_ceiling": SEED_HEAD_KPI,
    "avg_up_revenue_down": SEED_HEAD_KPI,
    "many_small_deals": SEED_ONE_KPI,
    "one_plan_for_all": SEED_MISTAKES,
    "sleeping_base": SEED_MISTAKES,
    "stale_deals": SEED_WEAK_HEAD,
}


@pytest.mark.parametrize(("code", "seed"), sorted(SIGNAL_SEEDS.items()))
def test_every_quote_in_a_signal_source_is_in_its_seed(code: str, seed: str) -> None:
    from content.loader import load_content

    path = SEEDS / seed
    if not path.is_file():
        pytest.skip("the seed articles are not next to the repository")
    source = load_content("ru").t(f"analytics.signals.{code}.source")
    assert not source.startswith("статья")  # the article is named by its title (analytics.articles), not number
    quotes = re.findall(r"«([^»]+)»", source)
    assert quotes
    article = path.read_text(encoding="utf-8")
    assert [q for q in quotes if q not in article] == []
