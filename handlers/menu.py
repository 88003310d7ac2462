"""/menu and the menu button: the role's home screen."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import MenuCb
from bot.replies import respond
from content import Content
from domain.models import Membership, User
from handlers.start import home_screen
from storage import Store


async def show_menu(
    event: Message | CallbackQuery,
    state: FSMContext,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    await state.clear()
    await respond(event, await home_screen(content, store, actor, membership))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_menu, Command("menu"))
    router.callback_query.register(show_menu, MenuCb.filter(F.action == "menu"))
    return router
