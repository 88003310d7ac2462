"""/pdca through the real Dispatcher: a cycle from free text, a task, a checklist run and an export signal; the
plan's steps, Do (tasks with due dates, the review reminder in /reminders), Check (typed or from an export uploaded
after the plan), Act (standard / adjust / drop); the edges. The fake clock is moved by hand."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot

from bot.callbacks import PdcaCb, SubjectCb, TaskOpenCb
from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from domain.models import Team
from domain.pdca import Decision, Metric, Stage
from domain.reminders import ReminderState
from domain.schedules import Frequency
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD
from tests.handlers.recording import RecordingSession

# Tuesday 1 December 2026, 08:00 in Moscow.
START = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
NBSP = "\u00a0"


@dataclass
class RecordingEngine:
    woken: list[datetime] = field(default_factory=list)

    def wake_at(self, moment: datetime) -> None:
        self.woken.append(moment)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock, reminder_engine=RecordingEngine())
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _head(tg: FakeTelegram, clock: FakeClock) -> Team:
    await tg.store.users.upsert_seen(HEAD, "Анна", None, clock.now())
    return await tg.store.teams.create(HEAD, "Альфа", "Europe/Moscow", clock.now())


def _t(tg: FakeTelegram, key: str, **kwargs: object) -> str:
    return tg.content.t(key, **kwargs)


async def _plan_custom(tg: FakeTelegram, goal: str = "Больше встреч с ЛПР") -> None:
    """/pdca → new → a custom metric 12 → 20, in two weeks, two actions; stops at the plan card."""
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.new")))
    await tg.send(HEAD, goal)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.metrics.custom")))
    await tg.send(HEAD, "Встречи с ЛПР в неделю")
    await tg.send(HEAD, "12")
    await tg.send(HEAD, "20")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.two_weeks")))
    await tg.send(HEAD, "- Разобрать выход на ЛПР на планёрке\n- Скрипт вопроса о ЛПР")


def _snapshot_json(won_revenue: float, signals: tuple[str, ...] = (), currency: str | None = None) -> str:
    metrics = {
        "currency": currency,  # as analytics.metrics_json.snapshot_json keeps it: None when the export named none
        "won_revenue": won_revenue,
        "win_rate": 0.2,
        "managers": [],
        "clients": {"active": 10, "sleeping": 12, "churned": 2},
        "signals": [{"code": code, "seed": "000", "facts": {}} for code in signals],
    }
    return json.dumps({"version": 1, "metrics": metrics})


async def test_free_text_cycle_plan_do_check_act_standard(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await _head(tg, clock)
    await _plan_custom(tg)
    card = tg.last_text(HEAD)
    assert "Больше встреч с ЛПР" in card and "12 → 20" in card and "15.12.2026" in card
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))

    # Do: each action is a task due halfway to the review, with its reminder that day.
    tasks = await tg.store.tasks.list(HEAD, team.id)
    assert sorted(t.title for t in tasks) == ["Разобрать выход на ЛПР на планёрке", "Скрипт вопроса о ЛПР"]
    assert {t.due_date for t in tasks} == {date(2026, 12, 8)}
    assert [await tg.store.reminders.for_task(HEAD, t.id) is not None for t in tasks] == [True, True]
    assert any("2 задачи" in text for text in tg.texts(HEAD))

    # The review reminder: kind pdca, on the review date at the start of the working day, in /reminders.
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    reviews = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "pdca"]
    assert len(reviews) == 1 and reviews[0].subject_id == cycle.id
    assert reviews[0].rule.frequency is Frequency.WEEKLY  # weekly until the Check is done
    assert reviews[0].next_due_at == datetime(2026, 12, 15, 9, 0, tzinfo=MOSCOW)
    await tg.send(HEAD, "/reminders")
    assert "Больше встреч с ЛПР" in tg.last_text(HEAD)

    # Check: on the review day the reminder's button leads straight to the fact.
    clock.set(datetime(2026, 12, 15, 6, 5, tzinfo=UTC))
    await tg.tap(HEAD, SubjectCb(kind="pdca", subject=cycle.id).pack())
    assert "Сколько сейчас" in tg.last_text(HEAD)
    await tg.send(HEAD, "18")
    verdict = tg.last_text(HEAD)
    assert "Факт: <b>18</b>" in verdict and "+6" in verdict and "75" in verdict  # 75 % of the way
    assert _t(tg, "pdca.buttons.standard") in [text for text, _ in tg.buttons(HEAD)]
    assert (await tg.store.reminders.get(HEAD, reviews[0].id)).state is ReminderState.FINISHED

    # Act: the standard becomes a monthly reminder of the cycle.
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.standard")))
    closed = await tg.store.pdca.get(HEAD, cycle.id)
    assert closed.stage is Stage.CLOSED and closed.decision is Decision.STANDARD
    standard = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "pdca"]
    assert len(standard) == 1 and standard[0].rule.frequency is Frequency.MONTHLY
    assert standard[0].subject_id == cycle.id and standard[0].rule.at == time(9, 0)
    await tg.send(HEAD, "/pdca")
    overview = tg.last_text(HEAD)
    assert _t(tg, "pdca.overview.history_title") in overview and _t(tg, "pdca.outcome.standard") in overview


async def test_from_a_task_with_the_fact_from_an_export_then_adjust(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await _head(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_000_000, currency="RUB"), clock.now())
    item = tg.content.checklist("arch").items[0]
    task = await tg.store.tasks.add(HEAD, team.id, item.task, "arch", item.key, clock.now())
    await tg.tap(HEAD, TaskOpenCb(task=task.id).pack())
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.from_task")))
    assert "Что делать" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять цель"))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.metrics.won_revenue")))
    assert f"1{NBSP}000{NBSP}000 ₽" in tg.last_text(HEAD)  # today's value from the latest export
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    await tg.send(HEAD, "1,2 млн")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Настроить воронку в CRM")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.baseline == 1_000_000 and cycle.target == 1_200_000 and cycle.origin_ref == str(task.id)

    # An export uploaded after the plan gives the fact.
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_240_000, currency="RUB"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert f"По выгрузке от 08.12.2026: <b>1{NBSP}240{NBSP}000 ₽</b>" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    verdict = tg.last_text(HEAD)
    assert _t(tg, "pdca.reached") in verdict and "08.12" in verdict
    checked = await tg.store.pdca.get(HEAD, cycle.id)
    assert checked.fact == 1_240_000 and checked.fact_snapshot_id is not None

    # Adjust: the next cycle starts from the fact with the suggested target and the same actions.
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.adjust")))
    await tg.tap(HEAD, tg.button(HEAD, "Оставить цель"))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.month")))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.same_actions")))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (following,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert following.parent_id == cycle.id and following.baseline == 1_240_000
    assert following.target == 1_440_000 and following.goal == cycle.goal
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.ADJUST


async def test_from_a_checklist_run_and_from_an_export_signal(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await _head(tg, clock)
    checklist = tg.content.checklist("arch")
    run = await tg.store.runs.start(HEAD, team.id, "arch", clock.now())
    for item in checklist.items:
        await tg.store.runs.save_answer(
            HEAD, run.id, item.key, "no" if item.key == "fair_plans" else "yes", clock.now()
        )
    await tg.store.runs.finish(HEAD, run.id, 80, "warning", clock.now())
    await tg.tap(HEAD, PdcaCb(action="from_run", ref=run.id).pack())
    fair_plans = next(i for i in checklist.items if i.key == "fair_plans")
    await tg.tap(HEAD, tg.button(HEAD, fair_plans.task[:20]))
    assert "Нет" in tg.last_text(HEAD) and "Взять цель" in tg.buttons(HEAD)[0][0]
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.cancel")))

    snapshot_id = await tg.store.snapshots.save(
        HEAD, team.id, None, None, _snapshot_json(500_000, ("sleeping_base",)), clock.now()
    )
    await tg.tap(HEAD, PdcaCb(action="signals", ref=snapshot_id).pack())
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.signals.sleeping_base.title")[:20]))
    await tg.tap(HEAD, tg.button(HEAD, "Взять цель"))
    # The signal's metric is taken with its goal: today's value comes from the export.
    assert "Спящие клиенты" in tg.last_text(HEAD) and "12" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    await tg.send(HEAD, "6")
    assert "Когда проверяем" in tg.last_text(HEAD)


async def test_edges_past_review_equal_target_typos_stale_buttons_paused_reminder(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team = await _head(tg, clock)
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять средний чек")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.metrics.avg_deal")))
    assert "пока не посчитать" in tg.last_text(HEAD)  # no export yet: typed
    await tg.send(HEAD, "12о000")  # a typo: a clear message, the step waits
    assert tg.last_text(HEAD) == _t(tg, "pdca.errors.number_typed", text="12о000")
    await tg.send(HEAD, "120 000")
    await tg.send(HEAD, "120000")  # target equal to today's value: nothing to improve
    assert tg.last_text(HEAD) == _t(tg, "pdca.errors.target_equal")
    await tg.send(HEAD, "150 тыс")
    await tg.send(HEAD, "30.11.2026")  # in the past
    assert tg.last_text(HEAD) == _t(tg, "pdca.errors.review_past")
    await tg.send(HEAD, "01.12")  # today
    assert tg.last_text(HEAD) == _t(tg, "pdca.errors.review_today")
    await tg.send(HEAD, "31.12")
    await tg.send(HEAD, "Разбор сделок с низким чеком")
    start_button = tg.button(HEAD, _t(tg, "pdca.buttons.start"))
    await tg.tap(HEAD, start_button)
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.metric is Metric.AVG_DEAL and cycle.review_date == date(2026, 12, 31)
    assert cycle.baseline == 120_000 and cycle.target == 150_000

    await tg.tap(HEAD, start_button)  # the plan card's button again: no second cycle
    assert tg.last_callback_answer() == _t(tg, "pdca.errors.no_draft")
    assert len(await tg.store.pdca.open_cycles(HEAD, team.id)) == 1

    # A paused review reminder: the cycle still shows and the check still works.
    (review,) = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "pdca"]
    await tg.store.reminders.pause(HEAD, review.id)
    await tg.send(HEAD, "/pdca")
    assert "Поднять средний чек" in tg.last_text(HEAD)
    check_button = PdcaCb(action="check", ref=cycle.id).pack()
    await tg.tap(HEAD, check_button)
    await tg.send(HEAD, "abc")
    assert "Не понял число" in tg.last_text(HEAD)
    await tg.send(HEAD, "140 000")
    assert "Цель не достигнута" in tg.last_text(HEAD)

    # Stale buttons: a second Check, then a decision on a finished cycle.
    await tg.tap(HEAD, check_button)
    assert tg.last_callback_answer() == _t(tg, "pdca.errors.already_checked")
    drop_button = PdcaCb(action="drop", ref=cycle.id).pack()
    await tg.tap(HEAD, drop_button)
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.DROP
    await tg.tap(HEAD, PdcaCb(action="standard", ref=cycle.id).pack())
    assert tg.last_callback_answer() == _t(tg, "pdca.errors.closed")
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.DROP
    await tg.send(HEAD, "/pdca")
    assert _t(tg, "pdca.outcome.drop") in tg.last_text(HEAD)


async def test_a_forged_cycle_is_not_found_and_a_member_cannot_open_pdca(tg: FakeTelegram, clock: FakeClock) -> None:
    await _head(tg, clock)
    await tg.tap(HEAD, PdcaCb(action="open", ref=999).pack())
    assert tg.last_callback_answer() == _t(tg, "errors.not_found")
    other = 7001
    await tg.send(other, "/pdca")
    assert tg.last_text(other) == _t(tg, "errors.no_team")


async def test_a_plan_left_until_its_review_date_asks_the_date_again(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await _head(tg, clock)
    await _plan_custom(tg)
    clock.advance(timedelta(days=15))  # the card waited past the review date (15.12)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    assert _t(tg, "pdca.errors.review_past") in tg.texts(HEAD)
    assert "Когда проверяем" in tg.last_text(HEAD)
    assert await tg.store.pdca.open_cycles(HEAD, team.id) == []
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.week")))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.review_date == date(2026, 12, 23)


# --- money in the export's currency ---------------------------------------------------------------------------
# Expected figures by hand: baseline 1 000 000, target 1,2 млн → +200 000 (+20 %); a fact of 1 100 000 is +100 000
# (+10 %), half of the planned step (50 %); «Скорректировать» on an unreached target keeps the target (1 200 000).


async def _plan_revenue(tg: FakeTelegram, baseline: str | None) -> None:
    """/pdca → new → won revenue: today's value from the export's button (None) or typed; 1,2 млн in a week."""
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять выручку")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.metrics.won_revenue")))
    if baseline is None:
        await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    else:
        await tg.send(HEAD, baseline)
    await tg.send(HEAD, "1,2 млн")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Обзвонить спящих клиентов")


async def test_a_cycle_from_a_usd_export_shows_dollars_in_plan_check_and_act(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team = await _head(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_000_000, currency="USD"), clock.now())
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять выручку")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.metrics.won_revenue")))
    assert f"<b>1{NBSP}000{NBSP}000 $</b>" in tg.last_text(HEAD)  # the export's value, in its currency
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    assert f"Сейчас «Выручка по успешным сделкам»: 1{NBSP}000{NBSP}000 $." in tg.last_text(HEAD)
    await tg.send(HEAD, "1,2 млн")
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $. Когда" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.week")))
    await tg.send(HEAD, "Обзвонить спящих клиентов")
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $ (+200{NBSP}000 $, +20 %)" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.currency == "USD"
    assert f"1{NBSP}000{NBSP}000 $ → 1{NBSP}200{NBSP}000 $" in tg.last_text(HEAD)  # the Do card

    # Check: the fact from the next USD export; the verdict and the Act choice in dollars.
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_100_000, currency="USD"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert f"По выгрузке от 08.12.2026: <b>1{NBSP}100{NBSP}000 $</b>" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    checked = tg.last_text(HEAD)
    assert f"Было: 1{NBSP}000{NBSP}000 $\nЦель: 1{NBSP}200{NBSP}000 $" in checked
    assert f"Факт: <b>1{NBSP}100{NBSP}000 $</b> (+100{NBSP}000 $, +10 %)" in checked and f"50{NBSP}%" in checked
    await tg.tap(HEAD, PdcaCb(action="open", ref=cycle.id).pack())  # the cycle card at Act
    assert f"Факт: <b>1{NBSP}100{NBSP}000 $</b>" in tg.last_text(HEAD)

    # Act: «Скорректировать» starts the next cycle from the fact, in the same currency.
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.adjust")))
    assert f"старт с факта 1{NBSP}100{NBSP}000 $, прежняя цель была 1{NBSP}200{NBSP}000 $" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, f"Оставить цель 1{NBSP}200{NBSP}000 $"))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.review_choices.month")))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.same_actions")))
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (following,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert following.currency == "USD"
    assert not [text for text in tg.texts(HEAD) if "₽" in text]


async def test_money_typed_by_hand_shows_no_currency_sign(tg: FakeTelegram, clock: FakeClock) -> None:
    # 800 000 → 1 200 000 is +400 000 (+50 %); a typed fact of 880 000 is +80 000 (+10 %), 20 % of the way.
    team = await _head(tg, clock)
    await _plan_revenue(tg, baseline="800 000")
    assert f"800{NBSP}000 → 1{NBSP}200{NBSP}000 (+400{NBSP}000, +50 %)" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
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
    team = await _head(tg, clock)
    await _plan_revenue(tg, baseline="1 000 000")
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_100_000, currency="EUR"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    assert f"Было: 1{NBSP}000{NBSP}000 €" in tg.last_text(HEAD)
    assert (await tg.store.pdca.get(HEAD, cycle.id)).currency == "EUR"


async def test_an_export_in_another_currency_gives_no_fact_to_compare(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await _head(tg, clock)
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_000_000, currency="RUB"), clock.now())
    await _plan_revenue(tg, baseline=None)
    await tg.tap(HEAD, tg.button(HEAD, _t(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    clock.advance(timedelta(days=7))
    await tg.store.snapshots.save(HEAD, team.id, None, None, _snapshot_json(1_100_000, currency="USD"), clock.now())
    await tg.tap(HEAD, PdcaCb(action="check", ref=cycle.id).pack())
    assert "По выгрузке" not in tg.last_text(HEAD) and _t(tg, "pdca.ask_fact_no_export") in tg.last_text(HEAD)
    await tg.send(HEAD, "1 100 000")  # typed against a plan in roubles: roubles
    assert f"Факт: <b>1{NBSP}100{NBSP}000 ₽</b>" in tg.last_text(HEAD)
