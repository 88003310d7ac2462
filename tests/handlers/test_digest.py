"""/digest through the real Dispatcher with a fake clock: an owner sees theirs, a head a preview; the settings move
the next digest; an owner of another team sees nothing of this team. Then the real engine (create_reminder_engine
with a recording Bot session) sends the due digest at the owner's local time, and a quiet week nudges the head."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage, SendPhoto

from analytics.metrics_json import snapshot_json
from analytics.schema import ClientBase, DatasetKind, DealCounts, ManagerStats, Metrics, MonthComparison, Period
from bot.app import create_reminder_engine
from bot.callbacks import ChecklistCb, DigestCb, ShareCb
from bot.config import Settings
from bot.delivery import FloodGate, SendBudget
from bot.factory import create_dispatcher
from content import Content
from domain.digest import DIGEST_KIND, NUDGE_KIND, DigestPeriod
from domain.errors import AccessDenied
from domain.reminders import ReminderState
from scheduling.engine import ReminderEngine
from storage import Store
from tests.fakes.clock import FakeClock
from tests.fakes.scheduler import RecordingScheduler
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, RecordingEngine, onboard_head
from tests.handlers.recording import RecordingSession

OTHER_HEAD = 601
OTHER_OWNER = 602
NBSP = "\u00a0"
# Monday 30 November 2026, 10:00 in Moscow (the team's zone): this week's Monday 09:00 has passed.
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
NEXT_MONDAY_9_MSK = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


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


def _metrics() -> Metrics:
    """An export to 27.11: November 982 011 won, October 1 200 000 against September 1 000 000; one manager
    on a plan, at 115 %."""
    return Metrics(
        kind=DatasetKind.DEALS,
        rows=20,
        period=Period(date(2026, 9, 1), date(2026, 11, 27)),
        deals=DealCounts(total=20, won=8, lost=8, open=4),
        won_revenue=3_182_011.0,
        win_rate=0.5,
        avg_deal=None,
        avg_deal_new=None,
        avg_deal_existing=None,
        funnel=(),
        managers=(ManagerStats("Иванов", 10, 4, 690_000.0, 0.5, None, None, 600_000.0, 1.15, 90_000.0),),
        clients=ClientBase(7, 2, 1, None, None, None),
        margin=None,
        margin_share=None,
        qualified_conversion=None,
        cycle_days_median=None,
        stale_open_deals=None,
        month=MonthComparison("2026-10", "2026-09", 1_200_000.0, 1_000_000.0, 0.2, "growth"),
        plan_spread=None,
        currency="RUB",
        revenue_by_month=(("2026-09", 1_000_000.0), ("2026-10", 1_200_000.0), ("2026-11", 982_011.0)),
    )


async def _team_with_owner(tg: FakeTelegram, head: int = HEAD, owner: int = OWNER, name: str = "Альфа") -> int:
    owner_code, _ = await onboard_head(tg, head, team=name)
    await tg.send(owner, f"/start {owner_code}", name="Олег")
    membership = await tg.store.teams.current_membership(owner)
    assert membership is not None
    return membership.team_id


async def _upload(tg: FakeTelegram, team_id: int, now: datetime, head: int = HEAD) -> None:
    await tg.store.snapshots.save(head, team_id, date(2026, 9, 1), date(2026, 11, 27), snapshot_json(_metrics()), now)
    await tg.store.plans.set(head, team_id, "Иванов", "2026-11", 600_000)
    await tg.store.plans.set(head, team_id, "Петрова", "2026-11", 400_000)


async def test_an_owner_who_joins_gets_a_monday_digest_and_sees_it_now(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team_with_owner(tg)
    reminder = await tg.store.digests.setting(OWNER, team_id)
    assert reminder is not None and reminder.kind == DIGEST_KIND
    assert reminder.next_due_at == NEXT_MONDAY_9_MSK
    await _upload(tg, team_id, clock.now() - timedelta(days=2))

    await tg.send(OWNER, "/digest")
    text = tg.last_text(OWNER)
    # November: 982 011 against 600 000 + 400 000 = 1 000 000: short by 17 989.
    assert "Сводка за неделю — Альфа" in text
    assert f"Не хватило до плана: <b>17{NBSP}989{NBSP}₽</b>" in text
    assert "<b>лучше</b>" in text  # October +20 % on September
    assert "Иванов: 115" in text
    assert "Предпросмотр" not in text
    assert tg.button(OWNER, "Настройки сводки") == DigestCb(action="settings").pack()
    # One chart follows: September, October, November revenue against November's plan.
    photos = [m for m in tg.session.requests if isinstance(m, SendPhoto) and m.chat_id == OWNER]
    assert len(photos) == 1


async def test_a_head_sees_a_preview_saying_so(tg: FakeTelegram, clock: FakeClock) -> None:
    team_id = await _team_with_owner(tg)
    await _upload(tg, team_id, clock.now() - timedelta(days=1))
    await tg.send(HEAD, "/digest")
    text = tg.last_text(HEAD)
    assert "Предпросмотр: так сводку увидит собственник" in text
    assert "Сводку получает 1 собственник." in text
    assert f"17{NBSP}989" in text
    assert await tg.store.digests.setting(HEAD, team_id) is None  # heads get no digest of their own


async def test_a_member_gets_no_digest(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/digest")
    assert tg.last_text(MEMBER) == tg.content.t("digest.members_only")


async def test_settings_move_the_next_digest_and_turn_it_off_and_on(tg: FakeTelegram) -> None:
    team_id = await _team_with_owner(tg)
    await tg.send(OWNER, "/digest")
    await tg.tap(OWNER, DigestCb(action="settings").pack())
    assert "каждый понедельник" in tg.last_text(OWNER) or "понедельник" in tg.last_text(OWNER)

    await tg.tap(OWNER, DigestCb(action="day", value=2).pack())  # Wednesday
    reminder = await tg.store.digests.setting(OWNER, team_id)
    assert reminder is not None and reminder.rule.weekdays == (2,)
    assert reminder.next_due_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # Wed 2 Dec 09:00 Moscow

    await tg.tap(OWNER, DigestCb(action="time", value=18 * 60).pack())
    reminder = await tg.store.digests.setting(OWNER, team_id)
    assert reminder is not None and reminder.next_due_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 18:00 MSK
    assert "18:00" in tg.last_text(OWNER)

    await tg.tap(OWNER, DigestCb(action="off").pack())
    reminder = await tg.store.digests.setting(OWNER, team_id)
    assert reminder is not None and reminder.state is ReminderState.PAUSED
    assert "выключена" in tg.last_text(OWNER)

    await tg.tap(OWNER, DigestCb(action="on").pack())
    reminder = await tg.store.digests.setting(OWNER, team_id)
    assert reminder is not None and reminder.state is ReminderState.ACTIVE
    assert reminder.next_due_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


async def test_an_owner_of_another_team_sees_nothing_of_this_team(tg: FakeTelegram, clock: FakeClock) -> None:
    alpha = await _team_with_owner(tg)
    await _upload(tg, alpha, clock.now() - timedelta(days=1))
    beta = await _team_with_owner(tg, OTHER_HEAD, OTHER_OWNER, name="Бета")

    await tg.send(OTHER_OWNER, "/digest")
    text = tg.last_text(OTHER_OWNER)
    assert "Бета" in text and "Альфа" not in text
    assert "Иванов" not in text and "989" not in text
    with pytest.raises(AccessDenied):
        await tg.store.digests.inputs(OTHER_OWNER, alpha, _period(clock))
    # Changing their settings touches only their own digest.
    await tg.tap(OTHER_OWNER, DigestCb(action="day", value=4).pack())
    ours = await tg.store.digests.setting(OWNER, alpha)
    theirs = await tg.store.digests.setting(OTHER_OWNER, beta)
    assert ours is not None and ours.rule.weekdays == (0,)
    assert theirs is not None and theirs.rule.weekdays == (4,)


async def _take(tg: FakeTelegram, key: str, worst: bool) -> int:
    """The head answers every question of the checklist (the worst answer or the best); the run's id."""
    await tg.tap(HEAD, ChecklistCb(action="start", key=key).pack())
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    run = await tg.store.runs.in_progress(HEAD, membership.team_id, key)
    assert run is not None
    checklist = tg.content.checklists[key]
    for index, item in enumerate(checklist.items):
        values = [option.value for option in checklist.answers_for(item)]
        await tg.tap(HEAD, f"a:{run.id}:{index}:{values.index(min(values) if worst else max(values))}")
    return run.id


