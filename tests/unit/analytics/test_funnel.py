"""The funnel (issue 9, section 2): deals that reached each stage, conversion to the next, the won step last,
lost deals apart; unknown stage names placed by evidence. Every expected number is worked out by hand below."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.charts import funnel_steps
from analytics.engine import analyze
from analytics.schema import FunnelStage
from analytics.stage_order import StageEvidence, order_stages, place
from tests.unit.analytics.conftest import SHARED_EXPORTS

OPEN, WON, LOST = 2, 0, 1  # verdict codes


def order_of(stages: list[str], verdicts: list[int], evidence: StageEvidence | None = None) -> tuple[str, ...]:
    """order_stages over one row per entry, stages factorised in order of first appearance."""
    codes, names = pd.factorize(pd.Series(stages))
    return order_stages([str(n) for n in names], np.asarray(codes), np.asarray(verdicts), evidence)


# ---- the funnel of an export ---------------------------------------------------------------------------------


def test_zoho_like_custom_stages_by_probability_and_vocabulary(fixtures_dir: Path) -> None:
    # First appearance: Needs Analysis, Initial Offer, Qualification, Prospect (the order the issue saw).
    # Qualification and Needs Analysis are Zoho's (known order); Prospect (5 %) and Initial Offer (60 %) are not.
    # Probability: Prospect 5 < Qualification 10 -> first; Initial Offer 60 > Needs Analysis 20 -> last.
    m = analyze(fixtures_dir / "zoho_custom_stages.csv", "zoho_custom_stages.csv").metrics
    assert (m.deals.total, m.deals.won, m.deals.lost, m.deals.open) == (9, 2, 1, 6)
    # reach (0 Prospect .. 3 Initial Offer): D1 2, D2 3, D3 1, D4 0, D5 won 3, D6 lost in Closed Lost 0, D7 0,
    # D8 3, D9 won 3 -> reached 9, 6 (D1 D2 D3 D5 D8 D9), 5, 4; won 2
    assert m.funnel == (
        FunnelStage("Prospect", 2, 1.0, 9, 6 / 9),
        FunnelStage("Qualification", 1, 6 / 9, 6, 5 / 6),
        FunnelStage("Needs Analysis", 1, 5 / 9, 5, 4 / 5),
        FunnelStage("Initial Offer", 2, 4 / 9, 4, 2 / 4),
        FunnelStage("Closed Won", 2, 2 / 9, 2, None, 0, True),
    )
    assert sum(s.lost for s in m.funnel) == 0  # the one lost deal sits in "Closed Lost": its stage is unknown


def test_pipedrive_lost_at_their_stage_and_empty_known_stages_kept(fixtures_dir: Path) -> None:
    # Every stage is Pipedrive's: its open stages Qualified, Contact Made, Demo Scheduled (empty), Proposal Made,
    # Negotiations Started (empty, after the last occupied one: won deals went through it) all stay.
    # reach (0..4): 1 0, 2 lost 0, 3 1, 4 lost 1, 5 3, 6 won 4, 7 lost 3, 8 won 4
    # reached: 8; 6 (3..8); 4 (5..8); 4; 2 (6, 8); won 2 (no won stage: the step is named "")
    m = analyze(fixtures_dir / "pipedrive_lost_at_stage.csv", "pipedrive_lost_at_stage.csv").metrics
    assert m.funnel == (
        FunnelStage("Qualified", 1, 1.0, 8, 6 / 8, 1),
        FunnelStage("Contact Made", 1, 6 / 8, 6, 4 / 6, 1),
        FunnelStage("Demo Scheduled", 0, 4 / 8, 4, 1.0, 0),
        FunnelStage("Proposal Made", 1, 4 / 8, 4, 2 / 4, 1),
        FunnelStage("Negotiations Started", 0, 2 / 8, 2, 1.0, 0),
        FunnelStage("", 2, 2 / 8, 2, None, 0, True),
    )
    assert m.deals.lost == 3 == sum(s.lost for s in m.funnel)  # each lost deal counted where it stopped


def test_chart_steps_end_with_won_and_leave_lost_out(fixtures_dir: Path) -> None:
    m = analyze(fixtures_dir / "zoho_custom_stages.csv", "zoho_custom_stages.csv").metrics
    steps = funnel_steps(m)
    assert [s.stage for s in steps] == ["Prospect", "Qualification", "Needs Analysis", "Initial Offer", "Closed Won"]
    assert [s.reached for s in steps] == [9, 6, 5, 4, 2]  # bars: deals that reached the step, never "sitting"
    assert "Closed Lost" not in [s.stage for s in steps]


# ---- placing unknown stages by evidence ----------------------------------------------------------------------


def test_without_evidence_unknown_stages_follow_the_known_ones_in_order_of_appearance() -> None:
    # "Stage Y" and "Stage X" match no pipeline and no stage word; no probability, no dates
    stages = ["Stage Y", "Needs Analysis", "Stage X", "Qualification", "Closed Won"]
    assert order_of(stages, [OPEN, OPEN, OPEN, OPEN, WON]) == (
        "Qualification",
        "Needs Analysis",
        "Stage Y",
        "Stage X",
        "Closed Won",
    )


def test_probability_column_places_unknown_stages() -> None:
    # known order Qualification (10) < Needs Analysis (20); X at 5 contradicts no known stage only before both;
    # Y at 50 only after both
    stages = ["Needs Analysis", "Stage X", "Qualification", "Stage Y", "Closed Lost"]
    evidence = StageEvidence(probability=pd.Series(["20", "5 %", "10", "0,5e2", "0"]))
    assert order_of(stages, [OPEN, OPEN, OPEN, OPEN, LOST], evidence) == (
        "Stage X",
        "Qualification",
        "Needs Analysis",
        "Stage Y",
        "Closed Lost",
    )


def test_a_probability_column_contradicting_the_known_order_is_ignored_and_age_decides() -> None:
    # Probability says Needs Analysis (20) before Qualification (30): against Zoho's order, so no evidence.
    # (Had it counted, X at 50 would go last and Y at 5 first.) Ages from the last creation date, 2024-01-31:
    # X 0 days, Qualification 10, Needs Analysis 20, Y 40 -> X first, Y last; the known stages agree with age.
    stages = ["Needs Analysis", "Stage X", "Qualification", "Stage Y"]
    created = pd.Series(pd.to_datetime(["2024-01-11", "2024-01-31", "2024-01-21", "2023-12-22"]))
    evidence = StageEvidence(created=created, probability=pd.Series(["20", "50", "30", "5"]))
    assert order_of(stages, [OPEN] * 4, evidence) == ("Stage X", "Qualification", "Needs Analysis", "Stage Y")


def test_vocabulary_breaks_a_probability_tie() -> None:
    # Prospect and Qualification both at 10 %: both places before Needs Analysis cost nothing under probability;
    # the stage words (prospect 0.05 < qualif 0.2) put Prospect first
    stages = ["Needs Analysis", "Qualification", "Prospect"]
    evidence = StageEvidence(probability=pd.Series(["20", "10", "10"]))
    assert order_of(stages, [OPEN] * 3, evidence) == ("Prospect", "Qualification", "Needs Analysis")


def test_place_counts_contradicted_stages() -> None:
    # ordered A(1) B(3) C(2): u at 2.5 -> slot 0 contradicts A,C (2); slot 1: C (1); slot 2: C (1); slot 3: B (1)
    # -> slots 1, 2, 3 tie; the second source (u 0, A 0, B 1, C 2) narrows to slot 1 (after A, whose score
    # equals u's, and before B and C)
    first = {"A": 1.0, "B": 3.0, "C": 2.0, "u": 2.5}
    second = {"A": 0.0, "B": 1.0, "C": 2.0, "u": 0.0}
    assert place(["A", "B", "C"], ["u"], [first, second]) == ["A", "u", "B", "C"]


# ---- the real Zoho Potentials export (skipped when ../shared/exports does not hold one) -----------------------


def _zoho_potentials() -> Path | None:
    if not SHARED_EXPORTS.is_dir():
        return None
    for path in sorted(SHARED_EXPORTS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
            header = next(csv.reader(file), [])
        if "Potential Name" in header and "Stage" in header:
            return path
    return None


@pytest.fixture
def zoho_export(shared_export: Callable[[str], Path]) -> Path:
    path = _zoho_potentials()
    if path is None:
        pytest.skip(f"no Zoho Potentials export (a CSV with 'Potential Name' and 'Stage') in {SHARED_EXPORTS}")
    return shared_export(path.name)


def test_real_zoho_potentials_stage_order(zoho_export: Path) -> None:
    # Today's order was Needs Analysis -> Initial Offer -> Qualification -> Prospect (first appearance)
    m = analyze(zoho_export, zoho_export.name).metrics
    order = [s.stage for s in m.funnel]
    wanted = ["Prospect", "Qualification", "Needs Analysis", "Initial Offer"]
    present = [s for s in wanted if s in order]
    assert [s for s in order if s in wanted] == present
    assert m.funnel[-1].won and not any("lost" in s.stage.casefold() for s in m.funnel)
