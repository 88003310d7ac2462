"""Hand-built Deals for the metrics, signals, charts, report and render tests: every canonical column with
the dtype the normaliser delivers, filled from a few readable dicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analytics.normalize import Deals
from analytics.schema import Field

_STRING = (
    Field.DEAL_ID,
    Field.TITLE,
    Field.STAGE,
    Field.STATUS,
    Field.MANAGER,
    Field.CLIENT,
    Field.SOURCE,
    Field.PIPELINE,
    Field.LOST_REASON,
)
_FLOAT = (Field.AMOUNT, Field.COST, Field.MARGIN)
_DATE = (Field.CREATED, Field.CLOSED, Field.MODIFIED)
_BOOL = (Field.IS_REPEAT, Field.QUALIFIED)


def frame_of(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for f in Field:
        values = [row.get(f.value) for row in rows]
        if f is Field.DEAL_ID:
            values = [str(v) if v is not None else str(i + 1) for i, v in enumerate(values)]
        if f in _STRING:
            data[f.value] = pd.array(values, dtype="string")
        elif f in _FLOAT:
            data[f.value] = pd.array([float("nan") if v is None else float(v) for v in values], dtype="float64")
        elif f in _DATE:
            data[f.value] = pd.to_datetime(pd.Series(values, dtype="object"), format="ISO8601").astype(
                "datetime64[ns]"
            )
        elif f in _BOOL:
            data[f.value] = pd.array(values, dtype="boolean")
    return pd.DataFrame(data)


def make_deals(
    rows: Sequence[dict[str, Any]],
    stage_order: Sequence[str] = (),
    currency: str | None = None,
    read_rows: int | None = None,
) -> Deals:
    return Deals(
        frame=frame_of(rows),
        stage_order=tuple(stage_order),
        rows=len(rows) if read_rows is None else read_rows,
        currency=currency,
    )
