"""Headers + a sample of rows -> which source column is which canonical field, and what kind of table it is.

Headers are matched against the synonyms of analytics/data/columns.yaml (exact match first, then the words of
a synonym inside the header); the content of the sample confirms each match and breaks ties: the amount is
the column whose cells read as money (not an id, a phone or a date), a stage has few distinct values, a date
column reads as dates, a client column is the one actually filled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analytics.data.load import load_data
from analytics.schema import DatasetKind, Field, Recognition
from analytics.values import parse_amounts, parse_dates, word_share
from analytics.values_codes import normalize_header

PROFILE_ROWS = 1000  # sample rows looked at per column: enough to judge, cheap for 80 columns
MONEY_SHARE = 0.8  # share of non-empty cells that must read as amounts / dates
CLOSE_SCORE = 0.1  # two amount candidates this close in content are "similar"
_MONEY = (Field.AMOUNT, Field.COST, Field.MARGIN)
_DATES = (Field.CREATED, Field.CLOSED, Field.MODIFIED)
_TEXT = (Field.MANAGER, Field.CLIENT, Field.TITLE, Field.SOURCE, Field.PIPELINE, Field.LOST_REASON)
_EXACT, _CONTAINS, _CONTENT = 3, 2, 1  # match tiers
# "+7 (900) 123-45-67", "8-900-123-45-67", "+1 555 123 4567": a phone, not an amount
PHONE = r"\+?\d{1,3}[\s-]?\(?\d{3}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"


@dataclass(frozen=True, slots=True)
class _Rule:
    exact: tuple[str, ...]
    contains: tuple[tuple[str, ...], ...]
    exclude: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class _Profile:
    """What a column's sample looks like."""

    values: tuple[str, ...]  # non-empty cells, stripped
    fill: float  # non-empty / rows
    money: float  # share of non-empty cells that read as amounts
    dates: float  # share of cells with a digit that read as dates (0 when none has a digit)
    any_date: bool
    distinct: int
    id_like: bool  # long digit strings: phones, INN, record ids
    not_money: bool = False  # postal codes, phone numbers, sequential row ids, percentages (see _not_money)

    @property
    def unique(self) -> float:
        return self.distinct / len(self.values) if self.values else 0.0

    @property
    def money_like(self) -> bool:
        return (
            bool(self.values)
            and self.money >= MONEY_SHARE
            and not self.id_like
            and not self.is_date
            and not self.not_money
        )

    @property
    def is_date(self) -> bool:
        return self.any_date and self.dates >= MONEY_SHARE

    @property
    def low_cardinality(self) -> bool:
        n = len(self.values)
        return 0 < self.distinct <= 60 and (n <= 10 or self.distinct <= 0.5 * n)


