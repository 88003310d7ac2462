"""Request bodies in (query, JSON, form, multipart as aiogram sends) and Bot API objects out."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from devtools.botapi_types import (
    BOT_FIRST_NAME,
    BOT_USER_ID,
    BOT_USERNAME,
    ApiError,
    GroupChat,
    SentMessage,
    StoredFile,
    User,
)

# Form values are strings; aiogram JSON-encodes objects, lists, numbers and booleans (session/base.py
# prepare_value) but sends str values raw, so a text like "42" must stay a string.
JSON_KEYS = frozenset(
    {
        "reply_markup", "allowed_updates", "media", "commands", "entities", "caption_entities", "scope",
        "link_preview_options", "reply_parameters", "menu_button", "rights",
    }
)  # fmt: skip
TEXT_KEYS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "description", "short_description", "file_id",
        "language_code", "url", "inline_message_id", "action", "name", "document", "photo", "emoji",
        "business_connection_id", "message_effect_id", "secret_token",
    }
)  # fmt: skip
_NUMBER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str | None = None


def decode_value(key: str, value: str) -> Any:
    if key in JSON_KEYS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
    if key in TEXT_KEYS or value.startswith("attach://"):
        return value
    if value in ("true", "false"):
        return value == "true"
    if _NUMBER.fullmatch(value):
        return int(value)
    return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a Bot API call, whatever way the client encoded them."""
    params: dict[str, Any] = {k: decode_value(k, v) for k, v in request.query.items()}
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: request body must be a JSON object")
        params.update(body)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            data = await asyncio.to_thread(value.file.read)
            params[key] = Upload(value.filename, data, value.content_type)
        elif isinstance(value, bytes | bytearray):
            params[key] = decode_value(key, bytes(value).decode())
        else:
            params[key] = decode_value(key, value)
    return params


def bot_user(full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": BOT_USER_ID,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    }
    if full:
        data |= {"can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
    return data


def private_chat(user: User) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.username:
        chat["username"] = user.username
    return chat


# An administrator's rights, as getChatMember answers them (aiogram's ChatMemberAdministrator needs them all).
_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_send_welcome_messages", "can_pin_messages",
)  # fmt: skip
_ADMIN_GRANTED = frozenset({"can_manage_chat", "can_delete_messages", "can_invite_users", "can_pin_messages"})


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object: creator, administrator, member, left or kicked (restricted is not modelled)."""
    data: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data |= {right: right in _ADMIN_GRANTED for right in _ADMIN_RIGHTS}
    elif status == "kicked":
        data["until_date"] = 0
    return data


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG (the bot's charts); 1x1 for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1, 1


def document_to_api(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "file_size": stored.size,
    }
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def photo_to_api(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = png_size(stored.data)
    size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size}
    return [size | {"width": width, "height": height}]


def message_to_api(msg: SentMessage, user: User | None, group: GroupChat | None = None) -> dict[str, Any]:
    """A Message object as Telegram returns it (valid for aiogram's models). `user`: the private chat's person, or
    in a group the person who wrote it (None for the bot's own message there)."""
    if group is not None:
        chat = group.to_api()
    elif user is not None:
        chat = private_chat(user)
    else:
        raise ValueError("a private chat's message needs its person")
    data: dict[str, Any] = {
        "message_id": msg.message_id,
        "date": msg.date,
        "chat": chat,
        "from": bot_user() if msg.by_bot or user is None else user.to_api(),
    }
    text = msg.plain if msg.by_bot else (msg.text or "")
    body_key = "caption" if msg.document or msg.photo else "text"
    if msg.text is not None:
        data[body_key] = text
    if not msg.by_bot and body_key == "text" and text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
    if msg.document:
        data["document"] = document_to_api(msg.document)
    if msg.photo:
        data["photo"] = photo_to_api(msg.photo)
    if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
        data["reply_markup"] = {"inline_keyboard": msg.reply_markup["inline_keyboard"]}
    if msg.edit_count:
        data["edit_date"] = int(time.time())
    return data
