"""The question keyboard is assembled from cached parts; it must equal what packing each button would give."""

import pytest

from bot.callbacks import AnswerCb, QuestionCb
from bot.views.checklists import question
from content import Content, load_content


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content("ru")


@pytest.mark.parametrize("run_id", [1, 7, 123_456_789, 2**63 - 1])
@pytest.mark.parametrize("show_why", [False, True])
def test_every_button_carries_the_packed_callback_data(content: Content, run_id: int, show_why: bool) -> None:
    for checklist in content.checklists.values():
        for index, item in enumerate(checklist.items):
            rows = question(content, checklist, run_id, index, None, show_why).markup
            assert rows is not None
            options = checklist.answers_for(item)
            expected = [[AnswerCb(run=run_id, index=index, option=n).pack() for n in range(len(options))]]
            if not show_why:
                expected.append([QuestionCb(run=run_id, index=index, action="why").pack()])
            actions = ("back", "later") if index > 0 else ("later",)
            expected.append([QuestionCb(run=run_id, index=index, action=a).pack() for a in actions])  # type: ignore[arg-type]
            assert [[button.callback_data for button in row] for row in rows.inline_keyboard] == expected
            assert [button.text for button in rows.inline_keyboard[0]] == [option.label for option in options]
            assert AnswerCb.unpack(rows.inline_keyboard[0][0].callback_data or "") == AnswerCb(
                run=run_id, index=index, option=0
            )
