"""Bot API methods about the bot's profile and chats (commands, descriptions, getChat); chat lookup."""

from __future__ import annotations

from typing import Any

from devtools.botapi_state import StubState
from devtools.botapi_types import BOT_USER_ID, ApiError
from devtools.botapi_wire import bot_user, chat_member, private_chat


class ProfileMethods:
    state: StubState

    def _chat(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            found = [u.id for u in self.state.users.values() if u.username == raw[1:]]
            raw = found[0] if found else None
        chat_id = int(raw) if isinstance(raw, int | str) and str(raw).lstrip("-").isdigit() else None
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if self.state.group(chat_id) is None:
            self.state.user(chat_id)
        return chat_id

    async def apiGetChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        group = self.state.group(chat_id)
        chat = group.to_api() if group is not None else private_chat(self.state.user(chat_id))
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
            False,
        )
        return chat | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def apiGetChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        """A group's member as the stand-in's test set them (StubState.members); in a private chat, its person and
        the bot are members."""
        chat_id = self._chat(params)
        user_id = params.get("user_id")
        if user_id == BOT_USER_ID:
            user = bot_user()
        elif isinstance(user_id, int) and user_id in self.state.users:
            user = self.state.users[user_id].to_api()
        else:
            raise ApiError(400, "Bad Request: user not found")
        if self.state.group(chat_id) is not None:
            return chat_member(user, self.state.status(chat_id, user_id))
        return chat_member(user, "member" if user_id in (chat_id, BOT_USER_ID) else "left")

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return str(sorted(scope.items())), str(params.get("language_code") or "")

    async def apiSetMyCommands(self, params: dict[str, Any]) -> bool:
        commands = [(str(c["command"]), str(c["description"])) for c in params.get("commands") or []]
        self.state.commands_by_scope[self._scope_key(params)] = commands
        self.state.last_commands = commands
        return True

    async def apiGetMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        commands = self.state.commands_by_scope.get(self._scope_key(params), [])
        return [{"command": c, "description": d} for c, d in commands]

    async def apiDeleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.state.commands_by_scope.pop(self._scope_key(params), None)
        return True

    async def apiSetMyDescription(self, params: dict[str, Any]) -> bool:
        self.state.descriptions["description" + str(params.get("language_code") or "")] = str(
            params.get("description") or ""
        )
        return True

    async def apiSetMyShortDescription(self, params: dict[str, Any]) -> bool:
        self.state.descriptions["short_description" + str(params.get("language_code") or "")] = str(
            params.get("short_description") or ""
        )
        return True

    async def apiGetMyDescription(self, params: dict[str, Any]) -> dict[str, str]:
        key = "description" + str(params.get("language_code") or "")
        return {"description": self.state.descriptions.get(key, "")}

    async def apiGetMyShortDescription(self, params: dict[str, Any]) -> dict[str, str]:
        key = "short_description" + str(params.get("language_code") or "")
        return {"short_description": self.state.descriptions.get(key, "")}
