"""The real bot as a subprocess against the Bot API stand-in: start, kill -9, restart, stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from devtools.botapi_stub import TEST_TOKEN, BotApiStub

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0  # importing aiogram alone takes ~5 s on a 2-core machine


@dataclass
class BotProcess:
    """One bot process at a time; `restart()` keeps the same database file, as a crash and reboot would."""

    stub: BotApiStub
    db_path: Path
    log_path: Path
    argv: list[str] = field(default_factory=lambda: [sys.executable, "main.py"])
    cwd: Path = REPO
    token: str = TEST_TOKEN
    extra_env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            BOT_TOKEN=self.token,
            TELEGRAM_API_URL=self.stub.base_url,
            DATABASE_PATH=str(self.db_path),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    async def start(self, ready_timeout: float = READY_TIMEOUT) -> None:
        """Start the bot and wait until it polls (its first getUpdates after this start)."""
        if self.process is not None and self.process.returncode is None:
            raise AssertionError("the bot process is already running")
        polls_before = self.stub.request_count("getUpdates")
        self.starts += 1
        log = self._open_log()
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=self.cwd,
                env=self.env(),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its analysis workers along
            )
        finally:
            log.close()  # the child holds its own copy
        ready = asyncio.ensure_future(self.stub.wait_for_request("getUpdates", polls_before, ready_timeout))
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        for task in (ready, exited):
            if task not in done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, AssertionError):
                    await task
        if exited in done:
            raise AssertionError(f"the bot exited with {self.process.returncode} before polling\n{self.output()}")
        try:
            ready.result()
        except AssertionError as exc:
            raise AssertionError(f"the bot did not poll within {ready_timeout} s\n{self.output()}") from exc

    def _open_log(self) -> IO[bytes]:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log.write(f"===== start #{self.starts} =====\n".encode())
        log.flush()
        return log

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def restart(self, ready_timeout: float = READY_TIMEOUT) -> None:
        await self.kill()
        await self.start(ready_timeout)

    async def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM (aiogram stops polling gracefully), then SIGKILL after `grace` seconds."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                await self.kill()
        return self.process.returncode

    def output(self, tail: int = 200) -> str:
        """The last lines the bot printed (stdout and stderr, every start)."""
        if not self.log_path.exists():
            return "(no bot output)"
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-tail:])
