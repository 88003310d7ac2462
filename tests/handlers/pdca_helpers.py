"""What the /pdca handler tests share (test_pdca_plan.py, test_pdca_check_act.py): the bot on a fake clock that
starts on Tuesday 1 December 2026, the head's team, a custom plan typed step by step, an export's snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.models import Team
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD

# Tuesday 1 December 2026, 08:00 in Moscow.
START = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
NBSP = "\u00a0"


async def head_team(tg: FakeTelegram, clock: FakeClock) -> Team:
    await tg.store.users.upsert_seen(HEAD, "Анна", None, clock.now())
    return await tg.store.teams.create(HEAD, "Альфа", "Europe/Moscow", clock.now())


def text_of(tg: FakeTelegram, key: str, **kwargs: object) -> str:
    return tg.content.t(key, **kwargs)


async def plan_custom(tg: FakeTelegram, goal: str = "Больше встреч с ЛПР") -> None:
    """/pdca → new → a custom metric 12 → 20, in two weeks, two actions; stops at the plan card."""
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.new")))
    await tg.send(HEAD, goal)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.metrics.custom")))
    await tg.send(HEAD, "Встречи с ЛПР в неделю")
    await tg.send(HEAD, "12")
    await tg.send(HEAD, "20")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.two_weeks")))
    await tg.send(HEAD, "- Разобрать выход на ЛПР на планёрке\n- Скрипт вопроса о ЛПР")


def snapshot_json(won_revenue: float, signals: tuple[str, ...] = (), currency: str | None = None) -> str:
    metrics = {
        "currency": currency,  # as analytics.metrics_json.snapshot_json keeps it: None when the export named none
        "won_revenue": won_revenue,
        "win_rate": 0.2,
        "managers": [],
        "clients": {"active": 10, "sleeping": 12, "churned": 2},
        "signals": [{"code": code, "seed": "000", "facts": {}} for code in signals],
    }
    return json.dumps({"version": 1, "metrics": metrics})