@lru_cache(maxsize=1)
def _rules() -> dict[Field, _Rule]:
    data = load_data("columns.yaml")["fields"]

    def phrases(words: list[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(normalize_header(w).split()) for w in words)

    return {
        Field(name): _Rule(
            exact=tuple(normalize_header(w) for w in spec.get("exact", [])),
            contains=phrases(spec.get("contains", [])),
            exclude=phrases(spec.get("exclude", [])),
        )
        for name, spec in data.items()
    }


def _has_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """The phrase's words start consecutive words of the header ("повторн" matches "повторная сделка")."""
    k = len(phrase)
    return any(all(tokens[i + j].startswith(phrase[j]) for j in range(k)) for i in range(len(tokens) - k + 1))


def header_matches(header: str, field: Field) -> tuple[int, int] | None:
    """(tier, rank) of a header for a field by name alone: exact synonym (rank = its position), contained words."""
    rule = _rules()[field]
    name = normalize_header(header)
    if name in rule.exact:
        return _EXACT, rule.exact.index(name)
    if _excluded(header, field):
        return None
    if any(_has_phrase(name.split(), p) for p in rule.contains):
        return _CONTAINS, len(rule.exact)
    return None


def _excluded(header: str, field: Field) -> bool:
    tokens = normalize_header(header).split()
    return any(_has_phrase(tokens, p) for p in _rules()[field].exclude)


def _profile(column: pd.Series) -> _Profile:
    head = column.iloc[:PROFILE_ROWS]
    text = head.dropna().astype(str).str.strip()
    values = tuple(v for v in text if v)
    if not values:
        return _Profile((), 0.0, 0.0, 0.0, False, 0, False)
    series = pd.Series(values, dtype="str")
    money = parse_amounts(series).share_parsed
    with_digit = series[series.str.contains(r"\d", regex=True)]
    dates = parse_dates(with_digit).share_parsed if len(with_digit) else 0.0
    long_digits = series.str.fullmatch(r"\+?\d{9,}").mean()
    return _Profile(
        values=values,
        fill=len(values) / max(len(head), 1),
        money=money,
        dates=dates,
        any_date=len(with_digit) > 0,
        distinct=len(set(values)),
        id_like=bool(long_digits >= 0.8),
        not_money=money >= MONEY_SHARE and _not_money(series),  # only a column that reads as amounts needs it
    )


def _not_money(cells: pd.Series) -> bool:
    """Cells that read as numbers but are not amounts: codes, phones, row ids, percentages."""
    n = len(cells)
    if n == 0:
        return False
    if cells.str.fullmatch(PHONE).mean() >= MONEY_SHARE or cells.str.contains("%", regex=False).mean() >= MONEY_SHARE:
        return True
    integers = cells[cells.str.fullmatch(r"\d+")]
    if len(integers) == n:
        widths = integers.str.len()
        if widths.between(5, 6).all():
            leading_zero = bool(integers.str.startswith("0").any())
            round_share = integers.str.endswith("00").mean()
            if leading_zero or (widths.nunique() == 1 and round_share < 0.3 and len(set(integers)) > 1):
                return True  # postal codes and other fixed-width codes: "05401", "42420", "101000"
        if widths.max() > 18:
            return False
        numbers = integers.astype("int64")
        # a row number: every value once, without gaps (1..n)
        return n >= 5 and numbers.nunique() == n and int(numbers.max() - numbers.min()) == n - 1
    numbers = pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce")
    if numbers.notna().all() and numbers.between(0, 1).all():
        return bool(((numbers > 0) & (numbers < 1)).any())  # shares: 0.25, 0,5, 1
    return False


def _content_score(field: Field, p: _Profile) -> float | None:
    """How well the cells fit the field (higher is better), or None when they contradict it."""
    if not p.values:
        return 0.0  # an empty column may still be the right one (a CRM's unfilled budget)
    if field in _MONEY:
        return p.money if p.money_like else None
    if field in _DATES:
        return p.dates if p.is_date or not p.any_date else None
    if field is Field.STAGE:
        ok = p.low_cardinality and p.money < 0.5 and not p.is_date
        return 1.0 - p.unique + word_share(list(p.values), "status") if ok else None
    if field is Field.STATUS:
        share = word_share(list(p.values), "status")
        return share if share >= 0.5 and p.distinct <= 20 else None
    if field is Field.IS_REPEAT:
        share = word_share(list(p.values), "repeat")
        return share if share >= 0.6 else None
    if field is Field.QUALIFIED:
        share = word_share(list(p.values), "flag")
        return share if share >= 0.6 else None
    if field is Field.DEAL_ID:
        return p.unique
    # text fields: not a column of plain numbers or dates; the better filled wins
    return p.fill if p.money < 0.9 and not p.is_date else None


def recognize(
    headers: Sequence[str], sample: pd.DataFrame, overrides: Mapping[Field, str] | None = None
) -> Recognition:
    headers = tuple(headers)
    profiles: dict[str, _Profile] = {}

    def profile(header: str) -> _Profile:
        if header not in profiles:
            profiles[header] = _profile(sample[header]) if header in sample.columns else _profile(pd.Series([]))
        return profiles[header]

    options: list[tuple[int, int, float, int, int, Field, str]] = []
    priority = {f: i for i, f in enumerate(_rules())}
    for position, header in enumerate(headers):
        for field in _rules():
            match = header_matches(header, field)
            if match is None:
                continue
            score = _content_score(field, profile(header))
            if score is not None:
                tier, rank = match
                options.append((-tier, priority[field], -score, rank, position, field, header))
    mapping: dict[Field, str] = {}
    taken: set[str] = set()
    for *_, field, header in sorted(options, key=lambda o: o[:5]):
        if field not in mapping and header not in taken:
            mapping[field] = header
            taken.add(header)

    ambiguous: list[Field] = []
    candidates: dict[Field, tuple[str, ...]] = {}
    # money-like by content, and not a header that says otherwise ("Количество", "Вероятность", "Телефон")
    money = [
        h
        for h in headers
        if mapping_field(mapping, h) in (None, Field.AMOUNT)
        and not _excluded(h, Field.AMOUNT)
        and profile(h).money_like
    ]
    similar = [h for h in _similar_amounts(options, mapping.get(Field.AMOUNT)) if mapping_field(mapping, h) is None]
    if Field.AMOUNT not in mapping:
        free = [h for h in money if h not in taken]
        if len(free) == 1:  # the one money-like column: use it, but let the user confirm
            mapping[Field.AMOUNT] = free[0]
            taken.add(free[0])
        if money:
            ambiguous.append(Field.AMOUNT)
    elif similar:
        ambiguous.append(Field.AMOUNT)
    if Field.AMOUNT in ambiguous:
        chosen = mapping.get(Field.AMOUNT)
        candidates[Field.AMOUNT] = tuple(dict.fromkeys([*([chosen] if chosen else []), *similar, *money]))

    kind = DatasetKind.DEALS if (Field.STAGE in mapping or Field.STATUS in mapping) else DatasetKind.SALES
    if kind is DatasetKind.SALES and _looks_like_deals(headers, mapping):
        texts = [h for h in headers if h not in taken and _stage_like(profile(h))]
        if texts:
            kind = DatasetKind.DEALS
            ambiguous.append(Field.STAGE)
            candidates[Field.STAGE] = tuple(texts)
    recognition = Recognition(kind, mapping, headers, tuple(ambiguous), candidates)
    return apply_overrides(recognition, overrides or {})


def mapping_field(mapping: Mapping[Field, str], header: str) -> Field | None:
    return next((f for f, h in mapping.items() if h == header), None)


def _similar_amounts(options: list[tuple[int, int, float, int, int, Field, str]], chosen: str | None) -> list[str]:
    """Other amount headers matched as well as the chosen one (same tier, content as money-like)."""
    amount = [o for o in options if o[5] is Field.AMOUNT]
    best = next((o for o in amount if o[6] == chosen), None)
    if best is None:
        return []
    return [o[6] for o in amount if o[6] != chosen and o[0] == best[0] and abs(o[2] - best[2]) <= CLOSE_SCORE]


def _stage_like(p: _Profile) -> bool:
    return p.low_cardinality and p.distinct >= 2 and p.money < 0.5 and not p.any_date


def _looks_like_deals(headers: Sequence[str], mapping: Mapping[Field, str]) -> bool:
    if Field.PIPELINE in mapping or Field.LOST_REASON in mapping:
        return True
    words = [tuple(normalize_header(w).split()) for w in load_data("columns.yaml")["deal_words"]]
    return any(_has_phrase(normalize_header(h).split(), w) for h in headers for w in words)


def apply_overrides(recognition: Recognition, overrides: Mapping[Field, str]) -> Recognition:
    """The user's column choice always wins: it replaces any recognised mapping of that field or header."""
    mapping = dict(recognition.mapping)
    ambiguous = list(recognition.ambiguous)
    kind = recognition.kind
    for field, header in overrides.items():
        if header not in recognition.headers:
            continue  # a remembered choice for a header this file does not have
        for other in [f for f, h in mapping.items() if h == header and f is not field]:
            del mapping[other]
        mapping[field] = header
        settled = {Field.STAGE, Field.STATUS} if field in (Field.STAGE, Field.STATUS) else {field}
        ambiguous = [f for f in ambiguous if f not in settled]
        if field in (Field.STAGE, Field.STATUS):
            kind = DatasetKind.DEALS
    candidates = {f: c for f, c in recognition.candidates.items() if f in ambiguous}
    return Recognition(kind, mapping, recognition.headers, tuple(ambiguous), candidates)


def extra_columns(headers: Sequence[str], mapping: Mapping[Field, str]) -> dict[str, str]:
    """Helper columns that are not canonical fields, by name: "currency", "closed_alt" -> header."""
    used = set(mapping.values())
    found: dict[str, str] = {}
    for name, words in load_data("columns.yaml")["extra"].items():
        wanted = [normalize_header(w) for w in words]
        for header in headers:
            if header not in used and normalize_header(header) in wanted:
                found[str(name)] = header
                break
    return found
