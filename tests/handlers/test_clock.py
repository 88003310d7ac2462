"""Handlers read the time from the injected clock only: a fake clock moves invites and answers in time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot

from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head
from tests.handlers.recording import RecordingSession

START = datetime(2031, 1, 15, 7, 0, tzinfo=UTC)  # far from the real date, so a real clock would show


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def timed(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    dispatcher = create_dispatcher(settings, store, content, clock=clock)
    bot = Bot(token="42:TEST", session=session)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def test_team_and_invites_are_stamped_by_the_clock(timed: FakeTelegram, clock: FakeClock) -> None:
    await onboard_head(timed)
    membership = await timed.store.teams.current_membership(HEAD)
    assert membership is not None
    team = await timed.store.teams.get_for(HEAD, membership.team_id)
    assert team.created_at == START
    invites = await timed.store.invites.active(HEAD, team.id, clock.now())
    assert {invite.created_at for invite in invites} == {START}
    assert "29.01.2031" in timed.last_text(HEAD)  # the links' expiry: 14 days on the fake calendar


async def test_an_invite_expires_when_the_clock_says_so(timed: FakeTelegram, clock: FakeClock) -> None:
    _, member_code = await onboard_head(timed)
    clock.advance(timedelta(days=15))
    await timed.send(MEMBER, f"/start {member_code}")
    assert timed.last_text(MEMBER) == timed.content.t("errors.invite_invalid")
    assert await timed.store.teams.current_membership(MEMBER) is None
