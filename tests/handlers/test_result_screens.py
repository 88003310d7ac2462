"""Checklist screens a head acts on from a phone: the result by group, «Показать все», «Все в задачи», group titles
in questions, unfinished runs in /checklists, stale and double taps, text typed mid-checklist."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

from aiogram.methods import AnswerCallbackQuery

from bot.callbacks import AnswerCb, ChecklistCb, PdcaCb, QuestionCb, ResultCb, TemplateCb
from content.schema import Checklist, Item
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, STRANGER, onboard_head


def _option(checklist: Checklist, item: Item, value: float) -> int:
    return [option.value for option in checklist.answers_for(item)].index(value)


async def _start(tg: FakeTelegram, key: str) -> int:
    await tg.tap(HEAD, ChecklistCb(action="start", key=key).pack())
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    run = await tg.store.runs.in_progress(HEAD, membership.team_id, key)
    assert run is not None
    return run.id


async def _finish(tg: FakeTelegram, key: str, value_of: Callable[[Item], float]) -> int:
    """Answer every question of the checklist with the option worth `value_of(item)`; returns the run id."""
    checklist = tg.content.checklist(key)
    run_id = await _start(tg, key)
    for index, item in enumerate(checklist.items):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=_option(checklist, item, value_of(item))).pack())
    return run_id


def _mistakes_1_2_4_then_team_and_strategy(item: Item) -> float:
    """The issue's run: «Нет» on all of mistakes 1, 2 and 4, and on the first question of team and strategy."""
    if item.group in {"funnel", "plans", "analytics"}:
        return 0
    if item.key in {"team_cycle", "strat_goal"}:
        return 0
    return 1


