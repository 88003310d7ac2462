"""A table source + recognised columns -> one row per deal with every canonical column, parsed and typed.

Only the mapped columns are read. Amounts, dates and statuses are parsed per column (analytics.values); text
columns stay as read. A deal repeated once per product line (Bitrix24 with products, 1C lines of one
document) is counted once.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.columns import extra_columns
from analytics.metrics_prep import text_codes
from analytics.schema import DatasetKind, Field, Recognition
from analytics.stage_order import StageEvidence, order_stages
from analytics.values import (
    STATUS_NAMES,
    classify_flag,
    classify_repeat,
    classify_status,
    detect_currency,
    parse_amounts,
    parse_dates,
    status_codes,
)

if TYPE_CHECKING:
    from analytics.reading import TableSource

_INTEGER_ID = re.compile(r"^(?:0|[1-9][0-9]{0,17})$")  # no sign, no leading zero: the text is the number

PROBABILITY = "probability"  # extra frame column: a stage probability per deal, 0-1, NaN unknown
_MONEY = (Field.AMOUNT, Field.COST, Field.MARGIN)
_TEXT = (Field.TITLE, Field.MANAGER, Field.CLIENT, Field.SOURCE, Field.PIPELINE, Field.LOST_REASON)


@dataclass(frozen=True, eq=False)
class Deals:
    frame: pd.DataFrame  # one row per deal, every Field value as a column, PROBABILITY when the export has it
    stage_order: tuple[str, ...]  # pipeline order of the stages present
    rows: int  # data rows read, before product lines were merged
    currency: str | None  # "RUB", "USD", "EUR", ... when the amounts or a currency column say so
    _codes: dict[Field, tuple[np.ndarray, list[str]]] = dataclasses.field(default_factory=dict, repr=False)

    def codes(self, column: Field) -> tuple[np.ndarray, list[str]]:
        """Codes (-1 missing) and names of a text column (metrics_prep.text_codes): hashing a million strings
        is costly, so the metrics and the signals share one pass per column."""
        if column not in self._codes:
            self._codes[column] = text_codes(self.frame[column.value])
        return self._codes[column]


def to_deals(source: TableSource, recognition: Recognition) -> Deals:
    mapping = recognition.mapping
    extra = extra_columns(source.headers, mapping)
    wanted = list(dict.fromkeys([*mapping.values(), *extra.values()])) or list(source.headers[:1])
    raw = _read(source, wanted, mapping.get(Field.DEAL_ID)).reset_index(drop=True)
    n = len(raw)
    index = raw.index
    sales = recognition.kind is DatasetKind.SALES

    def column(field: Field) -> pd.Series | None:
        header = mapping.get(field)
        return raw[header] if header is not None else None

    out: dict[str, pd.Series] = {}
    currency: str | None = None
    for field in _MONEY:
        cells = column(field)
        if cells is None:
            out[field.value] = pd.Series(np.full(n, np.nan), index=index)
        else:
            parsed = parse_amounts(cells)
            out[field.value] = parsed.values
            if field is Field.AMOUNT:
                currency = parsed.currency
    for field in (Field.CREATED, Field.CLOSED, Field.MODIFIED):
        cells = column(field)
        out[field.value] = parse_dates(cells).values if cells is not None else _no_dates(index)
    if "closed_alt" in extra:  # Pipedrive: won deals close in "Won time", lost ones in "Lost time"
        out[Field.CLOSED.value] = out[Field.CLOSED.value].fillna(parse_dates(raw[extra["closed_alt"]]).values)
    if sales and Field.CLOSED not in mapping:
        out[Field.CLOSED.value] = out[Field.CREATED.value]  # the one date of a sale is its sale date

    evidence = StageEvidence(out[Field.CREATED.value], raw[extra["probability"]] if "probability" in extra else None)
    stage, status, order = _stages(column(Field.STAGE), column(Field.STATUS), sales, index, evidence)
    out[Field.STAGE.value] = stage
    out[Field.STATUS.value] = status
    blank = _no_text(index)  # shared by every missing text column (copy-on-write keeps them apart)
    for field in _TEXT:
        cells = column(field)
        out[field.value] = cells if cells is not None else blank
    repeat, qualified = column(Field.IS_REPEAT), column(Field.QUALIFIED)
    out[Field.IS_REPEAT.value] = classify_repeat(repeat) if repeat is not None else _no_flags(index)
    out[Field.QUALIFIED.value] = classify_flag(qualified) if qualified is not None else _no_flags(index)
    ids = column(Field.DEAL_ID)
    if ids is None:
        out[Field.DEAL_ID.value] = pd.Series(np.arange(1, n + 1).astype(str), dtype="str")
    else:
        out[Field.DEAL_ID.value] = _id_text(ids)

    frame = pd.DataFrame({f.value: out[f.value] for f in Field}, index=index, copy=False)
    if "probability" in extra:  # not a canonical field: the forecast's evidence (analytics.metrics_forecast)
        frame[PROBABILITY] = parse_probabilities(raw[extra["probability"]])
    if ids is not None:
        frame = _merge_product_lines(frame, _id_codes(ids))
    if "currency" in extra and currency is None:
        currency = _currency_column(raw[extra["currency"]])
    if currency is None and Field.AMOUNT in mapping:  # "Сумма, руб", "Amount (USD)", "Выручка, $"
        currency = detect_currency([mapping[Field.AMOUNT]])[0]
    return Deals(frame, order, n, currency)


def parse_probabilities(cells: pd.Series) -> np.ndarray:
    """A probability column ("60", "60%", "0.6", "60,0") as shares 0-1 (NaN where empty or not a number).

    The scale is the column's: percent when a cell says "%" or a value is above 1, shares otherwise. Only the
    distinct cells are parsed (a CRM has a handful of stage probabilities, a million rows repeat them)."""
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object, na_value=None))
    text = pd.Series(uniques, dtype="string").str.strip()
    percent_sign = text.str.endswith("%").fillna(False).to_numpy(dtype=bool)
    text = text.str.rstrip("%").str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if percent_sign.any() or bool((values[np.isfinite(values)] > 1).any()):
        values = values / 100.0
    return np.append(values, np.nan)[codes]  # code -1 (an empty cell) picks the trailing NaN


def _read(source: TableSource, wanted: list[str], id_header: str | None) -> pd.DataFrame:
    """The wanted columns; a deal id column whose sample is all plain integers is read as integers by a text
    table (no Python string per cell to build, hash and compare), with the text reader's own fallback."""
    from analytics.reading.text import TextTable

    if id_header is None or not isinstance(source, TextTable):
        return source.read(wanted)
    sample = source.sample()[id_header].dropna().astype(str)
    if sample.empty or not sample.map(_INTEGER_ID.match).all():
        return source.read(wanted)
    return source.read(wanted, integers=[id_header])


