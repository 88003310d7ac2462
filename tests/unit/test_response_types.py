"""aiogram's Response[T] classes are rebuilt after every garbage collection unless something holds them."""

import gc
import weakref
from typing import Any

from aiogram import Bot
from aiogram.methods import EditMessageText, Response, TelegramMethod

from bot.factory import KeepResponseTypes


async def test_the_response_class_of_a_called_method_outlives_garbage_collection() -> None:
    bot = Bot("123:token")

    async def make_request(bot: Bot, method: TelegramMethod[Any]) -> Any:
        return None

    keep = KeepResponseTypes()
    await keep(make_request, bot, EditMessageText(text="x", chat_id=1, message_id=2))
    kept = weakref.ref(Response[EditMessageText.__returning__])
    gc.collect()
    assert kept() is not None  # without a holder it is gone here, and the next answer builds it again (~8 ms)
    await bot.session.close()
