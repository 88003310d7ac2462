"""The question screen's buttons are copies of cached buttons with the run's data put in (bot/views/checklists.py):
what goes to Telegram must be exactly what validated buttons would send."""

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import AnswerCb, QuestionCb
from bot.views import checklists as views
from content import load_content


def test_unvalidated_buttons_send_the_same_json_as_validated_ones() -> None:
    content = load_content("ru")
    bot = Bot("42:TEST")
    for checklist in content.checklists.values():
        for index in (0, len(checklist.items) - 1):
            for show_why in (False, True):
                screen = views.question(content, checklist, 987654, index, None, show_why)
                assert isinstance(screen.markup, InlineKeyboardMarkup)
                validated = InlineKeyboardMarkup.model_validate(screen.markup.model_dump())
                sent = bot.session.prepare_value(screen.markup, bot=bot, files={})
                assert sent == bot.session.prepare_value(validated, bot=bot, files={})
                # and the data unpacks into this run's callbacks
                rows = validated.inline_keyboard
                first = AnswerCb.unpack(rows[0][0].callback_data or "")
                assert (first.run, first.index, first.option) == (987654, index, 0)
                last = QuestionCb.unpack(rows[-1][-1].callback_data or "")
                assert (last.run, last.index, last.action) == (987654, index, "later")


def _russian_questions(n: int) -> str:
    """Written out by hand, independently of Babel: 1, 21 вопрос; 2–4, 22 вопроса; 5–20, 25 вопросов."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} вопрос."
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} вопроса."
    return f"{n} вопросов."


def test_the_intro_counts_questions_in_words() -> None:
    content = load_content("ru")
    for checklist in content.checklists.values():
        text = views.intro(content, checklist, None).text
        assert _russian_questions(len(checklist.items)) in text
        assert "Вопросов:" not in text
