"""The result file of a finished run: article titles, the zone and the «why» of each item, the summary once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.views.history import result_file
from content import Content, load_content
from domain.models import ChecklistRun, Role, RunStatus


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def _run(key: str) -> ChecklistRun:
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    return ChecklistRun(
        id=7,
        team_id=1,
        user_id=501,
        checklist_key=key,
        status=RunStatus.FINISHED,
        started_at=moment,
        finished_at=moment,
        score=None,
        zone=None,
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))


def test_the_csv_names_articles_zone_and_why_and_says_the_summary_once(content: Content) -> None:
    weak_rop = content.checklist("weak_rop")
    answers = {item.key: "yes" for item in weak_rop.items} | {"plan": "no", "calls": "partly"}
    file = result_file(content, weak_rop, _run("weak_rop"), answers, "Europe/Moscow", "csv")
    rows = _csv_rows(file.data)
    header, summary, zone, items = rows[0], rows[1], rows[2], rows[3:]
    assert header == [
        "№",
        "Раздел",
        "Вопрос",
        "Ответ",
        "Балл (0–1)",
        "Почему это важно",
        "Что делать",
        "Источник методики",
    ]
    everything = "\n".join(";".join(row) for row in rows)
    assert everything.count("Итог «") == 1  # the summary line once, not at the top and again at the bottom
    assert summary[0].startswith("Итог «10 признаков неэффективного РОПа» от 30.11.2026: ")
    assert "— Есть признаки неэффективности." in summary[0]
    assert "Балл: 31 из 34 (Да — 2, Частично — 1, Нет — 0)." in summary[0]
    assert zone[0].startswith("Есть признаки неэффективности: «Нет» — меньше чем на половине вопросов")
    assert len(items) == len(weak_rop.items)
    assert ".txt" not in everything
    by_key = dict(zip([item.key for item in weak_rop.items], items, strict=True))
    plan = by_key["plan"]
    assert plan[1] == "Признаки неэффективного РОПа"
    assert plan[5] == weak_rop.item("plan").why and plan[6] == weak_rop.item("plan").action
    assert plan[7] == "Неэффективный РОП: 10 признаков"
    assert by_key["sells"][6] == ""  # «Да»: nothing to do


def test_the_owner_reads_the_owners_wording(content: Content) -> None:
    weak_rop = content.checklist("weak_rop")
    answers = {item.key: "yes" for item in weak_rop.items} | {"plan": "no"}
    rows = _csv_rows(result_file(content, weak_rop, _run("weak_rop"), answers, None, "csv", Role.OWNER).data)
    assert "Укажите на них РОПу — пусть исправляет" in rows[2][0]
    plan = next(row for row in rows[3:] if row[0] == "2")
    assert plan[2] == "РОП составляет для менеджеров план продаж на год вперёд?"


def test_an_old_run_without_the_split_items_still_makes_a_file(content: Content) -> None:
    """A run stored before `marketing` was split: the new items are blank, the old key still counts."""
    six = content.checklist("six")
    new = {"plan_loyal", "an_projects", "strat_edge"}
    answers = {item.key: "yes" for item in six.items if item.key not in new} | {"gone_item": "no"}
    file = result_file(content, six, _run("six"), answers, None, "xlsx")
    sheet = load_workbook(io.BytesIO(file.data)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "100 из 100" in str(values[1][0])
    assert values[3][0] == "3 вопроса добавлены после того, как вы проходили чек-лист: ответов на них нет."
    blank = [row for row in values[4:] if row[3] in (None, "")]
    assert len(blank) == 3
