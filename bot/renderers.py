"""How a due delivery becomes a message, by reminder kind: a registry the features fill.

Each feature registers one async render for its kinds (`register_feature_renderers` lists them in one place);
a kind nobody registered is an ordinary reminder message (the fallback). A new kind needs a `register` call,
never an edit of the others. A render returns None when nothing is to be sent any more (the engine records it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from aiogram import Bot

from bot.case_agenda_group import post_agenda_to_group
from bot.views.case_reviews import render_delivery as render_case_delivery
from bot.views.digest import delivered_alerts, delivered_digest, delivered_nudge, digest_chart
from bot.views.reminders import delivered_reminder
from content import Content
from domain.case_reviews import KINDS as CASE_KINDS
from domain.clock import Clock
from domain.digest import ALERTS_KIND, DIGEST_KIND, NUDGE_KIND
from domain.reminders import DueDelivery
from scheduling.sender import Outgoing
from services.digest import alerts_due, digest_due
from services.reminders import WakeUp
from storage import Store

KindRender = Callable[[DueDelivery], Awaitable[Outgoing | None]]


class RenderRegistry:
    """kind → render; `render` is what the engine calls."""

    def __init__(self, fallback: KindRender) -> None:
        self._fallback = fallback
        self._by_kind: dict[str, KindRender] = {}

    def register(self, kinds: Iterable[str], render: KindRender) -> None:
        """A kind has one render: registering it twice is a wiring mistake, refused at start."""
        for kind in kinds:
            if kind in self._by_kind:
                raise ValueError(f"a render for reminder kind {kind!r} is registered already")
            self._by_kind[kind] = render

    async def render(self, delivery: DueDelivery) -> Outgoing | None:
        return await self._by_kind.get(delivery.kind, self._fallback)(delivery)


def reminder_registry(content: Content, clock: Clock) -> RenderRegistry:
    """An empty registry whose fallback is the ordinary reminder message."""

    async def reminder(delivery: DueDelivery) -> Outgoing | None:
        return delivered_reminder(content, delivery, clock.now())

    return RenderRegistry(reminder)


def register_feature_renderers(
    registry: RenderRegistry, store: Store, content: Content, bot: Bot, clock: Clock, wake: WakeUp
) -> None:
    """The features whose messages are not a plain reminder. An owner's digest is composed when it is sent (the
    figures of that moment), the heads' nudge after a quiet week is a fixed text, an owner's daily alert check
    says only what is due (and sends nothing on a day without alerts), case reviews decide when sent who still
    owes a case and what the agenda is."""

    async def digest(delivery: DueDelivery) -> Outgoing | None:
        due = await digest_due(store, wake, delivery.reminder_id, content.t("digest.nudge_title"), clock.now())
        if due is None:
            return None  # the owner left the team: the digest has ended
        chart = await digest_chart(content, due.digest)
        return delivered_digest(
            content, delivery.recipient_id, due.digest, due.timezone, delivery.late, due.heads_nudged > 0, chart
        )

    async def nudge(delivery: DueDelivery) -> Outgoing | None:
        return delivered_nudge(content, delivery.recipient_id)

    async def alerts(delivery: DueDelivery) -> Outgoing | None:
        due = await alerts_due(store, delivery.reminder_id, delivery.id, clock.now())
        if due is None:
            return None  # nothing to alert about today
        return delivered_alerts(content, delivery.recipient_id, due.team_name, due.alerts, due.currency)

    async def case_review(delivery: DueDelivery) -> Outgoing | None:
        outgoing = await render_case_delivery(store, content, delivery, clock.now())
        if outgoing is not None:  # the head's agenda: the bound group gets its copy (once per review)
            await post_agenda_to_group(bot, store, content, delivery, clock.now())
        return outgoing

    registry.register([DIGEST_KIND], digest)
    registry.register([NUDGE_KIND], nudge)
    registry.register([ALERTS_KIND], alerts)
    registry.register(CASE_KINDS, case_review)
