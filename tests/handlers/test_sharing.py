"""Owners take the checklists written for them about their head (their run is theirs alone), and a head sends a
result to the team's owners: score, zone and plan, the answers only in full (issue 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.callbacks import ChecklistCb, MenuCb, ResultCb, RunCb, ShareCb, SharedCb
from bot.config import Settings
from bot.delivery import RetryingDelivery
from bot.factory import create_dispatcher
from content import Content
from domain.checklists import in_voice
from domain.models import Role
from storage import Store
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head
from tests.handlers.recording import RecordingSession

OTHER_HEAD, OTHER_OWNER = 505, 506


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
async def tg(store: Store, content: Content, tmp_path: Path) -> AsyncIterator[FakeTelegram]:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "coach.db")  # type: ignore[arg-type]
    session = BlockingSession()

    async def record_failure(chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        """As bot/factory.py records a failed send: the failure, and a person who blocked the bot."""
        now = datetime.now(UTC)
        await store.failures.record(chat_id, method, error, now)
        if unreachable and chat_id is not None and chat_id > 0:
            await store.users.mark_blocked(chat_id, now)

    session.middleware(RetryingDelivery(record_failure))  # the delivery layer the real bot has
    bot = Bot(token="42:TEST", session=session)
    dispatcher = create_dispatcher(settings, store, content)
    yield FakeTelegram(dispatcher=dispatcher, bot=bot, session=session, store=store, content=content)
    await dispatcher.storage.close()


async def _team(tg: FakeTelegram) -> int:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def _take(tg: FakeTelegram, user_id: int, key: str, worst: bool = True) -> int:
    """Start a checklist and answer every question (the worst answer, or the best); the run's id."""
    await tg.tap(user_id, ChecklistCb(action="start", key=key).pack())
    membership = await tg.store.teams.current_membership(user_id)
    assert membership is not None
    run = await tg.store.runs.in_progress(user_id, membership.team_id, key)
    assert run is not None
    checklist = tg.content.checklists[key]
    for index, item in enumerate(checklist.items):
        options = checklist.answers_for(item)
        values = [option.value for option in options]
        option = values.index(min(values) if worst else max(values))
        await tg.tap(user_id, f"a:{run.id}:{index}:{option}")
    return run.id


# --- (a) owners take weak_rop and kpi, in their voice; the run is theirs -----------------------------------------


