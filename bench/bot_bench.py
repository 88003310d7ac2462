"""The bot end to end on a ~20 MB export (prints figures; not a test): `python -m bench.bot_bench`.

One process, one event loop: the Bot API stand-in (as a self-hosted `--local` server, so the bot reads the file
from its disk as it would past the 20 MB limit) and the real bot, built and run by `bot.app.run_bot`, including
its AnalysisPool. A head of sales onboards, sends a small export (the worker's first call), then the big one
`--runs` times. Each run is timed from the upload until the summary (with the report button) and all three
charts are in the chat; a loop-lag probe runs meanwhile. Phases come from the stand-in's own timestamps, and one
more pass times the engine's steps inside a separate worker. Targets (issue 3): <= 3 s on 2 cores, loop lag
< 100 ms, peak memory <= 5x the file size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import pickle
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from devtools.botapi_stub import BotApiStub
    from devtools.botapi_types import ChatEvent

REPO = Path(__file__).resolve().parents[1]
HEAD = 9101
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
SECONDS_TARGET = 3.0
LAG_TARGET_MS = 100.0
MEMORY_TARGET = 5.0
MIB = 1024 * 1024


class ChatClock:
    """Stamps every chat event as the stand-in emits it, so the bot's phases are timed without touching it."""

    def __init__(self, stub: BotApiStub) -> None:
        self.events: list[tuple[float, ChatEvent]] = []
        self._tick = asyncio.Event()
        stub.add_listener(self._on_event)

    def _on_event(self, event: ChatEvent) -> None:
        if event.chat_id == HEAD and event.kind in ("new", "edit") and event.message is not None:
            self.events.append((time.monotonic(), event))
            self._tick.set()

    def first(self, since: int, test: Callable[[ChatEvent], bool], nth: int = 1) -> float | None:
        hits = [at for at, event in self.events[since:] if test(event)]
        return hits[nth - 1] if len(hits) >= nth else None

    async def until(self, since: int, test: Callable[[ChatEvent], bool], nth: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while (found := self.first(since, test, nth)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply within {timeout} s")
            self._tick.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), max(deadline - time.monotonic(), 0.01))
        return found


class LagProbe:
    """asyncio.sleep(10 ms) in a loop; the worst overshoot is how long the loop was blocked."""

    def __init__(self) -> None:
        self.worst, self.worst_at = 0.0, 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            now = loop.time()
            if now - before - 0.01 > self.worst:
                self.worst, self.worst_at = now - before - 0.01, now

    def start(self) -> None:
        self.worst, self.worst_at = 0.0, 0.0
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


@dataclass(frozen=True)
class Run:
    seconds: float
    phases: tuple[tuple[str, float], ...]
    lag_ms: float
    lag_phase: str


