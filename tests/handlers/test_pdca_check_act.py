"""/pdca through the real Dispatcher, Check and Act: the fact from an export uploaded after the plan and
«Скорректировать» on a cycle started from a task; money in the export's currency through plan, Check and Act
(typed by hand: no sign). The plan's steps and edges: test_pdca_plan.py. The fake clock is moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.callbacks import PdcaCb, TaskOpenCb
from content import Content
from domain.pdca import Decision
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, telegram_on
from tests.handlers.pdca_helpers import NBSP, START, head_team, snapshot_json, text_of


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    telegram = telegram_on(store, content, tmp_path, clock)
    yield telegram
    await telegram.dispatcher.storage.close()


async def test_from_a_task_with_the_fact_from_an_export_then_adjust(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await head_team(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_000_000, currency="RUB"), clock.now())
    item = tg.content.checklist("arch").items[0]
    task = await tg.store.tasks.add(HEAD, team.id, item.task, "arch", item.key, clock.now())
    await tg.tap(HEAD, TaskOpenCb(task=task.id).pack())
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.from_task")))
    assert "Что делать" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять цель"))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.metrics.won_revenue")))
    assert f"1{NBSP}000{NBSP}000 ₽" in tg.last_text(HEAD)  # today's value from the latest export
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    await tg.send(HEAD, "1,2 млн")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Настроить воронку в CRM")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.baseline == 1_000_000 and cycle.target == 1_200_000 and cycle.origin_ref == str(task.id)

    # An export uploaded after the plan gives the fact.
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_240_000, currency="RUB"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert f"По выгрузке от 08.12.2026: <b>1{NBSP}240{NBSP}000 ₽</b>" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    verdict = tg.last_text(HEAD)
    assert text_of(tg, "pdca.reached") in verdict and "08.12" in verdict
    checked = await tg.store.pdca.get(HEAD, cycle.id)
    assert checked.fact == 1_240_000 and checked.fact_snapshot_id is not None

    # Adjust: the next cycle starts from the fact with the suggested target and the same actions.
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.adjust")))
    await tg.tap(HEAD, tg.button(HEAD, "Оставить цель"))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.month")))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.same_actions")))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (following,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert following.parent_id == cycle.id and following.baseline == 1_240_000
    assert following.target == 1_440_000 and following.goal == cycle.goal
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.ADJUST


# --- money in the export's currency ---------------------------------------------------------------------------
# Expected figures by hand: baseline 1 000 000, target 1,2 млн → +200 000 (+20 %); a fact of 1 100 000 is +100 000
# (+10 %), half of the planned step (50 %); «Скорректировать» on an unreached target keeps the target (1 200 000).


async def _plan_revenue(tg: FakeTelegram, baseline: str | None) -> None:
    """/pdca → new → won revenue: today's value from the export's button (None) or typed; 1,2 млн in a week."""
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять выручку")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.metrics.won_revenue")))
    if baseline is None:
        await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    else:
        await tg.send(HEAD, baseline)
    await tg.send(HEAD, "1,2 млн")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Обзвонить спящих клиентов")


async def test_a_cycle_from_a_usd_export_shows_dollars_in_plan_check_and_act(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team = await head_team(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_000_000, currency="USD"), clock.now())
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять выручку")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.metrics.won_revenue")))
    assert f"<b>1{NBSP}000{NBSP}000 $</b>" in tg.last_text(HEAD)  # the export's value, in its currency
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    assert f"Сейчас «Выручка по успешным сделкам»: 1{NBSP}000{NBSP}000 $." in tg.last_text(HEAD)
    await tg.send(HEAD, "1,2 млн")
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $. Когда" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Обзвонить спящих клиентов")
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $ (+200{NBSP}000 $, +20 %)" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.currency == "USD"
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $" in tg.last_text(HEAD)  # the Do card

    # Check: the fact from the next USD export; the verdict and the Act choice in dollars.
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_100_000, currency="USD"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert f"По выгрузке от 08.12.2026: <b>1{NBSP}100{NBSP}000 $</b>" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    checked = tg.last_text(HEAD)
    assert f"Было: 1{NBSP}000{NBSP}000 $\nЦель: 1{NBSP}200{NBSP}000 $" in checked
    assert f"Факт: <b>1{NBSP}100{NBSP}000 $</b> (+100{NBSP}000 $, +10 %)" in checked and f"50{NBSP}%" in checked
    await tg.tap(HEAD, PdcaCb(action="open", ref=cycle.id).pack())  # the cycle card at Act
    assert f"Факт: <b>1{NBSP}100{NBSP}000 $</b>" in tg.last_text(HEAD)

    # Act: «Скорректировать» starts the next cycle from the fact, in the same currency.
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.adjust")))
    assert f"старт с факта 1{NBSP}100{NBSP}000 $, прежняя цель была 1{NBSP}200{NBSP}000 $" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, f"Оставить цель 1{NBSP}200{NBSP}000 $"))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.month")))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.same_actions")))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (following,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert following.currency == "USD"
    assert not [text for text in tg.texts(HEAD) if "₽" in text]


async def test_money_typed_by_hand_shows_no_currency_sign(tg: FakeTelegram, clock: FakeClock) -> None:
    # 800 000 → 1 200 000 is +400 000 (+50 %); a typed fact of 880 000 is +80 000 (+10 %), 20 % of the way.
    team = await head_team(tg, clock)
    await _plan_revenue(tg, baseline="800 000")
    assert f"800{NBSP}000 → 1{NBSP}200{NBSP}000 (+400{NBSP}000, +50 %)" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.currency is None
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    await tg.send(HEAD, "880 000")
    assert f"Факт: <b>880{NBSP}000</b> (+80{NBSP}000, +10 %)" in tg.last_text(HEAD)
    assert f"20{NBSP}%" in tg.last_text(HEAD)
    assert not [text for text in tg.texts(HEAD) if "₽" in text or "$" in text]


async def test_a_typed_plan_takes_the_currency_of_the_export_its_fact_comes_from(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team = await head_team(tg, clock)
    await _plan_revenue(tg, baseline="1 000 000")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_100_000, currency="EUR"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    assert f"Было: 1{NBSP}000{NBSP}000 €" in tg.last_text(HEAD)
    assert (await tg.store.pdca.get(HEAD, cycle.id)).currency == "EUR"


async def test_an_export_in_another_currency_gives_no_fact_to_compare(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await head_team(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_000_000, currency="RUB"), clock.now())
    await _plan_revenue(tg, baseline=None)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, snapshot_json(1_100_000, currency="USD"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert "По выгрузке" not in tg.last_text(HEAD) and text_of(tg, "pdca.ask_fact_no_export") in tg.last_text(HEAD)
    await tg.send(HEAD, "1 100 000")  # typed against a plan in roubles: roubles
    assert f"Факт: <b>1{NBSP}100{NBSP}000 ₽</b>" in tg.last_text(HEAD)
