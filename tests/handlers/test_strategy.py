"""/strategy through the real Dispatcher with a fake clock: the session (skip, resume after a restart, versions),
milestones with their reminders in /reminders, statuses, the edges (a past due date, an owner removed, dropping,
stale buttons, a paused reminder), the delivered reminder's «Открыть веху», and the .ics from /reminders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.callbacks import (
    CalendarCb,
    MilestoneCb,
    MilestoneOwnerCb,
    MilestoneStatusCb,
    ReminderCb,
    StrategyCb,
    SubjectCb,
)
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.views.reminders import delivered_reminder
from content import Content
from domain.reminders import ReminderState
from domain.schedules import Frequency, next_occurrence
from domain.strategy import Horizon, Milestone, MilestoneStatus
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, STRANGER, RecordingEngine, onboard_head
from tests.handlers.recording import RecordingSession

# Monday 30 November 2026, 10:00 in Moscow (the team's zone).
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


def _fake_telegram(
    store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine
) -> FakeTelegram:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock, reminder_engine=engine)
    return FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)


@pytest.fixture
async def tg(
    store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine
) -> AsyncIterator[FakeTelegram]:
    made = _fake_telegram(store, content, tmp_path, clock, engine)
    yield made
    await made.dispatcher.storage.close()


def t(tg: FakeTelegram, key: str, **kwargs: object) -> str:
    return tg.content.t(key, **kwargs)


async def _team_id(tg: FakeTelegram, user_id: int = HEAD) -> int:
    membership = await tg.store.teams.current_membership(user_id)
    assert membership is not None
    return membership.team_id


async def _session(
    tg: FakeTelegram, answers: tuple[str | None, ...] = ("Топ-3 в регионе", None, "Сервис", "CRM")
) -> None:
    """/strategy → the session; None answers are skipped with the button."""
    await tg.send(HEAD, "/strategy")
    await tg.tap(HEAD, tg.button(HEAD, "Стратегическая сессия"))
    for answer in answers:
        if answer is None:
            await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip")))
        else:
            await tg.send(HEAD, answer)


async def _milestones(tg: FakeTelegram) -> list[Milestone]:
    return await tg.store.strategy.milestones(HEAD, await _team_id(tg))


async def _strategy_reminders(tg: FakeTelegram, user_id: int = HEAD) -> list[tuple[str, ReminderState]]:
    return [(r.title, r.state) for r in await tg.store.reminders.list_for(user_id) if r.kind == "strategy"]


async def _one_milestone(tg: FakeTelegram, title: str = "Открыть филиал в Казани") -> Milestone:
    """A quarter milestone added outside a session (due 31 March 2027, owned by the head)."""
    await tg.tap(HEAD, StrategyCb(action="add").pack())
    await tg.tap(HEAD, tg.button(HEAD, "квартал"))
    await tg.send(HEAD, title)
    [milestone] = [m for m in await _milestones(tg) if m.title == title]
    return milestone


# --- the session and its milestones -----------------------------------------------------------------------------


async def test_session_milestones_reminders_and_statuses(tg: FakeTelegram, engine: RecordingEngine) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/strategy")
    assert "Стратегия отдела продаж" in tg.last_text(HEAD)
    assert "больше, чем планёрка" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Стратегическая сессия"))
    assert "Вопрос 1 из 4" in tg.last_text(HEAD) and "Где хотим быть через 1–2 года?" in tg.last_text(HEAD)
    await tg.send(HEAD, "Топ-3 поставщиков в регионе")
    assert "Какие сегменты, продукты, подходы усиливаем?" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip")))
    assert "Что будет нашим преимуществом?" in tg.last_text(HEAD)
    await tg.send(HEAD, "Сервис <24ч>")
    assert "Какие роли и технологии внедряем?" in tg.last_text(HEAD)
    await tg.send(HEAD, "Аккаунт-менеджеры и CRM")
    done = tg.last_text(HEAD)
    assert "версия 1" in done and "Веха на квартал" in done and "31 марта 2027" in done

    # The quarterly review reminder to the heads exists.
    review = await tg.store.strategy.review_reminder(HEAD, await _team_id(tg))
    assert review is not None and review.kind == "strategy" and review.rule.frequency is Frequency.QUARTERLY
    assert review.next_due_at == datetime(2027, 1, 10, 6, 0, tzinfo=UTC)  # 10 January, 9:00 Moscow

    await tg.send(HEAD, "Открыть филиал в Казани")
    assert "Веха на полгода" in tg.last_text(HEAD) and "30 июня 2027" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip_milestone")))
    assert "Веха на год" in tg.last_text(HEAD) and "31 декабря 2027" in tg.last_text(HEAD)
    await tg.send(HEAD, "CRM и аналитика у всех менеджеров")
    overview = tg.last_text(HEAD)
    assert t(tg, "strategy.session_finished") in overview
    assert "Сервис &lt;24ч&gt;" in overview  # user text escaped
    assert "Открыть филиал в Казани" in overview and "CRM и аналитика" in overview

    quarter, year = await _milestones(tg)
    assert (quarter.horizon, quarter.due_date, quarter.owner_id) == (Horizon.QUARTER, date(2027, 3, 31), HEAD)
    assert (year.horizon, year.due_date) == (Horizon.YEAR, date(2027, 12, 31))
    # A week and a day before each due date, at the head's workday start (9:00 Moscow), kind strategy.
    reminders = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "strategy" and r.subject_id]
    assert sorted((r.subject_id, r.next_due_at) for r in reminders) == [
        (quarter.id, datetime(2027, 3, 24, 6, 0, tzinfo=UTC)),
        (quarter.id, datetime(2027, 3, 30, 6, 0, tzinfo=UTC)),
        (year.id, datetime(2027, 12, 24, 6, 0, tzinfo=UTC)),
        (year.id, datetime(2027, 12, 30, 6, 0, tzinfo=UTC)),
    ]
    assert all(r.next_due_at in engine.woken for r in reminders)
    await tg.send(HEAD, "/reminders")
    assert "Веха «Открыть филиал в Казани»: срок 31 марта 2027 — через 7 дней" in tg.last_text(HEAD)
    assert "Стратегия отдела: квартальный пересмотр" in tg.last_text(HEAD)

    # Statuses by buttons.
    await tg.tap(HEAD, MilestoneCb(milestone=quarter.id, action="open").pack())
    assert "🟢 По плану" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Под угрозой"))
    assert "🟠 Под угрозой" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Выполнена"))
    assert t(tg, "strategy.reminders_ended", status="✅ Выполнена") in tg.last_text(HEAD)
    assert (await tg.store.strategy.milestone(HEAD, quarter.id)).status is MilestoneStatus.DONE
    left = [r.subject_id for r in await tg.store.reminders.list_for(HEAD) if r.kind == "strategy" and r.subject_id]
    assert left == [year.id, year.id]  # done ends its reminders; the other milestone's stay

    # The old «Под угрозой» button of the card shown before: a toast, nothing changes.
    await tg.tap(HEAD, MilestoneStatusCb(milestone=quarter.id, status="at_risk").pack())
    assert tg.last_callback_answer() == t(tg, "strategy.errors.status_not_allowed")
    assert (await tg.store.strategy.milestone(HEAD, quarter.id)).status is MilestoneStatus.DONE

    # Reopened: back on track, its reminders are planned again.
    await tg.tap(HEAD, tg.button(HEAD, "Вернуть в работу"))
    assert (await tg.store.strategy.milestone(HEAD, quarter.id)).status is MilestoneStatus.ON_TRACK
    assert len([r for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == quarter.id]) == 2


async def test_a_session_resumes_after_a_restart_and_after_later(
    tg: FakeTelegram, store: Store, content: Content, tmp_path: Path, clock: FakeClock, engine: RecordingEngine
) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/strategy")
    await tg.tap(HEAD, tg.button(HEAD, "Стратегическая сессия"))
    await tg.send(HEAD, "Лидеры ниши")

    # A restart: a new dispatcher on the same database (FSM state lives in SQLite).
    restarted = _fake_telegram(store, content, tmp_path, clock, engine)
    await restarted.send(HEAD, "Крупные клиенты")
    assert "Вопрос 3 из 4" in restarted.last_text(HEAD)
    session = await store.strategy.unfinished_session(HEAD, await _team_id(tg))
    assert session is not None and session.answer_to("focus") == "Крупные клиенты"

    # «Продолжить позже»: /strategy says so and the session goes on from the same question.
    await restarted.tap(HEAD, restarted.button(HEAD, "Продолжить позже"))
    assert restarted.last_text(HEAD) == t(tg, "strategy.later")
    await restarted.send(HEAD, "просто текст")  # not in the session any more: not taken as an answer
    await restarted.send(HEAD, "/strategy")
    assert "продолжите с вопроса 3 из 4" in restarted.last_text(HEAD)
    await restarted.tap(HEAD, restarted.button(HEAD, "Продолжить сессию"))
    assert "Вопрос 3 из 4" in restarted.last_text(HEAD)
    await restarted.dispatcher.storage.close()


async def test_a_second_session_keeps_the_first_as_a_version(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _session(tg, ("Первая версия", "B2B", "Сервис", "CRM"))
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip_milestone")))
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip_milestone")))
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "strategy.buttons.skip_milestone")))
    await _session(tg, ("Вторая версия", None, None, None))
    await tg.send(HEAD, "/strategy")
    overview = tg.last_text(HEAD)
    assert "версия 2" in overview and "Вторая версия" in overview and "Первая версия" not in overview
    assert t(tg, "strategy.versions_kept", count=1) in overview
    await tg.tap(HEAD, tg.button(HEAD, "Прошлые версии"))
    assert "Версия 1" in tg.last_text(HEAD) and "Первая версия" in tg.last_text(HEAD)
    versions = await tg.store.strategy.versions(HEAD, await _team_id(tg))
    assert [v.version for v in versions] == [2, 1]
    # One review reminder, not one per session.
    reviews = [r for r in await tg.store.reminders.list_for(HEAD) if r.kind == "strategy" and r.subject_id is None]
    assert len(reviews) == 1


async def test_an_old_skip_button_is_stale(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/strategy")
    await tg.tap(HEAD, tg.button(HEAD, "Стратегическая сессия"))
    old_skip = tg.button(HEAD, t(tg, "strategy.buttons.skip"))
    await tg.send(HEAD, "Ответ на первый")
    await tg.tap(HEAD, old_skip)  # the first question's skip, tapped at the second
    assert tg.last_callback_answer() == t(tg, "errors.stale_button")
    session = await tg.store.strategy.unfinished_session(HEAD, await _team_id(tg))
    assert session is not None and session.next_question == "focus"


# --- edges ------------------------------------------------------------------------------------------------------


async def test_a_due_date_in_the_past_is_refused_and_a_new_one_moves_the_reminders(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    milestone = await _one_milestone(tg)
    assert t(tg, "strategy.milestone_added") in tg.last_text(HEAD)
    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="due").pack())
    await tg.send(HEAD, "01.11.2026")
    assert tg.last_text(HEAD) == t(tg, "strategy.errors.past_due")
    await tg.send(HEAD, "когда-нибудь")
    assert tg.last_text(HEAD) == t(tg, "strategy.errors.bad_date")
    assert (await tg.store.strategy.milestone(HEAD, milestone.id)).due_date == date(2027, 3, 31)
    await tg.send(HEAD, "15.01.2027")  # still at the date step
    assert "Срок изменён: 15 января 2027" in tg.last_text(HEAD)
    moments = sorted(r.next_due_at for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id)
    assert moments == [datetime(2027, 1, 8, 6, 0, tzinfo=UTC), datetime(2027, 1, 14, 6, 0, tzinfo=UTC)]


async def test_overdue_is_shown_as_such(tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_head(tg)
    milestone = await _one_milestone(tg)
    clock.set(datetime(2027, 4, 2, 7, 0, tzinfo=UTC))
    await tg.send(HEAD, "/strategy")
    assert t(tg, "strategy.overdue_mark") in tg.last_text(HEAD)
    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="open").pack())
    assert "просрочена" in tg.last_text(HEAD)


async def test_an_owner_removed_from_the_team_falls_back_to_the_head(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Иван")
    milestone = await _one_milestone(tg)
    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="owner").pack())
    await tg.tap(HEAD, MilestoneOwnerCb(milestone=milestone.id, user=MEMBER).pack())
    assert "Ответственный: Иван" in tg.last_text(HEAD)
    assert len(await _strategy_reminders(tg, MEMBER)) == 2  # now the owner's
    assert [r for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id] == []

    # The owner opens it from their reminder and may change its status, not its date.
    await tg.tap(MEMBER, SubjectCb(kind="strategy", subject=milestone.id).pack(), name="Иван")
    labels = [text for text, _ in tg.buttons(MEMBER)]
    assert "🟠 Под угрозой" in labels and "📅 Срок" not in labels

    await tg.store.teams.remove_member(HEAD, await _team_id(tg), MEMBER)
    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="open").pack())
    assert t(tg, "strategy.card_fell_back") in tg.last_text(HEAD)
    assert (await tg.store.strategy.milestone(HEAD, milestone.id)).owner_id == HEAD
    assert len([r for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id]) == 2
    assert await _strategy_reminders(tg, MEMBER) == []
    # The removed member's old button opens nothing.
    await tg.tap(MEMBER, SubjectCb(kind="strategy", subject=milestone.id).pack(), name="Иван")
    assert tg.last_callback_answer() == t(tg, "errors.not_found")


async def test_dropping_ends_the_reminders_and_a_pause_survives_a_new_date(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    milestone = await _one_milestone(tg)
    [first, _] = [r for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id]
    await tg.tap(HEAD, ReminderCb(action="pause", reminder=first.id).pack())
    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="open").pack())
    assert t(tg, "strategy.card_paused") in tg.last_text(HEAD)

    await tg.tap(HEAD, MilestoneCb(milestone=milestone.id, action="due").pack())
    await tg.send(HEAD, "20.02.2027")
    assert t(tg, "strategy.card_paused") in tg.last_text(HEAD)
    states = {r.state for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id}
    assert states == {ReminderState.PAUSED}  # the re-planned reminders stay paused: nothing is sent unasked

    await tg.tap(HEAD, MilestoneStatusCb(milestone=milestone.id, status="dropped").pack())
    assert t(tg, "strategy.reminders_ended", status="⛔ Отменена") in tg.last_text(HEAD)
    assert [r for r in await tg.store.reminders.list_for(HEAD) if r.subject_id == milestone.id] == []
    assert (await tg.store.strategy.milestone(HEAD, milestone.id)).status is MilestoneStatus.DROPPED


async def test_the_delivered_reminder_opens_the_milestone(tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_head(tg)
    milestone = await _one_milestone(tg)
    clock.set(datetime(2027, 3, 24, 6, 0, tzinfo=UTC))
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    [due] = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    assert due.kind == "strategy" and due.subject_id == milestone.id and due.recipient_id == HEAD
    outgoing = delivered_reminder(tg.content, due, clock.now())
    assert outgoing.reply_markup is not None
    first = outgoing.reply_markup.inline_keyboard[0][0]
    assert first.text == "🧭 Открыть веху"
    assert first.callback_data == SubjectCb(kind="strategy", subject=milestone.id).pack()

    await tg.tap(HEAD, first.callback_data)
    card = tg.last_text(HEAD)
    assert "Открыть филиал в Казани" in card and "31 марта 2027" in card
    await tg.tap(HEAD, tg.button(HEAD, "Выполнена"))
    assert (await tg.store.strategy.milestone(HEAD, milestone.id)).status is MilestoneStatus.DONE


async def test_strangers_and_members_get_nothing_of_the_heads(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Иван")
    milestone = await _one_milestone(tg)
    await tg.tap(STRANGER, SubjectCb(kind="strategy", subject=milestone.id).pack())
    assert tg.last_callback_answer() == t(tg, "errors.not_found")
    await tg.tap(MEMBER, MilestoneStatusCb(milestone=milestone.id, status="done").pack(), name="Иван")
    assert tg.last_callback_answer() == t(tg, "errors.not_found")
    await tg.tap(MEMBER, StrategyCb(action="session").pack(), name="Иван")
    assert tg.last_callback_answer()  # refused (the access text depends on the role)
    assert await tg.store.strategy.unfinished_session(HEAD, await _team_id(tg)) is None
    await tg.send(MEMBER, "/strategy", name="Иван")
    assert "Открыть филиал" not in tg.last_text(MEMBER)  # a member sees only the milestones they own
    assert (await tg.store.strategy.milestone(HEAD, milestone.id)).status is MilestoneStatus.ON_TRACK


# --- the calendar file ------------------------------------------------------------------------------------------


def _documents(tg: FakeTelegram, user_id: int) -> list[SendDocument]:
    return [m for m in tg.session.requests if isinstance(m, SendDocument) and m.chat_id == user_id]


async def test_reminders_offer_the_calendar_file_and_it_parses(tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_head(tg)
    await _one_milestone(tg)
    await tg.send(HEAD, "/remind по понедельникам в 10:00 планёрка")
    await tg.tap(HEAD, tg.button(HEAD, t(tg, "reminders.buttons.save")))
    await tg.send(HEAD, "/reminders")
    await tg.tap(HEAD, tg.button(HEAD, "В календарь (.ics)"))
    [sent] = _documents(tg, HEAD)
    assert isinstance(sent.document, BufferedInputFile)
    assert sent.document.filename == "rituals.ics"
    assert sent.caption is not None and "3 события" in sent.caption

    active = {r.id: r for r in await tg.store.reminders.list_for(HEAD) if r.state is ReminderState.ACTIVE}
    events = list(Calendar.from_ical(sent.document.data).walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {f"reminder-{i}@rop-coach.bot" for i in active}
    for event in events:
        reminder = active[int(str(event["UID"]).split("-")[1].split("@")[0])]
        assert str(event["SUMMARY"]) == reminder.title
        assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
        start = event.decoded("dtstart")
        if event.get("rrule") is None:
            first = start
        else:
            first = rrulestr(event["rrule"].to_ical().decode(), dtstart=start).after(clock.now())
        assert first.astimezone(UTC) == next_occurrence(reminder.rule, reminder.timezone, clock.now())
    weekly = next(e for e in events if str(e["SUMMARY"]) == "планёрка")
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO;WKST=MO"


async def test_no_active_reminders_no_file(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/reminders")
    assert "В календарь" not in " ".join(text for text, _ in tg.buttons(HEAD))
    await tg.tap(HEAD, CalendarCb().pack())
    assert tg.last_callback_answer() == t(tg, "calendar.empty")
    assert _documents(tg, HEAD) == []


async def test_a_member_gets_the_team_audience_reminders_they_receive(tg: FakeTelegram) -> None:
    from domain.models import Role
    from domain.schedules import Rule

    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Иван")
    rule = Rule(Frequency.WEEKLY, at=time(9, 0), start=date(2026, 11, 30), weekdays=(4,))
    await tg.store.reminders.create_for_role(
        HEAD, await _team_id(tg), Role.MEMBER, "custom", "Разбор звонков", rule, "Europe/Moscow", START
    )
    await tg.tap(MEMBER, CalendarCb().pack(), name="Иван")
    [sent] = _documents(tg, MEMBER)
    assert isinstance(sent.document, BufferedInputFile)
    [event] = Calendar.from_ical(sent.document.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Разбор звонков"
