from __future__ import annotations

import pytest

from analytics.plans import PlansError, parse_amount, parse_month, parse_plan_text, read_plans
from analytics.schema import ReadLimits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 500 000", 1_500_000.0),
        ("1\u00a0500\u00a0000 ₽", 1_500_000.0),
        ("1,500,000.50", 1_500_000.5),
        ("1500000,5", 1_500_000.5),
        ("2 000 000 руб.", 2_000_000.0),
        ("", None),
        ("много", None),
        ("-5", None),
    ],
)
def test_parse_amount(text: str, expected: float | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-12", "2026-12"), ("12.2026", "2026-12"), ("01.03.2026", "2026-03"), ("2026-13", None), ("дек", None)],
)
def test_parse_month(text: str, expected: str | None) -> None:
    assert parse_month(text) == expected


def test_plan_lines_in_every_accepted_shape() -> None:
    text = "\n".join(
        [
            "Иванов Иван; 1 500 000",
            "Петрова Анна — 2 000 000 ₽",
            "Сидоров 900000",
            "Козлов; 2026-12; 1 200 000",
            "",
            "просто слова",
            "Смирнов; 13.2026; 100",
        ]
    )
    parsed = parse_plan_text(text, default_month="2026-11")
    assert parsed.plans == {
        ("Иванов Иван", "2026-11"): 1_500_000.0,
        ("Петрова Анна", "2026-11"): 2_000_000.0,
        ("Сидоров", "2026-11"): 900_000.0,
        ("Козлов", "2026-12"): 1_200_000.0,
    }
    assert parsed.bad_lines == (6, 7)


def test_plans_file_with_two_and_three_columns() -> None:
    two = "Менеджер;План\nИванов;1 000 000\nПетрова;500 000\n".encode("cp1251")
    assert read_plans(two, "plans.csv", ReadLimits(), whole_period="2026-11") == {
        ("Иванов", "2026-11"): 1_000_000.0,
        ("Петрова", "2026-11"): 500_000.0,
    }
    three = b"manager,month,plan\nIvanov,2026-10,100\nIvanov,2026-11,200\n"
    assert read_plans(three, "plans.csv", ReadLimits()) == {("Ivanov", "2026-10"): 100.0, ("Ivanov", "2026-11"): 200.0}


def test_plans_file_with_wrong_shape_is_refused() -> None:
    with pytest.raises(PlansError):
        read_plans(b"a;b;c;d\n1;2;3;4\n", "plans.csv", ReadLimits())


def test_a_file_looks_like_plans_or_is_left_to_the_export_analysis() -> None:
    from analytics.plans import read_plans_if_plans

    limits = ReadLimits()
    headed = "Менеджер;План\nИванов;1 000 000\n".encode()
    assert read_plans_if_plans(headed, "p.csv", limits, "2026-11") == {("Иванов", "2026-11"): 1_000_000.0}
    unheaded = "Имя;Месяц;Сумма\nИванов;2026-11;100\nПетрова;01.12.2026;200\n".encode()
    expected = {("Иванов", "2026-11"): 100.0, ("Петрова", "2026-12"): 200.0}
    assert read_plans_if_plans(unheaded, "p.csv", limits) == expected
    # A deals export: days' dates, the same manager and month twice, more columns, or rows that are not plans.
    days = "Менеджер;Дата закрытия;Сумма\nИванов;2026-11-15;100\n".encode()
    repeated = "Менеджер;Месяц;Сумма\nИванов;2026-11;100\nИванов;2026-11;50\n".encode()
    wide = "Сделка;Этап;Менеджер;Сумма\n1;Новая;Иванов;100\n".encode()
    words = "Менеджер;Этап\nИванов;Новая\n".encode()
    for data in (days, repeated, wide, words):
        assert read_plans_if_plans(data, "deals.csv", limits) is None
    # Headed as plans but not plans: the head meant plans, so the answer is about the plans file.
    with pytest.raises(PlansError):
        read_plans_if_plans("Менеджер;Месяц;План\nИванов;потом;много\n".encode(), "p.csv", limits)
    with pytest.raises(PlansError):
        read_plans_if_plans("Менеджер;Этап;Сумма;План\nИванов;Новая;1;2\n".encode(), "p.csv", limits)
