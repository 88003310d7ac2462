"""`python main.py analyze FILE [--plans PLANS] [--json] [--charts DIR]`: the engine without Telegram.

Exit code 0 with the report on stdout (readable Russian text, or one JSON object with --json); exit code 1
with one line on stderr saying what was expected when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from analytics.render_format import TextFn
from analytics.schema import AnalysisResult, ExportReadError, ReadLimits

# Local runs are not bound by the Bot API's 20 MB download limit; the row cap and zip checks stay.
CLI_LIMITS = ReadLimits(max_bytes=1024 * 1024 * 1024)

_MONTH_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-\d{1,2})?(?:[ T].*)?$"),  # 2024-03, 2024-03-01
    re.compile(r"^(?:\d{1,2}\.)?(?P<m>\d{1,2})\.(?P<y>\d{4})(?: .*)?$"),  # 03.2024, 01.03.2024
)
_NOT_NUMBER = re.compile(r"[^\d,.\-]")


class PlansError(Exception):
    """The plans file has not the two or three columns it should."""


def main(argv: list[str]) -> int:
    from analytics.engine import analyze, metrics_to_json
    from content.loader import load_content

    content = load_content("ru")
    t = content.t
    if argv and argv[0] == "analyze":
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="main.py analyze")
    parser.add_argument("file", type=Path)
    parser.add_argument("--plans", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--charts", type=Path, default=None)
    args = parser.parse_args(argv)

    try:
        for path in (args.file, args.plans):
            if path is not None and not path.is_file():
                return _fail(t("analytics.cli.not_found", path=str(path)))
        plans = read_plans(args.plans) if args.plans is not None else None
        result = analyze(args.file, args.file.name, plans=plans, limits=CLI_LIMITS)
    except ExportReadError as exc:
        return _fail(t(f"analytics.errors.{exc.code.value}"))
    except PlansError:
        return _fail(t("analytics.cli.plans_bad"))
    except OSError as exc:
        return _fail(t("analytics.cli.not_found", path=str(exc.filename or args.file)))

    saved = _save_charts(result, t, args.charts) if args.charts is not None else []
    if args.json:
        print(json.dumps(metrics_to_json(result, t), ensure_ascii=False, indent=2))
        return 0
    from analytics.render import render_text

    lines = [t("analytics.cli.title", file=args.file.name), "", render_text(result, t), ""]
    lines.append(t("analytics.cli.columns_title"))
    for field, column in result.recognition.mapping.items():
        lines.append(t("analytics.cli.column", field=t(f"analytics.fields.{field.value}"), column=column))
    if saved:
        lines += ["", t("analytics.cli.charts_saved", paths=", ".join(str(p) for p in saved))]
    print("\n".join(lines))
    return 0


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)  # one line, whatever the template's wrapping
    return 1


def _save_charts(result: AnalysisResult, t: TextFn, folder: Path) -> list[Path]:
    from analytics.charts import render_charts

    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, png in render_charts(result.metrics, t):
        path = folder / f"{name}.png"
        path.write_bytes(png)
        saved.append(path)
    return saved


def read_plans(path: Path) -> dict[tuple[str, str], float]:
    """Two columns (manager, plan for the whole period) or three (manager, month, plan), with a header."""
    import pandas as pd

    from analytics.metrics_people import WHOLE_PERIOD
    from analytics.reading import open_table

    table = open_table(path, path.name, CLI_LIMITS)
    if len(table.headers) not in (2, 3):
        raise PlansError(f"{len(table.headers)} columns")
    frame = table.read(list(table.headers))
    plans: dict[tuple[str, str], float] = {}
    for row in frame.itertuples(index=False):  # a plans file has one row per manager and month
        cells = ["" if pd.isna(v) else str(v).strip() for v in row]
        if not cells[0] and not cells[-1]:
            continue
        month = _month(cells[1]) if len(cells) == 3 else WHOLE_PERIOD
        amount = _amount(cells[-1])
        if not cells[0] or month is None or amount is None:
            raise PlansError(f"bad row {cells}")
        key = (cells[0], month)
        plans[key] = plans.get(key, 0.0) + amount
    if not plans:
        raise PlansError("no rows")
    return plans


def _month(text: str) -> str | None:
    for pattern in _MONTH_PATTERNS:
        found = pattern.match(text)
        if found and 1 <= int(found["m"]) <= 12:
            return f"{int(found['y']):04d}-{int(found['m']):02d}"
    return None


def _amount(text: str) -> float | None:
    """ "1 000 000", "1 000 000,50", "1,000,000.50", "1000000 ₽" -> float."""
    cleaned = _NOT_NUMBER.sub("", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")  # 1,000,000.50
    elif cleaned.count(",") == 1 and len(cleaned.rsplit(",", 1)[1]) != 3:
        cleaned = cleaned.replace(",", ".")  # 1000,50
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value >= 0 else None
