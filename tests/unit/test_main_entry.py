from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_without_token_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, str(REPO / "main.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_token_never_reaches_logs() -> None:
    import logging

    from bot.logs import TokenRedactingFilter

    token = "123456:SECRET-token"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET https://api/bot%s/getMe", (token,), None)
    assert TokenRedactingFilter(token).filter(record)
    assert token not in record.getMessage()
    assert "<token>" in record.getMessage()
