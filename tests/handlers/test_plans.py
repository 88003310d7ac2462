from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import Chat, Document, Message, Update

from analytics.sandbox import AnalysisPool
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head


def _month() -> str:
    return datetime.now(ZoneInfo("Europe/Moscow")).strftime("%Y-%m")


async def _team(tg: FakeTelegram) -> int:
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def test_typed_plans_are_saved_for_the_current_month(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    await tg.send(HEAD, "Иванов Иван; 1 500 000\nПетрова; 2031-02; 700 000\nбез суммы")
    plans = await tg.store.plans.for_team(HEAD, await _team(tg))
    assert plans == {("Иванов Иван", _month()): 1_500_000.0, ("Петрова", "2031-02"): 700_000.0}
    assert tg.last_text(HEAD) == tg.content.t("plans.bad_lines", lines="3")
    await tg.send(HEAD, "/plans")
    assert "Иванов Иван" in tg.last_text(HEAD) and "2031-02" in tg.last_text(HEAD)


async def test_member_cannot_set_plans(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/plans")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")


@pytest.fixture
async def pool() -> AsyncIterator[AnalysisPool]:
    analysis = AnalysisPool(max_workers=1, timeout_s=30)
    yield analysis
    analysis.shutdown()


async def test_plans_file_is_read_off_the_loop_and_saved(
    tg: FakeTelegram, pool: AnalysisPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    content = "Менеджер;План\nИванов;1 000 000\nПетрова;500 000\n".encode("cp1251")

    async def fake_download(file: str, destination: Path, **_: object) -> None:
        destination.write_bytes(content)  # noqa: ASYNC240  (a test double of the download)

    monkeypatch.setattr(tg.bot, "download", fake_download)
    message = Message(
        message_id=77,
        date=datetime.now(ZoneInfo("UTC")),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="f1", file_unique_id="u1", file_name="планы.csv", file_size=len(content)),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9999, message=message), analysis_pool=pool)
    plans = await tg.store.plans.for_team(HEAD, await _team(tg))
    assert plans == {("Иванов", _month()): 1_000_000.0, ("Петрова", _month()): 500_000.0}
    assert tg.last_text(HEAD) == tg.content.t("plans.saved", count=2)
