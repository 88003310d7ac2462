"""A finished run as a table: the rows of its result file (XLSX or CSV), headers from content."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.common import local_date
from content import Content
from content.schema import Checklist
from domain.models import ChecklistRun

Cell = str | int | float | None


def run_table(
    content: Content, checklist: Checklist, run: ChecklistRun, answers: dict[str, str], timezone: str | None
) -> tuple[list[str], list[Sequence[Cell]]]:
    header = [
        content.t(f"result_file.columns.{name}") for name in ("number", "question", "answer", "value", "action", "seed")
    ]
    date = local_date(content, run.finished_at or run.started_at, timezone)
    score = run.score if run.score is not None else ""
    summary = content.t("result_file.summary", title=checklist.title, date=date, score=score)
    rows: list[Sequence[Cell]] = [[summary]]
    for number, item in enumerate(checklist.items, start=1):
        options = {option.key: option for option in checklist.answers_for(item)}
        chosen = options.get(answers.get(item.key, ""))
        rows.append(
            [
                number,
                item.question,
                chosen.label if chosen else "",
                chosen.value if chosen else None,
                item.action if chosen is None or chosen.value < 1 else "",
                item.seed,
            ]
        )
    rows.append(["", summary])
    return header, rows
