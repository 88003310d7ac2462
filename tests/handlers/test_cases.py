"""/cases through the real Dispatcher with a fake clock moved by hand: the head schedules a weekly review, both
members are nudged the day before, one sends a case through the form, the firm reminder reaches only the other, the
head's agenda lists the case and who is missing, the head records a decision and an action item, the member gets its
reminder and marks it done. Edges: a member removed while their case waits, a review with no cases, stale buttons, a
case sent twice (the second replaces the first), a paused series, a typed template, an owner, a bound group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage

from bot.callbacks import CaseCb, CaseItemCb, SubjectCb
from bot.case_agenda_group import post_agenda_to_group
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.views.case_reviews import render_delivery
from content import Content
from domain.reminders import DueDelivery, ReminderState
from scheduling.sender import Outgoing
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head
from tests.handlers.recording import RecordingSession

PETR = 505
GROUP = -100777
# Monday 30 November 2026, 10:00 in Moscow (the team's zone). The review: Tuesdays 15:00 Moscow = 12:00 UTC.
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
NUDGE_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 15:00
ESCALATION_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 11:00: three hours before the 14:00 cut-off
AGENDA_AT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # Tuesday 14:00
REVIEW_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)
ANSWERS = ("Дистрибьютор стройматериалов", "КП отправлено", "Клиент пропал", "Звонили трижды", "Как вернуть клиента?")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(store: Store, content: Content, tmp_path: Path, clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = RecordingSession()
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content, clock=clock)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _team(tg: FakeTelegram) -> tuple[int, str]:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}", name="Иван")
    await tg.send(PETR, f"/start {member_code}", name="Пётр")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id, owner_code


async def _schedule(tg: FakeTelegram, every: str = "Каждую неделю") -> int:
    """/cases → «Настроить разбор» → Tuesday → 15:00 → every week; returns the series id."""
    await tg.send(HEAD, "/cases")
    assert "статья 000" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Настроить разбор"))
    await tg.tap(HEAD, tg.button(HEAD, "Вт"))
    await tg.tap(HEAD, tg.button(HEAD, "15:00"))
    await tg.tap(HEAD, tg.button(HEAD, every))
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    series = await tg.store.cases.series_for(HEAD, membership.team_id)
    assert series is not None
    return series.id


async def _due(tg: FakeTelegram, clock: FakeClock, at: datetime) -> list[DueDelivery]:
    clock.set(at)
    await tg.store.reminder_queue.materialise_due(clock.now(), GRACE)
    return await tg.store.reminder_queue.claim(clock.now(), "test", timedelta(minutes=2), 50, GRACE)


async def _rendered(tg: FakeTelegram, clock: FakeClock, deliveries: list[DueDelivery]) -> dict[int, Outgoing | None]:
    """What the engine's render makes of each claimed delivery; each is then confirmed as the engine would."""
    rendered: dict[int, Outgoing | None] = {}
    for delivery in deliveries:
        rendered[delivery.recipient_id] = outgoing = await render_delivery(tg.store, tg.content, delivery, clock.now())
        if outgoing is None:
            await tg.store.reminder_queue.mark_failed(delivery.id, "test", "nothing to send")
        else:
            await tg.store.reminder_queue.mark_sent(delivery.id, "test", 1, clock.now())
    return rendered


def _first_button(outgoing: Outgoing | None) -> tuple[str, str]:
    assert outgoing is not None and outgoing.reply_markup is not None
    button = outgoing.reply_markup.inline_keyboard[0][0]
    assert button.callback_data is not None
    return button.text, button.callback_data


async def _submit(tg: FakeTelegram, user_id: int, name: str, answers: tuple[str, ...] = ANSWERS) -> None:
    assert "Вопрос 1 из 5: <b>Сегмент клиента (без названия компании" in tg.last_text(user_id)
    for answer in answers:
        await tg.send(user_id, answer, name=name)
    assert "Ваш кейс" in tg.last_text(user_id)
    await tg.tap(user_id, tg.button(user_id, "Отправить кейс"), name=name)


# --- the whole round ----------------------------------------------------------------------------------------------


