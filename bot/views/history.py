"""The /history screen and the result file of a finished run (XLSX or CSV)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, RunCb
from bot.views.checklist_table import run_table
from bot.views.common import Screen, local_date
from content import Content
from content.schema import Checklist
from domain.checklists import in_voice
from domain.models import ChecklistRun, Role
from domain.spreadsheet import Sheet, build_csv, build_xlsx

RUN_BUTTONS_PER_ROW = 5


def history_screen(
    content: Content, runs: list[ChecklistRun], timezone: str | None, role: Role | None = Role.HEAD
) -> Screen:
    """Finished runs, newest first, each with a numbered button that opens its result (zones in `role`'s voice)."""
    if not runs:
        return Screen(content.t("history.empty"))
    lines = [content.t("history.title")]
    builder = InlineKeyboardBuilder()
    for number, run in enumerate(runs, start=1):
        checklist = content.checklists.get(run.checklist_key)
        checklist = None if checklist is None else in_voice(checklist, role)
        title = checklist.title if checklist else run.checklist_key
        zone = next((z.title for z in checklist.zones if z.key == run.zone), "") if checklist else ""
        date = local_date(content, run.finished_at or run.started_at, timezone)
        lines.append(
            content.t("history.line", number=number, date=date, title=escape(title), score=run.score, zone=escape(zone))
        )
        builder.button(text=str(number), callback_data=RunCb(run=run.id, action="show"))
    builder.adjust(RUN_BUTTONS_PER_ROW)
    builder.row(
        *InlineKeyboardBuilder()
        .button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
        .buttons
    )
    return Screen("\n".join(lines), builder.as_markup())


@dataclass(frozen=True, slots=True)
class ResultFile:
    name: str
    data: bytes
    caption: str


def result_file(
    content: Content,
    checklist: Checklist,
    run: ChecklistRun,
    answers: dict[str, str],
    timezone: str | None,
    file_format: str,
    role: Role | None = Role.HEAD,
) -> ResultFile:
    """`file_format` "csv" or "xlsx", worded for the taker's `role` (the head's by default).
    Blocking (openpyxl): call it in a worker thread."""
    header, rows = run_table(content, checklist, run, answers, timezone, role)
    stamp = local_date(content, run.finished_at or run.started_at, timezone).replace(".", "-")
    if file_format == "csv":
        data, extension = build_csv(header, rows), "csv"
    else:
        data, extension = build_xlsx([Sheet(name=checklist.short_title[:31], header=header, rows=rows)]), "xlsx"
    caption = content.t("result_file.caption", title=escape(checklist.title))
    return ResultFile(name=f"{checklist.key}_{stamp}.{extension}", data=data, caption=caption)
