"""Records the Bot API stand-in keeps: what the bot sent, what users sent, answers and calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devtools.botapi_html import strip_html

BOT_USER_ID = 7000000001
BOT_USERNAME = "rop_coach_bot"
BOT_FIRST_NAME = "ROP Coach"
# Telegram's own limits the stand-in enforces, so tests catch what production would reject.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


class ApiError(Exception):
    """An error answer in Telegram's shape; raised by method implementations."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "ru"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class GroupChat:
    """A group or supergroup (negative id); who is in it, with their getChatMember status, is in StubState."""

    id: int
    title: str
    type: str = "group"

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class StoredFile:
    """A file either side uploaded; getFile and the download URL serve it."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    data: bytes = field(repr=False)
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class SentMessage:
    """One message of a chat in its current state (edits applied). `by_bot` tells the side."""

    chat_id: int
    message_id: int
    date: int
    by_bot: bool
    text: str | None = None  # text or caption exactly as sent (with HTML tags when parse_mode is HTML)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    edit_count: int = 0
    deleted: bool = False
    from_id: int | None = None  # who wrote a person's message in a group (a private chat's is the chat's person)

    @property
    def plain(self) -> str:
        """The text as a person sees it: tags stripped and entities unescaped for HTML."""
        if self.text is None:
            return ""
        return strip_html(self.text) if (self.parse_mode or "").lower() == "html" else self.text

    @property
    def markup(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard as rows of (text, callback_data or url)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), _button_target(b)) for b in row] for row in rows]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply keyboard (the one under the input field) as rows of button texts."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.markup for text, _ in row]

    @property
    def callback_data(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]

    def data_for(self, text_part: str) -> str:
        """The callback_data of the one inline button whose text contains text_part."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        found = [b for row in rows for b in row if text_part in b.get("text", "") and "callback_data" in b]
        if len(found) != 1:
            raise AssertionError(
                f"{len(found)} buttons with {text_part!r} in message {self.message_id}: {self.button_texts}"
            )
        return str(found[0]["callback_data"])


def _button_target(button: dict[str, Any]) -> str:
    for key in ("callback_data", "url"):
        if key in button:
            return str(button[key])
    return ""


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    latency: float  # seconds from the tap to the answer
    answered_at: float = 0.0  # monotonic time the answer arrived


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float  # monotonic time the request arrived
    error: str | None = None


@dataclass(frozen=True)
class ChatEvent:
    """What the demo and wait_for watch: kind is new, edit, delete or answer."""

    seq: int
    kind: str
    chat_id: int
    message: SentMessage | None = None
    answer: CallbackAnswer | None = None
