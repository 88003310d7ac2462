"""Analysis workers die with the process that made the pool, even on kill -9 of that process alone."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.processes import descendants, maps_mention, survivors

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")

REPO = Path(__file__).resolve().parents[3]
OWNER = """
import asyncio, sys
from analytics.sandbox import AnalysisPool

async def main():
    pool = AnalysisPool(max_workers=1, timeout_s=60, start_method=sys.argv[1])
    busy = asyncio.ensure_future(pool.run(eval, "sum(i * i for i in range(10**10))"))  # on the CPU when killed
    await asyncio.sleep(0.5)
    print("running", flush=True)
    await busy

if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
async def test_workers_and_helpers_die_with_the_owner(start_method: str, tmp_path: Path) -> None:
    said = tmp_path / "owner.out"  # a file, not a pipe: a surviving worker would hold a pipe open forever
    with said.open("wb") as out:
        owner = await asyncio.create_subprocess_exec(sys.executable, "-c", OWNER, start_method, cwd=REPO, stdout=out)
    try:
        for _ in range(600):  # until the worker has done its imports and runs the call
            if b"running" in said.read_bytes() and any(
                maps_mention(pid, "pandas/_libs") for pid, _ in descendants(owner.pid)
            ):
                break
            await asyncio.sleep(0.1)
        before = descendants(owner.pid)
        assert before
    finally:
        os.kill(owner.pid, signal.SIGKILL)  # the owner alone, not its process group
        await owner.wait()
    left = await survivors(before)
    assert not left, f"outlived their owner: {left}"