async def test_nudge_submit_escalation_agenda_and_action_items(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg)
    series_id = await _schedule(tg)
    screen = tg.last_text(HEAD)
    assert "Разбор кейсов: по вторникам в 15:00." in screen
    assert "Ближайший разбор: завтра в 15:00." in screen and "Прислано 0 кейсов." in screen
    assert "Не прислали: Иван, Пётр." in screen
    kinds = sorted(r.kind for r in await tg.store.reminders.list_for(HEAD))
    assert kinds == ["case_agenda", "case_escalation", "case_nudge"]

    # The day before: both members are nudged; the button opens the form.
    assert await _due(tg, clock, NUDGE_AT - timedelta(minutes=1)) == []
    nudges = await _rendered(tg, clock, await _due(tg, clock, NUDGE_AT))
    assert set(nudges) == {MEMBER, PETR}
    assert "Разбор кейсов завтра в 15:00" in nudges[MEMBER].text  # type: ignore[union-attr]
    label, data = _first_button(nudges[MEMBER])
    assert label == "📝 Прислать кейс" and data == SubjectCb(kind="case_nudge", subject=series_id).pack()

    await tg.tap(MEMBER, data, name="Иван")
    await tg.send(MEMBER, "Дистрибьютор <стройматериалов>", name="Иван")
    assert "Вопрос 2 из 5" in tg.last_text(MEMBER)
    await tg.send(MEMBER, " ", name="Иван")  # empty: asked again, nothing saved
    assert tg.last_text(MEMBER) == tg.content.t("cases.errors.empty")
    for answer in ANSWERS[1:]:
        await tg.send(MEMBER, answer, name="Иван")
    assert "Дистрибьютор &lt;стройматериалов&gt;" in tg.last_text(MEMBER)
    await tg.tap(MEMBER, tg.button(MEMBER, "Отправить кейс"), name="Иван")
    assert "Кейс отправлен к разбору 01.12.2026." in tg.last_text(MEMBER)

    # A few hours before the cut-off: only Пётр, who sent nothing, is escalated.
    escalations = await _rendered(tg, clock, await _due(tg, clock, ESCALATION_AT))
    assert escalations[MEMBER] is None
    assert "Вы ещё не прислали кейс" in escalations[PETR].text  # type: ignore[union-attr]
    assert _first_button(escalations[PETR])[1] == SubjectCb(kind="case_escalation", subject=series_id).pack()

    # An hour before: the head's agenda.
    [agenda] = (await _rendered(tg, clock, await _due(tg, clock, AGENDA_AT))).values()
    assert agenda is not None and agenda.chat_id == HEAD
    assert "Повестка разбора кейсов" in agenda.text and "Прислан 1 кейс." in agenda.text
    assert "<b>1. Иван</b>: Дистрибьютор &lt;стройматериалов&gt;" in agenda.text
    assert "<i>Вопрос к команде</i> — Как вернуть клиента?" in agenda.text
    assert "Не прислали: Пётр." in agenda.text
    label, data = _first_button(agenda)
    assert label == "📋 Открыть повестку"
    await tg.tap(HEAD, data)
    assert "Не прислали: Пётр." in tg.last_text(HEAD) and "Группа команды не привязана" in tg.last_text(HEAD)

    # After the review: a decision and an action item for Иван.
    clock.set(REVIEW_AT + timedelta(hours=2))
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Итоги разбора"))
    assert "Итоги разбора 01.12.2026" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Решение"))
    await tg.send(HEAD, "Перезванивать на 3-й день после КП")
    assert "Решение записано" in tg.last_text(HEAD) and "• Перезванивать на 3-й день после КП" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Задача менеджеру"))
    await tg.tap(HEAD, tg.button(HEAD, "Иван"))
    await tg.send(HEAD, "Позвонить ЛПР клиента")
    await tg.tap(HEAD, tg.button(HEAD, "Через неделю"))
    assert "Задача для Иван до 08.12.2026. Напомню в этот день." in tg.last_text(HEAD)
    assert "Иван: Позвонить ЛПР клиента — до 08.12.2026" in tg.last_text(HEAD)

    await tg.send(HEAD, "/cases")
    assert "Открыта 1 задача по итогам разборов." in tg.last_text(HEAD)
    await tg.send(MEMBER, "/cases", name="Иван")
    assert "Позвонить ЛПР клиента" in tg.last_text(MEMBER)

    # The due day at 9:00 (the member's working day): the member's reminder opens their items; they mark it done.
    actions = await _rendered(tg, clock, await _due(tg, clock, datetime(2026, 12, 8, 6, 0, tzinfo=UTC)))
    assert set(actions) == {MEMBER}  # no other reminder is due: the weekly ones were advanced past today
    label, data = _first_button(actions[MEMBER])
    assert label == "📌 Мои задачи по разборам"
    await tg.tap(MEMBER, data, name="Иван")
    assert "1. Иван: Позвонить ЛПР клиента — до 08.12.2026" in tg.last_text(MEMBER)
    done = tg.button(MEMBER, "Сделано: 1")
    await tg.tap(MEMBER, done, name="Иван")
    assert tg.last_callback_answer() == "✅ Отмечено как сделанное."
    await tg.tap(MEMBER, done, name="Иван")  # a stale «Сделано»
    assert tg.last_callback_answer() == tg.content.t("cases.errors.item_gone")
    await tg.send(HEAD, "/cases")
    assert "Открыто 0 задач по итогам разборов." in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Итоги разбора"))
    assert "✅ Иван: Позвонить ЛПР клиента" in tg.last_text(HEAD)


