"""Long polls under load come together: after a poll that brought updates the next one waits out the spacing;
after an empty one (an idle bot) it starts at once; other methods are never delayed."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.methods import GetUpdates, SendMessage

from bot.polling import PollBatching
from tests.fakes.clock import FakeClock


class Api:
    def __init__(self, clock: FakeClock, results: list[list[int]]) -> None:
        self.clock = clock
        self.results = results
        self.started: list[float] = []

    async def __call__(self, bot: Bot, method: Any) -> Any:
        self.started.append(self.clock.monotonic())
        if isinstance(method, GetUpdates):
            await self.clock.sleep(0.005)  # the round trip
            return self.results.pop(0)
        return True


async def test_busy_polls_are_spaced_idle_polls_and_other_calls_are_not() -> None:
    clock = FakeClock()
    api = Api(clock, [[1], [2, 3], [], [4]])
    batching = PollBatching(clock, spacing_s=0.02)
    bot = Bot(token="42:TEST")
    for _ in range(4):
        await batching(api, bot, GetUpdates())
    gaps = [round(b - a, 3) for a, b in zip(api.started, api.started[1:], strict=False)]
    assert gaps == [0.02, 0.02, 0.005]  # after updates: the spacing; after an empty poll: right after its answer

    before = clock.monotonic()
    assert await batching(api, bot, SendMessage(chat_id=1, text="x")) is True
    assert clock.monotonic() == before  # a message is never held back by polling
