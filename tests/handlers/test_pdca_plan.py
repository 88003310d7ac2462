"""/pdca through the real Dispatcher, where a cycle starts and its plan: a whole cycle from free text (Plan, Do with
tasks and the review reminder in /reminders, Check from the reminder, Act standard), from a checklist run and an
export signal; the plan's edges (typos, a target equal to today, past review dates, a card left too long), stale
buttons, a paused reminder, who may open /pdca. Check and Act from exports: test_pdca_check_act.py. The fake clock
is moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.callbacks import PdcaCb, SubjectCb
from content import Content
from domain.pdca import Decision, Metric, Stage
from domain.reminders import ReminderState
from domain.schedules import Frequency
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, telegram_on
from tests.handlers.pdca_helpers import MOSCOW, START, head_team, plan_custom, snapshot_json, text_of


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    telegram = telegram_on(store, content, tmp_path, clock)
    yield telegram
    await telegram.dispatcher.storage.close()


async def test_free_text_cycle_plan_do_check_act_standard(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await head_team(tg, clock)
    await plan_custom(tg)
    card = tg.last_text(HEAD)
    assert "Больше встреч с ЛПР" in card and "12 → 20" in card and "15.12.2026" in card
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))

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
    assert text_of(tg, "pdca.buttons.standard") in [text for text, _ in tg.buttons(HEAD)]
    assert (await tg.store.reminders.get(HEAD, reviews[0].id)).state is ReminderState.FINISHED

    # Act: the standard becomes a monthly reminder of the cycle.
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.standard")))
    closed = await tg.store.pdca.get(HEAD, cycle.id)
    assert closed.stage is Stage.CLOSED and closed.decision is Decision.STANDARD
    standard = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "pdca"]
    assert len(standard) == 1 and standard[0].rule.frequency is Frequency.MONTHLY
    assert standard[0].subject_id == cycle.id and standard[0].rule.at == time(9, 0)
    await tg.send(HEAD, "/pdca")
    overview = tg.last_text(HEAD)
    assert text_of(tg, "pdca.overview.history_title") in overview and text_of(tg, "pdca.outcome.standard") in overview


async def test_from_a_checklist_run_and_from_an_export_signal(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await head_team(tg, clock)
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
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.cancel")))

    snapshot_id = await tg.store.snapshots.save(
        HEAD, team.id, None, None, snapshot_json(500_000, ("sleeping_base",)), clock.now()
    )
    await tg.tap(HEAD, PdcaCb(action="signals", ref=snapshot_id).pack())
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.signals.sleeping_base.title")[:20]))
    await tg.tap(HEAD, tg.button(HEAD, "Взять цель"))
    # The signal's metric is taken with its goal: today's value comes from the export.
    assert "Спящие клиенты" in tg.last_text(HEAD) and "12" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Взять"))
    await tg.send(HEAD, "6")
    assert "Когда проверяем" in tg.last_text(HEAD)


async def test_edges_past_review_equal_target_typos_stale_buttons_paused_reminder(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    team = await head_team(tg, clock)
    await tg.send(HEAD, "/pdca")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.new")))
    await tg.send(HEAD, "Поднять средний чек")
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.metrics.avg_deal")))
    assert "пока не посчитать" in tg.last_text(HEAD)  # no export yet: typed
    await tg.send(HEAD, "12о000")  # a typo: a clear message, the step waits
    assert tg.last_text(HEAD) == text_of(tg, "pdca.errors.number_typed", text="12о000")
    await tg.send(HEAD, "120 000")
    await tg.send(HEAD, "120000")  # target equal to today's value: nothing to improve
    assert tg.last_text(HEAD) == text_of(tg, "pdca.errors.target_equal")
    await tg.send(HEAD, "150 тыс")
    await tg.send(HEAD, "30.11.2026")  # in the past
    assert tg.last_text(HEAD) == text_of(tg, "pdca.errors.review_past")
    await tg.send(HEAD, "01.12")  # today
    assert tg.last_text(HEAD) == text_of(tg, "pdca.errors.review_today")
    await tg.send(HEAD, "31.12")
    await tg.send(HEAD, "Разбор сделок с низким чеком")
    start_button = tg.button(HEAD, text_of(tg, "pdca.buttons.start"))
    await tg.tap(HEAD, start_button)
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.metric is Metric.AVG_DEAL and cycle.review_date == date(2026, 12, 31)
    assert cycle.baseline == 120_000 and cycle.target == 150_000

    await tg.tap(HEAD, start_button)  # the plan card's button again: no second cycle
    assert tg.last_callback_answer() == text_of(tg, "pdca.errors.no_draft")
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
    assert tg.last_callback_answer() == text_of(tg, "pdca.errors.already_checked")
    drop_button = PdcaCb(action="drop", ref=cycle.id).pack()
    await tg.tap(HEAD, drop_button)
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.DROP
    await tg.tap(HEAD, PdcaCb(action="standard", ref=cycle.id).pack())
    assert tg.last_callback_answer() == text_of(tg, "pdca.errors.closed")
    assert (await tg.store.pdca.get(HEAD, cycle.id)).decision is Decision.DROP
    await tg.send(HEAD, "/pdca")
    assert text_of(tg, "pdca.outcome.drop") in tg.last_text(HEAD)


async def test_a_forged_cycle_is_not_found_and_a_member_cannot_open_pdca(tg: FakeTelegram, clock: FakeClock) -> None:
    await head_team(tg, clock)
    await tg.tap(HEAD, PdcaCb(action="open", ref=999).pack())
    assert tg.last_callback_answer() == text_of(tg, "errors.not_found")
    other = 7001
    await tg.send(other, "/pdca")
    assert tg.last_text(other) == text_of(tg, "errors.no_team")


async def test_a_plan_left_until_its_review_date_asks_the_date_again(tg: FakeTelegram, clock: FakeClock) -> None:
    team = await head_team(tg, clock)
    await plan_custom(tg)
    clock.advance(timedelta(days=15))  # the card waited past the review date (15.12)
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    assert text_of(tg, "pdca.errors.review_past") in tg.texts(HEAD)
    assert "Когда проверяем" in tg.last_text(HEAD)
    assert await tg.store.pdca.open_cycles(HEAD, team.id) == []
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.review_choices.week")))
    await tg.tap(HEAD, tg.button(HEAD, text_of(tg, "pdca.buttons.start")))
    (cycle,) = await tg.store.pdca.open_cycles(HEAD, team.id)
    assert cycle.review_date == date(2026, 12, 23)
