"""`python main.py analyze FILE [--plans PLANS] [--json] [--charts DIR] [--column FIELD=HEADER ...]`: the engine
without Telegram.

`--column amount=Sales` is the choice the bot asks for with buttons when a column is ambiguous: the same override
(analytics.columns.apply_overrides) wins over recognition.

Exit code 0 with the report on stdout (readable Russian text, or one JSON object with --json); exit code 1
with one line on stderr saying what was expected when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.render_format import TextFn
from analytics.schema import AnalysisResult, ExportReadError, Field, ReadLimits

# Local runs are not bound by the Bot API's 20 MB download limit; the row cap and zip checks stay.
CLI_LIMITS = ReadLimits(max_bytes=1024 * 1024 * 1024)


def main(argv: list[str]) -> int:
    from analytics.engine import analyze, metrics_to_json
    from analytics.plans import PlansError, read_plans
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
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=HEADER")
    args = parser.parse_args(argv)

    try:
        for path in (args.file, args.plans):
            if path is not None and not path.is_file():
                return _fail(t("analytics.cli.not_found", path=str(path)))
        fields = _fields(args.column, t)
        if isinstance(fields, str):
            return _fail(fields)
        overrides = _overrides(args.file, fields, t) if fields else {}
        if isinstance(overrides, str):
            return _fail(overrides)
        plans = read_plans(args.plans, args.plans.name, CLI_LIMITS) if args.plans is not None else None
        result = analyze(args.file, args.file.name, plans=plans, overrides=overrides, limits=CLI_LIMITS)
    except ExportReadError as exc:
        return _fail(t(f"analytics.errors.{exc.code.value}", limit=CLI_LIMITS.max_bytes // 2**20))
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


def _fields(pairs: list[str], t: TextFn) -> list[tuple[Field, str]] | str:
    """ "amount=Sales" -> (Field.AMOUNT, "Sales"); the field by its code or its Russian name ("сумма").
    A str is the error text."""
    names = {f.value: f for f in Field} | {t(f"analytics.fields.{f.value}").casefold(): f for f in Field}
    out = []
    for pair in pairs:
        name, sep, header = pair.partition("=")
        field = names.get(name.strip().casefold())
        if not sep or field is None:
            return t("analytics.cli.column_bad", value=pair, fields=", ".join(f.value for f in Field))
        out.append((field, header.strip()))
    return out


def _overrides(path: Path, fields: list[tuple[Field, str]], t: TextFn) -> dict[Field, str] | str:
    """The headers of the file named exactly, or else the one header equal to it ignoring case and punctuation.
    A str is the error text."""
    from analytics.reading import open_table
    from analytics.values_codes import normalize_header

    headers = open_table(path, path.name, CLI_LIMITS).headers
    out = {}
    for field, wanted in fields:
        loose = [h for h in headers if wanted and normalize_header(h) == normalize_header(wanted)]
        header = wanted if wanted in headers else loose[0] if len(loose) == 1 else None
        if header is None:
            quoted = ", ".join(f"«{h}»" for h in headers)
            return t("analytics.cli.column_unknown", header=wanted, headers=quoted)
        out[field] = header
    return out


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
