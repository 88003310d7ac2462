"""What the case-review screens share: who may act, the home screen, the agenda screen, the reminder titles."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import CallbackQuery, Message

from bot.guards import team_with
from bot.replies import replace, respond
from bot.views import case_reviews as views
from bot.views.common import Screen
from content import Content
from domain.access import Permission
from domain.case_reviews import AGENDA_KIND, ESCALATION_KIND, NUDGE_KIND, CaseSeries
from domain.clock import Clock
from domain.errors import AccessDenied, NoTeam
from domain.models import Membership, Role, User
from services import case_reviews as use
from storage import Store


def zone(actor: User) -> str:
    return actor.timezone or "UTC"  # the actor middleware fills the default zone


def team_and_role(membership: Membership | None) -> tuple[int, Role]:
    """A head or a member of the current team; an owner hears what owners can do instead."""
    if membership is None:
        raise NoTeam()
    if membership.role is Role.OWNER:
        raise AccessDenied(Permission.MANAGE_TEAM.value, role=Role.OWNER.value)
    return membership.team_id, membership.role


def head_team(membership: Membership | None) -> int:
    """The head's own actions: an owner is told as above, a member is refused."""
    team_and_role(membership)
    return team_with(membership, Permission.MANAGE_TEAM)


async def show(event: Message | CallbackQuery, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await replace(event, screen)
    else:
        await respond(event, screen)


def reminder_titles(content: Content) -> dict[str, str]:
    return {
        NUDGE_KIND: content.t("cases.nudge_title"),
        ESCALATION_KIND: content.t("cases.escalation_title"),
        AGENDA_KIND: content.t("cases.agenda_reminder_title"),
    }


async def home_screen(
    store: Store, content: Content, clock: Clock, actor: User, team_id: int, role: Role, notice: str | None = None
) -> Screen:
    now = clock.now()
    if role is Role.HEAD:
        view = await use.head_view(store, actor.id, team_id, now)
        if view is None:
            return views.intro_screen(content)
        return views.head_screen(content, view, now, notice)
    series = await store.cases.series_for(actor.id, team_id)
    if series is None:
        return views.member_no_series(content)
    return views.member_screen(content, await use.member_view(store, actor.id, team_id, now), now, notice)


async def agenda_screen(
    store: Store, content: Content, actor: User, series: CaseSeries, now: datetime, notice: str | None = None
) -> Screen:
    agenda = await use.agenda_for(store, actor.id, series, now)
    bound = await use.group_chat(store, series.team_id) is not None
    return views.agenda_screen(content, series, agenda, now, bound, notice)
