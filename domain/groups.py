"""Who may bind a team's group chat to the bot, move the binding or undo it. Pure: the handler gathers the facts
(the sender's role, whether Telegram says they administer the group, what is bound already) and asks here.

Rules (issue 8, group chats):
- only a head of sales, in their current team, binds; anyone else is refused before anything about bindings is
  said (a refusal never reveals which team a group serves);
- one group per team and one team per group: a group serving another team is refused until it is unbound there;
- a head binds a first group freely (they are in it: they wrote the command there); moving the team's binding
  from another group needs an administrator of the new group, and the head confirms it;
- unbinding: a head of the team the group serves, or an administrator of the group (who could remove the bot
  anyway, which unbinds it too).
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError
from domain.models import Role

ADMIN_STATUSES = frozenset({"creator", "administrator"})  # getChatMember statuses that administer a chat


class BindVerdict(StrEnum):
    BIND = "bind"  # the team had no group: bind this one
    ALREADY = "already"  # this group already serves the team
    CONFIRM_MOVE = "confirm_move"  # the team has another group; the head administers this one: ask, then move
    NOT_HEAD = "not_head"  # refused: not a head of sales in their current team (or no team at all)
    NOT_ADMIN = "not_admin"  # refused: the team has another group and the head does not administer this one
    TAKEN = "taken"  # refused: the group serves another team


class UnbindVerdict(StrEnum):
    UNBIND = "unbind"
    NOT_BOUND = "not_bound"
    NOT_ALLOWED = "not_allowed"


REFUSALS = frozenset({BindVerdict.NOT_HEAD, BindVerdict.NOT_ADMIN, BindVerdict.TAKEN})


def is_admin_status(status: str) -> bool:
    return status in ADMIN_STATUSES


def bind_verdict(
    role: Role | None,
    is_admin: bool,
    team_id: int | None,
    chat_id: int,
    team_group: int | None,
    chat_team: int | None,
) -> BindVerdict:
    """`role`/`team_id`: the sender's current team; `team_group`: the chat that team is bound to now;
    `chat_team`: the team this chat serves now."""
    if role is not Role.HEAD or team_id is None:
        return BindVerdict.NOT_HEAD
    if chat_team == team_id:
        return BindVerdict.ALREADY
    if chat_team is not None:
        return BindVerdict.TAKEN
    if team_group is None or team_group == chat_id:
        return BindVerdict.BIND
    return BindVerdict.CONFIRM_MOVE if is_admin else BindVerdict.NOT_ADMIN


def unbind_verdict(role_in_bound_team: Role | None, is_admin: bool, chat_team: int | None) -> UnbindVerdict:
    """`role_in_bound_team`: the sender's role in the team the chat serves (whatever their current team is)."""
    if chat_team is None:
        return UnbindVerdict.NOT_BOUND
    if role_in_bound_team is Role.HEAD or is_admin:
        return UnbindVerdict.UNBIND
    return UnbindVerdict.NOT_ALLOWED


class GroupTaken(DomainError):
    """The chat serves another team (found inside the binding's transaction: two heads raced)."""

    text_key = "groups.bind.taken"
