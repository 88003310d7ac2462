"""«Мой план»: a member sees their own month against their plan, in money only, once the head turns it on and says
who they are in the plans; never another manager's figures (issue 8, section 3)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiogram import Bot

from bot.callbacks import MenuCb, MyPlanCb, PlanLinkCb
from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head
from tests.handlers.recording import RecordingSession

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # November in Moscow
NBSP = "\u00a0"


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=FakeClock(NOW))
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


def _snapshot(start: date, end: date) -> str:
    managers = [
        {"manager": "Иван Сидоров", "revenue": 900_000.0, "plan": None, "over_plan": None},
        {"manager": "Мария Петрова", "revenue": 1_200_000.0, "plan": None, "over_plan": None},
    ]
    metrics = {"currency": "RUB", "managers": managers, "revenue_by_month": {"2026-11": 2_100_000.0}}
    return json.dumps({"version": 1, "metrics": metrics}, ensure_ascii=False)


async def _team(tg: FakeTelegram, plan: float = 1_000_000.0, export: bool = True) -> int:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    team_id = membership.team_id
    await tg.store.plans.set(HEAD, team_id, "Мария Петрова", "2026-11", plan)
    await tg.store.plans.set(HEAD, team_id, "Иван Сидоров", "2026-11", 800_000.0)
    if export:
        data = _snapshot(date(2026, 11, 1), date(2026, 11, 24))
        await tg.store.snapshots.save(HEAD, team_id, date(2026, 11, 1), date(2026, 11, 24), data, NOW)
    return team_id


async def _turn_on_and_link(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/plans")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("my_plan.button_from_plans")))
    await tg.tap(HEAD, MyPlanCb(action="on").pack())
    assert tg.content.t("my_plan.settings_on") in tg.last_text(HEAD)
    await tg.tap(HEAD, PlanLinkCb(user=MEMBER, action="ask").pack())
    await tg.tap(HEAD, tg.button(HEAD, "Мария Петрова"))
    assert "«Мария Петрова»" in tg.last_text(HEAD)


def _money(amount: str) -> str:
    return amount.replace(" ", NBSP) + NBSP + "₽"


async def test_nothing_is_shown_until_the_head_turns_it_on(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.send(MEMBER, "/my_plan")
    text = tg.last_text(MEMBER)
    assert tg.content.t("my_plan.missing.off") in text
    assert "₽" not in text and "Иван" not in text


async def test_a_linked_member_sees_their_own_month_over_plan(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.send(MEMBER, "/my_plan")
    await _turn_on_and_link(tg)
    await tg.tap(MEMBER, MenuCb(action="my_plan").pack())
    text = tg.last_text(MEMBER)
    assert _money("1 000 000") in text  # the plan
    assert _money("1 200 000") in text  # sold this month
    assert tg.content.t("my_plan.over", amount=_money("200 000")) in text
    assert "Иван" not in text and "900" not in text and "800" not in text  # nothing of another manager


async def test_short_of_plan_says_how_much(tg: FakeTelegram) -> None:
    await _team(tg, plan=1_500_000.0)
    await _turn_on_and_link(tg)
    await tg.send(MEMBER, "/my_plan")
    assert tg.content.t("my_plan.short", amount=_money("300 000")) in tg.last_text(MEMBER)


async def test_what_is_missing_is_said(tg: FakeTelegram) -> None:
    team_id = await _team(tg, export=False)
    await tg.send(HEAD, "/plans")
    await tg.tap(HEAD, MyPlanCb(action="on").pack())
    await tg.send(MEMBER, "/my_plan")
    assert tg.content.t("my_plan.missing.not_linked") in tg.last_text(MEMBER)
    await tg.tap(HEAD, PlanLinkCb(user=MEMBER, action="ask").pack())
    await tg.tap(HEAD, tg.button(HEAD, "Мария Петрова"))
    await tg.send(MEMBER, "/my_plan")
    text = tg.last_text(MEMBER)
    # no export, so no currency to show: the plan is a plain number
    assert tg.content.t("my_plan.missing.no_export") in text and f"1{NBSP}000{NBSP}000\n" in text
    await tg.store.plans.delete(HEAD, team_id, "Мария Петрова", "2026-11")
    await tg.send(MEMBER, "/my_plan")
    assert "Нет вашего плана на ноябрь 2026" in tg.last_text(MEMBER)


async def test_turned_off_again_hides_it(tg: FakeTelegram) -> None:
    await _team(tg)
    await _turn_on_and_link(tg)
    await tg.tap(HEAD, MyPlanCb(action="off").pack())
    await tg.send(MEMBER, "/my_plan")
    assert tg.content.t("my_plan.missing.off") in tg.last_text(MEMBER)
    assert "₽" not in tg.last_text(MEMBER)


async def test_only_the_head_turns_it_on_and_links(tg: FakeTelegram) -> None:
    await _team(tg)
    for user_id in (MEMBER, OWNER):
        await tg.tap(user_id, MyPlanCb(action="on").pack())
        await tg.tap(user_id, PlanLinkCb(user=MEMBER, action="pick", index=0).pack())
    assert await tg.store.db.fetchall("SELECT * FROM member_plan_settings") == []
    assert await tg.store.db.fetchall("SELECT * FROM member_plan_names") == []
    await tg.send(OWNER, "/my_plan")  # an owner has no personal plan
    assert tg.last_text(OWNER) == tg.content.t("errors.access_denied_for.owner")


async def test_the_head_cannot_link_an_owner_or_a_stranger(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.tap(HEAD, PlanLinkCb(user=OWNER, action="pick", index=0).pack())
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert await tg.store.db.fetchall("SELECT * FROM member_plan_names") == []
