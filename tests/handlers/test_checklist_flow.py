from __future__ import annotations

import io

import openpyxl
from aiogram.methods import SendDocument

from bot.callbacks import AnswerCb, ChecklistCb, QuestionCb, RunCb
from domain.models import RunStatus
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, STRANGER, onboard_head


async def _start_arch(tg: FakeTelegram) -> int:
    await tg.tap(HEAD, ChecklistCb(action="start", key="arch").pack())
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    run = await tg.store.runs.in_progress(HEAD, membership.team_id, "arch")
    assert run is not None
    return run.id


def _option(tg: FakeTelegram, index: int, key: str) -> int:
    checklist = tg.content.checklist("arch")
    options = checklist.answers_for(checklist.items[index])
    return [option.key for option in options].index(key)


async def test_full_run_scores_and_ranks_failed_items(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    checklist = tg.content.checklist("arch")
    assert f"Вопрос 1 из {len(checklist.items)}" in tg.last_text(HEAD)
    # "no" to the first two questions, "yes" to the rest: the seed's rule says rebuild the architecture.
    plan = ["no", "no"] + ["yes"] * (len(checklist.items) - 2)
    for index, key in enumerate(plan):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=_option(tg, index, key)).pack())
    run = await tg.store.runs.get(HEAD, run_id)
    assert run.status is RunStatus.FINISHED
    expected_score = round(100 * (len(plan) - 2) / len(plan))
    assert run.score == expected_score
    result = tg.last_text(HEAD)
    assert f"{expected_score} из 100" in result
    assert checklist.items[0].action.split()[0] in result
    assert run.zone == "rebuild"  # two "no" answers: the seed says rebuild the management architecture
    # Ranked: the two failed questions come first, in checklist order (same value and weight).
    first, second = result.index("1. "), result.index("2. ")
    assert checklist.items[0].question[:25] in result[first:second].replace("&quot;", '"')


async def test_every_answer_is_saved_as_given_and_back_works(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=_option(tg, 0, "yes")).pack())
    item0 = tg.content.checklist("arch").items[0].key
    assert await tg.store.runs.answers(HEAD, run_id) == {item0: "yes"}
    await tg.tap(HEAD, QuestionCb(run=run_id, index=1, action="back").pack())
    assert "Вопрос 1 из" in tg.last_text(HEAD)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=_option(tg, 0, "no")).pack())
    assert await tg.store.runs.answers(HEAD, run_id) == {item0: "no"}
    assert "Вопрос 2 из" in tg.last_text(HEAD)


async def test_stale_button_from_an_old_question_is_answered_politely(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    sent = len(tg.texts(HEAD))
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=1).pack())  # the same old button again
    total = len(tg.content.checklist("arch").items)
    assert tg.last_callback_answer() == tg.content.t("checklists.stale_question", number=2, total=total)
    assert len(tg.texts(HEAD)) == sent  # a toast only: no second live copy of question 2
    item0 = tg.content.checklist("arch").items[0]
    options = tg.content.checklist("arch").answers_for(item0)
    assert (await tg.store.runs.answers(HEAD, run_id))[item0.key] == options[0].key


