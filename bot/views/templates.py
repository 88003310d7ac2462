"""Screens of the working templates (content/<locale>/templates.yaml): the list and one template."""

from __future__ import annotations

from typing import get_args

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, TemplateCb, TemplateName
from bot.views.common import Screen
from content import Content

TEMPLATE_NAMES: tuple[TemplateName, ...] = get_args(TemplateName)


def template_buttons(content: Content, names: tuple[str, ...]) -> list[InlineKeyboardButton]:
    """One button per template a checklist offers (`Checklist.templates`), in that order; unknown names skipped.
    For the result screen: `builder.row(*template_buttons(content, checklist.templates))`."""
    known = [name for name in map(template_name, names) if name is not None]
    return [
        InlineKeyboardButton(text=content.t(f"templates.{name}.button"), callback_data=TemplateCb(name=name).pack())
        for name in known
    ]


def template_name(name: str) -> TemplateName | None:
    """A content name as the callback's Literal, or None if the code knows no such template."""
    return next((known for known in TEMPLATE_NAMES if known == name), None)


def templates_list(content: Content) -> Screen:
    names = content.items("templates.order")
    lines = [content.t("templates.list_title")]
    lines += [
        content.t(
            "templates.list_line",
            title=content.t(f"templates.{name}.title"),
            summary=content.t(f"templates.{name}.summary"),
        )
        for name in names
    ]
    builder = InlineKeyboardBuilder()
    for button in template_buttons(content, names):
        builder.row(button)
    builder.row(InlineKeyboardButton(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu").pack()))
    return Screen("\n".join(lines), builder.as_markup())


def template_screen(content: Content, name: TemplateName) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("templates.buttons.all"), callback_data=MenuCb(action="templates"))
    builder.button(text=content.t("menu.buttons.menu"), callback_data=MenuCb(action="menu"))
    builder.adjust(2)
    return Screen(content.t(f"templates.{name}.text"), builder.as_markup())
