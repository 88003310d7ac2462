"""The owners' digest chart: won revenue of the last months as bars, the month's plan as a mark over each bar.

Pure and picklable in, PNG bytes out; matplotlib is imported inside the function and drawn on a bare Figure
(no pyplot, no global state), so the bot runs it off the event loop (a thread or the analysis pool).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from analytics.charts import COLOR, PLAN_COLOR, STYLE, _figure, _money_axis, _png

_DRAWING = threading.Lock()  # rc_context changes matplotlib's global settings: one drawing at a time per process


def revenue_vs_plan_chart(
    months: Sequence[tuple[str, float, float | None]], title: str, axis: str, plan_label: str, revenue_label: str
) -> bytes | None:
    """`months`: ("MM.YYYY" label, won revenue, plan or None), oldest first. None when nothing was sold."""
    if not months or not any(revenue for _, revenue, _ in months):
        return None
    import matplotlib

    with _DRAWING, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # restored afterwards
        fig, ax = _figure()
        labels = [label for label, _, _ in months]
        ax.bar(labels, [revenue for _, revenue, _ in months], color=COLOR, label=revenue_label)
        planned = [(label, plan) for label, _, plan in months if plan is not None]
        if planned:
            ax.scatter(
                [label for label, _ in planned],
                [plan for _, plan in planned],
                marker="_",
                s=2500,
                linewidths=4,
                color=PLAN_COLOR,
                label=plan_label,
                zorder=3,
            )
            ax.legend(loc="upper left")
        ax.set_title(title)
        ax.set_ylabel(axis)
        _money_axis(ax.yaxis)
        return _png(fig)
