"""A finished run as a table: the rows of its result file (XLSX or CSV), headers from content.

The rows: the summary once (score, zone, what the score is made of), the zone's advice, then one row per
item with its section, answer, why it matters, what to do (for the weak ones) and the article it comes from.
Texts are in the voice of the person who took the checklist (`role`, see domain.checklists.in_voice).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from analytics.render_format import MINUS, group
from bot.views.common import local_date
from content import Content
from content.loader import seed_stem
from content.schema import Checklist
from domain.checklists import ScorePoints, in_voice, score_run
from domain.models import ChecklistRun, Role

Cell = str | int | float | None

COLUMNS = ("number", "group", "question", "answer", "value", "why", "action", "seed")


def signed(number: int) -> str:
    """A change of score with its sign and a typographic minus: «+5», «−20», «0» (for «80 → 60 (−20)»)."""
    text = group(number)
    return text if number == 0 or text.startswith(MINUS) else f"+{text}"


def seed_title(content: Content, seed: str) -> str:
    """The article's title (content/<locale>/sources.yaml); the file name if it has none."""
    key = f"sources.{seed_stem(seed)}"
    return content.t(key) if content.has(key) else seed


def points_line(content: Content, points: ScorePoints) -> str:
    """«Балл: 14 из 24 (Да — 2, Частично — 1, Нет — 0).» — or «Взвешенный балл…» only when weights differ."""
    scale = ", ".join(content.t("result_file.points_step", label=label, points=value) for label, value in points.scale)
    if points.inverted:
        scale = content.t("result_file.points_inverted", scale=scale, best=points.scale[0][0])
    key = "result_file.points_weighted" if points.weighted else "result_file.points"
    return content.t(key, earned=_number(points.earned), possible=_number(points.possible), scale=scale)


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def run_table(
    content: Content,
    checklist: Checklist,
    run: ChecklistRun,
    answers: dict[str, str],
    timezone: str | None,
    role: Role | None = Role.HEAD,
) -> tuple[list[str], list[Sequence[Cell]]]:
    # Scored again from the answers, like the result screen: the file and the screen agree.
    outcome = score_run(checklist, answers, role)
    voiced = in_voice(checklist, role)
    header = [content.t(f"result_file.columns.{name}") for name in COLUMNS]
    date = local_date(content, run.finished_at or run.started_at, timezone)
    summary = content.t(
        "result_file.summary",
        title=checklist.title,
        date=date,
        score=outcome.score,
        zone=outcome.zone.title,
        points=points_line(content, outcome.points),
    )
    zone = content.t("result_file.zone", zone=outcome.zone.title, text=outcome.zone.text)
    rows: list[Sequence[Cell]] = [[summary], [zone]]
    if outcome.unanswered:
        rows.append([content.plural("result_file.unanswered", len(outcome.unanswered))])
    groups = {group.key: group.title for group in checklist.groups}
    for number, item in enumerate(voiced.items, start=1):
        options = {option.key: option for option in voiced.answers_for(item)}
        chosen = options.get(answers.get(item.key, ""))
        rows.append(
            [
                number,
                groups.get(item.group or "", ""),
                item.question,
                chosen.label if chosen else "",
                chosen.value if chosen else None,
                item.why,
                item.action if chosen is None or chosen.value < 1 else "",
                seed_title(content, item.seed),
            ]
        )
    return header, rows