async def _share(tg: FakeTelegram, run_id: int) -> None:
    """«📤 Отправить собственнику» on the result, the summary (no answers), «Отправить»."""
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("sharing.buttons.share")))
    await tg.tap(HEAD, ShareCb(run=run_id, action="summary").pack())
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("sharing.buttons.send")))


async def test_the_digest_lists_the_results_the_head_shared_with_their_change(
    tg: FakeTelegram, clock: FakeClock
) -> None:
    # Monday 30.11: the head takes «Шесть ошибок управления» with the worst answers (0 of 100) and shares it.
    await _team_with_owner(tg)
    first = await _take(tg, "six", worst=True)
    await _share(tg, first)
    # Saturday 12.12: again, with the best answers (100 of 100), and shares that one too.
    clock.set(START + timedelta(days=12))
    second = await _take(tg, "six", worst=False)
    await _share(tg, second)
    runs = [await tg.store.runs.get(HEAD, run_id) for run_id in (first, second)]
    assert [(r.score, r.zone) for r in runs] == [(0, "manual"), (100, "strong")]

    # Monday 14.12, the week since 07.12: no export was ever uploaded and no ritual was marked, yet the week is not
    # quiet — a result was shared.
    clock.set(START + timedelta(days=14))
    await tg.send(OWNER, "/digest")
    text = tg.last_text(OWNER)
    assert "ничего нового" not in text
    assert "<b>🩺 Диагностика</b>" in text
    # 100 − 0 = +100 against the share of 30.11 (two weeks before); only the week's result is listed.
    assert (
        "«Шесть ошибок управления»: <b>100 из 100</b>, зона «Система управления работает»; "
        "в прошлый раз (30.11.2026) — 0, изменение +100." in text
    )
    assert text.count("Шесть ошибок управления") == 1
    checklist = tg.content.checklists["six"]
    assert not any(item.question in text for item in checklist.items)  # never the answers
    # The head's preview says the same.
    await tg.send(HEAD, "/digest")
    assert "в прошлый раз (30.11.2026) — 0, изменение +100." in tg.last_text(HEAD)


