"""The engine's render registry: a registered kind gets its feature's render, any other kind the ordinary reminder
message; a kind registered twice is refused. Then the assembled registry of the bot, on a kind of each sort."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from aiogram import Bot

from bot.renderers import RenderRegistry, register_feature_renderers, reminder_registry
from content import Content, load_content
from domain.digest import NUDGE_KIND
from domain.reminders import DueDelivery
from domain.schedules import Frequency, Rule
from scheduling.sender import Outgoing
from services.reminders import NoWakeUp
from storage import Store, open_store
from tests.fakes.clock import FakeClock

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def _delivery(kind: str, title: str = "Планёрка") -> DueDelivery:
    return DueDelivery(
        id=7,
        reminder_id=3,
        recipient_id=501,
        kind=kind,
        title=title,
        rule=Rule(Frequency.ONCE, at=time(10, 0), start=NOW.date()),
        timezone="Europe/Moscow",
        occurrence_at=NOW,
        late=False,
        snoozed=False,
        attempts=0,
    )


async def _fallback(delivery: DueDelivery) -> Outgoing | None:
    return Outgoing(chat_id=delivery.recipient_id, text=f"generic {delivery.kind}")


async def _special(delivery: DueDelivery) -> Outgoing | None:
    return Outgoing(chat_id=delivery.recipient_id, text=f"special {delivery.kind}")


async def _nothing(delivery: DueDelivery) -> Outgoing | None:
    return None


async def test_a_registered_kind_uses_its_render_and_others_fall_back() -> None:
    registry = RenderRegistry(_fallback)
    registry.register(["digest", "owner_alerts"], _special)
    registry.register(["quiet"], _nothing)
    assert await registry.render(_delivery("digest")) == Outgoing(chat_id=501, text="special digest")
    assert await registry.render(_delivery("owner_alerts")) == Outgoing(chat_id=501, text="special owner_alerts")
    assert await registry.render(_delivery("quiet")) is None  # None passes through: nothing to send
    assert await registry.render(_delivery("brand_new_kind")) == Outgoing(chat_id=501, text="generic brand_new_kind")


def test_a_kind_registered_twice_is_refused() -> None:
    registry = RenderRegistry(_fallback)
    registry.register(["digest"], _special)
    with pytest.raises(ValueError, match="digest"):
        registry.register(["calls", "digest"], _nothing)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    yield opened
    await opened.close()


async def test_the_bots_registry_renders_the_nudge_by_kind_and_an_unknown_kind_as_a_reminder(
    content: Content, store: Store
) -> None:
    clock = FakeClock(NOW)
    registry = reminder_registry(content, clock)
    register_feature_renderers(registry, store, content, Bot(token="42:TEST"), clock, NoWakeUp())
    nudge = await registry.render(_delivery(NUDGE_KIND))
    assert nudge == Outgoing(chat_id=501, text=content.t("digest.nudge"))  # a fixed text, no buttons
    plain = await registry.render(_delivery("some_future_kind", title="Позвонить <Ивану>"))
    assert plain is not None
    # The generic reminder: the escaped title in the «delivered» text, with the answer buttons.
    assert plain.text == content.t("reminders.delivered", title="Позвонить &lt;Ивану&gt;")
    assert plain.reply_markup is not None