def _status_kib(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _descendants() -> list[int]:
    """Our child processes and theirs: the pool's forkserver and, below it, the pool's workers."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
        parents.setdefault(ppid, []).append(int(entry.name))
    found, frontier = [], [os.getpid()]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found += children
        frontier += children
    return found


def _reset_peak(pids: list[int | str]) -> bool:
    """Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each run's peak is its own."""
    try:
        for pid in pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _generate(path: Path, rows: int) -> Path:
    """In a child process: the generator's numpy arrays must not count in the bot process's peak memory."""
    subprocess.run(
        [sys.executable, "-m", "bench.make_export", str(path), str(rows)], check=True, cwd=REPO, capture_output=True
    )
    return path


def engine_steps(data: bytes, filename: str, settings: Settings) -> list[tuple[str, float, int]]:
    """Runs in a pool worker: the calls analyze_for_bot makes, one by one, each with its time and the
    worker's peak resident memory during it (KiB); first the peak of receiving the arguments (the caller
    resets the peak before the call)."""
    import dataclasses

    from analytics.charts import render_charts
    from analytics.columns import recognize
    from analytics.engine import BotAnalysis
    from analytics.metrics import compute_metrics
    from analytics.metrics_json import snapshot_json
    from analytics.normalize import to_deals
    from analytics.reading import open_table
    from analytics.render import render_summary
    from analytics.report import build_report_xlsx
    from analytics.schema import AnalysisParams, AnalysisResult, ReadLimits
    from analytics.signals import find_signals
    from content import load_content

    t = load_content(settings.locale).t
    params = AnalysisParams()
    marks = [("receive the bytes argument (pipe + unpickle)", 0.0, _status_kib("self", "VmHWM"))]
    _reset_peak(["self"])
    start = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal start
        marks.append((name, time.perf_counter() - start, _status_kib("self", "VmHWM")))
        _reset_peak(["self"])
        start = time.perf_counter()

    table = open_table(
        data, filename, ReadLimits(max_bytes=settings.max_upload_bytes, max_rows=settings.max_export_rows)
    )
    recognition = recognize(table.headers, table.sample(), None)
    mark("open_table + recognize")
    deals = to_deals(table, recognition)
    mark("to_deals (read, parse amounts and dates)")
    metrics = compute_metrics(deals, recognition.kind, None, params)
    metrics = dataclasses.replace(metrics, signals=find_signals(metrics, deals, params))
    mark("compute_metrics + find_signals")
    del table, deals  # as in analyze: only the metrics outlive it
    result = AnalysisResult(recognition=recognition, metrics=metrics)
    summary = render_summary(result, t, params)
    mark("render_summary")
    charts = tuple(render_charts(metrics, t, params))
    mark("render_charts (up to 4 PNG)")
    report = build_report_xlsx(result, t)
    mark("build_report_xlsx")
    outcome = BotAnalysis(result, summary, charts, report, snapshot_json(metrics))
    mark("snapshot_json")
    size = len(pickle.dumps(outcome))
    mark(f"pickle the reply ({size / MIB:.2f} MiB)")
    return marks


def worker_reset_peak() -> int:
    """In a worker: its resident memory now (KiB), and its peak reset to that."""
    _reset_peak(["self"])
    return _status_kib("self", "VmRSS")


async def onboard(stub: BotApiStub, head_button: str) -> None:
    """As tests/e2e: /start, the head role, a team name, the Moscow time zone; done when invites are shown."""
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup), 30)
    await stub.click_text(HEAD, head_button)
    await stub.wait_for(HEAD, "название", 30)
    await stub.send_text(HEAD, "Север")
    await stub.wait_for(HEAD, "часовом поясе", 30)
    await stub.click_text(HEAD, "Москва")
    await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text or "")) == 2, 30)


async def upload(
    stub: BotApiStub, clock: ChatClock, lag: LagProbe, name: str, data: bytes, texts: dict[str, str]
) -> Run:
    since, calls = len(clock.events), len(stub.calls)
    start = time.monotonic()
    await stub.send_document(HEAD, name, data)
    lag.start()  # after the stand-in hashed the upload: that is the user's side, not the bot's
    try:
        summary = await clock.until(since, lambda e: texts["button"] in e.message.button_texts, 1, 120)  # type: ignore[union-attr]
        done = await clock.until(since, lambda e: e.message.photo is not None, 3, 60)  # type: ignore[union-attr]
    finally:
        await lag.stop()
    progress = clock.first(since, lambda e: texts["downloading"] in e.message.plain) or start  # type: ignore[union-attr]
    analysing = clock.first(since, lambda e: texts["analysing"] in e.message.plain) or progress  # type: ignore[union-attr]
    get_file = next((c.at for c in stub.calls[calls:] if c.method.lower() == "getfile"), progress)
    group = next((c.at for c in stub.calls[calls:] if c.method.lower() == "sendmediagroup"), summary)
    bounds = [
        ("update polled, handler ran, progress message sent", start, progress),
        ("getFile asked", progress, get_file),
        ("download (local file read into memory)", get_file, analysing),
        ("worker: analysis, summary, charts, XLSX; snapshot + report saved", analysing, summary),
        ("summary edited -> sendMediaGroup request", summary, group),
        ("three charts uploaded", group, done),
    ]
    where = next((name for name, a, b in bounds if a <= lag.worst_at - lag.worst <= b), "after the reply")
    return Run(done - start, tuple((name, b - a) for name, a, b in bounds), lag.worst * 1000, where)


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


