"""The Bot API methods the stand-in implements, with Telegram's checks and error texts."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from devtools.botapi_html import html_error
from devtools.botapi_profile import ProfileMethods
from devtools.botapi_state import StubState
from devtools.botapi_types import (
    BOT_USER_ID,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    DOWNLOAD_LIMIT,
    TEXT_LIMIT,
    ApiError,
    CallbackAnswer,
    SentMessage,
    StoredFile,
)
from devtools.botapi_wire import Upload, bot_user

Method = Callable[[dict[str, Any]], Awaitable[Any]]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a specified message content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
PARSE_MODES = {"html", "markdown", "markdownv2"}


class BotApiMethods(ProfileMethods):
    def __init__(
        self,
        state: StubState,
        local_mode: bool = False,
        callback_ttl: float = 15.0,
        files_dir: Path | None = None,
    ) -> None:
        self.state = state
        self.local_mode = local_mode
        self.files_dir = files_dir
        self.callback_ttl = callback_ttl
        self.table: dict[str, Method] = {
            name[3:].replace("_", "").lower(): getattr(self, name) for name in dir(self) if name.startswith("api")
        }
        for name in ("close", "logout", "setchatmenubutton", "setmyname", "setmydefaultadministratorrights"):
            self.table[name] = self._true

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        handler = self.table.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        return await handler(params)

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    # --- helpers ---------------------------------------------------------------------------

    def _sendable_chat(self, params: dict[str, Any]) -> int:
        chat_id = self._chat(params)
        if chat_id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.state.groups and (status := self.state.status(chat_id, BOT_USER_ID)) in ("left", "kicked"):
            what = "was kicked from" if status == "kicked" else "is not a member of"
            raise ApiError(403, f"Forbidden: bot {what} the {self.state.groups[chat_id].type} chat")
        return chat_id

    def _own_message(self, params: dict[str, Any], missing: str) -> SentMessage:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        chat_id = self._chat(params)
        msg = self.state.message(chat_id, int(params.get("message_id") or 0))
        if msg is None:
            raise ApiError(400, f"Bad Request: message to {missing} not found")
        if not msg.by_bot:
            raise ApiError(400, f"Bad Request: message can't be {missing}ed")
        return msg

    @staticmethod
    def _text(params: dict[str, Any], key: str, limit: int, required: bool) -> tuple[str | None, str | None]:
        text, mode = params.get(key), params.get("parse_mode") or None
        if mode is not None and str(mode).lower() not in PARSE_MODES:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {mode!r}")
        if text is None or text == "":
            if required:
                raise ApiError(400, "Bad Request: message text is empty")
            return None, mode
        text = str(text)
        if mode and mode.lower() == "html" and (error := html_error(text)):
            raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        shown = SentMessage(0, 0, 0, True, text, mode).plain
        if not shown.strip() and required:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown) > limit:
            what = "message is too long" if key == "text" else "message caption is too long"
            raise ApiError(400, f"Bad Request: {what}")
        return text, mode

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not set(button) - {"text"}:
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are "
                                   "unallowed in the inline keyboard")  # fmt: skip
        return markup if markup.get("inline_keyboard") != [] else None

    def _file(self, params: dict[str, Any], key: str, folder: str) -> StoredFile:
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            return self.state.store_file(value.filename, value.data, None, folder)
        if isinstance(value, str) and value in self.state.files:
            return self.state.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.state.store_file(value.rsplit("/", 1)[-1] or "file", b"", None, folder)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        msg = SentMessage(chat_id, self.state.new_message_id(chat_id), int(time.time()), True, **fields)
        self.state.add_message(msg)
        return self.state.to_api(msg)

    # --- methods (apiXxx = Bot API method xxx, case-insensitive) ----------------------------

    async def apiGetMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return bot_user(full=True)

    async def apiGetUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.state.updates.get(
            offset=int(params.get("offset") or 0),
            limit=int(params.get("limit") or 100),
            wait=float(params.get("timeout") or 0),
            allowed=params.get("allowed_updates"),
        )

    async def apiDeleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.state.updates.drop_pending()
        return True

    async def apiGetWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.state.updates)}

    async def apiSendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._sendable_chat(params)
        text, mode = self._text(params, "text", TEXT_LIMIT, required=True)
        return self._send(chat_id, text=text, parse_mode=mode, reply_markup=self._markup(params))

    async def apiSendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._sendable_chat(params)
        caption, mode = self._text(params, "caption", CAPTION_LIMIT, required=False)
        stored = self._file(params, "document", "documents")
        return self._send(chat_id, text=caption, parse_mode=mode, reply_markup=self._markup(params), document=stored)

    async def apiSendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._sendable_chat(params)
        caption, mode = self._text(params, "caption", CAPTION_LIMIT, required=False)
        stored = self._file(params, "photo", "photos")
        return self._send(chat_id, text=caption, parse_mode=mode, reply_markup=self._markup(params), photo=stored)

    async def apiSendMediaGroup(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._sendable_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media specified")
        sent = []
        for item in media:
            kind = "photo" if item.get("type") == "photo" else "document"
            caption, mode = self._text(item, "caption", CAPTION_LIMIT, required=False)
            stored = self._file(item | {k: v for k, v in params.items() if k != "media"}, "media", kind + "s")
            sent.append(self._send(chat_id, text=caption, parse_mode=mode, **{kind: stored}))
        return sent

    async def apiSendChatAction(self, params: dict[str, Any]) -> bool:
        self._sendable_chat(params)
        return True

    async def apiEditMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._own_message(params, "edit")
        if msg.document or msg.photo:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, mode = self._text(params, "text", TEXT_LIMIT, required=True)
        markup = self._markup(params)  # no reply_markup removes the inline keyboard, as in Telegram
        if (text, (mode or "").lower(), markup) == (msg.text, (msg.parse_mode or "").lower(), msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        edited = self.state.edited(msg, text=text, parse_mode=mode, reply_markup=markup)
        return self.state.to_api(edited)

    async def apiEditMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._own_message(params, "edit")
        caption, mode = self._text(params, "caption", CAPTION_LIMIT, required=False)
        markup = self._markup(params)
        if (caption, mode, markup) == (msg.text, msg.parse_mode, msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        edited = self.state.edited(msg, text=caption, parse_mode=mode, reply_markup=markup)
        return self.state.to_api(edited)

    async def apiEditMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._own_message(params, "edit")
        markup = self._markup(params)
        if markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        edited = self.state.edited(msg, reply_markup=markup)
        return self.state.to_api(edited)

    async def apiDeleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        msg = self.state.message(chat_id, int(params.get("message_id") or 0))
        if msg is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.state.replace_message(dataclasses.replace(msg, deleted=True), kind="delete")
        return True

    async def apiAnswerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        tapped = self.state.callbacks.pop(query_id, None)  # a second answer is "invalid" too
        now = time.monotonic()
        latency = now - tapped[1] if tapped else 0.0
        if tapped is None or latency > self.callback_ttl:
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        answer = CallbackAnswer(query_id, text, bool(params.get("show_alert")), params.get("url"), latency, now)
        self.state.callback_answers.append(answer)
        self.state.emit("answer", tapped[0], answer=answer)
        return True

    async def apiGetFile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.state.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT and not self.local_mode:
            raise ApiError(400, "Bad Request: file is too big")
        file_path = stored.file_path
        if self.local_mode and self.files_dir is not None:
            # A --local server answers an absolute path on its disk; aiogram with is_local reads it directly.
            local = self.files_dir / stored.file_path
            await asyncio.to_thread(_write_file, local, stored.data)
            file_path = str(local)
            self.state.files_by_path[file_path.lstrip("/")] = stored.file_id
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": file_path,
        }


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
