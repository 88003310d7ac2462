"""«Мой план»: a member's own month against their personal plan, in money only (article 001); and the head's
switch «Менеджеры видят свой план» with «Кто это в выгрузке?» for each member (reached from /plans)."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MenuCb, MyPlanCb, PlanLinkCb
from bot.guards import team_with
from bot.replies import replace, respond
from bot.views import my_plan as views
from content import Content
from domain.access import Permission
from domain.clock import Clock
from domain.models import Membership, User
from services import my_plan as use
from storage import Store


async def show_my_plan(
    event: Message | CallbackQuery,
    store: Store,
    content: Content,
    clock: Clock,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.VIEW_OWN_PLAN)
    await respond(event, views.standing_screen(content, await use.my_standing(store, actor.id, team_id, clock.now())))


async def members_plans(
    callback: CallbackQuery,
    callback_data: MyPlanCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    if callback_data.action in {"on", "off"}:
        await store.member_plans.set_visible(actor.id, team_id, callback_data.action == "on")
    await replace(callback, views.settings_screen(content, await use.members_plans(store, actor.id, team_id)))


async def link_member(
    callback: CallbackQuery,
    callback_data: PlanLinkCb,
    store: Store,
    content: Content,
    actor: User,
    membership: Membership | None,
    callback_answer: CallbackAnswer,
) -> None:
    team_id = team_with(membership, Permission.UPLOAD_EXPORT)
    view = await use.members_plans(store, actor.id, team_id)
    member = next((m for m in view.members if m.user_id == callback_data.user), None)
    if member is None:  # not a member of this team (any more), or a forged id
        callback_answer.text = content.t("errors.stale_button")
        return
    names = await store.member_plans.plan_names(actor.id, team_id)
    if callback_data.action == "ask":
        await replace(
            callback, views.link_screen(content, member.user_id, member.name, names, member.manager is not None)
        )
        return
    if callback_data.action == "unlink":
        await store.member_plans.link(actor.id, team_id, member.user_id, None)
        notice = content.t("my_plan.unlinked")
    else:
        if callback_data.index >= min(len(names), views.MAX_NAMES_SHOWN):
            callback_answer.text = content.t("errors.stale_button")
            return
        manager = names[callback_data.index]
        await store.member_plans.link(actor.id, team_id, member.user_id, manager)
        notice = content.t("my_plan.linked", name=escape(member.name), manager=escape(manager))
    view = await use.members_plans(store, actor.id, team_id)
    await replace(callback, views.settings_screen(content, view, notice))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_my_plan, Command("my_plan"))
    router.callback_query.register(show_my_plan, MenuCb.filter(F.action == "my_plan"))
    router.callback_query.register(members_plans, MyPlanCb.filter())
    router.callback_query.register(link_member, PlanLinkCb.filter())
    return router