async def test_owner_sees_only_the_checklists_written_for_owners(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.send(OWNER, "/checklists")
    keys = [data.split(":")[-1] for _, data in tg.buttons(OWNER) if data.startswith("cl:open:")]
    assert keys == [key for key, c in tg.content.checklists.items() if c.owner is not None]
    assert set(keys) == {"weak_rop", "kpi"}
    await tg.send(HEAD, "/checklists")
    head_keys = [data.split(":")[-1] for _, data in tg.buttons(HEAD) if data.startswith("cl:open:")]
    assert set(head_keys) == {"arch", "six", "weak_rop", "kpi"}


async def test_owner_takes_weak_rop_in_the_owners_voice(tg: FakeTelegram) -> None:
    await _team(tg)
    owner_voice = in_voice(tg.content.checklists["weak_rop"], Role.OWNER)
    head_voice = tg.content.checklists["weak_rop"]
    await tg.tap(OWNER, ChecklistCb(action="open", key="weak_rop").pack())
    assert owner_voice.description.split()[0] in tg.last_text(OWNER)
    await tg.tap(OWNER, ChecklistCb(action="start", key="weak_rop").pack())
    first = tg.last_text(OWNER)
    assert owner_voice.items[0].question in first
    assert owner_voice.items[0].question != head_voice.items[0].question
    run_id = await _take(tg, OWNER, "weak_rop")
    result = tg.last_text(OWNER)
    zones = {z.key: z for z in owner_voice.zones}
    run = await tg.store.runs.get(OWNER, run_id)
    assert run.zone is not None and zones[run.zone].title in result
    data = [d for _, d in tg.buttons(OWNER)]
    assert not any(d.startswith(("ta:", "pd", "sh:")) for d in data)  # no tasks, cycles or sharing for an owner
    assert RunCb(run=run_id, action="xlsx").pack() in data
    await tg.send(OWNER, "/history")
    assert RunCb(run=run_id, action="show").pack() in [d for _, d in tg.buttons(OWNER)]
    assert tg.content.t("sharing.history_title") in tg.last_text(OWNER)


async def test_the_head_cannot_see_the_owners_run(tg: FakeTelegram) -> None:
    await _team(tg)
    run_id = await _take(tg, OWNER, "weak_rop")
    await tg.send(HEAD, "/history")
    assert RunCb(run=run_id, action="show").pack() not in [d for _, d in tg.buttons(HEAD)]
    for action in ("show", "xlsx"):
        sent = len(tg.session.requests)
        await tg.tap(HEAD, RunCb(run=run_id, action=action).pack())  # type: ignore[arg-type]
        assert tg.last_callback_answer() == tg.content.t("errors.not_found")
        assert not [r for r in tg.session.requests[sent:] if isinstance(r, SendMessage)]
    await tg.tap(HEAD, ResultCb(run=run_id, action="all").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    await tg.tap(HEAD, ShareCb(run=run_id, action="send_full").pack())
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    assert await tg.store.db.fetchall("SELECT * FROM shared_results") == []


@pytest.mark.parametrize("key", ["six", "arch"])
async def test_the_owner_cannot_open_or_start_a_heads_checklist(tg: FakeTelegram, key: str) -> None:
    await _team(tg)
    for action in ("open", "start"):
        await tg.tap(OWNER, ChecklistCb(action=action, key=key).pack())  # type: ignore[arg-type]
        assert tg.last_callback_answer() == tg.content.t("errors.access_denied_for.owner")
    assert await tg.store.db.fetchall("SELECT * FROM checklist_runs WHERE user_id = ?", (OWNER,)) == []


async def test_a_member_still_takes_no_checklist(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.send(MEMBER, "/checklists")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")
    await tg.tap(MEMBER, ChecklistCb(action="start", key="weak_rop").pack())
    assert await tg.store.db.fetchall("SELECT * FROM checklist_runs WHERE user_id = ?", (MEMBER,)) == []


# --- (b) the head sends a result to the owners ----------------------------------------------------------------


async def _share(tg: FakeTelegram, run_id: int, full: bool) -> None:
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("sharing.buttons.share")))
    assert tg.last_text(HEAD).startswith("<b>Отправить собственнику")
    await tg.tap(HEAD, ShareCb(run=run_id, action="full" if full else "summary").pack())
    assert "Олег" in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("sharing.buttons.send")))


async def test_summary_share_gives_the_owner_score_zone_and_plan_without_answers(tg: FakeTelegram) -> None:
    team_id = await _team(tg)
    run_id = await _take(tg, HEAD, "six")
    await _share(tg, run_id, full=False)
    checklist = tg.content.checklists["six"]
    run = await tg.store.runs.get(HEAD, run_id)
    received = tg.last_text(OWNER)
    zone = next(z for z in checklist.zones if z.key == run.zone)
    assert f"{run.score} из 100" in received and zone.title in received
    shared = (await tg.store.shares.for_owner(OWNER, team_id))[0]
    assert tg.content.t("sharing.plan_title") in received and shared.plan
    for key in shared.plan[:10]:  # the weak items as the head's plan, as tasks
        assert checklist.item(key).task in received
    for item in checklist.items:  # no question, so no answer to it either
        assert item.question not in received
    assert tg.content.t("sharing.answers_title") not in received
    assert tg.content.t("sharing.sent", names="Олег") in tg.last_text(HEAD)
    assert MEMBER not in [r.chat_id for r in tg.session.requests if isinstance(r, SendMessage) and "100" in r.text]
    shares = await tg.store.shares.for_team(team_id, run.finished_at)  # type: ignore[arg-type]
    assert [(s.checklist_key, s.score, s.zone, s.full) for s in shares] == [("six", run.score, run.zone, False)]
    # the owner finds it in /history and opens it: again no answers
    await tg.send(OWNER, "/history")
    assert tg.content.t("sharing.history_title") in tg.last_text(OWNER)
    await tg.tap(OWNER, SharedCb(share=shares[0].id).pack())
    assert zone.title in tg.last_text(OWNER)
    assert checklist.items[0].question not in tg.last_text(OWNER)
    # a double tap on «Отправить» sends nothing more
    sent = len(tg.session.requests)
    await tg.tap(HEAD, ShareCb(run=run_id, action="send_summary").pack())
    assert not [r for r in tg.session.requests[sent:] if isinstance(r, SendMessage)]