def _id_text(ids: pd.Series) -> pd.Series:
    """Deal ids as text (the frame's contract), whatever dtype they were read in."""
    if not pd.api.types.is_integer_dtype(ids.dtype):
        return ids
    known = ids.notna().to_numpy()
    text = np.full(len(ids), None, dtype=object)
    # str() over a list of Python ints: cheaper than pandas' or numpy's int-to-text conversions
    text[known] = list(map(str, ids.to_numpy(dtype=np.int64, na_value=0)[known].tolist()))
    return pd.Series(text, index=ids.index, dtype="str")


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, int]:
    """(code per row, -1 where missing; number of distinct ids). Integer ids: strictly increasing ones (the
    usual export order) are unique without hashing, others are factorised as int64, far cheaper than text."""
    if pd.api.types.is_integer_dtype(ids.dtype):
        known = ids.notna().to_numpy()
        values = ids.to_numpy(dtype=np.int64, na_value=0)
        if known.all() and (len(values) < 2 or bool((values[1:] > values[:-1]).all())):
            return np.arange(len(values)), len(values)
        codes, uniques = pd.factorize(values[known])
        out = np.full(len(values), -1, dtype=np.int64)
        out[known] = codes
        return out, len(uniques)
    codes, uniques = pd.factorize(ids.to_numpy(dtype=object, na_value=None))
    return codes, len(uniques)


