"""Bot API methods about the bot's profile and chats (commands, descriptions, getChat); chat lookup."""

from __future__ import annotations

from typing import Any

from devtools.botapi_state import StubState
from devtools.botapi_types import ApiError
from devtools.botapi_wire import private_chat


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
        self.state.user(chat_id)
        return chat_id

    async def apiGetChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = private_chat(self.state.user(self._chat(params)))
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
            False,
        )
        return chat | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

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
