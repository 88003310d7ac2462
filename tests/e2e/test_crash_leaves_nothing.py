"""kill -9 of the bot alone (not its process group): no analysis process outlives it, and an upload it was
reading leaves neither its raw file nor a message stuck at «⏳ Читаю таблицу…» once the bot is back.

The harness starts the bot in its own session and kills the whole group, which would hide orphaned workers:
here only the bot's own pid gets SIGKILL, as an OOM killer or `kill -9 <pid>` would do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bench.make_export import make_export
from content import load_content
from devtools.botapi_stub import BotApiStub
from tests.e2e.harness import BotProcess
from tests.processes import Process, descendants, maps_mention, survivors

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc"),
]

HEAD = 9301
CONTENT = load_content("ru")
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
EXPORT_ROWS = 140_000  # about 18 MB: under the 20 MB the Bot API hands over, seconds to analyse


async def _kill_bot_only(bot: BotProcess) -> set[Process]:
    """SIGKILL the bot's pid alone; returns what ran under it just before."""
    assert bot.process is not None
    before = descendants(bot.process.pid)
    os.kill(bot.process.pid, signal.SIGKILL)
    await bot.process.wait()
    return before


async def _warm_worker(bot: BotProcess, timeout_s: float = 60.0) -> None:
    """Until the analysis worker has its heavy imports in memory (what used to stay behind: 119–172 MB)."""
    assert bot.process is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(maps_mention(pid, "pandas/_libs") for pid, _ in descendants(bot.process.pid)):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("no warm analysis worker under the bot")


async def test_kill_9_of_an_idle_bot_leaves_no_process(bot_process: BotProcess) -> None:
    await _warm_worker(bot_process)
    before = await _kill_bot_only(bot_process)
    assert before  # the worker and multiprocessing's helper were there
    left = await survivors(before)
    assert not left, f"outlived the bot: {left}"


async def _become_head(stub: BotApiStub) -> None:
    stub.add_user(HEAD, "Ирина")
    await stub.send_text(HEAD, "/start")
    await stub.wait_for(HEAD, lambda m: bool(m.markup))
    await stub.click_text(HEAD, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(HEAD, "название")
    await stub.send_text(HEAD, "Юг")
    await stub.wait_for(HEAD, "часовом поясе")
    await stub.click_text(HEAD, "Москва")
    await stub.wait_for(HEAD, lambda m: len(LINK.findall(m.text or "")) == 2)


def _recorded_uploads(db_path: Path) -> list[tuple[int, int | None, str]]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return list(db.execute("SELECT chat_id, message_id, folder FROM uploads_in_progress"))


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_export(tmp_path_factory.mktemp("export") / "сделки.csv", EXPORT_ROWS).read_bytes()


async def test_kill_9_during_an_analysis_leaves_nothing_and_the_person_is_told(
    stub: BotApiStub, bot_process: BotProcess, big_export: bytes
) -> None:
    await _become_head(stub)
    await _warm_worker(bot_process)
    await stub.send_document(HEAD, "сделки.csv", big_export)
    progress = await stub.wait_for(HEAD, CONTENT.t("exports.progress.analysing"), 60)

    before = await _kill_bot_only(bot_process)  # the worker is reading the file right now
    left = await survivors(before)
    assert not left, f"outlived the bot: {left}"

    uploads = bot_process.db_path.parent / "uploads" / bot_process.db_path.name
    [(chat_id, message_id, folder)] = _recorded_uploads(bot_process.db_path)
    assert (chat_id, message_id) == (HEAD, progress.message_id)
    assert (uploads / folder / "upload").stat().st_size == len(big_export)  # what the crash left
    assert oct((uploads / folder).stat().st_mode & 0o777) == oct(0o700)
    assert oct(uploads.stat().st_mode & 0o777) == oct(0o700)
    assert oct(uploads.parent.stat().st_mode & 0o777) == oct(0o700)

    await bot_process.start()  # cleans up before it polls
    shown = next(m for m in stub.messages(HEAD) if m.message_id == progress.message_id)
    assert shown.plain == CONTENT.t("exports.interrupted")
    assert list(uploads.iterdir()) == []
    assert _recorded_uploads(bot_process.db_path) == []

    await stub.send_document(HEAD, "сделки.csv", big_export)  # sending it again works
    report_button = CONTENT.t("exports.report_button")
    await stub.wait_for(HEAD, lambda m: report_button in m.button_texts, 120)
    for _ in range(300):  # the record goes once the charts are sent too
        if not _recorded_uploads(bot_process.db_path):
            break
        await asyncio.sleep(0.1)
    assert _recorded_uploads(bot_process.db_path) == []
    assert list(uploads.iterdir()) == []
