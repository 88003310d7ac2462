"""Sharing a head's result with the team's owners: who receives it, recording the share, reading one back.
Plain values in (`now` passed in), no aiogram; sending the messages is the handler's part (it owns the Bot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.access import Permission, require
from domain.errors import NotFound
from domain.models import ChecklistRun, Role, RunStatus
from storage import Store
from storage.shares import SharedResult


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    name: str
    timezone: str | None


@dataclass(frozen=True, slots=True)
class Shareable:
    run: ChecklistRun
    answers: dict[str, str]
    owners: tuple[Recipient, ...]


async def shareable(store: Store, actor_id: int, run_id: int) -> Shareable:
    """The actor's own finished run, its answers and the owners of its team. Another's run is NotFound; a role
    that may not share (an owner's own run) is AccessDenied."""
    run, answers = await store.runs.with_answers(actor_id, run_id)
    if run.status is not RunStatus.FINISHED:
        raise NotFound(f"run {run_id}")
    require(await store.teams.role_of(actor_id, run.team_id), Permission.SHARE_RESULTS)
    owners = []
    for member in await store.teams.members(actor_id, run.team_id):
        if member.role is Role.OWNER:
            user = await store.users.get(member.user_id)
            owners.append(Recipient(member.user_id, member.display_name, None if user is None else user.timezone))
    return Shareable(run, answers, tuple(owners))


async def record_share(
    store: Store, actor_id: int, run_id: int, full: bool, plan: tuple[str, ...], now: datetime
) -> tuple[SharedResult, bool]:
    """Recorded before anything is sent, with the plan (weak items' keys, most urgent first); the same share twice
    (a double tap) is not recorded or sent again."""
    return await store.shares.share(actor_id, run_id, full, plan, now)