def _no_dates(index: pd.Index) -> pd.Series:
    return pd.Series(np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]"), index=index)


def _no_text(index: pd.Index) -> pd.Series:
    # filled by take: building it from an object array of NaN validates a million cells one by one
    blank = pd.array([None], dtype="str").take(np.full(len(index), -1, dtype=np.intp), allow_fill=True)
    return pd.Series(blank, index=index)


def _no_flags(index: pd.Index) -> pd.Series:
    n = len(index)
    return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool)), index=index)


def _stages(
    stage: pd.Series | None,
    status: pd.Series | None,
    sales: bool,
    index: pd.Index,
    evidence: StageEvidence | None = None,
) -> tuple[pd.Series, pd.Series, tuple[str, ...]]:
    """(stage names without padding, won/lost/open, stage order), from one factorisation of the stage column.

    The status column decides first; where it says nothing (open, blank, IsWon false) the stage name decides
    ("Closed Lost" with IsWon = false is lost). Every row of a sales export is won."""
    n = len(index)
    if stage is None:
        codes, names = np.full(n, -1, dtype=np.int64), []
        stage = _no_text(index)
    else:
        codes, uniques = pd.factorize(stage.to_numpy(dtype=object, na_value=None))
        names = [str(u).strip() for u in uniques]
        stage = _stage_categories(codes, names, index)
    if sales:
        verdict = np.zeros(n, dtype=np.int64)
    else:
        verdict = status_codes(names)[codes]
        if status is not None:
            by_status = classify_status(status).cat.codes.to_numpy().astype(np.int64)
            verdict = np.where(by_status == 2, verdict, by_status)
    categorical = pd.Series(pd.Categorical.from_codes(verdict, categories=STATUS_NAMES), index=index)
    return stage, categorical, order_stages(names, codes, verdict, evidence)


def _stage_categories(codes: np.ndarray, names: list[str], index: pd.Index) -> pd.Series:
    """The stage names as a categorical (metrics read its codes instead of hashing the text again): names
    equal after stripping share a category, blank ones are missing; categories in order of first appearance."""
    categories = list(dict.fromkeys(name for name in names if name))
    slot = {name: i for i, name in enumerate(categories)}
    remap = np.array([*[slot.get(name, -1) for name in names], -1], dtype=np.int64)  # code -1 stays missing
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=categories), index=index)


def _merge_product_lines(frame: pd.DataFrame, ids: tuple[np.ndarray, int]) -> pd.DataFrame:
    """One row per deal id. A deal's own fields repeat on each of its product lines, so the first line is kept.
    Money: when every line of a deal carries the same amount it is the deal's amount (Bitrix24 repeats the deal
    sum on each product line) and is taken once; when lines of some deal differ, the column holds line sums
    (1C lines of one document) and they are added up. The rule is decided for the whole column."""
    codes, distinct = ids
    if distinct == int((codes >= 0).sum()):
        return frame  # every id unique (or missing): nothing to merge
    missing = codes < 0
    codes = codes.copy()
    codes[missing] = distinct + np.arange(int(missing.sum()))  # rows without an id stay apart
    first = ~pd.Series(codes).duplicated().to_numpy()
    merged = frame[first].reset_index(drop=True)
    groups = pd.Series(codes)
    for field in _MONEY:
        values = pd.Series(frame[field.value].to_numpy(), dtype="float64")
        if values.isna().all():
            continue
        grouped = values.groupby(groups, sort=False)
        if (grouped.max() != grouped.min()).any():
            merged[field.value] = grouped.sum(min_count=1).to_numpy()
        else:
            merged[field.value] = grouped.first().to_numpy()
    return merged


def _currency_column(cells: pd.Series) -> str | None:
    """A currency column (Pipedrive "Deal - Currency", Bitrix24 "Валюта") with one currency throughout."""
    values = {str(v).strip() for v in cells.dropna().unique()} - {""}
    if len(values) != 1:
        return None
    value = values.pop()
    if len(value) == 3 and value.isalpha() and value.isascii():
        return {"RUR": "RUB"}.get(value.upper(), value.upper())
    return detect_currency([value])[0]
