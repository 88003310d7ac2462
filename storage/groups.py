"""Team group chats: which group serves which team (one each way), for agendas and nudges posted there.

Actor-scoped methods (binding and unbinding from the head's side, what /settings shows) check the actor's role in
SQL like every team-scoped repository. System-scoped ones act for no one: what the bot itself learns from Telegram
(the bot was removed, the group became a supergroup, its title changed), where other features find the team's
group (`bound_chat_id`), and an administrator's /unbind (a group's administrator need not be in the team; the
handler has checked with Telegram that they administer the group).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.access import Permission, allowed
from domain.groups import GroupTaken
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, to_db_time

_COLUMNS = "team_id, chat_id, title, bound_by, bound_at"
MAX_TITLE = 128  # Telegram allows 128 characters for a chat title


@dataclass(frozen=True, slots=True)
class TeamGroup:
    team_id: int
    chat_id: int  # Telegram's chat id (negative for groups)
    title: str
    bound_by: int
    bound_at: datetime


@dataclass(frozen=True, slots=True)
class Bound:
    group: TeamGroup
    replaced: TeamGroup | None  # the team's previous group, which gets nothing more


def _group(row: Any) -> TeamGroup:
    return TeamGroup(
        team_id=row["team_id"],
        chat_id=row["chat_id"],
        title=row["title"],
        bound_by=row["bound_by"],
        bound_at=from_db_time(row["bound_at"]),
    )


class GroupRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- actor-scoped ---------------------------------------------------------------------------------------

    async def bind(self, actor_id: int, team_id: int, chat_id: int, title: str, now: datetime) -> Bound:
        """Bind the chat to the team (the head's MANAGE_TEAM, checked here), replacing the team's previous group.
        Repeating it changes nothing but the title; a chat serving another team is GroupTaken."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            taken = await self._db.fetchone("SELECT team_id FROM team_groups WHERE chat_id = ?", (chat_id,))
            if taken is not None and taken["team_id"] != team_id:
                raise GroupTaken(str(chat_id))
            previous = await self.of_team(team_id)
            await self._db.execute(
                f"INSERT INTO team_groups({_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(team_id) DO UPDATE SET chat_id = excluded.chat_id, title = excluded.title, "
                "bound_by = excluded.bound_by, bound_at = CASE WHEN chat_id = excluded.chat_id "
                "THEN bound_at ELSE excluded.bound_at END",
                (team_id, chat_id, title[:MAX_TITLE], actor_id, to_db_time(now)),
            )
            group = await self.of_team(team_id)
        assert group is not None  # written just above
        replaced = previous if previous is not None and previous.chat_id != chat_id else None
        return Bound(group=group, replaced=replaced)

    async def unbind(self, actor_id: int, team_id: int) -> TeamGroup | None:
        """The head unbinds the team's group (from /settings or /unbind); None when there was none."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            group = await self.of_team(team_id)
            if group is not None:
                await self._db.execute("DELETE FROM team_groups WHERE team_id = ?", (team_id,))
        return group

    async def shown_to(self, actor_id: int, team_id: int) -> TeamGroup | None:
        """The team's group as /settings shows it: to whoever manages the team; None for everyone else."""
        if not allowed(await role_in(self._db, actor_id, team_id), Permission.MANAGE_TEAM):
            return None
        return await self.of_team(team_id)

    # --- system-scoped --------------------------------------------------------------------------------------

    async def bound_chat_id(self, team_id: int) -> int | None:
        """Where team-level posts (agendas, nudges) of the team go; None when the team has no group."""
        row = await self._db.fetchone("SELECT chat_id FROM team_groups WHERE team_id = ?", (team_id,))
        return None if row is None else int(row["chat_id"])

    async def team_for_chat(self, chat_id: int) -> int | None:
        row = await self._db.fetchone("SELECT team_id FROM team_groups WHERE chat_id = ?", (chat_id,))
        return None if row is None else int(row["team_id"])

    async def of_team(self, team_id: int) -> TeamGroup | None:
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM team_groups WHERE team_id = ?", (team_id,))
        return None if row is None else _group(row)

    async def of_chat(self, chat_id: int) -> TeamGroup | None:
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM team_groups WHERE chat_id = ?", (chat_id,))
        return None if row is None else _group(row)

    async def forget_chat(self, chat_id: int) -> TeamGroup | None:
        """The bot was removed from the chat, Telegram says it is gone, or one of its administrators unbound it:
        the binding ends. Returns what was bound (None: nothing was), so the head can be told once."""
        async with self._db.transaction():
            group = await self.of_chat(chat_id)
            if group is not None:
                await self._db.execute("DELETE FROM team_groups WHERE chat_id = ?", (chat_id,))
        return group

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup (a new chat id): the binding follows it. Safe to repeat (Telegram sends
        both `migrate_to_chat_id` and `migrate_from_chat_id`); True when a binding moved."""
        changed = await self._db.execute_write(
            "UPDATE team_groups SET chat_id = ? WHERE chat_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM team_groups WHERE chat_id = ?)",
            (new_chat_id, old_chat_id, new_chat_id),
        )
        return changed > 0

    async def retitle(self, chat_id: int, title: str) -> None:
        await self._db.execute_write("UPDATE team_groups SET title = ? WHERE chat_id = ?", (title[:MAX_TITLE], chat_id))
