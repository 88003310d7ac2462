"""/templates: working templates the methodology implies (a bonus formula, a daily deal review agenda).

Also opened from a checklist's result (`Checklist.templates` names the ones it offers) and the menu.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import MenuCb, TemplateCb
from bot.replies import respond
from bot.views.templates import template_screen, templates_list
from content import Content


async def list_templates(event: Message | CallbackQuery, content: Content) -> None:
    await respond(event, templates_list(content))


async def show_template(callback: CallbackQuery, callback_data: TemplateCb, content: Content) -> None:
    # A new message, not an edit: the template is something to keep in the chat next to the result it came from.
    await respond(callback, template_screen(content, callback_data.name))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_templates, Command("templates"))
    router.callback_query.register(list_templates, MenuCb.filter(F.action == "templates"))
    router.callback_query.register(show_template, TemplateCb.filter())
    return router