async def bench(args: argparse.Namespace) -> None:
    # Imported here, not at the top: every pool worker re-imports this module as __mp_main__ (as it does
    # main.py in production), and must not load aiogram for it.
    from bot.app import run_bot
    from bot.config import Settings
    from content import load_content
    from devtools.botapi_stub import TEST_TOKEN, BotApiStub

    logging.getLogger("aiogram.dispatcher").setLevel(logging.ERROR)  # no "Received SIGTERM" line at the end
    content = load_content("ru")
    texts = {key: content.t(f"exports.progress.{key}") for key in ("downloading", "analysing")}
    texts["button"] = content.t("exports.report_button")
    with tempfile.TemporaryDirectory(prefix="bot_bench_") as tmp_name:
        tmp = Path(tmp_name)
        began = time.perf_counter()
        small = _generate(tmp / "small.csv", 1_000)
        rows = args.rows or int(args.size_mib * MIB / 120)
        big = _generate(tmp / "export.csv", rows)
        if not args.rows:  # one correction: rows get longer as the ids grow
            rows = int(rows * args.size_mib * MIB / big.stat().st_size)
            big = _generate(big, rows)
        size = big.stat().st_size
        print(f"generated {rows:,} rows, {size / MIB:.1f} MiB in {time.perf_counter() - began:.1f} s (child process)")

        stub = BotApiStub(TEST_TOKEN, local_mode=True, files_dir=tmp / "botapi")
        await stub.start()
        clock, lag = ChatClock(stub), LagProbe()
        settings = Settings(
            bot_token=TEST_TOKEN,  # type: ignore[arg-type]
            telegram_api_url=stub.base_url,
            telegram_api_local=True,
            database_path=tmp / "coach.db",
            max_upload_mb=max(25.0, size / MIB + 1),
            log_level="WARNING",
        )
        bot_task = asyncio.create_task(run_bot(settings))
        runs: list[Run] = []
        reset = False
        memory: list[tuple[int, int, int, int]] = []  # worker before, worker peak, main before, main peak (KiB)
        try:
            await stub.wait_for_request("getUpdates", 0, 60)
            await onboard(stub, content.t("start.role_buttons.head"))
            first = await upload(stub, clock, lag, small.name, small.read_bytes(), texts)
            second = await upload(stub, clock, lag, small.name, small.read_bytes(), texts)
            data = big.read_bytes()  # one object: the stand-in keeps every upload, by reference
            for _ in range(args.runs):
                pids = _descendants()
                before = max((_status_kib(pid, "VmRSS") for pid in pids), default=0), _status_kib("self", "VmRSS")
                reset = _reset_peak([*pids, "self"])
                runs.append(await upload(stub, clock, lag, big.name, data, texts))
                worker_peak = max((_status_kib(pid, "VmHWM") for pid in _descendants()), default=0)
                memory.append((before[0], worker_peak, before[1], _status_kib("self", "VmHWM")))
        finally:
            if not bot_task.done() and stub.request_count("getUpdates"):
                signal.raise_signal(signal.SIGTERM)  # polling, so aiogram's handler is set: a graceful stop
            elif not bot_task.done():
                bot_task.cancel()
            try:
                await asyncio.wait_for(bot_task, 30)
            except TimeoutError:
                print("the bot did not stop within 30 s", file=sys.stderr)
            except asyncio.CancelledError:
                pass
            await stub.stop()
        report(args, size, rows, first, second, runs, memory, reset)
        if args.steps:
            await engine_profile(small.read_bytes(), data, big.name, settings)


