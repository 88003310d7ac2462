"""Export engine benchmark (prints figures; not a test): `python -m bench.analytics_bench` or `make bench`.

1. A 1,000,000-row amoCRM-style export (bench.make_export, generated once into a temp folder): a bare
   `pandas.read_csv(path, encoding="cp1251", sep=";")` against the full `analyze(path)` (reading, recognition,
   every metric and signal, no charts), best of 3 each in the same run; the ratio's target is <= 2.0.
   Then one run split by step, to show where the time goes.
2. Peak memory of `analyze` in a child process (VmHWM), against the file size (target <= 5x).
3. A 20 MB export (the Bot API download limit): `analyze` and `analyze_for_bot` (summary, charts, XLSX).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analytics.schema import ReadLimits
from bench.make_export import make_export

BENCH_LIMITS = ReadLimits(max_bytes=1024**3, max_rows=5_000_000)  # the bench file is above the bot's 20 MB
RATIO_TARGET = 2.0
MEMORY_TARGET = 5.0
BOT_LIMIT_BYTES = 20 * 1024 * 1024


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_read(path: Path) -> None:
    import pandas as pd

    pd.read_csv(path, encoding="cp1251", sep=";")


def full_analyze(path: Path) -> None:
    from analytics.engine import analyze

    analyze(path, path.name, limits=BENCH_LIMITS)


def for_bot(path: Path) -> None:
    from analytics.engine import analyze_for_bot
    from analytics.schema import AnalysisParams

    analyze_for_bot(path.read_bytes(), path.name, None, None, BENCH_LIMITS, AnalysisParams())


def steps(path: Path) -> list[tuple[str, float]]:
    """One analysis timed step by step (the same calls analyze makes)."""
    from analytics.columns import recognize
    from analytics.metrics import compute_metrics
    from analytics.normalize import to_deals
    from analytics.reading import open_table
    from analytics.schema import AnalysisParams
    from analytics.signals import find_signals

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        marks.append((name, now - start))
        start = now

    table = open_table(path, path.name, BENCH_LIMITS)
    mark("open_table (detect, header)")
    recognition = recognize(table.headers, table.sample(), None)
    mark("sample + recognize")
    deals = to_deals(table, recognition)
    mark("to_deals (read + parse + normalise)")
    metrics = compute_metrics(deals, recognition.kind, None, AnalysisParams())
    mark("compute_metrics")
    find_signals(metrics, deals, AnalysisParams())
    mark("find_signals")
    return marks


def peak_rss_kib() -> int:
    """This process's peak resident memory. VmHWM belongs to the process image (reset at exec), whereas
    ru_maxrss is inherited across fork from the parent's peak and would report the bench's own memory."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def warm_imports(_path: Path) -> None:
    """The libraries a worker holds once it has served one file: the baseline below every figure."""
    import matplotlib.figure
    import openpyxl
    import pandas

    import analytics.engine

    del matplotlib, openpyxl, pandas, analytics


def peak_memory_mb(function: str, path: Path) -> float:
    """Peak resident memory of a fresh child that imports the engine and runs one function once, in MiB."""
    code = (
        f"from pathlib import Path; from bench.analytics_bench import {function}, peak_rss_kib; "
        f"{function}(Path({str(path)!r})); print(peak_rss_kib())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return int(out.stdout.split()[-1]) / 1024


def ensure(path: Path, rows: int) -> Path:
    if not path.exists():
        start = time.perf_counter()
        make_export(path, rows)
        print(f"generated {path} ({rows:,} rows, {path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - start:.1f} s")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "rop_coach_bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    big = ensure(args.dir / f"export_{args.rows}.csv", args.rows)
    size = big.stat().st_size
    rows_20mb = int(BOT_LIMIT_BYTES * 0.97 / (size / args.rows))
    small = ensure(args.dir / f"export_{rows_20mb}.csv", rows_20mb)

    print(f"\n1) {big.name}: {args.rows:,} rows, {size / 1e6:.1f} MB")
    bare = best_of(args.runs, lambda: bare_read(big))
    full = best_of(args.runs, lambda: full_analyze(big))
    print(f"   pandas.read_csv (cp1251, ';')   {bare:7.2f} s")
    print(f"   analyze (no charts)             {full:7.2f} s")
    verdict = "OK" if full / bare <= RATIO_TARGET else "ABOVE TARGET"
    print(f"   ratio                           {full / bare:7.2f}x  (target <= {RATIO_TARGET}: {verdict})")
    print("   one run by step:")
    for name, seconds in steps(big):
        print(f"     {name:<36}{seconds:6.2f} s")

    print("\n2) peak memory (child process, VmHWM)")
    base_mb = peak_memory_mb("warm_imports", big)
    print(f"   interpreter + pandas + engine   {base_mb:7.0f} MB (a warm worker before any file)")
    bare_mb = peak_memory_mb("bare_read", big)
    print(f"   pandas.read_csv                 {bare_mb:7.0f} MB = {(bare_mb - base_mb) * 2**20 / size:.1f}x the file"
          " above that")
    full_mb = peak_memory_mb("full_analyze", big)
    print(f"   analyze                         {full_mb:7.0f} MB = {(full_mb - base_mb) * 2**20 / size:.1f}x the file"
          f" above that (target <= {MEMORY_TARGET}x)")

    small_size = small.stat().st_size
    print(f"\n3) {small.name}: {rows_20mb:,} rows, {small_size / 1e6:.1f} MB")
    print(f"   analyze (no charts)             {best_of(args.runs, lambda: full_analyze(small)):7.2f} s")
    print(f"   analyze_for_bot (+charts, XLSX) {best_of(args.runs, lambda: for_bot(small)):7.2f} s")
    bot_mb = peak_memory_mb("for_bot", small)
    print(f"   peak memory, analyze_for_bot    {bot_mb:7.0f} MB = {(bot_mb - base_mb) * 2**20 / small_size:.1f}x"
          " the file above a warm worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