def _period(clock: FakeClock) -> DigestPeriod:
    return DigestPeriod.week_before(clock.now())


# --- the engine sends it ----------------------------------------------------------------------------------------


async def _engine_rig(tg: FakeTelegram, clock: FakeClock, tmp_path: Path) -> ReminderEngine:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    scheduler = RecordingScheduler()
    gate = FloodGate(clock)
    engine = create_reminder_engine(
        settings, tg.store, tg.content, tg.bot, clock, gate, SendBudget(clock, rate_per_s=30), scheduler
    )
    return engine


def _sent_to(tg: FakeTelegram, chat_id: int) -> list[str]:
    """Texts and photo captions sent to the chat (a digest short enough for a caption is one photo message)."""
    return [
        m.text if isinstance(m, SendMessage) else m.caption or ""
        for m in tg.session.requests
        if isinstance(m, SendMessage | SendPhoto) and m.chat_id == chat_id
    ]


async def test_the_due_digest_reaches_the_owner_and_only_them(
    tg: FakeTelegram, clock: FakeClock, tmp_path: Path
) -> None:
    alpha = await _team_with_owner(tg)
    await _team_with_owner(tg, OTHER_HEAD, OTHER_OWNER, name="Бета")
    engine = await _engine_rig(tg, clock, tmp_path)
    clock.set(NEXT_MONDAY_9_MSK - timedelta(days=2))
    await _upload(tg, alpha, clock.now())  # Saturday: inside the week before the digest
    before = len(tg.session.requests)

    clock.set(NEXT_MONDAY_9_MSK)
    await engine.tick()
    await engine.drain()
    alpha_digest = _sent_to(tg, OWNER)[-1]
    assert "Сводка за неделю — Альфа" in alpha_digest
    assert f"17{NBSP}989" in alpha_digest
    assert [m for m in tg.session.requests if isinstance(m, SendPhoto) and m.chat_id == OWNER]  # the chart
    assert not [m for m in tg.session.requests if isinstance(m, SendPhoto) and m.chat_id == OTHER_OWNER]
    beta_digest = _sent_to(tg, OTHER_OWNER)[-1]
    assert "Бета" in beta_digest and "Альфа" not in beta_digest and "Иванов" not in beta_digest
    assert "ничего нового" in beta_digest and tg.content.t("digest.quiet_nudged") in beta_digest
    # Beta's week was quiet: its head is nudged once; Alpha's head (who uploaded) is not.
    await engine.tick()
    await engine.drain()
    assert _sent_to(tg, OTHER_HEAD)[-1] == tg.content.t("digest.nudge")
    assert tg.content.t("digest.nudge") not in _sent_to(tg, HEAD)
    sent_now = tg.session.requests[before:]
    assert {m.chat_id for m in sent_now if isinstance(m, SendMessage | SendPhoto)} == {OWNER, OTHER_OWNER, OTHER_HEAD}
    await engine.stop()


