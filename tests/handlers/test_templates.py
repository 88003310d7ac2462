"""/templates and the template buttons, through the real Dispatcher."""

from __future__ import annotations

from bot.callbacks import MenuCb, TemplateCb
from bot.views.templates import template_buttons
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head


async def test_the_templates_command_lists_them_and_a_tap_sends_one(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.send(HEAD, "/templates")
    listing = tg.last_text(HEAD)
    assert listing.startswith("<b>Шаблоны</b>")
    assert "Формула премии менеджера" in listing and "Ежедневный разбор сделок" in listing
    data = [d for _, d in tg.buttons(HEAD)]
    assert TemplateCb(name="bonus_formula").pack() in data and TemplateCb(name="deal_review").pack() in data
    assert MenuCb(action="menu").pack() in data

    await tg.tap(HEAD, TemplateCb(name="deal_review").pack())
    assert tg.last_text(HEAD).startswith("<b>Ежедневный разбор сделок: повестка на 15 минут</b>")
    assert MenuCb(action="menu").pack() in [d for _, d in tg.buttons(HEAD)]
    assert MenuCb(action="templates").pack() in [d for _, d in tg.buttons(HEAD)]


async def test_the_menu_button_opens_the_list(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.tap(HEAD, MenuCb(action="templates").pack())
    assert tg.last_text(HEAD).startswith("<b>Шаблоны</b>")


async def test_a_forged_template_name_is_a_stale_button(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    before = len(tg.texts(HEAD))
    await tg.tap(HEAD, "tp:nope")
    assert len(tg.texts(HEAD)) == before
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")


def test_the_result_screen_buttons_follow_the_checklist(tg: FakeTelegram) -> None:
    names = tg.content.checklist("weak_rop").templates
    buttons = template_buttons(tg.content, (*names, "unknown"))
    assert [b.callback_data for b in buttons] == [
        TemplateCb(name="bonus_formula").pack(),
        TemplateCb(name="deal_review").pack(),
    ]
    assert buttons[0].text == tg.content.t("templates.bonus_formula.button")
