"""The analysis pool: results come back, a slow call times out, a greedy call is capped, the pool recovers."""

from __future__ import annotations

import asyncio
import os
import pickle
import time
from collections.abc import Iterator

import pytest

from analytics.sandbox import AnalysisPool
from analytics.schema import ExportReadError, ReadErrorCode


def add(a: int, b: int, *, scale: int = 1) -> dict[str, int]:
    return {"sum": (a + b) * scale}


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def allocate(n_bytes: int) -> int:
    block = bytearray(n_bytes)
    return len(block)


def die() -> None:
    os._exit(3)  # what a native allocation failure under RLIMIT_AS looks like from outside


def read_headers(data: bytes) -> tuple[str, ...]:
    from analytics.reading import open_table

    return open_table(data).headers


def refuse() -> None:
    raise ExportReadError(ReadErrorCode.NO_HEADER, "row 3")


@pytest.fixture
def pool() -> Iterator[AnalysisPool]:
    created = AnalysisPool(max_workers=1, timeout_s=1.0, memory_limit_bytes=1024**3)
    yield created
    created.shutdown()


def test_export_read_error_pickles_with_code_and_detail() -> None:
    copy = pickle.loads(pickle.dumps(ExportReadError(ReadErrorCode.ZIP_BOMB, "ratio 500:1")))
    assert copy.code is ReadErrorCode.ZIP_BOMB
    assert copy.detail == "ratio 500:1"


async def test_result_and_kwargs_come_back(pool: AnalysisPool) -> None:
    assert await pool.run(add, 2, 3, scale=10) == {"sum": 50}


async def test_reading_runs_in_the_worker(pool: AnalysisPool) -> None:
    assert await pool.run(read_headers, "Сделка;Бюджет \nОкна;100\n".encode("cp1251")) == ("Сделка", "Бюджет")
    with pytest.raises(ExportReadError) as caught:
        await pool.run(read_headers, b"")
    assert caught.value.code is ReadErrorCode.EMPTY


async def test_worker_errors_keep_their_code(pool: AnalysisPool) -> None:
    with pytest.raises(ExportReadError) as caught:
        await pool.run(refuse)
    assert caught.value.code is ReadErrorCode.NO_HEADER
    assert caught.value.detail == "row 3"


async def test_timeout_kills_the_call_and_the_pool_recovers(pool: AnalysisPool) -> None:
    await pool.run(add, 0, 0)  # the worker is warm, so the clock below measures the limit only
    started = time.monotonic()
    with pytest.raises(ExportReadError) as caught:
        await pool.run(sleep_for, 30)
    assert caught.value.code is ReadErrorCode.TIMEOUT
    assert time.monotonic() - started < 1.0 + 2.0
    assert await pool.run(add, 1, 1) == {"sum": 2}


async def test_allocation_over_the_cap_is_out_of_memory_and_the_pool_recovers(pool: AnalysisPool) -> None:
    with pytest.raises(ExportReadError) as caught:
        await pool.run(allocate, 2 * 1024**3)
    assert caught.value.code is ReadErrorCode.OUT_OF_MEMORY
    assert await pool.run(allocate, 10 * 1024**2) == 10 * 1024**2


async def test_dead_worker_is_out_of_memory_and_the_pool_recovers(pool: AnalysisPool) -> None:
    with pytest.raises(ExportReadError) as caught:
        await pool.run(die)
    assert caught.value.code is ReadErrorCode.OUT_OF_MEMORY
    assert await pool.run(add, 2, 2) == {"sum": 4}


async def test_graceful_shutdown_lets_the_running_call_finish() -> None:
    pool = AnalysisPool(timeout_s=5.0, memory_limit_bytes=None)
    await pool.run(add, 0, 0)  # warm
    running = asyncio.create_task(pool.run(sleep_for, 0.5))
    await asyncio.sleep(0.1)
    await asyncio.to_thread(pool.shutdown, True)
    assert await running == "woke"  # not killed
