from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.types import Chat, Document, Message, Update

from analytics.sandbox import AnalysisPool
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head


def _month() -> str:
    return datetime.now(ZoneInfo("Europe/Moscow")).strftime("%Y-%m")


async def _team(tg: FakeTelegram) -> int:
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def test_typed_plans_are_saved_for_the_current_month(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    await tg.send(HEAD, "Иванов Иван; 1 500 000\nПетрова; 2031-02; 700 000\nбез суммы")
    plans = await tg.store.plans.for_team(HEAD, await _team(tg))
    assert plans == {("Иванов Иван", _month()): 1_500_000.0, ("Петрова", "2031-02"): 700_000.0}
    assert tg.last_text(HEAD) == tg.content.t("plans.bad_lines", lines="3")
    await tg.send(HEAD, "/plans")
    assert "Иванов Иван" in tg.last_text(HEAD) and "2031-02" in tg.last_text(HEAD)


async def test_member_cannot_set_plans(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/plans")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")


@pytest.fixture
async def pool() -> AsyncIterator[AnalysisPool]:
    analysis = AnalysisPool(max_workers=1, timeout_s=30)
    yield analysis
    analysis.shutdown()


async def test_plans_file_is_read_off_the_loop_and_saved(
    tg: FakeTelegram, pool: AnalysisPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    content = "Менеджер;План\nИванов;1 000 000\nПетрова;500 000\n".encode("cp1251")

    async def fake_download(file: str, destination: Path, **_: object) -> None:
        destination.write_bytes(content)  # noqa: ASYNC240  (a test double of the download)

    monkeypatch.setattr(tg.bot, "download", fake_download)
    message = Message(
        message_id=77,
        date=datetime.now(ZoneInfo("UTC")),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="f1", file_unique_id="u1", file_name="планы.csv", file_size=len(content)),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9999, message=message), analysis_pool=pool)
    plans = await tg.store.plans.for_team(HEAD, await _team(tg))
    assert plans == {("Иванов", _month()): 1_000_000.0, ("Петрова", _month()): 500_000.0}
    assert tg.last_text(HEAD).startswith("Сохранено 2 плана.")  # «2 плана»: the «few» form of the count


def _previous_month() -> str:
    year, month = (int(x) for x in _month().split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


async def test_a_stray_line_ends_the_wait_and_the_button_opens_it_again(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    await tg.send(HEAD, "привет, как дела?")
    assert tg.last_text(HEAD) == tg.content.t("plans.nothing_read", lines="1")
    again = tg.button(HEAD, tg.content.t("plans.again"))
    await tg.send(HEAD, "Иванов; 100")  # no longer waiting: not taken for a plan
    assert await tg.store.plans.for_team(HEAD, await _team(tg)) == {}
    await tg.tap(HEAD, again)
    await tg.send(HEAD, "Иванов; 100")
    assert await tg.store.plans.for_team(HEAD, await _team(tg)) == {("Иванов", _month()): 100.0}


async def test_a_partly_read_message_saves_the_good_lines_and_ends_the_wait(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    await tg.send(HEAD, "Иванов; 100\nПетрова сто тысяч")
    assert tg.last_text(HEAD) == tg.content.t("plans.bad_lines", lines="2")
    assert tg.button(HEAD, tg.content.t("plans.again"))
    await tg.send(HEAD, "Петрова; 200")  # the wait is over
    assert await tg.store.plans.for_team(HEAD, await _team(tg)) == {("Иванов", _month()): 100.0}


async def test_plans_of_the_month_just_closed_are_listed(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    assert _previous_month() in tg.last_text(HEAD)  # the example line offers the closed month
    await tg.send(HEAD, f"Иванов; {_previous_month()}; 300 000\nПетрова; 2001-01; 5")
    await tg.send(HEAD, "/plans")
    text = tg.last_text(HEAD)
    assert f"{_previous_month()} — Иванов: 300\u00a0000" in text
    assert "2001-01" not in text  # long past months are not listed


AMO_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "amocrm.csv"


class InProcessPool:
    """The engine in this process (the real pool is covered above and in test_crm_upload_commands)."""

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)


async def test_an_export_sent_while_plans_are_awaited_is_analysed_against_the_plans_of_its_months(
    tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = AMO_CSV.read_bytes()

    async def fake_download(file: str, destination: Path, **_: object) -> None:
        destination.write_bytes(data)  # noqa: ASYNC240  (a test double of the download)

    monkeypatch.setattr(tg.bot, "download", fake_download)
    recorded = tg.session.make_request

    async def bound_to_the_bot(bot: Bot, method: Any, timeout: int | None = None) -> Any:
        """The progress message is edited later: like Telegram's answers, it must know its bot."""
        result = await recorded(bot, method, timeout)
        return result.as_(bot) if isinstance(result, Message) else result

    monkeypatch.setattr(tg.session, "make_request", bound_to_the_bot)
    await onboard_head(tg)
    await tg.send(HEAD, "/plans")
    await tg.send(HEAD, "Анна; 2024-02; 200 000\nБорис; 2024-02; 50 000\nАнна Смирнова; 2024-02; 10")
    await tg.send(HEAD, "/plans")
    message = Message(
        message_id=78,
        date=datetime.now(ZoneInfo("UTC")),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="crm", file_unique_id="crm", file_name="amocrm.csv", file_size=len(data)),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9998, message=message), analysis_pool=InProcessPool())
    text = tg.last_text(HEAD)
    # amocrm.csv: Anna sold 120 000 in January, 230 000 in February, 80 000 in March; Boris nothing.
    # February only: Anna 230 000 against 200 000 (+30 000), Boris 0 against 50 000; the team 230 000 against
    # 250 000, short 20 000 (Anna Smirnova's plan is not in the export and not in the total).
    assert "Команда за февраль 2024: не хватило 20\u00a0000" in text
    assert "сверх плана 30\u00a0000" in text and "не хватило 50\u00a0000" in text
    assert "«Анна Смирнова» (похоже: «Анна»)" in text
    assert tg.button(HEAD, tg.content.t("exports.report_button"))
    await tg.send(HEAD, "Иванов; 100")  # the export ended the wait
    assert len(await tg.store.plans.for_team(HEAD, await _team(tg))) == 3