async def test_a_digest_of_an_owner_who_left_ends(tg: FakeTelegram, clock: FakeClock, tmp_path: Path) -> None:
    alpha = await _team_with_owner(tg)
    reminder = await tg.store.digests.setting(OWNER, alpha)
    assert reminder is not None
    await tg.store.teams.leave(OWNER, alpha)
    assert await tg.store.digests.setting(OWNER, alpha) is None  # the trigger removed it
    rows = await tg.store.db.fetchall("SELECT id FROM reminders WHERE kind = ?", (NUDGE_KIND,))
    assert rows == []


async def test_owners_from_before_the_digest_get_it_once_at_start(tg: FakeTelegram, clock: FakeClock) -> None:
    from services.digest import backfill_owner_digests
    from services.reminders import NoWakeUp

    alpha = await _team_with_owner(tg)
    # As the migration leaves an owner who joined before the digest existed: listed for the backfill, no reminder.
    await tg.store.db.execute_write("DELETE FROM reminders WHERE kind = ?", (DIGEST_KIND,))
    await tg.store.db.execute_write("INSERT INTO digest_backfill(team_id, user_id) VALUES (?, ?)", (alpha, OWNER))
    await tg.store.db.execute_write("INSERT INTO digest_backfill(team_id, user_id) VALUES (?, ?)", (alpha, HEAD))

    title = tg.content.t("digest.reminder_title")
    assert await backfill_owner_digests(tg.store, NoWakeUp(), title, clock.now()) == 1  # the head is no owner
    reminder = await tg.store.digests.setting(OWNER, alpha)
    assert reminder is not None and reminder.next_due_at == NEXT_MONDAY_9_MSK
    # Deleted later in /reminders, it is not brought back by the next start.
    await tg.store.reminders.delete(OWNER, reminder.id)
    assert await backfill_owner_digests(tg.store, NoWakeUp(), title, clock.now()) == 0
    assert await tg.store.digests.setting(OWNER, alpha) is None


# --- alerts -------------------------------------------------------------------------------------------------------