async def test_why_shows_the_seed_explanation(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.tap(HEAD, QuestionCb(run=run_id, index=0, action="why").pack())
    why = tg.content.checklist("arch").items[0].why
    assert why[:40] in tg.last_text(HEAD).replace("&quot;", '"')


async def test_continue_later_then_resume_at_the_same_question(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    await tg.tap(HEAD, QuestionCb(run=run_id, index=1, action="later").pack())
    await tg.tap(HEAD, ChecklistCb(action="start", key="arch").pack())
    assert "Вопрос 2 из" in tg.last_text(HEAD)


async def test_member_cannot_take_or_see_diagnostics(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/checklists")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")
    await tg.tap(MEMBER, AnswerCb(run=run_id, index=0, option=0).pack())  # forged from the head's run
    refusals = {tg.content.t("errors.not_found"), tg.content.t("errors.access_denied_for.member")}
    assert tg.last_callback_answer() in refusals
    assert await tg.store.runs.answers(HEAD, run_id) == {}


async def test_another_teams_head_cannot_touch_this_run(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await onboard_head(tg, user_id=STRANGER, team="Чужая")
    await tg.tap(STRANGER, AnswerCb(run=run_id, index=0, option=0).pack())
    await tg.tap(STRANGER, RunCb(run=run_id, action="xlsx").pack())
    assert await tg.store.runs.answers(HEAD, run_id) == {}
    assert not any(isinstance(r, SendDocument) for r in tg.session.requests)


async def _finish_with(tg: FakeTelegram, keys: list[str]) -> int:
    run_id = await _start_arch(tg)
    for index, key in enumerate(keys):
        await tg.tap(HEAD, AnswerCb(run=run_id, index=index, option=_option(tg, index, key)).pack())
    return run_id


async def test_repeated_run_shows_change_per_item(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    size = len(tg.content.checklist("arch").items)
    await _finish_with(tg, ["no"] * size)
    await _finish_with(tg, ["yes"] + ["no"] * (size - 1))
    result = tg.last_text(HEAD)
    first_question = tg.content.checklist("arch").items[0].question
    assert "↑" in result and first_question[:30] in result.replace("&quot;", '"')
    assert f"0 → {round(100 / size)}" in result


async def test_weak_item_becomes_a_task_and_can_be_marked_done(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    size = len(tg.content.checklist("arch").items)
    await _finish_with(tg, ["no"] + ["yes"] * (size - 1))
    await tg.tap(HEAD, tg.button(HEAD, "В задачи: 1"))
    await tg.tap(HEAD, tg.button(HEAD, "В задачи: 1"))  # twice: still one task
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    tasks = await tg.store.tasks.list(HEAD, membership.team_id)
    assert [task.title for task in tasks] == [tg.content.checklist("arch").items[0].task]
    await tg.send(HEAD, "/tasks")
    await tg.tap(HEAD, tg.button(HEAD, "✓ 1"))
    assert await tg.store.tasks.list(HEAD, membership.team_id) == []


async def test_result_exports_as_xlsx_safe_against_formulas(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    size = len(tg.content.checklist("arch").items)
    run_id = await _finish_with(tg, ["no"] * size)
    await tg.tap(HEAD, RunCb(run=run_id, action="xlsx").pack())
    sent = [r for r in tg.session.requests if isinstance(r, SendDocument)]
    assert len(sent) == 1
    data = sent[0].document.data  # type: ignore[union-attr]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index(tg.content.t("result_file.columns.question"))
    questions = [row[column] for row in rows[1:]]
    assert tg.content.checklist("arch").items[0].question in questions
    # The summary once, with the zone; the article's title, not its file name.
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert sum(cell.startswith("Итог «") for cell in cells) == 1
    assert "Срочно пересмотреть архитектуру управления" in str(rows[1][0])
    assert "Шесть ошибок управления отделом продаж" in cells and not [c for c in cells if c.endswith(".txt")]


async def test_history_lists_finished_runs(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    size = len(tg.content.checklist("arch").items)
    await _finish_with(tg, ["yes"] * size)
    await tg.send(HEAD, "/history")
    assert "100 из 100" in tg.last_text(HEAD)


async def test_restart_discards_the_unfinished_run(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    run_id = await _start_arch(tg)
    await tg.tap(HEAD, AnswerCb(run=run_id, index=0, option=0).pack())
    await tg.tap(HEAD, ChecklistCb(action="open", key="arch").pack())
    assert tg.content.t("checklists.buttons.restart") in [text for text, _ in tg.buttons(HEAD)]
    await tg.tap(HEAD, ChecklistCb(action="restart", key="arch").pack())
    assert "Вопрос 1 из" in tg.last_text(HEAD)
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    fresh = await tg.store.runs.in_progress(HEAD, membership.team_id, "arch")
    assert fresh is not None and fresh.id != run_id
    assert await tg.store.runs.answers(HEAD, fresh.id) == {}
