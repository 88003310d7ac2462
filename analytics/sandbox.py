"""A warm process pool for the export engine: a time limit, a memory cap, and recovery after either.

The bot awaits `pool.run(analyze, data, filename)` so pandas, calamine and matplotlib never run on the event
loop (calamine holds the GIL, so a thread would still stall it). A call over its time limit kills the worker;
a MemoryError or a dead worker (a native allocation failure under RLIMIT_AS aborts the process) becomes
OUT_OF_MEMORY. Either way the next call gets a fresh worker.

Workers die with the bot, even on kill -9: they are started with "spawn", so each is a direct child of the bot,
and ask the kernel for SIGKILL when it dies (Linux PR_SET_PDEATHSIG). Where that is not available (another OS,
or a worker that is not a direct child, e.g. under "forkserver") a thread in the worker watches the bot's pid.
The resource tracker multiprocessing starts leaves by itself once the last worker is gone (its pipe closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from analytics.schema import ExportReadError, ReadErrorCode

T = TypeVar("T")
WORKER_START_LIMIT_S = 120.0  # a fresh worker imports pandas, matplotlib and openpyxl
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PARENT_POLL_S = 1.0  # the watcher's period where no pidfd is available


def _kernel_kills_us_with_parent() -> bool:
    """Linux: SIGKILL this process when its parent dies (the parent *thread*, so workers must be started from
    a thread that lives as long as the bot: the event loop's). False where the kernel cannot do it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int, parent_of_ours: int) -> None:
    """Leave at once when the bot is gone: its pidfd turns readable, or (no pidfd) the bot's pid vanishes or
    we are handed to another parent."""
    pidfd_open = getattr(os, "pidfd_open", None)  # Linux 5.3+
    try:
        pidfd = None if pidfd_open is None else pidfd_open(parent_pid)
    except OSError:
        pidfd = None
    if pidfd is not None:
        select.select([pidfd], [], [])
    else:
        while os.getppid() == parent_of_ours:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass  # alive, just not ours to signal
            time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _die_with(parent_pid: int) -> None:
    """Make sure this worker never outlives the bot `parent_pid`, whatever kills the bot."""
    if os.getppid() == parent_pid and _kernel_kills_us_with_parent():
        if os.getppid() != parent_pid:  # the bot died before the kernel was asked: it will never send the signal
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent_pid, os.getppid()), name="parent-watch", daemon=True).start()


def _init_worker(memory_limit_bytes: int | None, parent_pid: int | None = None) -> None:
    """Runs once in each worker: tie its life to the bot's, cap the address space, then pay the heavy imports
    before the first file."""
    if parent_pid is not None:
        _die_with(parent_pid)
    if memory_limit_bytes:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_limit_bytes if hard == resource.RLIM_INFINITY else min(memory_limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    import matplotlib.figure  # noqa: F401  (warm imports: charts and the XLSX report of the first reply)
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401


def _call(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    try:
        return fn(*args, **kwargs)
    except MemoryError as exc:  # numpy's own subclass does not always pickle; send our typed error instead
        raise ExportReadError(ReadErrorCode.OUT_OF_MEMORY, type(exc).__name__) from None


def _noop() -> None:
    return None


class AnalysisPool:
    def __init__(
        self,
        max_workers: int = 1,
        timeout_s: float = 60.0,
        memory_limit_bytes: int | None = 2 * 1024**3,
        start_method: str = "spawn",
    ) -> None:
        self._max_workers = max_workers
        self._timeout_s = timeout_s
        self._memory_limit = memory_limit_bytes
        self._context = multiprocessing.get_context(start_method)
        self._generation = 0  # bumped on every restart, so one broken pool is restarted once
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._memory_limit, os.getpid()),
        )
        # Start a worker now, so the first real call does not wait for imports; calls wait for this warm-up
        # before their own time limit starts, so a slow start is never mistaken for a slow file.
        self._warm = executor.submit(_noop)
        return executor

    def _restart(self, generation: int) -> None:
        if generation != self._generation:
            return  # another call already replaced this pool
        old = self._executor
        # ProcessPoolExecutor cannot cancel a running call (before 3.14): kill its workers.
        for process in list(getattr(old, "_processes", {}).values()):
            process.kill()
        old.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._executor = self._start()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a picklable top-level function in a worker; raises ExportReadError(TIMEOUT | OUT_OF_MEMORY)."""
        for attempt in range(2):
            generation = self._generation
            with contextlib.suppress(BrokenProcessPool, TimeoutError):
                await asyncio.wait_for(asyncio.wrap_future(self._warm), WORKER_START_LIMIT_S)
            try:
                submitted = self._executor.submit(_call, fn, args, kwargs)
            except BrokenProcessPool:  # a worker died while idle: nothing of this call ran yet
                self._restart(generation)
                submitted = self._executor.submit(_call, fn, args, kwargs)
                generation = self._generation
            try:
                return await asyncio.wait_for(asyncio.wrap_future(submitted), self._timeout_s)
            except TimeoutError:
                self._restart(generation)
                raise ExportReadError(ReadErrorCode.TIMEOUT, f"over {self._timeout_s:g} s") from None
            except BrokenProcessPool:
                if generation != self._generation and attempt == 0:
                    continue  # killed because another call timed out: this one deserves a second try
                self._restart(generation)
                raise ExportReadError(ReadErrorCode.OUT_OF_MEMORY, "worker died") from None
            except MemoryError:
                raise ExportReadError(ReadErrorCode.OUT_OF_MEMORY) from None
        raise AssertionError("unreachable")

    def shutdown(self, graceful: bool = False) -> None:
        """Stop the workers. By default at once, killing a running call (the bot is stopping and must not
        hang on it); graceful=True waits for the running call to finish."""
        if not graceful:
            for process in list(getattr(self._executor, "_processes", {}).values()):
                process.kill()
        self._executor.shutdown(wait=graceful, cancel_futures=True)
