"""The real bot process: a head creates a team, an owner joins by the invite link, the head uploads an export; the
owner's weekly digest, made due by moving its time into the past in the database (the real clock cannot be moved),
arrives with the export's figures. An owner of another team receives nothing of it."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from content import load_content
from devtools.botapi_stub import BotApiStub
from storage.db import to_db_time
from tests.e2e.conftest import MakeBot
from tests.e2e.harness import BotProcess
from tests.e2e.test_export_upload import _export

pytestmark = pytest.mark.e2e

HEAD = 9201
OWNER = 9202
OTHER_HEAD = 9203
OTHER_OWNER = 9204
CONTENT = load_content("ru")
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
NBSP = "\u00a0"
TITLE = "Сводка за неделю"


async def _team(stub: BotApiStub, head: int, owner: int, name: str) -> None:
    """The head creates the team; the owner opens the owner link (the first of the two)."""
    stub.add_user(head, "Ирина")
    await stub.send_text(head, "/start")
    await stub.wait_for(head, lambda m: bool(m.markup))
    await stub.click_text(head, CONTENT.t("start.role_buttons.head"))
    await stub.wait_for(head, "название")
    await stub.send_text(head, name)
    await stub.wait_for(head, "часовом поясе")
    await stub.click_text(head, "Москва")
    links = await stub.wait_for(head, lambda m: len(LINK.findall(m.text or "")) == 2)
    owner_code = LINK.findall(links.text or "")[0]
    stub.add_user(owner, "Олег")
    await stub.send_text(owner, f"/start {owner_code}")
    await stub.wait_for(owner, name)


def _make_digest_due(process: BotProcess, owner: int) -> None:
    """As if the owner's Monday 09:00 had just come: the digest's due time moves a minute into the past."""
    due = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    with sqlite3.connect(process.db_path, timeout=10) as db:
        changed = db.execute(
            "UPDATE reminders SET next_due_at = ? WHERE kind = 'digest' AND user_id = ? AND state = 'active'",
            (to_db_time(due), owner),
        ).rowcount
    assert changed == 1


async def test_the_owner_receives_the_digest_and_another_teams_owner_nothing(
    stub: BotApiStub, make_bot: MakeBot
) -> None:
    process = make_bot(extra_env={"REMINDER_TICK_S": "1"})
    await process.start()
    await _team(stub, HEAD, OWNER, "Север")
    await _team(stub, OTHER_HEAD, OTHER_OWNER, "Юг")

    await stub.send_document(HEAD, "сделки.csv", _export())
    await stub.wait_for(HEAD, lambda m: CONTENT.t("exports.report_button") in m.button_texts, 60)
    other_before = len(stub.messages(OTHER_OWNER))

    _make_digest_due(process, OWNER)
    digest = await stub.wait_for(OWNER, TITLE, 30)
    text = digest.plain
    assert "Север" in text
    # The export ends on 30.06.2026: June 300 000 (deal 3) against May 200 000 (deal 2), +50 %: «лучше».
    assert f"300{NBSP}000" in text and "лучше" in text
    assert "₽" not in text  # the export names no currency: no sign is guessed
    assert not re.search(r"Клиент [А-Я]", text)  # no client names, ever
    assert CONTENT.t("digest.buttons.settings") in digest.button_texts

    for _ in range(100):  # the chart follows the text
        if [m for m in stub.messages(OWNER) if m.photo is not None]:
            break
        await asyncio.sleep(0.1)
    [chart] = [m for m in stub.messages(OWNER) if m.photo is not None]
    assert chart.photo is not None and chart.photo.data.startswith(b"\x89PNG")

    await asyncio.sleep(3)  # a few safety ticks: nothing else goes out
    assert len(stub.messages(OTHER_OWNER)) == other_before
    assert not [m for m in stub.messages(OTHER_OWNER) if TITLE in m.plain]
    assert len([m for m in stub.messages(OWNER) if TITLE in m.plain]) == 1