async def test_full_share_includes_the_answers(tg: FakeTelegram) -> None:
    await _team(tg)
    run_id = await _take(tg, HEAD, "weak_rop")
    await _share(tg, run_id, full=True)
    checklist = tg.content.checklists["weak_rop"]
    received = tg.last_text(OWNER)
    assert tg.content.t("sharing.answers_title") in received
    assert checklist.items[0].question in received  # the head's own wording of the question
    worst = min(checklist.answers_for(checklist.items[0]), key=lambda o: o.value)
    assert f"<b>{worst.label}</b>" in received
    # the same result opened again from /history offers sharing too
    await tg.send(HEAD, "/history")
    await tg.tap(HEAD, RunCb(run=run_id, action="show").pack())
    assert ShareCb(run=run_id, action="ask").pack() in [d for _, d in tg.buttons(HEAD)]


async def test_an_owner_of_another_team_receives_nothing(tg: FakeTelegram) -> None:
    await _team(tg)
    other_owner_code, _ = await onboard_head(tg, OTHER_HEAD, "Бета")
    await tg.send(OTHER_OWNER, f"/start {other_owner_code}", name="Пётр")
    before = len(tg.texts(OTHER_OWNER))
    run_id = await _take(tg, HEAD, "six")
    await _share(tg, run_id, full=True)
    assert len(tg.texts(OTHER_OWNER)) == before
    shares = await tg.store.shares.for_owner(OWNER, (await tg.store.teams.current_membership(OWNER)).team_id)  # type: ignore[union-attr]
    share_id = shares[0].id
    await tg.tap(OTHER_OWNER, SharedCb(share=share_id).pack())  # a forged id of another team's share
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    await tg.tap(MEMBER, SharedCb(share=share_id).pack())  # a manager of the same team: not for them
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")


async def test_a_blocked_owner_is_reported_to_the_head(tg: FakeTelegram) -> None:
    await _team(tg)
    assert isinstance(tg.session, BlockingSession)
    tg.session.blocked.add(OWNER)
    run_id = await _take(tg, HEAD, "six")
    await _share(tg, run_id, full=False)
    assert tg.content.t("sharing.not_delivered", names="Олег") in tg.last_text(HEAD)
    failures = await tg.store.db.fetchall("SELECT chat_id FROM send_failures")
    assert [row["chat_id"] for row in failures] == [OWNER]  # the delivery layer recorded the 403
    owner = await tg.store.users.get(OWNER)
    assert owner is not None and owner.blocked_at is not None


async def test_no_owner_in_the_team_says_so(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _take(tg, HEAD, "six")
    await tg.tap(HEAD, ShareCb(run=run_id, action="summary").pack())
    assert tg.last_text(HEAD) == tg.content.t("sharing.no_owners")
    await tg.tap(HEAD, ShareCb(run=run_id, action="send_summary").pack())
    assert await tg.store.db.fetchall("SELECT * FROM shared_results") == []


async def test_the_menu_of_an_owner_opens_checklists(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.tap(OWNER, MenuCb(action="checklists").pack())
    assert any(d == ChecklistCb(action="open", key="kpi").pack() for _, d in tg.buttons(OWNER))
