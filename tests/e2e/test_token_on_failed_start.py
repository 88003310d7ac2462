"""A start that fails on the Bot API ends with one clear line, exit code != 0, and the token nowhere in the output."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from tests.e2e.harness import REPO

pytestmark = pytest.mark.e2e

CONTENT = load_content("ru")
WRONG_TOKEN = "987654:WRONG-secret-token-value"  # the stand-in knows another one: it answers 401 Unauthorized
LEAKED = ("WRONG-secret-token-value", "SECRET-token")


async def _run_main(tmp_path: Path, token: str, api_url: str, limit_s: float) -> tuple[int | None, str]:
    """The bot's exit code (None: still running after `limit_s`, then stopped) and everything it printed."""
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "TELEGRAM_API_URL"}}
    env.update(
        BOT_TOKEN=token,
        TELEGRAM_API_URL=api_url,
        DATABASE_PATH=str(tmp_path / "coach.db"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "main.py"),
        cwd=tmp_path,  # no .env of the repository
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    communicate = asyncio.ensure_future(process.communicate())
    code: int | None
    try:
        stdout, stderr = await asyncio.wait_for(asyncio.shield(communicate), limit_s)
        code = process.returncode
    except TimeoutError:  # a bot that waits for the Bot API to come back: what it printed so far counts
        code = None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = await asyncio.wait_for(communicate, 20)
        except TimeoutError:
            process.kill()
            stdout, stderr = await communicate
    return code, stdout.decode(errors="replace") + stderr.decode(errors="replace")


async def test_a_token_telegram_refuses_is_one_line_without_the_token(stub: BotApiStub, tmp_path: Path) -> None:
    code, output = await _run_main(tmp_path, WRONG_TOKEN, stub.base_url, limit_s=60)
    assert code == 2, output
    assert not any(secret in output for secret in LEAKED), output
    assert "Traceback" not in output, output
    last = output.strip().splitlines()[-1]
    assert CONTENT.t("cli.unauthorized") in last


async def test_a_malformed_api_url_never_prints_the_token(tmp_path: Path) -> None:
    # aiohttp refuses the scheme before connecting, quoting the whole request URL, token included.
    code, output = await _run_main(tmp_path, WRONG_TOKEN, "htp://127.0.0.1:1", limit_s=40)
    assert "/bot<token>/" in output, output  # the URL was there, redacted
    assert not any(secret in output for secret in LEAKED), output
    if code is not None:  # it gave up (rather than waiting for the Bot API): one clear last line
        assert code != 0
        assert "Traceback" not in output, output
        last = output.strip().splitlines()[-1]
        assert CONTENT.t("cli.bot_api_failed", url="htp://127.0.0.1:1", error="")[:30] in last
    with contextlib.closing(sqlite3.connect(tmp_path / "coach.db")) as db:  # failed calls it recorded, if any
        errors = [row[0] for row in db.execute("SELECT error FROM send_failures")]
    assert not any(secret in error for error in errors for secret in LEAKED), errors
