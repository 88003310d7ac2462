"""/tasks with due dates: 📅 → today / tomorrow / in a week / no date or a typed date, a reminder that day,
overdue tasks first, ✓ closes a task and stops its reminder. Real Dispatcher, fake clock, recording engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot

from bot.callbacks import DeliveryCb, TaskDoneCb, TaskDueCb
from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from domain.models import Task
from domain.reminders import Outcome, ReminderKind, ReminderState, Snooze, TaskAlreadyDone
from domain.schedules import Frequency, Rule
from services import reminders as use
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, STRANGER, RecordingEngine, onboard_head
from tests.handlers.recording import RecordingSession

# Tuesday 1 December 2026, 08:00 in Moscow: before the default start of the working day (09:00).
START = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)
HEAD_FOR_SNOOZE = 7401


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
async def tg(
    store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine
) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock, reminder_engine=engine)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _head_with_tasks(tg: FakeTelegram, clock: FakeClock, *titles: str) -> list[Task]:
    await tg.store.users.upsert_seen(HEAD, "Анна", None, clock.now())
    team = await tg.store.teams.create(HEAD, "Альфа", "Europe/Moscow", clock.now())
    tasks = []
    for title in titles:
        tasks.append(await tg.store.tasks.add(HEAD, team.id, title, None, None, clock.now()))
        clock.advance(timedelta(seconds=1))  # created one after another: undated ones keep this order
    return tasks


async def _open_due_choice(tg: FakeTelegram, number: int) -> None:
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, f"📅 {number}"))


async def test_due_today_sets_the_date_and_a_reminder_at_the_start_of_the_day(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    [task] = await _head_with_tasks(tg, clock, "Разобрать воронку")
    await _open_due_choice(tg, 1)
    assert tg.last_text(HEAD) == "Когда сделать «Разобрать воронку»? Напомню в этот день в 09:00."
    await tg.tap(HEAD, tg.button(HEAD, "Сегодня"))
    assert tg.last_callback_answer() == "Срок: 01.12.2026. Напомню в этот день в 09:00."
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date == date(2026, 12, 1)
    assert "Разобрать воронку — срок 01.12.2026" in tg.last_text(HEAD)

    reminder = await tg.store.reminders.for_task(HEAD, task.id)
    assert reminder is not None
    assert reminder.kind == ReminderKind.TASK and reminder.state is ReminderState.ACTIVE
    assert reminder.rule == Rule(Frequency.ONCE, at=time(9, 0), start=date(2026, 12, 1))
    assert reminder.next_due_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 9:00 in Moscow
    assert engine.woken == [reminder.next_due_at]


async def test_due_tomorrow_and_in_a_week(tg: FakeTelegram, clock: FakeClock) -> None:
    first, second = await _head_with_tasks(tg, clock, "Планёрка", "Разбор звонков")
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Завтра"))
    assert tg.last_callback_answer() == "Срок: 02.12.2026. Напомню в этот день в 09:00."
    await _open_due_choice(tg, 2)
    await tg.tap(HEAD, tg.button(HEAD, "Через неделю"))
    assert tg.last_callback_answer() == "Срок: 08.12.2026. Напомню в этот день в 09:00."
    assert (await tg.store.tasks.get(HEAD, first.id)).due_date == date(2026, 12, 2)
    assert (await tg.store.tasks.get(HEAD, second.id)).due_date == date(2026, 12, 8)
    reminder = await tg.store.reminders.for_task(HEAD, second.id)
    assert reminder is not None and reminder.next_due_at == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


async def test_due_today_after_the_start_of_the_day_sets_no_reminder(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    [task] = await _head_with_tasks(tg, clock, "Разобрать воронку")
    clock.advance(timedelta(hours=3))  # 11:00 in Moscow
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Сегодня"))
    expected = tg.content.t("tasks_due.set_no_reminder", date="01.12.2026")
    assert tg.last_callback_answer() == expected[:200]
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date == date(2026, 12, 1)
    assert await tg.store.reminders.for_task(HEAD, task.id) is None
    assert engine.woken == []


async def test_a_typed_date(tg: FakeTelegram, clock: FakeClock) -> None:
    [task] = await _head_with_tasks(tg, clock, "Итоги года")
    await _open_due_choice(tg, 1)
    await tg.send(HEAD, "завтра")
    assert tg.last_text(HEAD) == tg.content.t("tasks_due.bad_date")
    await tg.send(HEAD, "31.02")
    assert tg.last_text(HEAD) == tg.content.t("tasks_due.bad_date")
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date is None
    await tg.send(HEAD, "30.12")
    assert "Срок: 30.12.2026. Напомню в этот день в 09:00." in tg.texts(HEAD)
    assert "Итоги года — срок 30.12.2026" in tg.last_text(HEAD)
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date == date(2026, 12, 30)
    reminder = await tg.store.reminders.for_task(HEAD, task.id)
    assert reminder is not None and reminder.next_due_at == datetime(2026, 12, 30, 6, 0, tzinfo=UTC)
    # The date is set: a later message is no longer read as a date.
    await tg.send(HEAD, "31.12")
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date == date(2026, 12, 30)


async def test_a_new_due_date_replaces_the_reminder(tg: FakeTelegram, clock: FakeClock) -> None:
    [task] = await _head_with_tasks(tg, clock, "Планёрка")
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Завтра"))
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Через неделю"))
    task_reminders = [r for r in await tg.store.reminders.list_for(HEAD) if r.task_id == task.id]
    assert len(task_reminders) == 1
    assert task_reminders[0].next_due_at == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


async def test_no_due_date_clears_it_and_finishes_the_reminder(tg: FakeTelegram, clock: FakeClock) -> None:
    [task] = await _head_with_tasks(tg, clock, "Планёрка")
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Завтра"))
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Без срока"))
    assert tg.last_callback_answer() == "Срок снят."
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date is None
    reminder = await tg.store.reminders.for_task(HEAD, task.id)
    assert reminder is not None
    assert reminder.state is ReminderState.FINISHED and reminder.next_due_at is None
    assert "срок" not in tg.last_text(HEAD).split("\n", 2)[2]  # the task line, no date on it
    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    assert await tg.store.reminder_queue.materialise_due(clock.now(), GRACE) == 0


async def test_overdue_tasks_come_first_and_are_marked(tg: FakeTelegram, clock: FakeClock) -> None:
    undated, later, soon = await _head_with_tasks(tg, clock, "Без даты", "Позже", "Скоро")
    await _open_due_choice(tg, 3)  # «Скоро»: no dates yet, created last
    await tg.tap(HEAD, tg.button(HEAD, "Завтра"))
    await _open_due_choice(tg, 3)  # now «Позже»: dated tasks come first
    await tg.send(HEAD, "20.12")

    clock.set(datetime(2026, 12, 4, 7, 0, tzinfo=UTC))  # Friday: «Скоро» was due on Wednesday
    await tg.send(HEAD, "/tasks")
    lines = tg.last_text(HEAD).split("\n")
    task_lines = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert task_lines == [
        tg.content.t("tasks.line_overdue", number=1, title="Скоро", date="02.12.2026"),
        tg.content.t("tasks.line_due", number=2, title="Позже", date="20.12.2026"),
        tg.content.t("tasks.line", number=3, title="Без даты"),
    ]
    assert "⚠️" in task_lines[0] and "просрочена" in task_lines[0]
    assert tg.button(HEAD, "✓ 1") == TaskDoneCb(task=soon.id).pack()
    assert tg.button(HEAD, "📅 3") == TaskDueCb(task=undated.id, choice="ask").pack()
    assert later.id != soon.id


async def test_done_closes_the_task_and_finishes_its_reminder(tg: FakeTelegram, clock: FakeClock) -> None:
    first, second = await _head_with_tasks(tg, clock, "Планёрка", "Разбор звонков")
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Завтра"))
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "✓ 1"))
    assert tg.last_callback_answer() == "Готово: Планёрка"
    done = await tg.store.tasks.get(HEAD, first.id)
    assert done.done_at == clock.now()
    reminder = await tg.store.reminders.for_task(HEAD, first.id)
    assert reminder is not None
    assert reminder.state is ReminderState.FINISHED and reminder.next_due_at is None
    screen = tg.last_text(HEAD)
    assert "Планёрка" not in screen and "Разбор звонков" in screen
    assert [t.id for t in await tg.store.tasks.list(HEAD, done.team_id)] == [second.id]
    # Its day comes: nothing is sent.
    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    assert await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE) == []


async def test_done_on_the_delivered_task_reminder_closes_the_task(tg: FakeTelegram, clock: FakeClock) -> None:
    [task] = await _head_with_tasks(tg, clock, "Планёрка")
    await _open_due_choice(tg, 1)
    await tg.tap(HEAD, tg.button(HEAD, "Сегодня"))
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    [delivery] = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    assert delivery.kind == ReminderKind.TASK and delivery.title == "Планёрка"
    await tg.tap(HEAD, DeliveryCb(delivery=delivery.id, action="done").pack())
    assert tg.last_callback_answer() == "Задача закрыта: Планёрка"
    assert (await tg.store.tasks.get(HEAD, task.id)).done_at == clock.now()
    assert (await tg.store.deliveries.get(HEAD, delivery.id)).outcome is Outcome.DONE
    await tg.send(HEAD, "/tasks")
    assert tg.last_text(HEAD) == tg.content.t("tasks.empty")


async def test_due_button_of_a_closed_task_sets_nothing(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    [task] = await _head_with_tasks(tg, clock, "Планёрка")
    await _open_due_choice(tg, 1)  # the date question is open…
    await tg.tap(HEAD, TaskDoneCb(task=task.id).pack())  # …and the task is closed from another message
    await tg.send(HEAD, "02.12")
    assert "Готово: Планёрка" in tg.texts(HEAD)
    assert tg.last_text(HEAD) == tg.content.t("tasks.empty")
    await tg.tap(HEAD, TaskDueCb(task=task.id, choice="tomorrow").pack())  # a 📅 button of an older message
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    await tg.tap(HEAD, TaskDueCb(task=task.id, choice="ask").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    await tg.send(HEAD, "03.12")  # no date question is open any more
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date is None
    assert await tg.store.reminders.for_task(HEAD, task.id) is None
    assert engine.woken == []


async def test_tasks_need_a_team_and_a_heads_role(tg: FakeTelegram, clock: FakeClock) -> None:
    await tg.send(STRANGER, "/tasks")
    assert tg.last_text(STRANGER) == tg.content.t("errors.no_team")
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    task = await tg.store.tasks.add(HEAD, membership.team_id, "Планёрка", None, None, clock.now())
    await tg.send(MEMBER, "/tasks")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")
    await tg.tap(MEMBER, TaskDueCb(task=task.id, choice="today").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.access_denied_for.member")
    assert (await tg.store.tasks.get(HEAD, task.id)).due_date is None


async def test_another_heads_task_reads_as_not_found(tg: FakeTelegram, clock: FakeClock) -> None:
    [task] = await _head_with_tasks(tg, clock, "Планёрка")
    other_head = STRANGER
    await tg.store.users.upsert_seen(other_head, "Олег", None, clock.now())
    await tg.store.teams.create(other_head, "Бета", "Europe/Moscow", clock.now())
    for data in (TaskDueCb(task=task.id, choice="today").pack(), TaskDoneCb(task=task.id).pack()):
        await tg.tap(other_head, data)
        assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    unchanged = await tg.store.tasks.get(HEAD, task.id)
    assert unchanged.due_date is None and unchanged.done_at is None


async def test_a_snooze_of_a_task_closed_meanwhile_schedules_nothing(store: Store, clock: FakeClock) -> None:
    await store.users.upsert_seen(HEAD_FOR_SNOOZE, "Ирина", None, clock.now())
    team = await store.teams.create(HEAD_FOR_SNOOZE, "Продажи", "Europe/Moscow", clock.now())
    task = await store.tasks.add(HEAD_FOR_SNOOZE, team.id, "Позвонить клиенту", None, None, clock.now())
    tomorrow = clock.now().astimezone(ZoneInfo("Europe/Moscow")).date() + timedelta(days=1)
    await use.set_task_due(store, use.NoWakeUp(), HEAD_FOR_SNOOZE, task.id, tomorrow, "Europe/Moscow", clock.now())
    clock.advance(timedelta(days=1, hours=1))  # tomorrow 09:00 in Moscow: the task's reminder is due
    await store.reminder_queue.materialise_due(clock.now(), GRACE)
    [delivery] = await store.reminder_queue.claim(clock.now(), "t", timedelta(minutes=2), 10, GRACE)
    await use.complete_task(store, HEAD_FOR_SNOOZE, task.id, clock.now())
    with pytest.raises(TaskAlreadyDone):
        await use.snooze_delivery(store, use.NoWakeUp(), HEAD_FOR_SNOOZE, delivery.id, Snooze.HOUR, clock.now())
    assert await store.reminder_queue.count_by_status() == {"claimed": 1}
