"""The owners' weekly digest composed from snapshots, plans and ritual records. Every expected figure is worked out
by hand in the comments, not taken from the code."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from analytics.metrics_json import snapshot_json
from analytics.schema import (
    ClientBase,
    DatasetKind,
    DealCounts,
    FunnelStage,
    ManagerStats,
    Metrics,
    MonthComparison,
    Period,
)
from bot.views.digest import digest_text
from content import Content, load_content
from domain.digest import (
    ClientCounts,
    DigestInputs,
    DigestPeriod,
    Grade,
    ManagerFigures,
    MonthFigures,
    ReminderCounts,
    RitualHygiene,
    SnapshotFigures,
    StageShare,
    compose_digest,
    digest_rule,
    grade_change,
    week_start,
)
from domain.schedules import Frequency

NBSP = "\u00a0"
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Monday 09:00 in Moscow
PERIOD = DigestPeriod.week_before(NOW)
UPLOADED = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # inside the week


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


def figures(
    revenue_by_month: dict[str, float] | None = None,
    managers: tuple[ManagerFigures, ...] = (),
    month: MonthFigures | None = None,
    win_rate: float | None = None,
    qualified: float | None = None,
    funnel: tuple[StageShare, ...] = (),
    clients: ClientCounts | None = None,
    margin: float | None = None,
    margin_share: float | None = None,
    created_at: datetime = UPLOADED,
    period_end: date | None = date(2026, 11, 27),
) -> SnapshotFigures:
    by_month = revenue_by_month if revenue_by_month is not None else {}
    return SnapshotFigures(
        created_at=created_at,
        period_start=date(2026, 9, 1),
        period_end=period_end,
        currency="RUB",
        won_revenue=sum(by_month.values()) if by_month else None,
        margin=margin,
        margin_share=margin_share,
        win_rate=win_rate,
        qualified_conversion=qualified,
        funnel=funnel,
        clients=clients,
        month=month,
        revenue_by_month=by_month,
        managers=managers,
    )


def inputs(latest: SnapshotFigures | None, **kwargs: object) -> DigestInputs:
    values: dict[str, object] = {
        "team_name": "Альфа",
        "latest": latest,
        "previous": None,
        "plans": {},
        "uploads_in_week": 1,
    }
    values.update(kwargs)
    return DigestInputs(**values)  # type: ignore[arg-type]


# November plans of two managers: 600 000 + 400 000 = 1 000 000; October's plan is another month and not counted.
NOVEMBER_PLANS = {("Иванов", "2026-11"): 600_000.0, ("Петрова", "2026-11"): 400_000.0, ("Иванов", "2026-10"): 5e5}


def test_a_shortfall_is_money_not_a_negative_over_plan(content: Content) -> None:
    # The export ends on 27.11, so the money section speaks of November to date: 982 011 against 1 000 000.
    # 982 011 / 1 000 000 = 98.2011 % -> «98 %"; 982 011 - 1 000 000 = -17 989 -> «не хватило 17 989 ₽».
    latest = figures({"2026-10": 1_200_000.0, "2026-11": 982_011.0})
    digest = compose_digest(inputs(latest, plans=NOVEMBER_PLANS), PERIOD)
    money = digest.money
    assert money is not None
    assert money.month == "2026-11"
    assert money.revenue == 982_011
    assert money.plan == 1_000_000
    assert money.over_plan == pytest.approx(-17_989)
    assert money.shortfall == pytest.approx(17_989)
    assert money.attainment == pytest.approx(0.982011)
    text = digest_text(content, digest, "Europe/Moscow")
    assert f"Не хватило до плана: <b>17{NBSP}989{NBSP}₽</b>" in text
    assert f"982{NBSP}011{NBSP}₽ при плане 1{NBSP}000{NBSP}000{NBSP}₽ — 98{NBSP}% плана" in text
    assert "Сверх плана" not in text and "−17" not in text


def test_revenue_over_plan_in_money(content: Content) -> None:
    # 1 050 000 - 1 000 000 = 50 000 over the plan; 105 % of it.
    digest = compose_digest(inputs(figures({"2026-11": 1_050_000.0}), plans=NOVEMBER_PLANS), PERIOD)
    assert digest.money is not None and digest.money.over_plan == pytest.approx(50_000)
    assert digest.money.shortfall is None
    text = digest_text(content, digest, "Europe/Moscow")
    assert f"Сверх плана: <b>50{NBSP}000{NBSP}₽</b>" in text
    assert f"105{NBSP}% плана" in text


def test_without_monthly_plans_the_managers_plans_of_the_export_count() -> None:
    # Plans the export was analysed with: 600 000 (+90 000) and 400 000 (-80 000).
    # Plan 1 000 000; revenue counted against it 690 000 + 320 000 = 1 010 000; over +10 000; 101 %.
    managers = (
        ManagerFigures("Иванов", 700_000.0, 600_000.0, 1.15, 90_000.0),
        ManagerFigures("Петрова", 320_000.0, 400_000.0, 0.8, -80_000.0),
    )
    digest = compose_digest(inputs(figures({"2026-11": 1.0}, managers=managers)), PERIOD)
    assert digest.money is not None
    assert digest.money.month is None
    assert digest.money.plan == 1_000_000
    assert digest.money.revenue == pytest.approx(1_010_000)
    assert digest.money.over_plan == pytest.approx(10_000)


def test_no_plan_at_all_shows_the_revenue_alone(content: Content) -> None:
    digest = compose_digest(inputs(figures({"2026-11": 250_000.0})), PERIOD)
    assert digest.money is not None and digest.money.plan is None and digest.money.revenue == 250_000
    assert "План на этот месяц не задан" in digest_text(content, digest, "Europe/Moscow")


def test_margin_when_known(content: Content) -> None:
    # 300 000 of margin on 1 200 000 of revenue: 25 %.
    digest = compose_digest(inputs(figures({"2026-11": 1_200_000.0}, margin=300_000.0, margin_share=0.25)), PERIOD)
    assert f"Маржа: 300{NBSP}000{NBSP}₽ (25{NBSP}% выручки)" in digest_text(content, digest, "Europe/Moscow")


@pytest.mark.parametrize(
    ("last", "previous", "grade", "difference"),
    [
        (1_200_000.0, 1_000_000.0, Grade.BETTER, 200_000.0),  # +20 %
        (1_051_000.0, 1_000_000.0, Grade.BETTER, 51_000.0),  # +5.1 %: past the ±5 % band
        (1_049_000.0, 1_000_000.0, Grade.LEVEL, 49_000.0),  # +4.9 %
        (980_000.0, 1_000_000.0, Grade.LEVEL, -20_000.0),  # -2 %
        (900_000.0, 1_000_000.0, Grade.WORSE, -100_000.0),  # -10 %
        (100_000.0, 0.0, Grade.BETTER, 100_000.0),  # nothing sold the month before
        (0.0, 0.0, Grade.LEVEL, 0.0),
    ],
)
def test_month_against_month_is_graded(last: float, previous: float, grade: Grade, difference: float) -> None:
    month = MonthFigures("2026-10", "2026-09", last, previous)
    digest = compose_digest(inputs(figures({"2026-10": last}, month=month)), PERIOD)
    assert digest.month is not None
    assert digest.month.grade is grade
    assert digest.month.difference == pytest.approx(difference)


def test_month_line_reads_as_words(content: Content) -> None:
    # October 1 200 000 against September 1 000 000: +20 %, «лучше».
    month = MonthFigures("2026-10", "2026-09", 1_200_000.0, 1_000_000.0)
    text = digest_text(content, compose_digest(inputs(figures({"2026-10": 1.2e6}, month=month)), PERIOD), "UTC")
    assert f"+20{NBSP}%" in text and "<b>лучше</b>" in text
    assert grade_change(-0.05, 1.0) is Grade.WORSE  # the band's edge belongs to the grade


def test_managers_best_worst_and_spread(content: Content) -> None:
    # Attainment 115 %, 95 %, 80 %; Козлов has no plan and is not ranked.
    # Best Иванов 115 %, worst Петрова 80 % (short by 80 000), spread 115 - 80 = 35 p.p.; 2 of 3 below plan.
    managers = (
        ManagerFigures("Иванов", 690_000.0, 600_000.0, 1.15, 90_000.0),
        ManagerFigures("Сидоров", 475_000.0, 500_000.0, 0.95, -25_000.0),
        ManagerFigures("Петрова", 320_000.0, 400_000.0, 0.80, -80_000.0),
        ManagerFigures("Козлов", 900_000.0, None, None, None),
    )
    digest = compose_digest(inputs(figures({"2026-11": 1.0}, managers=managers)), PERIOD)
    ranked = digest.managers
    assert ranked is not None
    assert ranked.best.name == "Иванов"
    assert ranked.worst is not None and ranked.worst.name == "Петрова"
    assert ranked.spread_pp == pytest.approx(35.0)
    assert (ranked.with_plan, ranked.below_plan) == (3, 2)
    text = digest_text(content, digest, "UTC")
    assert f"Иванов — 115{NBSP}% плана" in text
    assert f"Петрова — 80{NBSP}% плана, не хватило 80{NBSP}000{NBSP}₽" in text
    assert f"Разброс выполнения плана: 35{NBSP}п.{NBSP}п." in text
    assert "Ниже плана — 2 менеджера из 3." in text


def test_one_manager_on_a_plan_has_no_spread() -> None:
    managers = (ManagerFigures("Иванов", 1.0, 1.0, 1.0, 0.0),)
    ranked = compose_digest(inputs(figures({"2026-11": 1.0}, managers=managers)), PERIOD).managers
    assert ranked is not None and ranked.worst is None and ranked.spread_pp is None


def test_conversion_funnel_and_clients_change_since_the_previous_export(content: Content) -> None:
    # Win rate 25 % now, 20 % before: +5.0 p.p. Qualified conversion 30 %, unknown before: no change shown.
    # Funnel: «Квалификация» 60 % (62 % before, -2 p.p.), «КП» 40 % (30 % before, +10 p.p.): the larger move, КП.
    # Clients 40 / 12 / 8 now, 38 / 15 / 6 before: +2, -3, +2.
    latest = figures(
        {"2026-11": 1.0},
        win_rate=0.25,
        qualified=0.30,
        funnel=(StageShare("Квалификация", 0.6), StageShare("КП", 0.4)),
        clients=ClientCounts(40, 12, 8),
    )
    previous = figures(
        {"2026-10": 1.0},
        win_rate=0.20,
        funnel=(StageShare("Квалификация", 0.62), StageShare("КП", 0.3)),
        clients=ClientCounts(38, 15, 6),
        created_at=datetime(2026, 11, 10, tzinfo=UTC),
    )
    digest = compose_digest(inputs(latest, previous=previous), PERIOD)
    by_key = {c.key: c for c in digest.conversions}
    assert by_key["win_rate"].change_pp == pytest.approx(5.0)
    assert by_key["qualified_conversion"].change_pp is None
    assert by_key["stage"].stage == "КП" and by_key["stage"].change_pp == pytest.approx(10.0)
    assert digest.clients is not None and digest.clients.change == ClientCounts(2, -3, 2)
    text = digest_text(content, digest, "UTC")
    assert f"Доля выигранных сделок: 25{NBSP}% (+5{NBSP}п.{NBSP}п. к прошлой выгрузке)" in text
    assert "Активные: 40 (+2); спящие: 12 (−3); ушедшие: 8 (+2)." in text


def test_hygiene_lines_by_reminder_kind_and_ritual(content: Content) -> None:
    # Task reminders: 3 done, 1 skipped, 1 unanswered of 5. The digest's own deliveries are not hygiene.
    reminders = (
        ReminderCounts("task", done=3, skipped=1, missed=1, total=5),
        ReminderCounts("digest", done=0, skipped=0, missed=1, total=1),
        ReminderCounts("pdca", done=0, skipped=2, missed=0, total=2),
    )
    rituals = (RitualHygiene("calls", (("listened", 6), ("target", 10)), active=True),)
    digest = compose_digest(inputs(None, uploads_in_week=0, reminders=reminders, rituals=rituals), PERIOD)
    assert [r.kind for r in digest.reminders] == ["pdca", "task"]
    assert not digest.quiet
    text = digest_text(content, digest, "UTC")
    assert "Задачи: 5 напоминаний — сделано 3, пропущено 1, без ответа 1." in text
    assert "Разборы PDCA: 2 напоминания — сделано 0, пропущено 2, без ответа 0." in text
    assert "Прослушивание звонков за прошлую неделю: 6 из 10." in text
    assert "Выгрузок из CRM ещё не было" in text


def test_a_quiet_week_is_short(content: Content) -> None:
    # No upload this week (the last one was on 10.11) and no answered reminder: quiet.
    old = figures({"2026-11": 1.0}, created_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    unanswered = (ReminderCounts("task", missed=2, total=2),)
    digest = compose_digest(inputs(old, uploads_in_week=0, reminders=unanswered), PERIOD)
    assert digest.quiet
    text = digest_text(content, digest, "Europe/Moscow")
    assert "ничего нового" in text and "10.11.2026" in text
    assert "Деньги" not in text
    # 23.11 09:00 — 30.11 08:59 Moscow.
    assert "23.11.2026 — 30.11.2026" in text


def test_an_upload_or_an_answered_ritual_makes_the_week_not_quiet() -> None:
    assert not compose_digest(inputs(None, uploads_in_week=1), PERIOD).quiet
    done = (ReminderCounts("pdca", done=1, total=1),)
    assert not compose_digest(inputs(None, uploads_in_week=0, reminders=done), PERIOD).quiet
    assert compose_digest(inputs(None, uploads_in_week=0), PERIOD).quiet


def test_a_stored_snapshot_reads_back_as_figures() -> None:
    # The JSON the bot stores for an export (analytics.metrics_json.snapshot_json), read back by the digest.
    from domain.digest import snapshot_figures

    metrics = Metrics(
        kind=DatasetKind.DEALS,
        rows=10,
        period=Period(date(2026, 9, 1), date(2026, 11, 27)),
        deals=DealCounts(total=10, won=4, lost=4, open=2),
        won_revenue=2_182_011.0,
        win_rate=0.5,
        avg_deal=None,
        avg_deal_new=None,
        avg_deal_existing=None,
        funnel=(FunnelStage("Новая", 2, 1.0), FunnelStage("КП", 1, 0.4)),
        managers=(ManagerStats("Иванов", 5, 2, 1_000_000.0, 0.5, None, None, 600_000.0, 1.1, 60_000.0),),
        clients=ClientBase(3, 1, 0, None, None, None),
        margin=None,
        margin_share=None,
        qualified_conversion=None,
        cycle_days_median=None,
        stale_open_deals=None,
        month=MonthComparison("2026-10", "2026-09", 1_200_000.0, 0.0, None, "surge"),
        plan_spread=None,
        currency="RUB",
        revenue_by_month=(("2026-10", 1_200_000.0), ("2026-11", 982_011.0)),
    )
    read = snapshot_figures(snapshot_json(metrics), UPLOADED, date(2026, 9, 1), date(2026, 11, 27))
    assert read.revenue_by_month == {"2026-10": 1_200_000.0, "2026-11": 982_011.0}
    assert read.managers[0] == ManagerFigures("Иванов", 1_000_000.0, 600_000.0, 1.1, 60_000.0)
    assert read.clients == ClientCounts(3, 1, 0)
    assert read.month == MonthFigures("2026-10", "2026-09", 1_200_000.0, 0.0)
    assert read.funnel[1] == StageShare("КП", 0.4)
    assert read.win_rate == 0.5 and read.margin is None


def test_default_rule_and_week_start() -> None:
    rule = digest_rule(date(2026, 11, 30))
    assert (rule.frequency, rule.weekdays, rule.at) == (Frequency.WEEKLY, (0,), time(9, 0))
    # Wednesday 2 December 2026 15:00 UTC is 18:00 in Moscow; that week began on Monday 30 November, 00:00 Moscow.
    start = week_start(datetime(2026, 12, 2, 15, 0, tzinfo=UTC), "Europe/Moscow")
    assert start.astimezone(UTC) == datetime(2026, 11, 29, 21, 0, tzinfo=UTC)


def test_ritual_records_become_hygiene_lines(content: Content) -> None:
    from domain.calls import CallHygiene, IsoWeek, WeekTally
    from domain.digest import calls_line, pdca_line, strategy_line, training_line
    from domain.pdca import PdcaHygiene
    from domain.strategy import StrategyHygiene
    from domain.training import TrainingHygiene

    # PDCA: 2 reviews due in the week, 1 held; 3 cycles open, none finished. Held one: the week was not idle.
    pdca = pdca_line(PdcaHygiene(reviews_scheduled=2, reviews_held=1, active=3, finished=0))
    # Calls: a target of 10 a week, 6 listened in the last full week.
    calls = calls_line(CallHygiene(True, 10, (WeekTally(IsoWeek(2026, 48), 6, 10),)))
    # Training: nothing passed; 3 assigned modules were due, none done.
    training = training_line(TrainingHygiene(modules_passed=0, people_passed=0, assigned_due=3, assigned_done=0))
    # Strategy: 2 on track, 1 at risk, 1 overdue, 0 done — a state, not the week's activity.
    strategy = strategy_line(StrategyHygiene(on_track=2, at_risk=1, overdue=1, done=0))
    assert pdca is not None and pdca.active
    assert calls is not None and calls.active and calls.value("target") == 10
    assert training is not None and not training.active
    assert strategy is not None and not strategy.active
    assert calls_line(CallHygiene(False, 0, ())) is None
    assert pdca_line(PdcaHygiene(0, 0, 0, 0)) is None
    assert strategy_line(StrategyHygiene()) is None

    rituals = (pdca, calls, training, strategy)
    text = digest_text(content, compose_digest(inputs(None, uploads_in_week=0, rituals=rituals), PERIOD), "UTC")
    assert "Разборы PDCA: проведено 1 из 2; циклов в работе — 3, завершено за неделю — 0." in text
    assert "Прослушивание звонков за прошлую неделю: 6 из 10." in text
    assert "назначенных на неделю пройдено 0 из 3" in text
    assert "по плану — 2, под угрозой — 1, просрочено — 1, выполнено — 0." in text
    # Only missed training and standing milestones: nothing was done, the week is quiet.
    assert compose_digest(inputs(None, uploads_in_week=0, rituals=(training, strategy)), PERIOD).quiet


# --- diagnostic results the head shared ---------------------------------------------------------------------------
# The week: 23.11 06:00 UTC (09:00 Moscow) up to 30.11 06:00 UTC. Scores are out of 100.

MINUS = "\u2212"


def test_a_share_of_the_week_shows_its_change_against_the_previous_share(content: Content) -> None:
    from domain.digest import SharedFigures

    # «Шесть ошибок»: 20 on 11.11 (two weeks before), 50 on 25.11 (in the week): 50 − 20 = +30.
    # «Архитектура»: 80 on 02.11, 60 on 27.11: 60 − 80 = −20, with a real minus sign.
    shares = (
        SharedFigures(1, "arch", 80, "ok", datetime(2026, 11, 2, 10, 0, tzinfo=UTC)),
        SharedFigures(2, "six", 20, "manual", datetime(2026, 11, 11, 10, 0, tzinfo=UTC)),
        SharedFigures(3, "six", 50, "gaps", datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
        SharedFigures(4, "arch", 60, "partly", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
    )
    digest = compose_digest(inputs(None, uploads_in_week=0, shares=shares), PERIOD)
    assert [(s.checklist_key, s.score, s.change) for s in digest.shares] == [("six", 50, 30), ("arch", 60, -20)]
    assert [s.previous.run_id if s.previous else None for s in digest.shares] == [2, 1]
    text = digest_text(content, digest, "Europe/Moscow")
    assert "<b>🩺 Диагностика</b>" in text
    assert (
        "«Шесть ошибок управления»: <b>50 из 100</b>, зона «Есть пробелы в системе»; "
        "в прошлый раз (11.11.2026) — 20, изменение +30." in text
    )
    assert (
        "«Архитектура управления»: <b>60 из 100</b>, зона «Многое работает не как система»; "
        f"в прошлый раз (02.11.2026) — 80, изменение {MINUS}20." in text
    )
    # The section comes before the hygiene, and it holds no answers: only titles, scores and zones.
    assert text.index("Диагностика") < text.index("Управленческая гигиена")


def test_a_first_share_has_no_change(content: Content) -> None:
    from domain.digest import SharedFigures

    # The first «KPI» ever shared, on 24.11: nothing to compare it with.
    first = SharedFigures(7, "kpi", 45, "mixed", datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    digest = compose_digest(inputs(None, shares=(first,)), PERIOD)
    assert [(s.score, s.previous, s.change) for s in digest.shares] == [(45, None, None)]
    text = digest_text(content, digest, "Europe/Moscow")
    assert "«KPI руководителя продаж»: <b>45 из 100</b>, зона «Есть слабые места в KPI»." in text
    assert "в прошлый раз" not in text


def test_a_result_sent_again_in_full_is_listed_once_and_not_compared_with_itself() -> None:
    from domain.digest import SharedFigures

    # Run 5 (score 70) as a summary on 24.11, then in full on 26.11; run 4 (score 55) was shared on 10.11.
    # Listed once, against run 4: 70 − 55 = +15 (not +0 against its own summary).
    shares = (
        SharedFigures(4, "six", 55, "gaps", datetime(2026, 11, 10, 9, 0, tzinfo=UTC)),
        SharedFigures(5, "six", 70, "gaps", datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
        SharedFigures(5, "six", 70, "gaps", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
    )
    digest = compose_digest(inputs(None, shares=shares), PERIOD)
    assert [(s.score, s.change, s.shared_at.day) for s in digest.shares] == [(70, 15, 24)]


def test_a_share_older_than_the_week_is_not_listed(content: Content) -> None:
    from domain.digest import SharedFigures

    # 23.11 05:59 UTC is a minute before the week began (06:00 UTC): not listed, no empty heading, and it does not
    # make the week active. At 06:00 sharp it is in the week.
    old = SharedFigures(1, "six", 40, "manual", datetime(2026, 11, 23, 5, 59, tzinfo=UTC))
    digest = compose_digest(inputs(None, uploads_in_week=1, shares=(old,)), PERIOD)
    assert digest.shares == ()
    assert "Диагностика" not in digest_text(content, digest, "Europe/Moscow")
    assert compose_digest(inputs(None, uploads_in_week=0, shares=(old,)), PERIOD).quiet
    at_start = SharedFigures(2, "six", 40, "manual", PERIOD.start)
    assert len(compose_digest(inputs(None, shares=(at_start,)), PERIOD).shares) == 1


def test_a_shared_result_makes_the_week_not_quiet(content: Content) -> None:
    from domain.digest import SharedFigures

    # No upload, no ritual, but the head sent a result on 28.11: the owner has something new to see.
    share = SharedFigures(3, "six", 50, "gaps", datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    digest = compose_digest(inputs(None, uploads_in_week=0, shares=(share,)), PERIOD)
    assert not digest.quiet
    text = digest_text(content, digest, "Europe/Moscow")
    assert "ничего нового" not in text
    assert "«Шесть ошибок управления»: <b>50 из 100</b>" in text


# --- alerts -----------------------------------------------------------------------------------------------------

TODAY_20 = date(2026, 11, 20)
NOW_20 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 10:00 in Moscow


def _november(revenue: float, created_at: datetime = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)) -> SnapshotFigures:
    return figures({"2026-10": 1.0, "2026-11": revenue}, created_at=created_at, period_end=date(2026, 11, 19))


def test_plan_alert_below_the_threshold_on_the_20th() -> None:
    from domain.digest import AlertSettings, check_alerts

    on = AlertSettings(plan_below_pct=80)
    # 700 000 of 1 000 000 (NOVEMBER_PLANS): 70 % < 80 %; 300 000 short.
    alerts = check_alerts(on, _november(700_000.0), NOVEMBER_PLANS, (), TODAY_20, NOW_20, delivery_id=5)
    assert alerts.plan is not None
    assert alerts.plan.attainment == pytest.approx(0.7) and alerts.plan.shortfall == pytest.approx(300_000)
    # The 19th is too early; 850 000 (85 %) is above the threshold.
    assert not check_alerts(on, _november(700_000.0), NOVEMBER_PLANS, (), date(2026, 11, 19), NOW_20, 5)
    assert not check_alerts(on, _november(850_000.0), NOVEMBER_PLANS, (), TODAY_20, NOW_20, 5)
    # Once a month: alerted by delivery 5, the check of delivery 6 stays silent; a retry of delivery 5 repeats it.
    sent = AlertSettings(plan_below_pct=80, plan_alerted="2026-11", plan_alerted_by=5)
    assert not check_alerts(sent, _november(700_000.0), NOVEMBER_PLANS, (), TODAY_20, NOW_20, 6)
    assert check_alerts(sent, _november(700_000.0), NOVEMBER_PLANS, (), TODAY_20, NOW_20, 5).plan is not None


def test_no_export_alert_after_14_days_once_per_export() -> None:
    from domain.digest import NO_SNAPSHOT, AlertSettings, check_alerts

    on = AlertSettings(no_export=True)
    uploaded = datetime(2026, 11, 6, 7, 0, tzinfo=UTC)  # 14 days before NOW_20 exactly
    alerts = check_alerts(on, _november(1.0, uploaded), {}, (), TODAY_20, NOW_20, 1)
    assert alerts.export is not None and alerts.export.days == 14
    assert not check_alerts(on, _november(1.0, uploaded + timedelta(minutes=1)), {}, (), TODAY_20, NOW_20, 1)
    sent = AlertSettings(no_export=True, export_alerted=uploaded.isoformat(), export_alerted_by=1)
    assert not check_alerts(sent, _november(1.0, uploaded), {}, (), TODAY_20, NOW_20, 2)
    never = check_alerts(on, None, {}, (), TODAY_20, NOW_20, 1).export
    assert never is not None and never.key == NO_SNAPSHOT and never.days is None


def test_ritual_skipped_twice_alerts_once_per_new_skip() -> None:
    from domain.digest import AlertSettings, SkippedTwice, check_alerts

    monday = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    skipped = (SkippedTwice("pdca", monday),)
    alerts = check_alerts(AlertSettings(ritual_skips=True), None, {}, skipped, TODAY_20, NOW_20, 3)
    assert alerts.ritual is not None and alerts.ritual.kinds == ("pdca",) and alerts.plan is None
    told = AlertSettings(ritual_skips=True, ritual_alerted=monday, ritual_alerted_by=3)
    assert not check_alerts(told, None, {}, skipped, TODAY_20, NOW_20, 4)
    again = (SkippedTwice("pdca", monday), SkippedTwice("calls", monday + timedelta(days=3)))
    later = check_alerts(told, None, {}, again, TODAY_20, NOW_20, 4).ritual
    assert later is not None and later.kinds == ("calls",)


def test_alert_text(content: Content) -> None:
    from bot.views.digest import alerts_text
    from domain.digest import Alerts, ExportAlert, PlanAlert, RitualAlert

    alerts = Alerts(
        PlanAlert("2026-11", 0.7, 1_000_000.0, 300_000.0, 80),
        ExportAlert("x", 15),
        RitualAlert(("calls", "pdca"), NOW_20),
    )
    text = alerts_text(content, "Альфа", alerts, "RUB")
    assert f"План на ноябрь 2026 выполнен на 70{NBSP}% — ниже порога 80{NBSP}%. Не хватает 300{NBSP}000{NBSP}₽." in text
    assert "Новой выгрузки из CRM нет уже 15 дней" in text
    assert "Дважды подряд пропущено: прослушивание звонков, разбор PDCA." in text