async def test_alerts_are_opt_in_and_their_check_runs_while_any_is_on(tg: FakeTelegram) -> None:
    from domain.digest import ALERT_CHOICES, ALERTS_KIND

    team_id = await _team_with_owner(tg)
    await tg.send(OWNER, "/digest")
    await tg.tap(OWNER, DigestCb(action="settings").pack())
    await tg.tap(OWNER, DigestCb(action="alerts").pack())
    assert "Оповещения собственнику" in tg.last_text(OWNER)
    assert (await tg.store.digests.alert_settings(OWNER, team_id)).any_on is False

    await tg.tap(OWNER, DigestCb(action="alert", value=ALERT_CHOICES.index("plan")).pack())
    await tg.tap(OWNER, DigestCb(action="alert", value=ALERT_CHOICES.index("threshold")).pack())
    settings = await tg.store.digests.alert_settings(OWNER, team_id)
    assert settings.plan_below_pct == 90  # on at 80 %, then the next threshold
    assert "✅ План ниже 90" in " ".join(text for text, _ in tg.buttons(OWNER))
    rows = await tg.store.db.fetchall(
        "SELECT state, next_due_at FROM reminders WHERE kind = ? AND user_id = ?", (ALERTS_KIND, OWNER)
    )
    assert [(r["state"], r["next_due_at"]) for r in rows] == [("active", "2026-12-01T07:00:00.000000+00:00")]

    await tg.tap(OWNER, DigestCb(action="alert", value=ALERT_CHOICES.index("plan")).pack())  # off again
    rows = await tg.store.db.fetchall("SELECT state FROM reminders WHERE kind = ?", (ALERTS_KIND,))
    assert [r["state"] for r in rows] == ["paused"]


async def test_the_no_export_alert_goes_out_once(tg: FakeTelegram, clock: FakeClock, tmp_path: Path) -> None:
    from domain.digest import ALERT_CHOICES

    team_id = await _team_with_owner(tg)
    await _upload(tg, team_id, clock.now())
    await tg.tap(OWNER, DigestCb(action="alert", value=ALERT_CHOICES.index("export")).pack())
    engine = await _engine_rig(tg, clock, tmp_path)
    header = tg.content.t("digest.alerts.header", team="Альфа")

    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # the next day, 10:00 Moscow: one day since the export
    await engine.tick()
    await engine.drain()
    assert not [t for t in _sent_to(tg, OWNER) if header in t]
    clock.set(datetime(2026, 12, 14, 7, 0, tzinfo=UTC))  # 14 days and 0 hours since 30.11 07:00
    await engine.tick()
    await engine.drain()
    alerts = [t for t in _sent_to(tg, OWNER) if header in t]
    assert len(alerts) == 1 and "Новой выгрузки из CRM нет уже 14 дней" in alerts[0]
    clock.set(datetime(2026, 12, 15, 7, 0, tzinfo=UTC))
    await engine.tick()
    await engine.drain()
    assert len([t for t in _sent_to(tg, OWNER) if header in t]) == 1
    await engine.stop()


async def test_a_ritual_skipped_twice_in_a_row_is_found(tg: FakeTelegram, clock: FakeClock) -> None:
    from domain.schedules import Frequency, Rule

    team_id = await _team_with_owner(tg)
    rule = Rule(Frequency.DAILY, at=datetime(2026, 1, 1, 12, 0).time(), start=clock.now().date())
    pdca = await tg.store.reminders.create_personal(
        HEAD, team_id, "pdca", "Разбор", rule, "Europe/Moscow", clock.now(), subject_id=1
    )
    calls = await tg.store.reminders.create_personal(
        HEAD, team_id, "calls", "Звонки", rule, "Europe/Moscow", clock.now(), subject_id=2
    )
    answers = [(pdca.id, 1, "skipped"), (pdca.id, 2, "skipped"), (calls.id, 1, "skipped"), (calls.id, 2, "done")]
    for reminder_id, day, outcome in answers:
        await tg.store.db.execute_write(
            "INSERT INTO deliveries(reminder_id, occurrence_at, recipient_id, due_at, status, outcome) "
            "VALUES (?, ?, ?, ?, 'sent', ?)",
            (reminder_id, f"2026-11-2{day}T09:00:00.000000+00:00", HEAD, "2026-11-20T09:00:00.000000+00:00", outcome),
        )
    found = await tg.store.digests.skipped_twice(team_id)
    assert [(s.kind, s.last_skipped) for s in found] == [("pdca", datetime(2026, 11, 22, 9, 0, tzinfo=UTC))]