# --- edges ---------------------------------------------------------------------------------------------------------


async def test_a_member_removed_while_their_case_waits_is_left_out(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id, _ = await _team(tg)
    series_id = await _schedule(tg)
    await tg.tap(PETR, SubjectCb(kind="case_nudge", subject=series_id).pack(), name="Пётр")
    await _submit(tg, PETR, "Пётр")
    await tg.store.teams.remove_member(HEAD, team_id, PETR)

    nudges = await _rendered(tg, clock, await _due(tg, clock, NUDGE_AT))
    assert set(nudges) == {MEMBER}  # no nudge to someone who left
    deliveries = await _due(tg, clock, AGENDA_AT)
    agenda = (await _rendered(tg, clock, [d for d in deliveries if d.kind == "case_agenda"]))[HEAD]
    assert agenda is not None and "Пётр" not in agenda.text and "Кейсов к этому разбору пока нет." in agenda.text
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Повестка"))
    text = tg.last_text(HEAD)
    assert "Пётр" not in text and "Кейсов к этому разбору пока нет." in text and "Не прислали: Иван." in text
    await tg.tap(PETR, SubjectCb(kind="case_nudge", subject=series_id).pack(), name="Пётр")
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")


async def test_a_review_with_no_cases_says_so(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg)
    await _schedule(tg)
    deliveries = await _due(tg, clock, AGENDA_AT)
    agenda = (await _rendered(tg, clock, [d for d in deliveries if d.kind == "case_agenda"]))[HEAD]
    assert agenda is not None
    assert "Кейсов к этому разбору пока нет." in agenda.text and "Не прислали: Иван, Пётр." in agenda.text


async def test_a_case_sent_twice_replaces_the_first(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg)
    series_id = await _schedule(tg)
    await tg.send(MEMBER, "/cases", name="Иван")
    await tg.tap(MEMBER, tg.button(MEMBER, "Прислать кейс"), name="Иван")
    await _submit(tg, MEMBER, "Иван")
    await tg.tap(MEMBER, tg.button(MEMBER, "Заменить кейс"), name="Иван")
    assert "новый заменит его" in tg.last_text(MEMBER)
    await _submit(tg, MEMBER, "Иван", ("Ритейл", *ANSWERS[1:]))
    assert "Кейс заменён: к разбору 01.12.2026 пойдёт новый." in tg.last_text(MEMBER)
    series = await tg.store.cases.get_series(HEAD, series_id)
    cases = await tg.store.cases.cases(HEAD, series_id, series.first_on)
    assert [c.title for c in cases] == ["Ритейл"]


async def test_the_form_survives_another_screen_and_stale_buttons_get_a_toast(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    await _team(tg)
    await _schedule(tg)
    await tg.send(MEMBER, "/cases", name="Иван")
    await tg.tap(MEMBER, tg.button(MEMBER, "Прислать кейс"), name="Иван")
    await tg.send(MEMBER, ANSWERS[0], name="Иван")
    await tg.send(MEMBER, "/menu", name="Иван")  # another screen in between
    await tg.send(MEMBER, "/cases", name="Иван")
    await tg.tap(MEMBER, tg.button(MEMBER, "Продолжить анкету (1 из 5)"), name="Иван")
    assert "Вопрос 2 из 5" in tg.last_text(MEMBER)
    for answer in ANSWERS[1:]:
        await tg.send(MEMBER, answer, name="Иван")
    submit = tg.button(MEMBER, "Отправить кейс")
    await tg.tap(MEMBER, submit, name="Иван")
    await tg.tap(MEMBER, submit, name="Иван")  # a double tap
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    await tg.tap(HEAD, CaseCb(action="freq", value=1).pack())  # a schedule step out of its flow
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    await tg.tap(MEMBER, CaseItemCb(item=999).pack(), name="Иван")
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")


async def test_a_paused_series_sends_nothing_and_resumes_from_the_next_review(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    await _team(tg)
    series_id = await _schedule(tg)
    await tg.tap(HEAD, tg.button(HEAD, "Пауза"))
    assert "Разбор на паузе" in tg.last_text(HEAD)
    assert {r.state for r in await tg.store.reminders.list_for(HEAD)} == {ReminderState.PAUSED}
    assert await _due(tg, clock, AGENDA_AT) == []
    # a nudge materialised just before the pause renders as nothing
    series = await tg.store.cases.get_series(HEAD, series_id)
    earlier = DueDelivery(
        id=1,
        reminder_id=1,
        recipient_id=MEMBER,
        kind="case_nudge",
        title="t",
        rule=series.rule,
        timezone=series.timezone,
        occurrence_at=NUDGE_AT,
        late=False,
        snoozed=False,
        attempts=1,
        subject_id=series_id,
    )
    assert await render_delivery(tg.store, tg.content, earlier, clock.now()) is None
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Возобновить"))
    assert "Разбор снова по расписанию" in tg.last_text(HEAD)
    nudges = await _rendered(tg, clock, await _due(tg, clock, NUDGE_AT + timedelta(weeks=1)))
    assert set(nudges) == {MEMBER, PETR}
    assert "Разбор кейсов завтра в 15:00" in nudges[MEMBER].text  # type: ignore[union-attr]


async def test_the_head_edits_the_template_and_members_answer_it(tg: FakeTelegram) -> None:
    await _team(tg)
    await _schedule(tg)
    await tg.tap(HEAD, tg.button(HEAD, "Анкета кейса"))
    assert "1. Сегмент клиента" in tg.last_text(HEAD) and "анкета по умолчанию" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, "Изменить вопросы"))
    await tg.send(HEAD, "\n".join(f"Вопрос {n}" for n in range(9)))
    # 1..8 questions of up to 200 characters (domain.case_reviews); 8 and 200 are both «many» in Russian.
    assert tg.last_text(HEAD) == tg.content.t("cases.errors.template", questions="8 вопросов", limit="200 символов")
    await tg.send(HEAD, "1. Сделка\n2. Что пошло не так")
    assert "Анкета сохранена" in tg.last_text(HEAD) and "2. Что пошло не так" in tg.last_text(HEAD)
    await tg.send(MEMBER, "/cases", name="Иван")
    await tg.tap(MEMBER, tg.button(MEMBER, "Прислать кейс"), name="Иван")
    assert "Вопрос 1 из 2: <b>Сделка</b>" in tg.last_text(MEMBER)


async def test_a_typed_time_and_every_two_weeks(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg)
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Настроить разбор"))
    await tg.tap(HEAD, tg.button(HEAD, "Вт"))
    await tg.send(HEAD, "25:99")
    assert tg.last_text(HEAD) == tg.content.t("schedules.errors.bad_time")
    await tg.send(HEAD, "11:30")
    await tg.tap(HEAD, tg.button(HEAD, "Раз в две недели"))
    assert "Разбор кейсов: каждые 2 недели по вторникам в 11:30." in tg.last_text(HEAD)
    nudges = await _rendered(tg, clock, await _due(tg, clock, datetime(2026, 11, 30, 8, 30, tzinfo=UTC)))
    assert set(nudges) == {MEMBER, PETR}
    assert await _due(tg, clock, datetime(2026, 12, 7, 8, 30, tzinfo=UTC)) == []  # the off week
    assert len(await _due(tg, clock, datetime(2026, 12, 14, 8, 30, tzinfo=UTC))) == 2


async def test_an_owner_is_told_what_owners_can_do_and_a_member_before_any_schedule(tg: FakeTelegram) -> None:
    _, owner_code = await _team(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(OWNER, "/cases", name="Олег")
    assert tg.last_text(OWNER) == tg.content.t("errors.access_denied_for.owner")
    await tg.send(MEMBER, "/cases", name="Иван")
    assert tg.last_text(MEMBER) == tg.content.t("cases.member_no_series")
    await tg.tap(MEMBER, CaseCb(action="agenda").pack(), name="Иван")  # a head's button
    assert tg.last_callback_answer() == tg.content.t("errors.access_denied_for.member")[:200]


async def test_the_agenda_goes_to_the_bound_group_once_and_without_names(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id, _ = await _team(tg)
    series_id = await _schedule(tg)
    await tg.tap(MEMBER, SubjectCb(kind="case_nudge", subject=series_id).pack(), name="Иван")
    await _submit(tg, MEMBER, "Иван")
    await tg.store.groups.bind(HEAD, team_id, GROUP, "Отдел продаж", clock.now())
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Повестка"))
    await tg.tap(HEAD, tg.button(HEAD, "Отправить в группу"))
    assert "Повестка отправлена в группу" in tg.last_text(HEAD)
    [posted] = [m for m in tg.session.requests if isinstance(m, SendMessage) and m.chat_id == GROUP]
    assert "<b>1.</b> Дистрибьютор стройматериалов" in posted.text and "Как вернуть клиента?" in posted.text
    assert "Иван" not in posted.text and "Пётр" not in posted.text
    assert "Ещё 1 менеджер не прислал кейс." in posted.text
    await tg.tap(HEAD, tg.button(HEAD, "Отправить в группу"))
    assert tg.last_callback_answer() == tg.content.t("cases.group_already")
    assert len([m for m in tg.session.requests if isinstance(m, SendMessage) and m.chat_id == GROUP]) == 1


async def test_the_due_agenda_reaches_the_bound_group_by_itself_once(tg: FakeTelegram, clock: FakeClock) -> None:
    """An hour before the review the head gets the agenda and the bound group its copy, with no tap; a second render
    of the same delivery (a retry) and the head's button send nothing more."""
    team_id, _ = await _team(tg)
    series_id = await _schedule(tg)
    await tg.tap(MEMBER, SubjectCb(kind="case_nudge", subject=series_id).pack(), name="Иван")
    await _submit(tg, MEMBER, "Иван")
    await tg.store.groups.bind(HEAD, team_id, GROUP, "Отдел продаж", clock.now())
    [agenda] = [d for d in await _due(tg, clock, AGENDA_AT) if d.kind == "case_agenda"]

    def group_posts() -> list[SendMessage]:
        return [m for m in tg.session.requests if isinstance(m, SendMessage) and m.chat_id == GROUP]

    assert await post_agenda_to_group(tg.bot, tg.store, tg.content, agenda, clock.now()) is True
    [posted] = group_posts()
    assert "Как вернуть клиента?" in posted.text and "Иван" not in posted.text
    assert await post_agenda_to_group(tg.bot, tg.store, tg.content, agenda, clock.now()) is False  # a retry
    await tg.send(HEAD, "/cases")
    await tg.tap(HEAD, tg.button(HEAD, "Повестка"))
    await tg.tap(HEAD, tg.button(HEAD, "Отправить в группу"))
    assert tg.last_callback_answer() == tg.content.t("cases.group_already")
    assert len(group_posts()) == 1


async def test_without_a_group_the_due_agenda_goes_to_the_head_only(tg: FakeTelegram, clock: FakeClock) -> None:
    await _team(tg)
    await _schedule(tg)
    [agenda] = [d for d in await _due(tg, clock, AGENDA_AT) if d.kind == "case_agenda"]
    assert await post_agenda_to_group(tg.bot, tg.store, tg.content, agenda, clock.now()) is False
    assert not [m for m in tg.session.requests if isinstance(m, SendMessage) and m.chat_id < 0]
