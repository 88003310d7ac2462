"""/reminders, step-by-step creation, /remind <phrase>, the detail screen and the buttons of a delivered reminder,
driven through the real Dispatcher with a fake clock and a recording engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText

from bot.callbacks import DeliveryCb, ReminderCb, ReminderDraftCb
from bot.config import Settings
from bot.factory import create_dispatcher
from content import Content
from domain.errors import NotFound
from domain.reminders import DeliveryStatus, Outcome, ReminderState
from domain.schedules import Frequency, Rule
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import RecordingEngine
from tests.handlers.recording import RecordingSession

PERSON = 701
OTHER = 702
YEKATERINBURG = "Asia/Yekaterinburg"  # UTC+5 all year
# Monday 30 November 2026, 12:00 in Yekaterinburg (10:00 in Moscow, the default zone).
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)


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


async def _in_zone(tg: FakeTelegram, user_id: int, zone: str) -> None:
    await tg.store.users.upsert_seen(user_id, "Анна", None)
    await tg.store.users.set_timezone(user_id, zone)


async def _reminder_via_phrase(tg: FakeTelegram, phrase: str, user_id: int = PERSON) -> int:
    await tg.send(user_id, f"/remind {phrase}")
    await tg.tap(user_id, tg.button(user_id, tg.content.t("reminders.buttons.save")))
    reminders = await tg.store.reminders.list_for(user_id)
    assert len(reminders) == 1, tg.texts(user_id)
    return reminders[0].id


async def _deliver(tg: FakeTelegram, clock: FakeClock, at: datetime) -> int:
    """Moves the clock to `at` and does what the engine does: materialise, claim, send; returns the delivery id."""
    clock.set(at)
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    claimed = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    assert len(claimed) == 1
    assert await tg.store.reminder_queue.mark_sent(claimed[0].id, "test", 1, clock.now())
    return claimed[0].id


def _edits(tg: FakeTelegram, user_id: int) -> list[str]:
    return [
        m.text
        for m in tg.session.requests
        if isinstance(m, EditMessageText) and m.chat_id == user_id and m.text is not None
    ]


# --- the list ---------------------------------------------------------------------------------------------------


async def test_empty_list_offers_a_new_reminder(tg: FakeTelegram) -> None:
    await tg.send(PERSON, "/reminders")
    assert tg.last_text(PERSON) == tg.content.t("reminders.empty")
    assert tg.button(PERSON, "Новое напоминание") == ReminderCb(action="new").pack()


# --- step by step ----------------------------------------------------------------------------------------------


async def test_weekly_reminder_made_with_buttons_is_saved_in_the_users_zone(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    await _in_zone(tg, PERSON, YEKATERINBURG)
    await tg.send(PERSON, "/reminders")
    await tg.tap(PERSON, tg.button(PERSON, "Новое напоминание"))
    assert "Что напомнить?" in tg.last_text(PERSON)
    await tg.send(PERSON, "Планёрка отдела")
    assert tg.last_text(PERSON) == "Как часто?"
    await tg.tap(PERSON, tg.button(PERSON, "По дням недели"))
    assert "По каким дням недели?" in tg.last_text(PERSON)
    await tg.tap(PERSON, tg.button(PERSON, "Пн"))
    await tg.tap(PERSON, tg.button(PERSON, "Ср"))
    labels = [text for text, _ in tg.buttons(PERSON)]
    assert "✓ Пн" in labels and "✓ Ср" in labels and "Вт" in labels
    await tg.tap(PERSON, tg.button(PERSON, "Готово"))
    assert "Во сколько?" in tg.last_text(PERSON)
    await tg.send(PERSON, "9:30")

    card = tg.last_text(PERSON)
    assert "Планёрка отдела" in card
    assert "по понедельникам и средам в 9:30" in card
    # Monday 9:30 has passed in Yekaterinburg (it is 12:00 there): the first one is on Wednesday.
    assert "в среду, 2 декабря, в 9:30" in card
    assert "Екатеринбург (UTC+5)" in card
    assert await tg.store.reminders.list_for(PERSON) == []  # nothing saved before «Сохранить»

    await tg.tap(PERSON, tg.button(PERSON, "Сохранить"))
    assert tg.last_text(PERSON) == "Сохранено. Напомню в среду, 2 декабря, в 9:30."
    [reminder] = await tg.store.reminders.list_for(PERSON)
    assert reminder.title == "Планёрка отдела"
    assert reminder.timezone == YEKATERINBURG
    assert reminder.state is ReminderState.ACTIVE
    assert reminder.rule == Rule(Frequency.WEEKLY, at=time(9, 30), start=date(2026, 11, 30), weekdays=(0, 2))
    assert reminder.next_due_at == datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 9:30 at UTC+5
    assert engine.woken == [reminder.next_due_at]

    await tg.send(PERSON, "/reminders")
    listing = tg.last_text(PERSON)
    assert "Планёрка отдела" in listing
    assert "по понедельникам и средам в 9:30" in listing
    assert "следующее — в среду, 2 декабря, в 9:30" in listing


async def test_a_weekday_tapped_twice_is_unchosen_and_ready_needs_a_day(tg: FakeTelegram) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Отчёт")
    await tg.tap(PERSON, tg.button(PERSON, "По дням недели"))
    await tg.tap(PERSON, tg.button(PERSON, "Пт"))
    await tg.tap(PERSON, tg.button(PERSON, "Пт"))
    assert "✓ Пт" not in [text for text, _ in tg.buttons(PERSON)]
    await tg.tap(PERSON, tg.button(PERSON, "Готово"))
    assert tg.last_callback_answer() == tg.content.t("reminders.errors.no_weekdays")
    assert "По каким дням недели?" in tg.last_text(PERSON)


async def test_cancel_saves_nothing(tg: FakeTelegram, engine: RecordingEngine) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Позвонить клиенту")
    await tg.tap(PERSON, tg.button(PERSON, "Каждый день"))
    await tg.tap(PERSON, tg.button(PERSON, "15:00"))
    assert "каждый день в 15:00" in tg.last_text(PERSON)
    await tg.tap(PERSON, tg.button(PERSON, "Отмена"))
    assert tg.last_text(PERSON) == "Отменено, ничего не сохранил."
    assert await tg.store.reminders.list_for(PERSON) == []
    assert engine.woken == []
    # The card's «Сохранить» tapped after the cancel is an old button: nothing is saved.
    await tg.tap(PERSON, ReminderDraftCb(action="save").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert await tg.store.reminders.list_for(PERSON) == []


@pytest.mark.parametrize(("typed", "shown"), [("9:30", "9:30"), ("09:30", "9:30"), ("9", "9:00"), ("21:05", "21:05")])
async def test_typed_times_are_read(tg: FakeTelegram, typed: str, shown: str) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Сверка")
    await tg.tap(PERSON, tg.button(PERSON, "Каждый день"))
    await tg.send(PERSON, typed)
    assert f"каждый день в {shown}" in tg.last_text(PERSON)


@pytest.mark.parametrize("typed", ["25:00", "9:75", "утром", "полдесятого"])
async def test_a_bad_typed_time_gets_an_error_and_the_step_stays(tg: FakeTelegram, typed: str) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Сверка")
    await tg.tap(PERSON, tg.button(PERSON, "Каждый день"))
    await tg.send(PERSON, typed)
    assert tg.last_text(PERSON) == tg.content.t("schedules.errors.bad_time")
    assert await tg.store.reminders.list_for(PERSON) == []
    await tg.send(PERSON, "10:00")  # still at the time step
    assert "каждый день в 10:00" in tg.last_text(PERSON)


async def test_once_with_a_typed_date(tg: FakeTelegram) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Итоги года")
    await tg.tap(PERSON, tg.button(PERSON, "Один раз"))
    assert "Какого числа?" in tg.last_text(PERSON)
    await tg.send(PERSON, "31.02")
    assert tg.last_text(PERSON) == tg.content.t("reminders.errors.bad_date")
    await tg.send(PERSON, "30.12")
    await tg.send(PERSON, "15:00")
    assert "30 декабря в 15:00" in tg.last_text(PERSON)
    await tg.tap(PERSON, tg.button(PERSON, "Сохранить"))
    [reminder] = await tg.store.reminders.list_for(PERSON)
    assert reminder.rule == Rule(Frequency.ONCE, at=time(15, 0), start=date(2026, 12, 30))
    assert reminder.next_due_at == datetime(2026, 12, 30, 12, 0, tzinfo=UTC)  # Moscow, UTC+3


async def test_once_today_at_a_passed_time_asks_for_another_time(tg: FakeTelegram) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Созвон")
    await tg.tap(PERSON, tg.button(PERSON, "Один раз"))
    await tg.tap(PERSON, tg.button(PERSON, "Сегодня"))
    await tg.send(PERSON, "9:00")  # it is 10:00 in Moscow
    assert tg.content.t("reminders.errors.past") in tg.last_text(PERSON)
    assert await tg.store.reminders.list_for(PERSON) == []
    await tg.send(PERSON, "18:00")
    assert "сегодня в 18:00" in tg.last_text(PERSON)


async def test_monthly_asks_for_a_day_of_the_month(tg: FakeTelegram) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "Отчёт собственнику")
    await tg.tap(PERSON, tg.button(PERSON, "Раз в месяц"))
    await tg.send(PERSON, "32")
    assert tg.last_text(PERSON) == tg.content.t("reminders.errors.bad_month_day")
    await tg.send(PERSON, "31")
    await tg.tap(PERSON, tg.button(PERSON, "10:00"))
    card = tg.last_text(PERSON)
    assert "каждый месяц 31-го" in card and "в 10:00" in card
    assert "30 ноября" not in card and "сегодня в 10:00" not in card  # 10:00 today has just come: not after now
    await tg.tap(PERSON, tg.button(PERSON, "Сохранить"))
    [reminder] = await tg.store.reminders.list_for(PERSON)
    assert reminder.next_due_at == datetime(2026, 12, 31, 7, 0, tzinfo=UTC)


async def test_a_too_long_title_is_refused(tg: FakeTelegram) -> None:
    await tg.tap(PERSON, ReminderCb(action="new").pack())
    await tg.send(PERSON, "а" * 1001)
    assert tg.last_text(PERSON) == tg.content.t("reminders.errors.bad_title", limit="1000 символов")  # «many»
    await tg.send(PERSON, "Коротко")
    assert tg.last_text(PERSON) == "Как часто?"


# --- /remind <phrase> -------------------------------------------------------------------------------------------


async def test_remind_phrase_shows_a_card_and_save_saves(tg: FakeTelegram, engine: RecordingEngine) -> None:
    await tg.send(PERSON, "/remind завтра в 9:30 созвон с Иваном")
    card = tg.last_text(PERSON)
    assert "созвон с Иваном" in card
    assert "завтра в 9:30" in card
    assert "Москва (UTC+3)" in card
    assert await tg.store.reminders.list_for(PERSON) == []
    await tg.tap(PERSON, tg.button(PERSON, "Сохранить"))
    assert tg.last_text(PERSON) == "Сохранено. Напомню завтра в 9:30."
    [reminder] = await tg.store.reminders.list_for(PERSON)
    assert reminder.title == "созвон с Иваном"
    assert reminder.rule == Rule(Frequency.ONCE, at=time(9, 30), start=date(2026, 12, 1))
    assert reminder.next_due_at == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    assert engine.woken == [reminder.next_due_at]


async def test_stale_save_after_saving_is_answered_and_saves_nothing_twice(
    tg: FakeTelegram, engine: RecordingEngine
) -> None:
    await tg.send(PERSON, "/remind по будням в 9:00 планёрка")
    save = tg.button(PERSON, "Сохранить")
    await tg.tap(PERSON, save)
    await tg.tap(PERSON, save)
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    await tg.tap(PERSON, ReminderDraftCb(action="time", value=10 * 60).pack())
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    reminders = await tg.store.reminders.list_for(PERSON)
    assert len(reminders) == 1
    assert len(engine.woken) == 1


async def test_remind_phrase_edit_goes_back_to_how_often(tg: FakeTelegram) -> None:
    await tg.send(PERSON, "/remind завтра в 9:30 созвон с Иваном")
    await tg.tap(PERSON, tg.button(PERSON, "Изменить"))
    assert tg.last_text(PERSON) == "Как часто?"
    await tg.tap(PERSON, tg.button(PERSON, "Каждый день"))
    await tg.send(PERSON, "11:00")
    card = tg.last_text(PERSON)
    assert "созвон с Иваном" in card and "каждый день в 11:00" in card
    await tg.tap(PERSON, tg.button(PERSON, "Сохранить"))
    [reminder] = await tg.store.reminders.list_for(PERSON)
    assert reminder.title == "созвон с Иваном"
    assert reminder.rule.frequency is Frequency.DAILY
    assert reminder.rule.at == time(11, 0)


async def test_remind_with_junk_explains_with_examples(tg: FakeTelegram) -> None:
    await tg.send(PERSON, "/remind абракадабра что-то там")
    text = tg.last_text(PERSON)
    assert text == tg.content.t("schedules.errors.unknown")
    assert "/remind завтра в 9:30" in text
    assert await tg.store.reminders.list_for(PERSON) == []


async def test_remind_without_a_phrase_shows_usage(tg: FakeTelegram) -> None:
    await tg.send(PERSON, "/remind")
    assert tg.last_text(PERSON) == tg.content.t("reminders.remind_usage")


async def test_remind_in_the_past_is_refused(tg: FakeTelegram) -> None:
    await tg.send(PERSON, "/remind сегодня в 8:00 отчёт")  # it is 10:00 in Moscow
    assert tg.last_text(PERSON) == tg.content.t("schedules.errors.past")
    assert await tg.store.reminders.list_for(PERSON) == []


# --- one reminder: pause, resume, change, delete -----------------------------------------------------------------


async def test_pause_and_resume_with_buttons(tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine) -> None:
    reminder_id = await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    await tg.send(PERSON, "/reminders")
    await tg.tap(PERSON, tg.button(PERSON, "1"))
    detail = tg.last_text(PERSON)
    assert "сверка" in detail and "каждый день в 9:00" in detail and "завтра в 9:00" in detail

    await tg.tap(PERSON, tg.button(PERSON, "Пауза"))
    assert tg.last_callback_answer() == "Поставил на паузу."
    assert "На паузе" in tg.last_text(PERSON)
    assert (await tg.store.reminders.get(PERSON, reminder_id)).state is ReminderState.PAUSED
    await tg.send(PERSON, "/reminders")
    assert "⏸ на паузе" in tg.last_text(PERSON)

    # Three days later: what fell due while paused is not sent; it goes on from the next occurrence.
    clock.advance(timedelta(days=3))
    await tg.tap(PERSON, ReminderCb(action="open", reminder=reminder_id).pack())
    await tg.tap(PERSON, tg.button(PERSON, "Возобновить"))
    assert tg.last_callback_answer() == "Возобновил. Следующее — завтра в 9:00."
    resumed = await tg.store.reminders.get(PERSON, reminder_id)
    assert resumed.state is ReminderState.ACTIVE
    assert resumed.next_due_at == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert engine.woken[-1] == resumed.next_due_at
    assert tg.button(PERSON, "Пауза") == ReminderCb(action="pause", reminder=reminder_id).pack()


async def test_change_time_and_rule_of_a_saved_reminder(tg: FakeTelegram, engine: RecordingEngine) -> None:
    reminder_id = await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    await tg.tap(PERSON, ReminderCb(action="open", reminder=reminder_id).pack())
    await tg.tap(PERSON, tg.button(PERSON, "Время"))
    assert "Во сколько?" in tg.last_text(PERSON)
    await tg.send(PERSON, "10:15")
    changed = await tg.store.reminders.get(PERSON, reminder_id)
    assert changed.rule.frequency is Frequency.DAILY and changed.rule.at == time(10, 15)
    assert changed.next_due_at == datetime(2026, 11, 30, 7, 15, tzinfo=UTC)  # today, 10:15 in Moscow
    assert "каждый день в 10:15" in tg.last_text(PERSON)
    assert engine.woken[-1] == changed.next_due_at

    await tg.tap(PERSON, tg.button(PERSON, "Как часто"))
    await tg.tap(PERSON, tg.button(PERSON, "По будням"))
    await tg.tap(PERSON, tg.button(PERSON, "18:00"))
    changed = await tg.store.reminders.get(PERSON, reminder_id)
    assert changed.rule.weekdays == (0, 1, 2, 3, 4) and changed.rule.at == time(18, 0)
    assert "по будням в 18:00" in tg.last_text(PERSON)
    assert len(await tg.store.reminders.list_for(PERSON)) == 1  # changed in place, not a second one


async def test_delete_asks_for_confirmation(tg: FakeTelegram) -> None:
    reminder_id = await _reminder_via_phrase(tg, "завтра в 9:30 созвон с Иваном")
    await tg.tap(PERSON, ReminderCb(action="open", reminder=reminder_id).pack())
    await tg.tap(PERSON, tg.button(PERSON, "Удалить"))
    assert tg.last_text(PERSON) == "Удалить напоминание «созвон с Иваном»?"
    await tg.tap(PERSON, tg.button(PERSON, "Отмена"))  # back to the reminder, still there
    assert "созвон с Иваном" in tg.last_text(PERSON)
    assert len(await tg.store.reminders.list_for(PERSON)) == 1

    await tg.tap(PERSON, tg.button(PERSON, "Удалить"))
    await tg.tap(PERSON, tg.button(PERSON, "Да, удалить"))
    assert tg.last_callback_answer() == "Напоминание удалено."
    assert tg.last_text(PERSON) == tg.content.t("reminders.empty")
    with pytest.raises(NotFound):
        await tg.store.reminders.get(PERSON, reminder_id)


@pytest.mark.parametrize("action", ["open", "pause", "resume", "time", "rule", "delete", "confirm_delete"])
async def test_another_users_reminder_reads_as_not_found(tg: FakeTelegram, action: str) -> None:
    reminder_id = await _reminder_via_phrase(tg, "завтра в 9:30 созвон с Иваном")
    await tg.tap(OTHER, ReminderCb(action=action, reminder=reminder_id).pack())
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    reminder = await tg.store.reminders.get(PERSON, reminder_id)
    assert reminder.state is ReminderState.ACTIVE
    assert not any("созвон" in text for text in tg.texts(OTHER))


# --- a delivered reminder ---------------------------------------------------------------------------------------


async def test_done_is_recorded_once_and_a_double_tap_says_already(tg: FakeTelegram, clock: FakeClock) -> None:
    reminder_id = await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="done").pack())
    assert _edits(tg, PERSON)[-1].endswith("✅ Сделано")
    delivery = await tg.store.deliveries.get(PERSON, delivery_id)
    assert delivery.outcome is Outcome.DONE

    edits_before = len(_edits(tg, PERSON))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="done").pack())
    assert tg.last_callback_answer() == "Уже отмечено."
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="skip").pack())
    assert tg.last_callback_answer() == "Уже отмечено."
    assert len(_edits(tg, PERSON)) == edits_before
    assert (await tg.store.deliveries.get(PERSON, delivery_id)).outcome is Outcome.DONE
    # A done occurrence of a series does not end the series.
    reminder = await tg.store.reminders.get(PERSON, reminder_id)
    assert reminder.state is ReminderState.ACTIVE
    assert reminder.next_due_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


async def test_skip_is_recorded(tg: FakeTelegram, clock: FakeClock) -> None:
    await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="skip").pack())
    assert _edits(tg, PERSON)[-1].endswith("⏭ Пропущено")
    assert (await tg.store.deliveries.get(PERSON, delivery_id)).outcome is Outcome.SKIPPED


async def test_snooze_for_an_hour_is_a_one_off_and_never_moves_the_series(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    reminder_id = await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 2, tzinfo=UTC))
    series_next = (await tg.store.reminders.get(PERSON, reminder_id)).next_due_at
    assert series_next == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)

    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="hour").pack())
    until = datetime(2026, 12, 1, 7, 2, tzinfo=UTC)
    assert _edits(tg, PERSON)[-1].endswith("⏰ Напомню сегодня в 10:02")
    assert engine.woken[-1] == until
    assert (await tg.store.deliveries.get(PERSON, delivery_id)).outcome is Outcome.SNOOZED
    assert (await tg.store.reminders.get(PERSON, reminder_id)).next_due_at == series_next

    clock.set(until)
    [again] = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    assert again.snoozed and again.reminder_id == reminder_id and again.occurrence_at == until
    snoozed = await tg.store.deliveries.get(PERSON, again.id)
    assert snoozed.snoozed_from == delivery_id and snoozed.status is DeliveryStatus.CLAIMED
    assert (await tg.store.reminders.get(PERSON, reminder_id)).next_due_at == series_next


async def test_snooze_till_tomorrow_keeps_the_time_of_day(
    tg: FakeTelegram, clock: FakeClock, engine: RecordingEngine
) -> None:
    await _reminder_via_phrase(tg, "в пятницу в 16:00 итоги недели")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 4, 13, 1, tzinfo=UTC))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="tomorrow").pack())
    assert _edits(tg, PERSON)[-1].endswith("⏰ Напомню завтра в 16:00")
    assert engine.woken[-1] == datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answer", "snooze", "outcome"), [("done", "hour", Outcome.DONE), ("skip", "tomorrow", Outcome.SKIPPED)]
)
async def test_snooze_after_an_answer_says_already_answered(
    tg: FakeTelegram, clock: FakeClock, answer: str, snooze: str, outcome: Outcome
) -> None:
    reminder_id = await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action=answer).pack())
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action=snooze).pack())
    assert tg.last_callback_answer() == "Уже отмечено."
    assert (await tg.store.deliveries.get(PERSON, delivery_id)).outcome is outcome
    clock.advance(timedelta(hours=23, minutes=59))  # nothing pending before the series' next occurrence
    assert await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE) == []
    assert (await tg.store.reminders.get(PERSON, reminder_id)).state is ReminderState.ACTIVE


async def test_done_after_a_snooze_cancels_the_snooze(tg: FakeTelegram, clock: FakeClock) -> None:
    await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="hour").pack())
    await tg.tap(PERSON, DeliveryCb(delivery=delivery_id, action="done").pack())
    assert (await tg.store.deliveries.get(PERSON, delivery_id)).outcome is Outcome.DONE
    clock.advance(timedelta(hours=1))
    assert await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE) == []


async def test_another_users_delivery_reads_as_not_found(tg: FakeTelegram, clock: FakeClock) -> None:
    await _reminder_via_phrase(tg, "каждый день в 9:00 сверка")
    delivery_id = await _deliver(tg, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    for action in ("done", "hour"):
        await tg.tap(OTHER, DeliveryCb(delivery=delivery_id, action=action).pack())
        assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    delivery = await tg.store.deliveries.get(PERSON, delivery_id)
    assert delivery.outcome is None
