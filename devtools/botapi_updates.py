"""The pending-updates queue behind getUpdates, with real long polling."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from devtools.botapi_types import ApiError

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class UpdateQueue:
    """Updates stay until a getUpdates with a higher offset confirms them, as in Telegram."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._allowed: list[str] = []
        self._generation = 0
        self._closed = False
        self._changed = asyncio.Condition()
        self.dropped: list[dict[str, Any]] = []  # updates the bot's allowed_updates filtered out

    def __len__(self) -> int:
        return len(self._pending)

    async def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, kind: payload})
        async with self._changed:
            self._changed.notify_all()
        return update_id

    def drop_pending(self) -> None:
        self._pending.clear()

    async def close(self) -> None:
        """Release every waiting long poll (server shutdown)."""
        self._closed = True
        async with self._changed:
            self._changed.notify_all()

    async def get(
        self, offset: int = 0, limit: int = 100, wait: float = 0, allowed: list[str] | None = None
    ) -> list[dict[str, Any]]:
        self._confirm(offset)
        if allowed is not None:
            self._allowed = list(allowed)
        limit = max(1, min(int(limit or 100), 100))
        # A newer getUpdates ends an older one with 409, as Telegram does (a second bot instance).
        self._generation += 1
        generation = self._generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, float(wait or 0))
        async with self._changed:
            self._changed.notify_all()
            while True:
                if generation != self._generation:
                    raise ApiError(409, CONFLICT)
                batch = self._take(limit)
                remaining = deadline - loop.time()
                if batch or self._closed or remaining <= 0:
                    return batch
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        elif offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _take(self, limit: int) -> list[dict[str, Any]]:
        if self._allowed:
            kept = [u for u in self._pending if self._kind(u) in self._allowed]
            self.dropped.extend(u for u in self._pending if self._kind(u) not in self._allowed)
            self._pending = kept
        return [dict(u) for u in self._pending[:limit]]

    @staticmethod
    def _kind(update: dict[str, Any]) -> str:
        return next(k for k in update if k != "update_id")
