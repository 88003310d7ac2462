"""Column recognition: synonyms first, the cells to confirm and break ties, the user's choice over both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analytics.columns import header_matches, recognize
from analytics.reading import open_table
from analytics.schema import DatasetKind, Field, Recognition
from analytics.values_codes import normalize_header

F = Field


def table(rows: list[list[str | None]]) -> tuple[list[str], pd.DataFrame]:
    """Headers (first row) and a sample frame of strings, as a TableSource gives them."""
    headers = [str(h) for h in rows[0]]
    return headers, pd.DataFrame(rows[1:], columns=headers, dtype="str")


def recognized(rows: list[list[str | None]], overrides: dict[Field, str] | None = None) -> Recognition:
    headers, sample = table(rows)
    return recognize(headers, sample, overrides)


# ---- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "normal"),
    [
        ("Бюджет ", "бюджет"),
        ("Deal - Value", "deal value"),
        ("close_value", "close value"),
        ("StageName", "stage name"),
        ("IsWon", "is won"),
        ("Источник (2)", "источник"),
        ("Дата закрытия, Ёлка", "дата закрытия елка"),
    ],
)
def test_normalize_header(header: str, normal: str) -> None:
    assert normalize_header(header) == normal


@pytest.mark.parametrize(
    ("header", "field", "tier"),
    [
        ("Бюджет ", F.AMOUNT, 3),
        ("Сумма с НДС", F.AMOUNT, 3),
        ("Сумма оплаты по счёту", F.AMOUNT, 2),
        ("Amount", F.AMOUNT, 3),
        ("Deal - Value", F.AMOUNT, 3),
        ("close_value", F.AMOUNT, 3),
        ("Этап сделки", F.STAGE, 3),
        ("StageName", F.STAGE, 3),
        ("Deal - Status", F.STATUS, 3),
        ("IsWon", F.STATUS, 3),
        ("Ответственный", F.MANAGER, 3),
        ("Opportunity Owner", F.MANAGER, 3),
        ("sales_agent", F.MANAGER, 3),
        ("Дата создания сделки", F.CREATED, 3),
        ("Deal - Deal created", F.CREATED, 2),
        ("CloseDate", F.CLOSED, 3),
        ("Closing Date", F.CLOSED, 3),
        ("Контрагент", F.CLIENT, 3),
        ("Повторная сделка", F.IS_REPEAT, 3),
        ("Причина отказа", F.LOST_REASON, 3),
        ("Себестоимость", F.COST, 3),
        ("Валовая прибыль", F.MARGIN, 3),
        ("Воронка", F.PIPELINE, 3),
    ],
)
def test_header_synonyms(header: str, field: Field, tier: int) -> None:
    match = header_matches(header, field)
    assert match is not None and match[0] == tier


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Сумма НДС", F.AMOUNT),
        ("Мобильный телефон", F.AMOUNT),
        ("Amount in company currency", F.AMOUNT),
        ("Expected Revenue", F.AMOUNT),
        ("Ответственный за контакт", F.MANAGER),
        ("Дата редактирования", F.CLOSED),
        ("Кем создана сделка", F.CREATED),
        ("Stage Duration", F.STAGE),
    ],
)
def test_headers_that_are_not_the_field(header: str, field: Field) -> None:
    assert header_matches(header, field) is None


# ---- the fixtures, one per CRM: expected mappings written by hand from their headers ----------------------

FIXTURE_MAPPINGS: dict[str, tuple[DatasetKind, dict[Field, str]]] = {
    "amocrm.csv": (
        DatasetKind.DEALS,
        {
            F.DEAL_ID: "ID",
            F.TITLE: "Название сделки",
            F.AMOUNT: "Бюджет",  # "Бюджет " with its trailing space, cleaned by the reader
            F.MANAGER: "Ответственный",
            F.CREATED: "Дата создания сделки",
            F.CLOSED: "Дата закрытия",
            F.STAGE: "Этап сделки",
            F.PIPELINE: "Воронка",
            F.CLIENT: "Полное имя контакта",  # "Компания" is filled in 4 of 8 rows, the contact in all
            F.SOURCE: "Источник",
            F.LOST_REASON: "Причина отказа",
        },
    ),
    "bitrix24.csv": (
        DatasetKind.DEALS,
        {
            F.DEAL_ID: "ID",
            F.TITLE: "Название",
            F.STAGE: "Стадия сделки",
            F.AMOUNT: "Сумма",
            F.MANAGER: "Ответственный",
            F.CREATED: "Дата создания",
            F.CLOSED: "Предполагаемая дата закрытия",
            F.CLIENT: "Компания",
            F.SOURCE: "Источник",
            F.IS_REPEAT: "Повторная сделка",
        },
    ),
    "bitrix24_report.xls": (
        DatasetKind.DEALS,
        {
            F.DEAL_ID: "ID",
            F.TITLE: "Название сделки",
            F.STAGE: "Стадия",
            F.AMOUNT: "Сумма",
            F.MANAGER: "Ответственный",
            F.CREATED: "Дата создания",
            F.CLIENT: "Компания",
        },
    ),
    "hubspot.csv": (
        DatasetKind.DEALS,
        {
            F.DEAL_ID: "Record ID",
            F.TITLE: "Deal Name",
            F.STAGE: "Deal Stage",
            F.AMOUNT: "Amount",
            F.CLOSED: "Close Date",
            F.CREATED: "Create Date",
            F.MANAGER: "Deal owner",
            F.PIPELINE: "Pipeline",
            F.IS_REPEAT: "Deal Type",
            F.CLIENT: "Associated Company",
        },
    ),
    "pipedrive.csv": (
        DatasetKind.DEALS,
        {
            F.DEAL_ID: "Deal - ID",
            F.TITLE: "Deal - Title",
            F.AMOUNT: "Deal - Value",
            F.STATUS: "Deal - Status",
            F.STAGE: "Deal - Stage",
            F.MANAGER: "Deal - Owner",
            F.CLIENT: "Deal - Organization",
            F.CREATED: "Deal - Deal created",
            F.CLOSED: "Deal - Won time",
            F.LOST_REASON: "Deal - Lost reason",
        },
    ),
    "salesforce_report.csv": (
        DatasetKind.DEALS,
        {
            F.TITLE: "Opportunity Name",
            F.CLIENT: "Account Name",
            F.MANAGER: "Opportunity Owner",
            F.STAGE: "Stage",
            F.AMOUNT: "Amount",
            F.CLOSED: "Close Date",
            F.CREATED: "Created Date",
            F.SOURCE: "Lead Source",
            F.IS_REPEAT: "Type",
        },
    ),
    "zoho.csv": (
        DatasetKind.DEALS,
        {
            F.TITLE: "Potential Name",
            F.MANAGER: "Potential Owner",
            F.CLIENT: "Account Name",
            F.AMOUNT: "Amount",
            F.STAGE: "Stage",
            F.IS_REPEAT: "Type",
            F.SOURCE: "Lead Source",
            F.CREATED: "Created Time",
            F.CLOSED: "Closing Date",
        },
    ),
    "onec_sales.csv": (
        DatasetKind.SALES,
        {
            F.DEAL_ID: "Документ",
            F.CLOSED: "Дата",
            F.CLIENT: "Контрагент",
            F.MANAGER: "Менеджер",
            F.AMOUNT: "Сумма",
            F.COST: "Себестоимость",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_MAPPINGS))
def test_fixture_columns(name: str, fixtures_dir: Path) -> None:
    kind, mapping = FIXTURE_MAPPINGS[name]
    source = open_table(fixtures_dir / name)
    result = recognize(source.headers, source.sample())
    assert result.kind is kind
    assert result.mapping == mapping
    assert result.ambiguous == ()


def test_hand_made_excel_columns(excel_manual: Path) -> None:
    source = open_table(excel_manual)
    result = recognize(source.headers, source.sample())
    assert result.kind is DatasetKind.DEALS
    assert result.mapping == {
        F.CLIENT: "Клиент",
        F.AMOUNT: "Сумма сделки",
        F.STATUS: "Статус",
        F.MANAGER: "Менеджер",
        F.CLOSED: "Дата",
    }


# ---- the real exports in ../shared/exports -------------------------------------------------------------------


def test_real_amocrm_export(shared_export: Callable[[str], Path]) -> None:
    source = open_table(shared_export("amocrm_leads_export.csv"))
    result = recognize(source.headers, source.sample())
    assert result.kind is DatasetKind.DEALS
    assert result.mapping[F.AMOUNT] == "Бюджет"
    assert result.mapping[F.STAGE] == "Этап сделки"
    assert result.mapping[F.MANAGER] == "Ответственный"
    assert result.mapping[F.CLOSED] == "Дата закрытия"
    assert result.mapping[F.CREATED] == "Дата создания сделки"
    assert result.mapping[F.SOURCE] == "Источник"  # 19 of 20 filled; "Источник (2)" only 2
    assert F.AMOUNT not in result.ambiguous


def test_real_maven_export(shared_export: Callable[[str], Path]) -> None:
    source = open_table(shared_export("maven_crm_sales_pipeline.csv"))
    result = recognize(source.headers, source.sample())
    assert result.kind is DatasetKind.DEALS
    assert result.mapping == {
        F.DEAL_ID: "opportunity_id",
        F.MANAGER: "sales_agent",
        F.CLIENT: "account",
        F.STAGE: "deal_stage",
        F.CREATED: "engage_date",
        F.CLOSED: "close_date",
        F.AMOUNT: "close_value",
    }
    assert result.ambiguous == ()


# ---- content decides ties and contradictions ----------------------------------------------------------------


def test_amount_is_the_money_like_column_not_an_id_or_a_phone() -> None:
    result = recognized(
        [
            ["Сумма", "Сумма счёта", "Клиент", "Этап"],
            ["89001234567", "1 200,50", "ООО А", "Новая"],
            ["89007654321", "3 400,00", "ООО Б", "Успешно"],
            ["89005550000", "990,00", "ООО В", "Новая"],
        ]
    )
    assert result.mapping[F.AMOUNT] == "Сумма счёта"  # "Сумма" holds phone numbers


def test_date_header_with_non_dates_is_not_a_date() -> None:
    result = recognized(
        [
            ["Дата закрытия", "Закрыта", "Сумма", "Этап"],
            ["Иванов", "01.02.2024", "100", "Новая"],
            ["Петров", "03.02.2024", "200", "Новая"],
        ]
    )
    assert result.mapping[F.CLOSED] == "Закрыта"


def test_client_is_the_filled_column_among_synonyms() -> None:
    result = recognized(
        [
            ["Компания", "Контакт", "Сумма", "Статус"],
            [None, "Иван", "100", "Выиграна"],
            [None, "Мария", "200", "Проиграна"],
            ["ООО А", "Олег", "300", "В работе"],
        ]
    )
    assert result.mapping[F.CLIENT] == "Контакт"


def test_status_column_needs_status_words() -> None:
    result = recognized(
        [
            ["Статус", "Сумма", "Дата"],
            ["VIP", "100", "01.02.2024"],
            ["Обычный", "200", "02.02.2024"],
            ["Обычный", "300", "03.02.2024"],
        ]
    )
    assert F.STATUS not in result.mapping
    assert result.kind is DatasetKind.SALES


def test_sales_table_without_stage() -> None:
    result = recognized(
        [
            ["Покупатель", "Дата", "Сумма", "Менеджер"],
            ["ООО А", "01.02.2024", "100", "Иванов"],
            ["ООО Б", "02.02.2024", "200", "Петров"],
        ]
    )
    assert result.kind is DatasetKind.SALES
    assert result.mapping == {F.CLIENT: "Покупатель", F.CLOSED: "Дата", F.AMOUNT: "Сумма", F.MANAGER: "Менеджер"}


# ---- ambiguity and the user's choice -------------------------------------------------------------------------


def test_two_similar_amount_columns_are_ambiguous() -> None:
    result = recognized(
        [
            ["Клиент", "Сумма", "Сумма с НДС", "Дата"],
            ["ООО А", "1 000,00", "1 200,00", "01.02.2024"],
            ["ООО Б", "2 000,00", "2 400,00", "02.02.2024"],
        ]
    )
    assert result.mapping[F.AMOUNT] == "Сумма"  # the preferred synonym, for a first computation
    assert result.ambiguous == (F.AMOUNT,)
    assert result.candidates[F.AMOUNT][:2] == ("Сумма", "Сумма с НДС")


def test_no_amount_header_offers_the_money_like_columns() -> None:
    result = recognized(
        [
            ["Клиент", "Показатель 1", "Показатель 2", "Дата"],
            ["ООО А", "1 000,00", "15,5", "01.02.2024"],
            ["ООО Б", "2 000,00", "16,5", "02.02.2024"],
        ]
    )
    assert F.AMOUNT not in result.mapping
    assert result.ambiguous == (F.AMOUNT,)
    assert set(result.candidates[F.AMOUNT]) == {"Показатель 1", "Показатель 2"}


def test_one_unnamed_money_column_is_used_but_confirmed() -> None:
    result = recognized(
        [
            ["Клиент", "Итог по договору", "Дата"],
            ["ООО А", "1 000,00", "01.02.2024"],
            ["ООО Б", "2 000,00", "02.02.2024"],
        ]
    )
    assert result.mapping[F.AMOUNT] == "Итог по договору"
    assert result.ambiguous == (F.AMOUNT,)
    assert result.candidates[F.AMOUNT] == ("Итог по договору",)


def test_nothing_money_like_gives_no_candidates() -> None:
    result = recognized([["Клиент", "Комментарий"], ["ООО А", "звонил"], ["ООО Б", "не звонил"]])
    assert F.AMOUNT not in result.mapping
    assert F.AMOUNT not in result.candidates


def test_quantity_or_probability_is_never_offered_as_the_amount() -> None:
    result = recognized(
        [
            ["Клиент", "Количество", "Вероятность", "Дата"],
            ["ООО А", "3", "50", "01.02.2024"],
            ["ООО Б", "10", "90", "02.02.2024"],
        ]
    )
    assert F.AMOUNT not in result.mapping
    assert F.AMOUNT not in result.candidates


def test_deals_without_a_stage_column_offer_low_cardinality_columns() -> None:
    result = recognized(
        [
            ["Название сделки", "Сумма", "Шаг", "Комментарий"],
            ["Сделка 1", "100", "Звонок", "a"],
            ["Сделка 2", "200", "Встреча", "b"],
            ["Сделка 3", "300", "Звонок", "c"],
            ["Сделка 4", "400", "Встреча", "d"],
            ["Сделка 5", "500", "Звонок", "e"],
            ["Сделка 6", "600", "Встреча", "f"],
            ["Сделка 7", "700", "Звонок", "g"],
            ["Сделка 8", "800", "Встреча", "h"],
            ["Сделка 9", "900", "Звонок", "i"],
            ["Сделка 10", "1000", "Встреча", "j"],
            ["Сделка 11", "1100", "Звонок", "k"],
        ]
    )
    assert result.kind is DatasetKind.DEALS
    assert result.ambiguous == (F.STAGE,)
    assert result.candidates[F.STAGE] == ("Шаг",)


def test_overrides_win() -> None:
    rows: list[list[str | None]] = [
        ["Клиент", "Сумма", "Сумма с НДС", "Шаг"],
        ["ООО А", "1 000,00", "1 200,00", "Звонок"],
        ["ООО Б", "2 000,00", "2 400,00", "Встреча"],
    ]
    result = recognized(rows, {F.AMOUNT: "Сумма с НДС", F.STAGE: "Шаг"})
    assert result.mapping[F.AMOUNT] == "Сумма с НДС"
    assert result.mapping[F.STAGE] == "Шаг"
    assert result.kind is DatasetKind.DEALS
    assert result.ambiguous == ()
    assert result.candidates == {}


def test_override_takes_a_header_from_another_field() -> None:
    result = recognized(
        [["Клиент", "Сумма", "Себестоимость"], ["ООО А", "100", "60"], ["ООО Б", "200", "120"]],
        {F.AMOUNT: "Себестоимость"},
    )
    assert result.mapping[F.AMOUNT] == "Себестоимость"
    assert F.COST not in result.mapping


def test_override_for_a_missing_header_is_ignored() -> None:
    result = recognized([["Клиент", "Сумма"], ["ООО А", "100"]], {F.AMOUNT: "Нет такой"})
    assert result.mapping[F.AMOUNT] == "Сумма"


def test_header_signature_is_stable_for_the_same_layout() -> None:
    first = recognized([["Клиент", "Сумма"], ["ООО А", "100"]])
    second = recognized([["клиент ", "СУММА"], ["ООО Б", "5"]])
    assert first.header_signature == second.header_signature
