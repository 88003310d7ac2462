"""/settings → «Начало рабочего дня»: task reminders arrive at the time a person's working day starts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.callbacks import SettingsCb, TaskDueCb, WorkdayCb
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head


async def test_the_workday_start_is_picked_or_typed_and_task_reminders_follow_it(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/settings")
    assert "Начало рабочего дня: 9:00" in tg.last_text(HEAD)
    await tg.tap(HEAD, SettingsCb(action="workday").pack())
    await tg.tap(HEAD, WorkdayCb(minutes=8 * 60).pack())
    assert await tg.store.users.workday_start(HEAD) == time(8, 0)

    await tg.tap(HEAD, SettingsCb(action="workday").pack())
    await tg.send(HEAD, "25:00")
    assert await tg.store.users.workday_start(HEAD) == time(8, 0)  # a wrong time changes nothing
    await tg.send(HEAD, "7:30")
    assert await tg.store.users.workday_start(HEAD) == time(7, 30)
    assert "Начало рабочего дня: 7:30" in tg.last_text(HEAD)

    team_id = (await tg.store.teams.current_membership(HEAD)).team_id  # type: ignore[union-attr]
    task = await tg.store.tasks.add(HEAD, team_id, "Провести разбор сделок", None, None, datetime.now(UTC))
    await tg.tap(HEAD, TaskDueCb(task=task.id, choice="tomorrow").pack())
    reminder = await tg.store.reminders.for_task(HEAD, task.id)
    assert reminder is not None and reminder.rule.at == time(7, 30)
    tomorrow = datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=1)
    assert reminder.next_due_at == datetime.combine(tomorrow, time(7, 30), ZoneInfo("Europe/Moscow"))
