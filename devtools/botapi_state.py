"""In-memory world of the stand-in: users, chats with their messages, files, events to wait on."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from devtools.botapi_types import ApiError, CallbackAnswer, ChatEvent, GroupChat, SentMessage, StoredFile, User
from devtools.botapi_updates import UpdateQueue
from devtools.botapi_wire import message_to_api

Listener = Callable[[ChatEvent], None]
Predicate = Callable[[SentMessage], bool]


class StubState:
    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.chats: dict[int, dict[int, SentMessage]] = {}
        self.groups: dict[int, GroupChat] = {}
        self.members: dict[int, dict[int, str]] = {}  # group id -> person's or bot's id -> getChatMember status
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, str] = {}
        self.updates = UpdateQueue()
        self.events: list[ChatEvent] = []
        self.listeners: list[Listener] = []
        self.blocked: set[int] = set()
        self.callbacks: dict[str, tuple[int, float]] = {}  # id -> (chat id, monotonic time of the tap)
        self.callback_answers: list[CallbackAnswer] = []
        self.commands_by_scope: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.last_commands: list[tuple[str, str]] = []
        self.descriptions: dict[str, str] = {}
        self._next_message_id: dict[int, int] = {}
        self._marks: dict[int, int] = {}
        self._tick = asyncio.Event()

    # --- chats and messages -------------------------------------------------------------------

    def user(self, chat_id: Any) -> User:
        user = self.users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise ApiError(400, "Bad Request: chat not found")
        return user

    def group(self, chat_id: Any) -> GroupChat | None:
        return self.groups.get(chat_id) if isinstance(chat_id, int) else None

    def status(self, chat_id: int, user_id: int) -> str:
        """getChatMember's status in a group (the bot's too): "left" for whoever was never in it."""
        return self.members.get(chat_id, {}).get(user_id, "left")

    def to_api(self, msg: SentMessage) -> dict[str, Any]:
        """The Message object of a message of any chat, private or group."""
        group = self.groups.get(msg.chat_id)
        if group is None:
            return message_to_api(msg, self.user(msg.chat_id))
        return message_to_api(msg, None if msg.by_bot else self.user(msg.from_id), group)

    def new_message_id(self, chat_id: int) -> int:
        # A chat (private or group) shares one sequence between the people's and the bot's messages.
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def add_message(self, msg: SentMessage) -> SentMessage:
        self.chats.setdefault(msg.chat_id, {})[msg.message_id] = msg
        self.emit("new", msg.chat_id, message=msg)
        return msg

    def replace_message(self, msg: SentMessage, kind: str = "edit") -> SentMessage:
        self.chats[msg.chat_id][msg.message_id] = msg
        self.emit(kind, msg.chat_id, message=msg)
        return msg

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        msg = self.chats.get(chat_id, {}).get(message_id)
        return None if msg is None or msg.deleted else msg

    def bot_messages(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        return [
            m for m in self.chats.get(chat_id, {}).values() if m.by_bot and (include_deleted or not m.deleted)
        ]

    # --- files ------------------------------------------------------------------------------

    def store_file(self, filename: str, data: bytes, mime_type: str | None, folder: str) -> StoredFile:
        number = len(self.files) + 1
        digest = hashlib.sha1(data).hexdigest()[:12]  # an id, not security
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"F{number:04d}{digest}",
            file_unique_id=f"U{digest}",
            file_path=f"{folder}/file_{number}.{suffix}",
            filename=filename,
            data=data,
            mime_type=mime_type or mimetypes.guess_type(filename)[0],
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored.file_id
        return stored

    # --- events and waiting -------------------------------------------------------------------

    def emit(
        self, kind: str, chat_id: int, message: SentMessage | None = None, answer: CallbackAnswer | None = None
    ) -> None:
        event = ChatEvent(len(self.events) + 1, kind, chat_id, message, answer)
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)
        self._tick.set()
        self._tick = asyncio.Event()

    def mark(self, chat_id: int | None = None) -> int:
        """The current event number; with chat_id, also what wait_for starts from by default."""
        seq = len(self.events)
        if chat_id is not None:
            self._marks[chat_id] = seq
        return seq

    def _match(self, chat_id: int, predicate: Predicate, since: int) -> SentMessage | None:
        for event in self.events[since:]:
            if event.chat_id != chat_id or event.kind not in ("new", "edit") or event.message is None:
                continue
            current = self.message(chat_id, event.message.message_id)
            if current is not None and current.by_bot and predicate(current):
                return current
        return None

    async def wait_for(self, chat_id: int, predicate: Predicate, within: float, since: int | None) -> SentMessage:
        start = self._marks.get(chat_id, 0) if since is None else since
        deadline = time.monotonic() + within
        while (found := self._match(chat_id, predicate, start)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no bot message in chat {chat_id} matched within {within} s\n{self.transcript(chat_id)}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), remaining)
        return found

    async def wait_for_answer(self, callback_query_id: str, within: float) -> CallbackAnswer:
        deadline = time.monotonic() + within
        while True:
            for answer in self.callback_answers:
                if answer.callback_query_id == callback_query_id:
                    return answer
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                chat_id = self.callbacks.get(callback_query_id, (0, 0.0))[0]
                raise AssertionError(
                    f"callback {callback_query_id} not answered within {within} s\n"
                    + self.transcript(chat_id)
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), remaining)

    def transcript(self, chat_id: int) -> str:
        lines = [f"--- chat {chat_id} ---"]
        for msg in self.chats.get(chat_id, {}).values():
            who = f"bot #{msg.message_id}" if msg.by_bot else f"user #{msg.message_id}"
            if msg.from_id is not None and msg.from_id in self.users:
                who += f" ({self.users[msg.from_id].first_name})"
            flags = (" (edited)" if msg.edit_count else "") + (" (deleted)" if msg.deleted else "")
            body = msg.plain.replace("\n", "\n    ")
            if msg.document:
                body = f"[document {msg.document.filename}, {msg.document.size} B] {body}"
            if msg.photo:
                body = f"[photo {msg.photo.size} B] {body}"
            lines.append(f"{who}{flags}: {body}")
            if msg.markup:
                lines.append("    buttons: " + " | ".join(f"[{t} -> {d}]" for row in msg.markup for t, d in row))
        return "\n".join(lines)

    def edited(self, msg: SentMessage, **changes: Any) -> SentMessage:
        return self.replace_message(dataclasses.replace(msg, edit_count=msg.edit_count + 1, **changes))
