"""/learn through the real Dispatcher with a fake clock: a module taken end to end with the check and the
explanations, a double tap counted once, stale buttons, the head's assignment with the member's reminder, the
reminder's «Открыть модуль», a removed member, and the team's progress."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot

from bot.callbacks import LessonAnswerCb, LessonCb, ModuleCb, SubjectCb
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.views.reminders import delivered_reminder
from content import Content
from domain.training import AssignmentState, AttemptStatus
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, RecordingEngine, onboard_head
from tests.handlers.recording import RecordingSession

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday, 10:00 in Moscow
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


async def _team_with_member(tg: FakeTelegram) -> int:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def _take(tg: FakeTelegram, user_id: int, key: str, choices: list[int], name: str = "Анна") -> int:
    """Opens the module from /learn, reads every screen, answers the check; returns the attempt id."""
    module = tg.content.training[key]
    await tg.send(user_id, "/learn", name=name)
    await tg.tap(user_id, ModuleCb(action="open", key=key).pack(), name=name)
    await tg.tap(user_id, tg.button(user_id, "Начать"), name=name)
    for number in range(1, len(module.screens) + 1):
        assert f"экран {number} из {len(module.screens)}" in tg.last_text(user_id)
        label = "Далее" if number < len(module.screens) else "К проверке"
        await tg.tap(user_id, tg.button(user_id, label), name=name)
    attempt_id = LessonAnswerCb.unpack(tg.buttons(user_id)[0][1]).attempt
    for index, option in enumerate(choices):
        assert f"вопрос {index + 1} из 3" in tg.last_text(user_id)
        await tg.tap(user_id, LessonAnswerCb(attempt=attempt_id, question=index, option=option).pack(), name=name)
        label = "Следующий вопрос" if index < 2 else "Итог"
        await tg.tap(user_id, tg.button(user_id, label), name=name)
    return attempt_id


async def test_a_module_end_to_end_with_the_check_and_explanations(tg: FakeTelegram, content: Content) -> None:
    await onboard_head(tg)
    module = content.training["kpi_money"]
    await tg.send(HEAD, "/learn")
    listing = tg.last_text(HEAD)
    assert "Обучение" in listing and "Пройдено 0 модулей из 10" in listing
    await tg.tap(HEAD, tg.button(HEAD, module.short_title))
    intro = tg.last_text(HEAD)
    assert module.title.split(":")[0] in intro
    assert "3 экрана и проверка из 3 вопросов" in intro
    assert "KPI менеджера должен быть один — деньги" in intro  # the cited seed, by title

    await tg.tap(HEAD, tg.button(HEAD, "Начать"))
    first = tg.last_text(HEAD)
    assert "экран 1 из 3" in first and "Источник: статья «KPI менеджера должен быть один — деньги»" in first
    await tg.tap(HEAD, tg.button(HEAD, "Далее"))
    await tg.tap(HEAD, tg.button(HEAD, "Далее"))
    await tg.tap(HEAD, tg.button(HEAD, "К проверке"))
    question = tg.last_text(HEAD)
    assert "вопрос 1 из 3" in question and "А) Сумма или объём продаж" in question
    assert [text for text, _ in tg.buttons(HEAD)] == ["А", "Б", "В", "Г"]

    right = [q.right_index for q in module.questions]
    wrong_second = (right[1] + 1) % len(module.questions[1].options)
    await tg.tap(HEAD, tg.button(HEAD, "А"))
    feedback = tg.last_text(HEAD)
    assert "✅ <b>Верно.</b>" in feedback
    for option in module.questions[0].options:  # every option explained, right or not
        assert option.why.split(":")[0] in feedback
    await tg.tap(HEAD, tg.button(HEAD, "Следующий вопрос"))
    await tg.tap(HEAD, tg.button(HEAD, "АБВГ"[wrong_second]))
    assert "❌ <b>Неверно.</b> Правильный ответ — " + "АБВГ"[right[1]] in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Следующий вопрос"))
    await tg.tap(HEAD, tg.button(HEAD, "АБВГ"[right[2]]))
    await tg.tap(HEAD, tg.button(HEAD, "Итог"))
    assert "Зачтено: 2 из 3" in tg.last_text(HEAD)

    await tg.send(HEAD, "/learn")
    assert "Пройден 1 модуль из 10" in tg.last_text(HEAD)
    assert any(text == f"✓ {module.short_title}" for text, _ in tg.buttons(HEAD))


async def test_a_double_tap_on_an_answer_counts_once(tg: FakeTelegram, content: Content) -> None:
    await onboard_head(tg)
    module = content.training["needs"]
    right = module.questions[0].right_index
    wrong = (right + 1) % len(module.questions[0].options)
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, ModuleCb(action="start", key="needs").pack())
    for _ in module.screens:
        await tg.tap(HEAD, tg.buttons(HEAD)[0][1])
    attempt_id = LessonAnswerCb.unpack(tg.buttons(HEAD)[0][1]).attempt
    await tg.tap(HEAD, LessonAnswerCb(attempt=attempt_id, question=0, option=wrong).pack())
    await tg.tap(HEAD, LessonAnswerCb(attempt=attempt_id, question=0, option=right).pack())  # the second tap
    assert tg.last_callback_answer() == content.t("learn.already_answered")
    assert "❌ <b>Неверно.</b>" in tg.last_text(HEAD)  # the first answer stands
    _, answers = await tg.store.training.with_answers(HEAD, attempt_id)
    assert answers == {0: wrong}


async def test_the_last_answer_tapped_twice_finishes_once(tg: FakeTelegram, content: Content) -> None:
    await onboard_head(tg)
    module = content.training["crm"]
    rights = [q.right_index for q in module.questions]
    attempt_id = await _take(tg, HEAD, "crm", rights)
    await tg.tap(HEAD, LessonAnswerCb(attempt=attempt_id, question=2, option=0).pack())
    assert tg.last_callback_answer() == content.t("learn.already_answered")
    attempt = await tg.store.training.get(HEAD, attempt_id)
    assert (attempt.status, attempt.score, attempt.passed) == (AttemptStatus.FINISHED, 3, True)


async def test_an_old_button_of_a_restarted_attempt_is_stale(tg: FakeTelegram, content: Content) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, ModuleCb(action="start", key="lpr").pack())
    old = tg.button(HEAD, "Далее")
    await tg.tap(HEAD, ModuleCb(action="start", key="lpr").pack())  # «Пройти ещё раз» from another message
    await tg.tap(HEAD, old)
    assert tg.last_callback_answer() == content.t("learn.errors.attempt_over")
    await tg.tap(HEAD, ModuleCb(action="open", key="nosuch").pack())
    assert tg.last_callback_answer() == content.t("errors.stale_button")
    await tg.tap(HEAD, LessonCb(attempt=9999, step="screen", index=1).pack())  # forged: reads as missing
    assert tg.last_callback_answer() == content.t("errors.not_found")


async def test_a_member_cannot_assign_or_see_the_team(tg: FakeTelegram, content: Content) -> None:
    await _team_with_member(tg)
    await tg.send(MEMBER, "/learn", name="Мария")
    assert content.t("learn.buttons.team") not in [text for text, _ in tg.buttons(MEMBER)]
    await tg.tap(MEMBER, "ln:team", name="Мария")
    denied = {content.t(k) for k in content.keys() if k.startswith("errors.access_denied")}  # noqa: SIM118
    assert tg.last_callback_answer() in denied
    assert not any("Обучение команды" in text for text in tg.texts(MEMBER))


async def test_head_assigns_a_member_who_gets_the_reminder_and_passes(
    tg: FakeTelegram, content: Content, clock: FakeClock, engine: RecordingEngine
) -> None:
    team_id = await _team_with_member(tg)
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, tg.button(HEAD, "Прогресс команды"))
    await tg.tap(HEAD, tg.button(HEAD, "Назначить модули"))
    assert "Кому назначить" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Мария"))
    await tg.tap(HEAD, tg.button(HEAD, "Все модули по порядку"))
    await tg.tap(HEAD, tg.button(HEAD, "Ср"))
    await tg.tap(HEAD, tg.button(HEAD, "9:00"))
    confirm = tg.last_text(HEAD)
    assert "Мария" in confirm and "по средам в 9:00" in confirm
    save = tg.button(HEAD, "Назначить")
    await tg.tap(HEAD, save)
    done = tg.last_text(HEAD)
    assert "Мария: 10 модулей — первое напоминание в среду, 2 декабря, в 9:00" in done
    await tg.tap(HEAD, save)  # a second tap on «Назначить» changes nothing
    assert "Мария: это уже назначено" in tg.last_text(HEAD)

    [reminder] = await tg.store.reminders.list_for(MEMBER)
    assignment = await tg.store.training.active_assignment(MEMBER, team_id)
    assert assignment is not None and assignment.current == "needs"
    assert (reminder.kind, reminder.subject_id, reminder.team_id) == ("training", assignment.id, team_id)
    assert reminder.next_due_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC) and engine.woken[-1] == reminder.next_due_at

    # Wednesday 9:00: the engine delivers it; the card opens the module of the week.
    clock.set(reminder.next_due_at)
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    [due] = await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 10, GRACE)
    card = delivered_reminder(content, due, clock.now())
    [[open_button], *_] = card.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert open_button.text == "📚 Открыть модуль"
    assert open_button.callback_data == SubjectCb(kind="training", subject=assignment.id).pack()
    await tg.tap(MEMBER, open_button.callback_data, name="Мария")
    assert content.training["needs"].title in tg.last_text(MEMBER)
    assert "назначил руководитель" in tg.last_text(MEMBER)

    module = content.training["needs"]
    await _take(tg, MEMBER, "needs", [q.right_index for q in module.questions], name="Мария")
    result = tg.last_text(MEMBER)
    assert "Зачтено: 3 из 3" in result
    assert content.training["lpr"].title in result  # the next module of the plan
    assignment = await tg.store.training.active_assignment(MEMBER, team_id)
    assert assignment is not None and assignment.current == "lpr" and assignment.completed == 1

    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, tg.button(HEAD, "Прогресс команды"))
    progress = tg.last_text(HEAD)
    assert "<b>Мария</b> — 1 из 10" in progress
    assert f"✓ {module.short_title}" in progress
    assert "назначено 1 из 10, по средам в 9:00" in progress


async def test_a_removed_member_keeps_progress_and_the_reminder_button_says_it_is_over(
    tg: FakeTelegram, content: Content
) -> None:
    team_id = await _team_with_member(tg)
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, "la:" + str(MEMBER) + ":objections:0:600:1")
    assignment = await tg.store.training.active_assignment(MEMBER, team_id)
    assert assignment is not None and [i.module_key for i in assignment.items] == ["objections"]
    module = content.training["funnels"]
    await _take(tg, MEMBER, "funnels", [q.right_index for q in module.questions], name="Мария")

    assert await tg.store.teams.remove_member(HEAD, team_id, MEMBER)
    await tg.tap(MEMBER, SubjectCb(kind="training", subject=assignment.id).pack(), name="Мария")
    assert tg.last_callback_answer() == content.t("learn.assignment_over")
    assert await tg.store.reminders.list_for(MEMBER) == []
    row = await tg.store.db.fetchone("SELECT state FROM training_assignments WHERE id = ?", (assignment.id,))
    assert row is not None and row["state"] == AssignmentState.REMOVED.value
    passed = await tg.store.db.fetchone(
        "SELECT COUNT(*) AS n FROM training_attempts WHERE user_id = ? AND passed = 1", (MEMBER,)
    )
    assert passed is not None and passed["n"] == 1


async def test_assigning_a_module_already_passed_says_so(tg: FakeTelegram, content: Content) -> None:
    await _team_with_member(tg)
    module = content.training["cases"]
    await _take(tg, MEMBER, "cases", [q.right_index for q in module.questions], name="Мария")
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, "la:" + str(MEMBER) + ":cases:0:600:1")
    assert tg.last_callback_answer() == content.t("learn.errors.nothing_to_assign")
    assert await tg.store.reminders.list_for(MEMBER) == []


async def test_result_before_the_check_is_done_goes_back_to_the_open_question(
    tg: FakeTelegram, content: Content
) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/learn")
    await tg.tap(HEAD, ModuleCb(action="start", key="plans").pack())
    attempt_id = LessonCb.unpack(tg.button(HEAD, "Далее")).attempt
    await tg.tap(HEAD, LessonCb(attempt=attempt_id, step="result").pack())  # forged or very old
    assert tg.last_callback_answer() == content.t("errors.stale_button")
    assert "экран 2 из 3" in tg.last_text(HEAD)  # one screen read: the next one