def report(
    args: argparse.Namespace,
    size: int,
    rows: int,
    first: Run,
    second: Run,
    runs: list[Run],
    memory: list[tuple[int, int, int, int]],
    reset: bool,
) -> None:
    print(
        "mode: stand-in as a self-hosted Bot API server (local_mode=True, files_dir); bot with "
        "telegram_api_local=True, so getFile answers a path and aiogram reads the file from disk"
    )
    print(f"machine: {os.cpu_count()} cores; pool: run_bot's own AnalysisPool (1 worker, forkserver)")
    print(f"first call, 1,000 rows (worker's first analysis): {first.seconds:.2f} s")
    print(f"second call, 1,000 rows (warm worker): {second.seconds:.2f} s")
    print(f"file size: {size / MIB:.2f} MiB ({size / 1e6:.1f} MB)")
    print(f"rows: {rows:,}")
    for n, (run, (w_before, w_peak, m_before, m_peak)) in enumerate(zip(runs, memory, strict=True), 1):
        print(
            f"run {n}: {run.seconds:.2f} s end to end; max loop lag {run.lag_ms:.0f} ms in '{run.lag_phase}'; "
            f"worker peak {w_peak / 1024:.0f} MiB ({(w_peak - w_before) / 1024:.0f} above its "
            f"{w_before / 1024:.0f} before); main peak {(m_peak - m_before) / 1024:.0f} MiB above its "
            f"{m_before / 1024:.0f} before"
        )
        for name, took in run.phases:
            print(f"    {name:<66}{took:6.3f} s")
    seconds = sorted(run.seconds for run in runs)
    best, median = seconds[0], statistics.median(seconds)
    print(f"end-to-end best: {best:.2f} s (target <= {SECONDS_TARGET}: {verdict(best <= SECONDS_TARGET)})")
    print(f"end-to-end median: {median:.2f} s (target <= {SECONDS_TARGET}: {verdict(median <= SECONDS_TARGET)})")
    lag = max(run.lag_ms for run in runs)
    print(
        f"max loop lag during the analysis: {lag:.0f} ms (target < {LAG_TARGET_MS:.0f}: {verdict(lag < LAG_TARGET_MS)})"
    )
    scope = "VmHWM reset before each run" if reset else "lifetime VmHWM: clear_refs was refused"
    warm = memory[0][0]
    peak = max(m[1] for m in memory)
    above = max((m[1] - m[0]) * 1024 / size for m in memory)
    print(
        f"worker peak RSS: {peak / 1024:.0f} MiB = {peak * 1024 / size:.1f}x the file, with its "
        f"{warm / 1024:.0f} MiB warm baseline (interpreter, pandas, matplotlib, engine) ({scope})"
    )
    print(
        f"worker peak RSS above its RSS before the run: {above:.1f}x the file "
        f"(target <= {MEMORY_TARGET}x: {verdict(above <= MEMORY_TARGET)})"
    )
    main_above = max((m[3] - m[2]) * 1024 / size for m in memory)
    print(
        f"main process peak RSS: {max(m[3] for m in memory) / 1024:.0f} MiB; above its RSS before the run: "
        f"{main_above:.1f}x the file (bot + stand-in in one process; they share one copy of the upload)"
    )


async def engine_profile(warm_up: bytes, data: bytes, name: str, settings: Settings) -> None:
    """The engine's steps on the big file in a fresh pool like run_bot's, warmed by the small file first: the
    imports are paid, and little freed heap is left over to hide the big file's peak."""
    from analytics.sandbox import AnalysisPool

    pool = AnalysisPool(
        max_workers=1, timeout_s=settings.analysis_timeout_s, memory_limit_bytes=settings.analysis_memory_mb * MIB
    )
    try:
        await pool.run(engine_steps, warm_up, name, settings)
        before_kib = await pool.run(worker_reset_peak)
        steps = await pool.run(engine_steps, data, name, settings)
    finally:
        pool.shutdown()
    print(
        f"\nengine steps in a worker on the {len(data) / MIB:.1f} MiB file (warmed by the small one): time, and"
        f" peak RSS above the worker's {before_kib / 1024:.0f} MiB before the call"
    )
    for step, took, peak_kib in steps:
        above = (peak_kib - before_kib) / 1024
        print(f"    {step:<50}{took:6.3f} s {above:6.0f} MiB = {above * MIB / len(data):4.1f}x the file")
    print(f"    {'total':<50}{sum(took for _, took, _ in steps):6.3f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--size-mib", type=float, default=19.5, help="export size (default: just under the 20 MiB Bot API limit)"
    )
    parser.add_argument("--rows", type=int, default=0, help="row count instead of --size-mib")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-steps", dest="steps", action="store_false", help="skip the engine step timing")
    asyncio.run(bench(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
