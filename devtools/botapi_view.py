"""What tests and the demo read from the stand-in: the chat as the bot left it, answers, waiting."""

from __future__ import annotations

from collections.abc import Callable

from devtools.botapi_state import Listener, StubState
from devtools.botapi_types import CallbackAnswer, SentMessage


class StubView:
    state: StubState

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.state.callback_answers

    @property
    def commands(self) -> list[tuple[str, str]]:
        """(command, description) pairs of the latest setMyCommands call."""
        return self.state.last_commands

    def messages(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        return self.state.bot_messages(chat_id, include_deleted)

    def last_message(self, chat_id: int) -> SentMessage:
        sent = self.messages(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.transcript(chat_id)}")
        return sent[-1]

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | str,
        timeout: float = 10.0,
        since: int | None = None,
    ) -> SentMessage:
        """A bot message, new or edited since the user's last action (or event `since`), that matches.

        A str predicate means "the shown text contains it".
        """
        if isinstance(predicate, str):
            needle = predicate
            return await self.state.wait_for(chat_id, lambda m: needle in m.plain, timeout, since)
        return await self.state.wait_for(chat_id, predicate, timeout, since)

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 1.0) -> CallbackAnswer:
        return await self.state.wait_for_answer(callback_query_id, timeout)

    def mark(self) -> int:
        """The current event number, for wait_for(..., since=mark)."""
        return self.state.mark()

    def transcript(self, chat_id: int) -> str:
        return self.state.transcript(chat_id)

    def add_listener(self, listener: Listener) -> None:
        self.state.listeners.append(listener)
