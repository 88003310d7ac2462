"""The real bot process when Telegram is away at start: it waits (one line per try) instead of exiting."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from content import load_content
from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from tests.e2e.harness import BotProcess

pytestmark = pytest.mark.e2e

CONTENT = load_content("ru")
USER = 9101
READY_S = 60.0  # importing aiogram alone takes ~5 s on a 2-core machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until_logged(bot: BotProcess, text: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_S
    while text not in bot.output():
        assert bot.process is None or bot.running, bot.output()  # None: not spawned yet
        assert loop.time() < deadline, f"no {text!r} within {READY_S} s\n{bot.output()}"
        await asyncio.sleep(0.2)


async def test_the_bot_waits_for_a_bot_api_that_comes_up_late(tmp_path: Path) -> None:
    port = _free_port()
    stub = BotApiStub(TEST_TOKEN, port=port)
    bot = BotProcess(
        stub=stub,
        db_path=tmp_path / "coach.db",
        log_path=tmp_path / "bot.log",
        extra_env={"TELEGRAM_API_URL": f"http://127.0.0.1:{port}"},
    )
    starting = asyncio.ensure_future(bot.start())  # done once the bot polls the stand-in
    try:
        await _until_logged(bot, "(try 3:")  # 1 + 2 s of waiting and counting: it stays
        await stub.start()
        await starting
        waits = [line for line in bot.output().splitlines() if "the Bot API does not answer" in line]
        assert "(try 1:" in waits[0] and "next try in 1 s" in waits[0], waits
        assert "ClientConnectorError" in waits[0], waits
        assert TEST_TOKEN not in bot.output()
        assert "Traceback" not in bot.output()
        assert dict(stub.commands)["menu"] == CONTENT.t("commands.menu")  # the profile was set once it could be

        stub.add_user(USER, "Ирина")
        await stub.send_text(USER, "/start")
        await stub.wait_for(USER, lambda m: bool(m.markup))
    finally:
        if not starting.done():
            starting.cancel()
        await bot.stop()
        await stub.stop()
