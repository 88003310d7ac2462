"""/calls through the real Dispatcher with a fake clock moved by hand: setting up the target and the managers, the
weekly reminder (kind «calls») in /reminders and its «Открыть прослушивание» button, a call review with and without
the head's consent to send it, a blocked manager, and the edges (a typo, 0 or an absurd target, stale buttons, a
member removed while in the rotation, a paused reminder)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.callbacks import CallManagerCb, CallReviewCb, SubjectCb
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.views.reminders import delivered_reminder
from content import Content
from domain.calls import Feedback
from domain.reminders import ReminderState
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head
from tests.handlers.recording import RecordingSession

# Monday 30 November 2026, 10:00 in Moscow (the team's and the head's zone): ISO week 2026-W49.
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)
SCORE_2, SCORE_1, NOT_IN_CALL = "2 — да", "1 — частично", "Не было в звонке"


class BlockingSession(RecordingSession):
    """Messages to the chats in `blocked` are refused with 403, as Telegram does once a person blocks the bot."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: set[int] = set()

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, SendMessage) and method.chat_id in self.blocked:
            self.requests.append(method)
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked by the user")
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = BlockingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _team_with_ivan(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Иван")


async def _set_up(tg: FakeTelegram, target: str = "4", names: str | None = "Мария, Пётр") -> int:
    """/calls → target → Иван (a member in the bot) and typed names → «Готово»; returns the plan id."""
    await tg.send(HEAD, "/calls")
    await tg.tap(HEAD, tg.button(HEAD, "Настроить"))
    await tg.send(HEAD, target)
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    if names is not None:
        await tg.tap(HEAD, tg.button(HEAD, "Добавить по имени"))
        await tg.send(HEAD, names)
    await tg.tap(HEAD, tg.button(HEAD, "Готово"))
    team_id = (await tg.store.teams.current_membership(HEAD)).team_id  # type: ignore[union-attr]
    plan = await tg.store.calls.plan_for(HEAD, team_id)
    assert plan is not None
    return plan.id


async def _review_ivan(tg: FakeTelegram, consent: bool) -> None:
    """«Другой менеджер» → Иван → six criteria (a note on the first) → praise → fix → (consent) → save."""
    await tg.tap(HEAD, tg.button(HEAD, "Другой менеджер"))
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    assert "Критерий 1 из 6: <b>Выявление потребности</b>" in tg.last_text(HEAD)
    await tg.send(HEAD, "Хорошие вопросы про бюджет")
    assert "Заметка к «Выявление потребности» сохранена" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, SCORE_2))
    for label in (SCORE_1, SCORE_2, NOT_IN_CALL, "0 — нет", SCORE_1):
        await tg.tap(HEAD, tg.button(HEAD, label))
    assert "Что похвалить?" in tg.last_text(HEAD)
    await tg.send(HEAD, "Выяснил <бюджет> и сроки")
    assert "Что исправить?" in tg.last_text(HEAD)
    assert "Слабее всего в этом звонке: Следующий шаг" in tg.last_text(HEAD)
    await tg.send(HEAD, "Договориться о следующем шаге")
    summary = tg.last_text(HEAD)
    assert "Итого: 6 из 10" in summary and "Выяснил &lt;бюджет&gt; и сроки" in summary
    assert "☐ Отправить разбор: Иван" in [text for text, _ in tg.buttons(HEAD)]  # off by default
    if consent:
        await tg.tap(HEAD, tg.button(HEAD, "Отправить разбор"))
        assert "☑ Отправить разбор: Иван" in [text for text, _ in tg.buttons(HEAD)]
    await tg.tap(HEAD, tg.button(HEAD, "Сохранить"))


def _messages_to(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m.text for m in tg.session.requests if isinstance(m, SendMessage) and m.chat_id == chat_id]


# --- setting up -------------------------------------------------------------------------------------------------


