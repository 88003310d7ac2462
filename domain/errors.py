"""Typed domain errors; an error handler turns each into a content text by its `text_key` and `text_args`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Counted:
    """A number a text shows with its noun («до 200 символов»): `key` is a CLDR plural group (one/few/many/other)."""

    key: str
    count: int


class DomainError(Exception):
    text_key = "errors.generic"
    # The text's placeholders: numbers the code decides (a limit), so the text never writes them in.
    text_args: Mapping[str, object] = MappingProxyType({})


class AccessDenied(DomainError):
    """A role without the permission hears what that role can do instead (`errors.access_denied_for.<role>`)."""

    text_key = "errors.access_denied"

    def __init__(self, *args: object, role: str | None = None) -> None:
        super().__init__(*args)
        self.role = role
        if role is not None:
            self.text_key = f"errors.access_denied_for.{role}"


class NotFound(DomainError):
    text_key = "errors.not_found"


class InviteInvalid(DomainError):
    text_key = "errors.invite_invalid"


class RemovedFromTeam(InviteInvalid):
    """The head removed this person: the team's links made before that no longer let them in."""

    text_key = "errors.removed_from_team"


class InvalidTimezone(DomainError):
    text_key = "errors.invalid_timezone"


class LastHeadCannotLeave(DomainError):
    """A team must keep at least one head: the last one cannot leave."""

    text_key = "errors.last_head"


class CannotRemoveSelf(DomainError):
    """Removing oneself goes through `leave`, which guards the last head."""

    text_key = "errors.cannot_remove_self"


class RunNotInProgress(DomainError):
    """An answer arrived for a diagnostics run that is already finished."""

    text_key = "errors.run_not_in_progress"


class NoTeam(DomainError):
    """The person is in no team yet: heads create one, others join by an invite link."""

    text_key = "errors.no_team"