async def _team_id(tg: FakeTelegram) -> int:
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def test_result_is_grouped_with_subtotals_and_surfaces_the_weakest_of_each_group(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _finish(tg, "six", _mistakes_1_2_4_then_team_and_strategy)
    six = tg.content.checklist("six")
    result = unescape(tg.last_text(HEAD))
    for group in six.groups:  # every group with its subtotal, in the checklist's order
        assert group.title in result
    titles = [result.index(group.title) for group in six.groups]
    assert titles == sorted(titles)
    assert f"{six.groups[0].title}</b> — 0 из 100" in result
    assert f"{six.groups[2].title}</b> — 100 из 100" in result  # control: all «Да»
    # The «Нет» on team and strategy surface among the first five, beside the first «Нет» of mistakes 1, 2 and 4.
    for key in ("team_cycle", "strat_goal", "funnel_kp", "plan_personal", "an_structure"):
        assert six.item(key).question in result
    assert six.item("funnel_conv").question not in result  # the second «Нет» of mistake 1 waits for «Показать все»
    weak = sum(1 for item in six.items if _mistakes_1_2_4_then_team_and_strategy(item) == 0)
    assert tg.content.plural("checklists.weak_more", weak - 5) in result
    labels = [text for text, _ in tg.buttons(HEAD)]
    assert [label for label in labels if label.startswith("➕")] == [f"➕ В задачи: {n}" for n in range(1, 6)]
    assert tg.content.t("checklists.buttons.show_all", count=weak) in labels
    assert tg.content.t("checklists.buttons.all_tasks", count=weak) in labels
    assert len(tg.last_text(HEAD)) < 4096


async def test_show_all_lists_every_weak_item_by_group_and_goes_back(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _finish(tg, "six", _mistakes_1_2_4_then_team_and_strategy)
    six = tg.content.checklist("six")
    await tg.tap(HEAD, ResultCb(run=run_id, action="all").pack())
    full = unescape(tg.last_text(HEAD))
    weak = [item for item in six.items if _mistakes_1_2_4_then_team_and_strategy(item) == 0]
    for item in weak:
        assert item.question in full
    for group in six.groups:
        assert group.title in full
    assert six.item("funnel_conv").question in full
    assert (
        full.index(six.groups[0].title) < full.index(six.item("funnel_conv").question) < full.index(six.groups[1].title)
    )
    short = [text for text, _ in tg.buttons(HEAD) if text.startswith("➕")]
    assert len(short) == len(weak)
    await tg.tap(HEAD, tg.button(HEAD, short[1]))  # «➕ 2»: the second item of the full list
    tasks = await tg.store.tasks.list(HEAD, await _team_id(tg))
    assert [task.title for task in tasks] == [six.item("funnel_conv").task]
    await tg.tap(HEAD, ResultCb(run=run_id, action="top").pack())
    assert "из 100" in tg.last_text(HEAD) and six.item("funnel_conv").question not in unescape(tg.last_text(HEAD))


async def test_all_to_tasks_adds_each_weak_item_once_and_says_so(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _finish(tg, "six", _mistakes_1_2_4_then_team_and_strategy)
    six = tg.content.checklist("six")
    weak = [item for item in six.items if _mistakes_1_2_4_then_team_and_strategy(item) == 0]
    await tg.tap(HEAD, tg.button(HEAD, "В задачи: 1"))  # one of them is a task already
    all_tasks = tg.button(HEAD, "Все в задачи")
    await tg.tap(HEAD, all_tasks)
    added = tg.content.plural("checklists.all_added", len(weak) - 1)
    assert tg.last_callback_answer() == added + " " + tg.content.plural("checklists.some_existed", 1)
    tasks = await tg.store.tasks.list(HEAD, await _team_id(tg))
    assert sorted(task.title for task in tasks) == sorted(item.task for item in weak)
    await tg.tap(HEAD, all_tasks)  # a second tap adds nothing, and says so
    assert tg.last_callback_answer() == tg.content.plural("checklists.all_existed", len(weak))
    assert len(await tg.store.tasks.list(HEAD, await _team_id(tg))) == len(weak)


async def test_result_offers_a_pdca_cycle_and_the_checklists_templates(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _finish(tg, "weak_rop", lambda item: 0)
    checklist = tg.content.checklist("weak_rop")
    assert checklist.templates
    buttons = dict(tg.buttons(HEAD))
    assert buttons[tg.content.t("checklists.buttons.pdca")] == PdcaCb(action="from_run", ref=run_id).pack()
    for name in checklist.templates:
        assert buttons[tg.content.t(f"templates.{name}.button")] == TemplateCb.model_validate({"name": name}).pack()


async def test_a_question_shows_its_group_title(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start(tg, "six")
    six = tg.content.checklist("six")
    first = unescape(tg.last_text(HEAD))
    assert six.groups[0].title in first and first.index(six.groups[0].title) < first.index(six.items[0].question)
    plans = next(index for index, item in enumerate(six.items) if item.group == "plans")
    for index in range(plans):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=0).pack())
    assert "Ошибка 2. Один план для всех" in unescape(tg.last_text(HEAD))


async def test_unfinished_checklist_is_listed_with_where_it_goes_on(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _finish(tg, "arch", lambda item: 1)  # a finished run before: still the open one is what the list shows
    run_id = await _start(tg, "arch")
    for index in range(2):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=0).pack())
    await tg.tap(HEAD, QuestionCb(run=run_id, index=2, action="later").pack())
    await tg.send(HEAD, "/checklists")
    listing = tg.last_text(HEAD)
    arch = tg.content.checklist("arch")
    assert "Продолжить с вопроса 3" in listing
    assert tg.content.t("checklists.unfinished", answered=2, total=len(arch.items), number=3) in listing
    label = tg.content.t("checklists.buttons.unfinished", title=arch.short_title, number=3)
    await tg.tap(HEAD, tg.button(HEAD, label))
    await tg.tap(HEAD, tg.button(HEAD, "Продолжить с вопроса 3"))
    assert f"Вопрос 3 из {len(arch.items)}" in tg.last_text(HEAD)


async def test_double_tap_on_an_answer_records_it_once_and_sends_nothing_more(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start(tg, "six")
    total = len(tg.content.checklist("six").items)
    tap = AnswerCb(run=run_id, index=0, option=0).pack()
    await tg.tap(HEAD, tap)
    before = len(tg.session.requests)
    await tg.tap(HEAD, tap)  # the same button again before the edit reached the phone
    assert [type(request) for request in tg.session.requests[before:]] == [AnswerCallbackQuery]
    assert tg.last_callback_answer() == tg.content.t("checklists.stale_question", number=2, total=total)
    assert len(await tg.store.runs.answers(HEAD, run_id)) == 1
    before = len(tg.session.requests)
    await tg.tap(HEAD, QuestionCb(run=run_id, index=0, action="why").pack())  # any stale button of the run
    assert [type(request) for request in tg.session.requests[before:]] == [AnswerCallbackQuery]


async def test_text_typed_mid_checklist_points_back_to_the_open_question(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start(tg, "arch")
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    await tg.send(HEAD, "а можно без кнопок?")
    reply = tg.last_text(HEAD)
    assert reply.startswith(tg.content.t("checklists.typed_mid_question"))
    assert f"Вопрос 2 из {len(tg.content.checklist('arch').items)}" in reply
    assert AnswerCb(run=run_id, index=1, option=0).pack() in [data for _, data in tg.buttons(HEAD)]
    await tg.tap(HEAD, AnswerCb(run=run_id, index=1, option=0).pack())  # the re-shown keyboard works
    assert "Вопрос 3 из" in tg.last_text(HEAD)
    await tg.tap(HEAD, QuestionCb(run=run_id, index=2, action="later").pack())
    await tg.send(HEAD, "привет")  # no checklist open any more: the usual help
    assert tg.last_text(HEAD) == tg.content.t("help.unknown")


async def test_another_heads_result_buttons_do_nothing(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _finish(tg, "arch", lambda item: 0)
    await onboard_head(tg, user_id=STRANGER, team="Чужая")
    for action in ("all", "tasks", "top"):
        before = len(tg.texts(STRANGER))
        await tg.tap(STRANGER, ResultCb(run=run_id, action=action).pack())
        assert len(tg.texts(STRANGER)) == before
    membership = await tg.store.teams.current_membership(STRANGER)
    assert membership is not None
    assert await tg.store.tasks.list(STRANGER, membership.team_id) == []
    assert await tg.store.tasks.list(HEAD, await _team_id(tg)) == []


async def test_a_worse_score_than_last_time_reads_with_a_minus_sign(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _finish(tg, "arch", lambda item: 1)
    await tg.tap(HEAD, ChecklistCb(action="restart", key="arch").pack())
    await _finish(tg, "arch", lambda item: 0)
    result = unescape(tg.last_text(HEAD))
    assert "(\u2212100)" in result  # U+2212, not a hyphen
    assert "(-" not in result