async def test_set_up_target_and_managers_and_the_weekly_reminder_is_in_reminders(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await tg.send(HEAD, "/calls")
    assert "стимул для менеджеров" in tg.last_text(HEAD) and "статья 002" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Настроить"))
    assert "не норма звонков для менеджеров" in tg.last_text(HEAD)

    await tg.send(HEAD, "4о")  # a typo: asked again, nothing saved
    assert tg.last_text(HEAD) == tg.content.t("calls.errors.target_not_number")
    await tg.send(HEAD, "0")
    assert tg.last_text(HEAD) == "Цель — от 1 до 50 звонков в неделю. Напишите другое число."
    await tg.send(HEAD, "500")
    assert "от 1 до 50" in tg.last_text(HEAD)
    assert await tg.store.reminders.list_for(HEAD) == []
    await tg.send(HEAD, "4")
    assert "🎯 Цель: 4 звонка в неделю." in tg.last_text(HEAD)

    await tg.tap(HEAD, tg.button(HEAD, "Готово"))  # nobody yet
    assert tg.last_callback_answer() == tg.content.t("calls.need_managers")
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    assert "✓ Иван" in [text for text, _ in tg.buttons(HEAD)]
    await tg.tap(HEAD, tg.button(HEAD, "Добавить по имени"))
    await tg.send(HEAD, "Мария, Пётр\nМария")
    assert "Добавлено 2 менеджера." in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Готово"))

    screen = tg.last_text(HEAD)
    assert "Неделя 30.11.2026 – 06.12.2026" in screen
    assert "Прослушано 0 звонков из 4" in screen and "Осталось: 4 звонка." in screen
    assert "На этой неделе — звонки: " in screen and screen.count("<b>") >= 3  # two names in bold
    assert "⏰ Напоминание: по понедельникам в 9:00." in screen  # Monday at the head's workday start
    assert len([t for t, _ in tg.buttons(HEAD) if t.startswith("🎧 Разобрать звонок")]) == 2

    [reminder] = await tg.store.reminders.list_for(HEAD)
    assert reminder.kind == "calls" and reminder.subject_id is not None
    await tg.send(HEAD, "/reminders")
    assert "Прослушать звонки менеджеров" in tg.last_text(HEAD)


async def test_the_reminder_day_and_time_can_be_changed_and_a_typo_is_asked_again(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    await tg.tap(HEAD, tg.button(HEAD, "Напоминание"))
    await tg.tap(HEAD, tg.button(HEAD, "Ср"))
    await tg.send(HEAD, "25:00")
    assert tg.last_text(HEAD) == tg.content.t("schedules.errors.bad_time")
    await tg.send(HEAD, "10:30")
    assert "⏰ Напоминание: по средам в 10:30." in tg.last_text(HEAD)
    [reminder] = await tg.store.reminders.list_for(HEAD)
    assert reminder.rule.weekdays == (2,) and reminder.next_due_at == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


async def test_the_target_can_be_changed_later(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    await tg.tap(HEAD, tg.button(HEAD, "Цель"))
    await tg.tap(HEAD, tg.button(HEAD, "10"))
    assert "🎯 Цель: 10 звонков в неделю." in tg.last_text(HEAD)
    assert "Прослушано 0 звонков из 10" in tg.last_text(HEAD)
    assert len(await tg.store.reminders.list_for(HEAD)) == 1  # the same reminder


# --- a review ---------------------------------------------------------------------------------------------------


async def test_a_review_with_consent_reaches_the_manager(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    before = len(_messages_to(tg, MEMBER))
    await _review_ivan(tg, consent=True)

    screen = tg.last_text(HEAD)
    assert "✅ Разбор сохранён: Иван." in screen and "📨 Разбор отправлен: Иван." in screen
    assert "Прослушан 1 звонок из 4" in screen and "Осталось: 3 звонка." in screen
    assert "Иван · 6 из 10 · 📨" in screen

    [feedback] = _messages_to(tg, MEMBER)[before:]
    assert "Разбор вашего звонка" in feedback and "От: Анна" in feedback
    assert "Хорошие вопросы про бюджет" in feedback and "Выяснил &lt;бюджет&gt; и сроки" in feedback
    assert "Договориться о следующем шаге" in feedback and "Итого: 6 из 10" in feedback
    assert "Мария" not in feedback and "Пётр" not in feedback  # never other managers' data


async def test_without_consent_nothing_is_sent_to_the_manager(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    before = len(_messages_to(tg, MEMBER))
    await _review_ivan(tg, consent=False)
    assert _messages_to(tg, MEMBER)[before:] == []
    assert "✅ Разбор сохранён: Иван." in tg.last_text(HEAD) and "📨" not in tg.last_text(HEAD)
    [review] = await tg.store.calls.recent(HEAD, (await _plan_id(tg)))
    assert review.feedback is Feedback.PRIVATE


async def test_a_manager_who_blocked_the_bot_is_told_to_the_head_and_recorded(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    tg.session.blocked.add(MEMBER)  # type: ignore[attr-defined]
    await _review_ivan(tg, consent=True)
    screen = tg.last_text(HEAD)
    assert "✅ Разбор сохранён: Иван." in screen and "заблокировал(а) бота" in screen
    [review] = await tg.store.calls.recent(HEAD, await _plan_id(tg))
    assert review.feedback is Feedback.BLOCKED
    assert "не доставлен" in screen


async def test_a_typed_name_gets_no_consent_button(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg, target="2", names="Мария")
    await tg.send(HEAD, "/calls")
    await tg.tap(HEAD, tg.button(HEAD, "Другой менеджер"))
    await tg.tap(HEAD, tg.button(HEAD, "Мария"))
    for _ in range(6):
        await tg.tap(HEAD, tg.button(HEAD, SCORE_2))
    await tg.tap(HEAD, tg.button(HEAD, "Пропустить"))
    await tg.tap(HEAD, tg.button(HEAD, "Пропустить"))
    assert "Марии нет в боте" not in tg.last_text(HEAD)
    assert "Мария нет в боте — разбор останется у вас." in tg.last_text(HEAD)
    assert not any("Отправить разбор" in text for text, _ in tg.buttons(HEAD))
    await tg.tap(HEAD, tg.button(HEAD, "Сохранить"))
    assert "Прослушан 1 звонок из 2" in tg.last_text(HEAD)
    assert "✅ Цель недели выполнена." not in tg.last_text(HEAD)


async def test_a_managers_history(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    await _review_ivan(tg, consent=False)
    await tg.tap(HEAD, tg.button(HEAD, "История"))
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    history = tg.last_text(HEAD)
    assert "Разборы звонков: Иван" in history and "30.11.2026</b> · 6 из 10" in history
    assert "👍 Выяснил &lt;бюджет&gt; и сроки" in history and "🔧 Договориться о следующем шаге" in history
    await tg.tap(HEAD, tg.button(HEAD, "Прослушивание"))
    await tg.tap(HEAD, tg.button(HEAD, "История"))
    await tg.tap(HEAD, tg.button(HEAD, "Мария"))
    assert "Разборов пока нет." in tg.last_text(HEAD)


# --- the weekly reminder opens the screen ---------------------------------------------------------------------


async def test_the_delivered_reminder_opens_this_weeks_listening(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team_with_ivan(tg)
    plan_id = await _set_up(tg)
    await _review_ivan(tg, consent=False)

    clock.set(datetime(2026, 12, 7, 6, 0, tzinfo=UTC))  # next Monday 9:00 in Moscow
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    [delivery] = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    outgoing = delivered_reminder(tg.content, delivery, clock.now())
    rows = outgoing.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert rows[0][0].text == "🎧 Открыть прослушивание"
    assert rows[0][0].callback_data == SubjectCb(kind="calls", subject=plan_id).pack()

    await tg.tap(HEAD, SubjectCb(kind="calls", subject=plan_id).pack())
    screen = tg.last_text(HEAD)
    assert "Неделя 07.12.2026 – 13.12.2026" in screen and "Прослушано 0 звонков из 4" in screen
    assert "Иван · 6 из 10" in screen  # last week's review among the recent ones


async def test_a_forged_subject_reads_as_not_found(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await tg.tap(HEAD, SubjectCb(kind="calls", subject=999).pack())
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")


# --- edges ----------------------------------------------------------------------------------------------------


async def test_a_manager_sees_no_listening(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    await tg.send(MEMBER, "/calls", name="Иван")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")


async def test_stale_buttons_get_a_toast(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    await tg.tap(HEAD, tg.button(HEAD, "Другой менеджер"))
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    first = tg.button(HEAD, SCORE_2)
    await tg.tap(HEAD, first)
    await tg.tap(HEAD, first)  # a double tap on the first criterion
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert "Критерий 2 из 6" in tg.last_text(HEAD)
    cancel = tg.button(HEAD, "Отменить разбор")
    await tg.tap(HEAD, cancel)
    assert "Разбор отменён" in tg.last_text(HEAD)
    await tg.tap(HEAD, cancel)  # the review is gone
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    manager = CallManagerCb.unpack(tg.button(HEAD, "Разобрать звонок")).manager
    await tg.tap(HEAD, CallReviewCb(action="save", manager=manager).pack())
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert await tg.store.calls.recent(HEAD, await _plan_id(tg)) == []


async def test_a_member_removed_while_in_the_rotation_leaves_it_and_keeps_the_history(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg, target="4", names="Мария")  # two managers, two places: both up this week
    await _review_ivan(tg, consent=False)
    await tg.send(HEAD, "/calls")
    old_button = tg.button(HEAD, "Разобрать звонок: Иван")
    team_id = (await tg.store.teams.current_membership(HEAD)).team_id  # type: ignore[union-attr]
    await tg.store.teams.remove_member(HEAD, team_id, MEMBER)

    await tg.send(HEAD, "/calls")
    screen = tg.last_text(HEAD)
    assert "На этой неделе — звонки: <b>Мария</b>." in screen
    assert not any("Иван" in text for text, _ in tg.buttons(HEAD))
    await tg.tap(HEAD, old_button)
    answers = [a for a in tg.session.requests if isinstance(a, AnswerCallbackQuery)]
    assert answers[-1].text == tg.content.t("calls.errors.manager_gone")
    await tg.tap(HEAD, tg.button(HEAD, "Менеджеры"))
    assert "Иван <i>(больше не в команде" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Готово"))
    await tg.tap(HEAD, tg.button(HEAD, "История"))
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    assert "6 из 10" in tg.last_text(HEAD) and "Больше не в ротации" in tg.last_text(HEAD)


async def test_a_paused_reminder_leaves_the_screen_working(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    [reminder] = await tg.store.reminders.list_for(HEAD)
    await tg.store.reminders.pause(HEAD, reminder.id)
    await tg.send(HEAD, "/calls")
    assert "⏸ Напоминание на паузе (по понедельникам в 9:00)" in tg.last_text(HEAD)
    await _review_ivan(tg, consent=False)
    assert "Прослушан 1 звонок из 4" in tg.last_text(HEAD)
    assert (await tg.store.reminders.get(HEAD, reminder.id)).state is ReminderState.PAUSED


async def test_a_deleted_reminder_is_made_again_from_the_screen(tg: FakeTelegram) -> None:
    await _team_with_ivan(tg)
    await _set_up(tg)
    [reminder] = await tg.store.reminders.list_for(HEAD)
    await tg.store.reminders.delete(HEAD, reminder.id)
    await tg.send(HEAD, "/calls")
    assert "Напоминания нет" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Напоминание"))
    await tg.tap(HEAD, tg.button(HEAD, "Пн"))
    await tg.tap(HEAD, tg.button(HEAD, "начало рабочего дня"))
    assert "⏰ Напоминание: по понедельникам в 9:00." in tg.last_text(HEAD)
    [again] = await tg.store.reminders.list_for(HEAD)
    assert again.kind == "calls" and again.id != reminder.id


async def _plan_id(tg: FakeTelegram) -> int:
    team_id = (await tg.store.teams.current_membership(HEAD)).team_id  # type: ignore[union-attr]
    plan = await tg.store.calls.plan_for(HEAD, team_id)
    assert plan is not None
    return plan.id
