"""Charts come out as real PNGs of the promised size, and charts without data are skipped."""

from __future__ import annotations

import dataclasses
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.charts import render_charts
from analytics.metrics import compute_metrics
from analytics.schema import DatasetKind, ManagerStats
from content.loader import Content, load_content
from tests.unit.analytics.deals_factory import make_deals
from tests.unit.analytics.test_metrics import STAGES, WON, base_rows

REPO = Path(__file__).resolve().parents[3]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_four_charts_for_deals(content: Content) -> None:
    # base_rows' clients all bought within 90 days (one group: no clients chart); К7 last bought 2023-10-01,
    # 182 days before 2024-03-31: churned, a second group. Deals won from 2023-10 to 2024-03: a trend.
    rows = [*base_rows(), dict(stage=WON, status="won", manager="Анна", amount=500, created="2023-09-20",
                               closed="2023-10-01", client="К7")]
    metrics = compute_metrics(make_deals(rows, STAGES), DatasetKind.DEALS)
    charts = render_charts(metrics, content.t)
    assert [name for name, _ in charts] == ["funnel", "trend", "managers", "clients"]
    for _, png in charts:
        assert png_size(png) == (1200, 700)


def test_managers_against_plan_and_long_cyrillic_names(content: Content) -> None:
    metrics = compute_metrics(make_deals(base_rows(), STAGES), DatasetKind.DEALS, {("Анна", "*"): 40000.0})
    long_name = ManagerStats("Очень-очень длинное имя менеджера отдела продаж " * 3, 3, 1, 5000.0, 0.3, 5000.0, None)
    metrics = dataclasses.replace(metrics, managers=(*metrics.managers, long_name))
    charts = dict(render_charts(metrics, content.t))
    assert png_size(charts["managers"]) == (1200, 700)


def test_sales_export_gets_revenue_by_month(content: Content) -> None:
    # clients X1..X4, each one sale; X1's on 10.01 is 91 days before 10.04: sleeping, the rest active
    rows = [
        dict(status="won", manager="A", amount=100 * i, closed=f"2024-0{i}-10", client=f"X{i}") for i in range(1, 5)
    ]
    charts = render_charts(compute_metrics(make_deals(rows), DatasetKind.SALES), content.t)
    assert [name for name, _ in charts] == ["revenue", "managers", "clients"]
    assert all(png_size(png) == (1200, 700) for _, png in charts)


def test_charts_without_data_are_skipped(content: Content) -> None:
    rows = [dict(stage="Новая", status="open", amount=None, created="2024-01-01")]
    metrics = compute_metrics(make_deals(rows), DatasetKind.DEALS)
    assert [name for name, _ in render_charts(metrics, content.t)] == ["funnel"]
    assert render_charts(compute_metrics(make_deals([]), DatasetKind.DEALS), content.t) == []


def test_importing_the_engine_loads_no_heavy_library() -> None:
    """The bot imports these to hand work to the pool: pandas and matplotlib must stay in the worker."""
    code = (
        "import sys, analytics.engine, analytics.charts, analytics.render, analytics.cli;"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
