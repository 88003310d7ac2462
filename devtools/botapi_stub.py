"""A Telegram Bot API stand-in on 127.0.0.1 for end-to-end tests and the offline demo.

The bot talks to it over HTTP exactly as to api.telegram.org (TelegramAPIServer.from_base(base_url));
tests drive it from the same event loop: users write, tap buttons and send files, add the bot to a group and
write there (as with privacy mode on); tests read the chats, private and group.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from devtools.botapi_flood import SENDING_METHODS, FloodControl, FloodLimits
from devtools.botapi_methods import BotApiMethods
from devtools.botapi_state import StubState
from devtools.botapi_types import (
    BOT_USER_ID,
    BOT_USERNAME,
    UPLOAD_LIMIT,
    ApiCall,
    ApiError,
    GroupChat,
    SentMessage,
    User,
)
from devtools.botapi_view import StubView
from devtools.botapi_wire import Upload, bot_user, chat_member, message_to_api, private_chat, read_params

TEST_TOKEN = "123456:TEST-token"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


@dataclasses.dataclass
class _Fault:
    """A pending injected error (mutable: counts down)."""

    method: str
    error: ApiError
    times: int


@dataclasses.dataclass
class _Delay:
    """A pending slow answer (mutable: counts down)."""

    method: str
    seconds: float
    times: int


class BotApiStub(StubView):
    def __init__(
        self,
        token: str = TEST_TOKEN,
        *,
        local_mode: bool = False,
        files_dir: Path | None = None,
        callback_ttl: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
        flood: FloodLimits | None = None,
    ) -> None:
        """local_mode: as a --local telegram-bot-api (no 20 MB download limit); with files_dir, getFile also
        writes the file there and answers its absolute path, for a bot built with is_local=True.
        flood: enforce Telegram's rate limits, answering 429 over them (devtools/botapi_flood.py)."""
        self.token = token
        self.host, self.port = host, port
        self.state = StubState()
        self.api = BotApiMethods(self.state, local_mode, callback_ttl, files_dir)
        self.calls: list[ApiCall] = []
        self.base_url = ""
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self.flood = FloodControl(flood) if flood is not None else None
        self.flood_429 = 0  # 429 answers given, over a flood limit or injected by fail_next
        self._runner: web.AppRunner | None = None
        self._request_tick = asyncio.Event()
        self._query_seq = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 2 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        await self.state.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiStub:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- HTTP side ---------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        index = len(self.calls)
        self.calls.append(ApiCall(method, {}, time.monotonic()))
        self._request_tick.set()
        self._request_tick = asyncio.Event()
        try:
            params = await read_params(request)
            self.calls[index] = dataclasses.replace(self.calls[index], params=_loggable(params))
            if (fault := self._take_fault(method)) is not None:
                raise fault
            if self.flood is not None and (refusal := self.flood.refusal(method, params)) is not None:
                raise refusal
            result = await self.api.call(method, params)
            if (delay := self._take_delay(method)) is not None:
                await asyncio.sleep(delay)  # the work is done; only the answer is late
        except web.HTTPRequestEntityTooLarge:
            return self._failed(index, ApiError(413, "Request Entity Too Large"))
        except ApiError as exc:
            return self._failed(index, exc)
        return web.json_response({"ok": True, "result": result})

    def _failed(self, index: int, error: ApiError) -> web.Response:
        if error.error_code == 429:
            self.flood_429 += 1
        self.calls[index] = dataclasses.replace(self.calls[index], error=error.description)
        return _reply(error)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        file_id = self.state.files_by_path.get(request.match_info["path"].lstrip("/"))
        if file_id is None:
            return _reply(ApiError(404, "Not Found"))
        return web.Response(body=self.state.files[file_id].data, content_type="application/octet-stream")

    def _take_delay(self, method: str) -> float | None:
        for delay in self._delays:
            if delay.method == method.lower() and delay.times > 0:
                delay.times -= 1
                return delay.seconds
        return None

    def _take_fault(self, method: str) -> ApiError | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.times > 0:
                fault.times -= 1
                return fault.error
        return None

    # --- test side: users act ----------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, username: str | None = None, language_code: str = "ru"
    ) -> User:
        user = User(user_id, first_name, username, language_code)
        self.state.users[user_id] = user
        return user

    def _known(self, user_id: int) -> User:
        if user_id not in self.state.users:
            raise AssertionError(f"user {user_id} is unknown to the stand-in: call add_user first")
        return self.state.users[user_id]

    async def _user_message(self, user_id: int, **fields: Any) -> int:
        user = self._known(user_id)
        if user_id in self.state.blocked:
            await self.unblock_user(user_id)
        msg = SentMessage(user_id, self.state.new_message_id(user_id), int(time.time()), False, **fields)
        self.state.mark(user_id)
        self.state.add_message(msg)
        await self.state.updates.push("message", message_to_api(msg, user))
        return msg.message_id

    async def send_text(self, user_id: int, text: str) -> int:
        """A private-chat message from the user (commands such as "/start CODE" included)."""
        return await self._user_message(user_id, text=text)

    async def send_document(
        self, user_id: int, filename: str, data: bytes, mime_type: str | None = None, caption: str | None = None
    ) -> int:
        stored = self.state.store_file(filename, data, mime_type, "documents")
        return await self._user_message(user_id, text=caption, document=stored)

    async def click(self, user_id: int, message_id: int, callback_data: str) -> str:
        """Tap an inline button that really is on that bot message; returns the callback query id."""
        msg = self.state.message(user_id, message_id)
        if msg is None or not msg.by_bot:
            raise AssertionError(f"no bot message {message_id} in chat {user_id}\n{self.transcript(user_id)}")
        if callback_data not in msg.callback_data:
            raise AssertionError(
                f"message {message_id} has no button with data {callback_data!r}: {msg.markup}\n"
                + self.transcript(user_id)
            )
        return await self.click_raw(user_id, message_id, callback_data)

    async def click_text(self, user_id: int, text_part: str, message_id: int | None = None) -> str:
        """Tap the button whose text contains text_part, on message_id or the latest message with buttons."""
        if message_id is None:
            with_buttons = [m for m in self.messages(user_id) if m.callback_data]
            if not with_buttons:
                raise AssertionError(f"no bot message with buttons\n{self.transcript(user_id)}")
            message_id = with_buttons[-1].message_id
        msg = self.state.message(user_id, message_id)
        if msg is None:
            raise AssertionError(f"no message {message_id}\n{self.transcript(user_id)}")
        return await self.click(user_id, message_id, msg.data_for(text_part))

    async def click_raw(self, user_id: int, message_id: int, callback_data: str) -> str:
        """Send any callback data, as a forged or stale client could."""
        user = self._known(user_id)
        self._query_seq += 1
        query_id = str(4_000_000_000_000 + self._query_seq)
        msg = self.state.message(user_id, message_id)
        message = (
            message_to_api(msg, user)
            if msg is not None
            else {"chat": private_chat(user), "message_id": message_id, "date": 0}  # InaccessibleMessage
        )
        self.state.callbacks[query_id] = (user_id, time.monotonic())
        self.state.mark(user_id)
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": message,
            "chat_instance": f"-{user_id}77",
            "data": callback_data,
        }
        await self.state.updates.push("callback_query", payload)
        return query_id

    async def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        self.state.blocked.add(user_id)
        await self._member_update(user_id, "member", "kicked")

    async def unblock_user(self, user_id: int) -> None:
        self.state.blocked.discard(user_id)
        await self._member_update(user_id, "kicked", "member")

    async def _member_update(self, user_id: int, old: str, new: str, group: GroupChat | None = None) -> None:
        """my_chat_member: the bot's status changed in the user's private chat or, by the user, in a group."""
        user = self._known(user_id)
        payload = {
            "chat": group.to_api() if group is not None else private_chat(user),
            "from": user.to_api(),
            "date": int(time.time()),
            "old_chat_member": chat_member(bot_user(), old),
            "new_chat_member": chat_member(bot_user(), new),
        }
        await self.state.updates.push("my_chat_member", payload)

    # --- test side: group chats ------------------------------------------------------------------

    def add_group(
        self,
        chat_id: int,
        title: str,
        members: tuple[int, ...] = (),
        admins: tuple[int, ...] = (),
        kind: str = "group",
    ) -> GroupChat:
        """A group or supergroup (negative id) of known users; `admins` answer "administrator" to getChatMember,
        `members` "member". The bot is not in it until add_bot_to_group."""
        if chat_id >= 0 or kind not in ("group", "supergroup"):
            raise AssertionError(f"a group has a negative id and type group or supergroup: {chat_id}, {kind}")
        group = GroupChat(chat_id, title, kind)
        self.state.groups[chat_id] = group
        self.state.members[chat_id] = {}
        for user_id in members:
            self.set_member_status(chat_id, user_id, "member")
        for user_id in admins:
            self.set_member_status(chat_id, user_id, "administrator")
        return group

    def _group(self, chat_id: int) -> GroupChat:
        group = self.state.group(chat_id)
        if group is None:
            raise AssertionError(f"group {chat_id} is unknown to the stand-in: call add_group first")
        return group

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for the person: creator, administrator, member, left or kicked."""
        self._group(chat_id)
        self._known(user_id)
        self.state.members[chat_id][user_id] = status

    async def add_bot_to_group(self, chat_id: int, by_user_id: int) -> None:
        """The person adds the bot to the group: it may post there, and gets my_chat_member (left -> member)."""
        group = self._group(chat_id)
        old = self.state.status(chat_id, BOT_USER_ID)
        self.state.members[chat_id][BOT_USER_ID] = "member"
        await self._member_update(by_user_id, old, "member", group)

    async def remove_bot_from_group(self, chat_id: int, by_user_id: int) -> None:
        """The person removes the bot: sends there fail with 403, and it gets my_chat_member (member -> left)."""
        group = self._group(chat_id)
        old = self.state.status(chat_id, BOT_USER_ID)
        self.state.members[chat_id][BOT_USER_ID] = "left"
        await self._member_update(by_user_id, old, "left", group)

    async def send_group_text(self, chat_id: int, user_id: int, text: str) -> int | None:
        """A person's message in the group, seen by the bot as with privacy mode on (Telegram's default) and only
        while it is in the group: a command addressed to it (/bind@rop_coach_bot), or a bare command once it has
        spoken there (it is the last bot to, the only one here). The message stays in the group's transcript
        either way; returns its id, or None when the bot did not get it. The sender becomes a member if not one."""
        group = self._group(chat_id)
        user = self._known(user_id)
        if self.state.status(chat_id, user_id) in ("left", "kicked"):
            self.set_member_status(chat_id, user_id, "member")
        msg = SentMessage(chat_id, self.state.new_message_id(chat_id), int(time.time()), False, text, from_id=user_id)
        self.state.mark(chat_id)
        self.state.add_message(msg)
        if not self._bot_reads(chat_id, text):
            return None
        await self.state.updates.push("message", message_to_api(msg, user, group))
        return msg.message_id

    def _bot_reads(self, chat_id: int, text: str) -> bool:
        if self.state.status(chat_id, BOT_USER_ID) in ("left", "kicked") or not text.startswith("/"):
            return False
        _, at, addressee = text.split(maxsplit=1)[0].partition("@")
        if at:
            return addressee.lower() == BOT_USERNAME.lower()
        return bool(self.state.bot_messages(chat_id, include_deleted=True))

    # --- test side: faults and the request log ------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` answer this error instead of working."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
            )
        self._faults.append(_Fault(method.lower(), ApiError(error_code, description, retry_after), times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` do their work (a message is delivered), then answer `seconds` late:
        a client that gives up waiting first cannot tell that the call worked."""
        self._delays.append(_Delay(method.lower(), seconds, times))

    @property
    def requests(self) -> list[str]:
        return [call.method for call in self.calls]

    def request_count(self, method: str) -> int:
        return sum(1 for call in self.calls if call.method.lower() == method.lower())

    @property
    def messages_accepted(self) -> int:
        """Sending calls (sendMessage, editMessageText, ...) answered with success."""
        return sum(1 for call in self.calls if call.method.lower() in SENDING_METHODS and call.error is None)

    async def wait_for_request(self, method: str, after: int = 0, timeout: float = 10.0) -> None:
        """Wait until `method` has been called more than `after` times."""
        deadline = time.monotonic() + timeout
        while self.request_count(method) <= after:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{method} not called within {timeout} s; calls: {self.requests[-20:]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._request_tick.wait(), remaining)


def _reply(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code)


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: f"<file {v.filename}, {len(v.data)} B>" if isinstance(v, Upload) else v for k, v in params.items()
    }
