"""The owners' weekly digest: use cases for handlers (/digest, its settings), for the invite flow (an owner who
joins gets a digest), for the engine's start (owners from before the digest) and for the engine's render (the
digest is composed when it is sent, so it shows the figures of that moment).

Plain values in, no aiogram. Where the digest's reminder lives: see storage/digests.py.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.digest import (
    DEFAULT_PLAN_BELOW_PCT,
    PLAN_THRESHOLDS,
    WEEK,
    AlertChoice,
    Alerts,
    AlertSettings,
    Digest,
    DigestPeriod,
    RitualHygiene,
    SharedFigures,
    alerts_rule,
    calls_line,
    check_alerts,
    compose_digest,
    digest_rule,
    pdca_line,
    strategy_line,
    training_line,
    week_start,
)
from domain.models import Role
from domain.reminders import Reminder
from services.reminders import WakeUp
from storage import Store

logger = logging.getLogger(__name__)
T = TypeVar("T")


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def ensure_owner_digest(
    store: Store, wake: WakeUp, owner_id: int, team_id: int, title: str, default_timezone: str, now: datetime
) -> Reminder | None:
    """The owner's digest reminder (Monday 09:00 in their zone unless they changed it); created once. None for
    anyone who is not an owner of the team."""
    user = await store.users.get(owner_id)
    timezone = (user.timezone if user is not None else None) or default_timezone
    rule = digest_rule(local_today(now, timezone))
    reminder = await store.digests.ensure(owner_id, team_id, title, rule, timezone, now)
    if reminder is not None and reminder.next_due_at is not None:
        wake.wake_at(reminder.next_due_at)
    return reminder


async def backfill_owner_digests(store: Store, wake: WakeUp, title: str, now: datetime) -> int:
    """At start: owners who joined before the digest existed get theirs (once; see migration 0011)."""
    made = 0
    while batch := await store.digests.backfill_due():
        for team_id, owner_id, timezone in batch:
            if await ensure_owner_digest(store, wake, owner_id, team_id, title, timezone, now) is not None:
                made += 1
    return made


async def compose_for(store: Store, actor_id: int, team_id: int, now: datetime) -> Digest:
    """The digest of the week ending now, as the actor may see it (an owner or a head; AccessDenied otherwise)."""
    period = DigestPeriod.week_before(now)
    inputs = await store.digests.inputs(actor_id, team_id, period)
    rituals = await ritual_hygiene(store, team_id, period)
    shares = await shared_results(store, team_id, period)
    if rituals or shares:
        inputs = replace(inputs, rituals=rituals, shares=shares)
    return compose_digest(inputs, period)


async def shared_results(store: Store, team_id: int, period: DigestPeriod) -> tuple[SharedFigures, ...]:
    """The results the heads shared in the week and, for each, the previous shared result of the same checklist
    (system-scoped reads: call it after the actor's access was checked). Scores and zones only, never answers. If
    they fail to read, the digest goes out without them, never not at all."""
    try:
        week = [s for s in await store.shares.for_team(team_id, period.start) if s.shared_at < period.end]
        found = {s.id: s for s in week}
        runs: set[int] = set()
        for share in week:  # oldest first: a result's first share of the week is the one the digest lists
            if share.run_id in runs:
                continue
            runs.add(share.run_id)
            previous = await store.shares.latest_before(team_id, share.checklist_key, share.shared_at, share.run_id)
            if previous is not None:
                found.setdefault(previous.id, previous)
    except Exception:
        logger.exception("digest: the shared results could not be read")
        return ()
    return tuple(
        SharedFigures(s.run_id, s.checklist_key, s.score, s.zone, s.shared_at)
        for s in sorted(found.values(), key=lambda s: (s.shared_at, s.id))
    )


async def ritual_hygiene(store: Store, team_id: int, period: DigestPeriod) -> tuple[RitualHygiene, ...]:
    """The rituals' own records of the week (system-scoped reads: call it after the actor's access was checked).
    Days are the team's: PDCA reviews of the week's days, calls against the target of the last full week (a
    weekly target is per whole week), training in the week, milestones as they stand today. A ritual whose
    record fails to read is left out of the digest, never the whole digest."""
    zone = (await store.digests.team_timezone(team_id)) or "UTC"
    local = ZoneInfo(zone)
    since_day, until_day = period.start.astimezone(local).date(), period.end.astimezone(local).date()
    this_week = week_start(period.end, zone)
    readers: tuple[tuple[str, Callable[[], Awaitable[RitualHygiene | None]]], ...] = (
        ("pdca", lambda: _line(pdca_line, store.pdca.hygiene(team_id, since_day, until_day))),
        ("calls", lambda: _line(calls_line, store.calls.hygiene(team_id, this_week - WEEK, this_week))),
        ("training", lambda: _line(training_line, store.training.hygiene(team_id, period.start, period.end))),
        ("strategy", lambda: _line(strategy_line, store.strategy.hygiene(team_id, until_day))),
    )
    lines: list[RitualHygiene] = []
    for name, read in readers:
        try:
            line = await read()
        except Exception:
            logger.exception("digest: the %s record could not be read", name)
            continue
        if line is not None:
            lines.append(line)
    return tuple(lines)


async def _line(convert: Callable[[T], RitualHygiene | None], record: Awaitable[T]) -> RitualHygiene | None:
    return convert(await record)


# --- settings -----------------------------------------------------------------------------------------------------


async def digest_setting(
    store: Store, wake: WakeUp, actor_id: int, team_id: int, title: str, default_timezone: str, now: datetime
) -> Reminder | None:
    """The owner's digest setting, made on first sight for an owner who has none (lazily, see ensure)."""
    found = await store.digests.setting(actor_id, team_id)
    if found is not None:
        return found
    return await ensure_owner_digest(store, wake, actor_id, team_id, title, default_timezone, now)


async def change_digest_schedule(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int,
    now: datetime,
    weekday: int | None = None,
    at: time | None = None,
) -> Reminder | None:
    """A new day or time: the next digest moves to it, and a digest that was off is on again."""
    reminder = await store.digests.setting(actor_id, team_id)
    if reminder is None:
        return None
    rule = digest_rule(
        local_today(now, reminder.timezone),
        weekday if weekday is not None else (reminder.rule.weekdays or (0,))[0],
        at if at is not None else reminder.rule.at,
    )
    changed = await store.reminders.reschedule(actor_id, reminder.id, rule, now)
    if changed.next_due_at is not None:
        wake.wake_at(changed.next_due_at)
    return changed


async def turn_digest(
    store: Store, wake: WakeUp, actor_id: int, team_id: int, on: bool, now: datetime
) -> Reminder | None:
    reminder = await store.digests.setting(actor_id, team_id)
    if reminder is None:
        return None
    if not on:
        return await store.reminders.pause(actor_id, reminder.id)
    resumed = await store.reminders.resume(actor_id, reminder.id, now)
    if resumed.next_due_at is not None:
        wake.wake_at(resumed.next_due_at)
    return resumed


# --- at send time -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueDigest:
    digest: Digest
    timezone: str
    heads_nudged: int


async def digest_due(store: Store, wake: WakeUp, reminder_id: int, nudge_title: str, now: datetime) -> DueDigest | None:
    """What a due digest delivery says, composed now. None when its owner is no longer an owner of the team (the
    digest then ends). A quiet week also adds the heads' nudge (at most one per head and week)."""
    target = await store.digests.target(reminder_id)
    if target is None or target.role is not Role.OWNER:
        await store.digests.finish(reminder_id)
        return None
    digest = await compose_for(store, target.owner_id, target.team_id, now)
    nudged = 0
    if digest.quiet:
        nudged = await store.digests.nudge_heads(target.team_id, nudge_title, week_start(now, target.timezone), now)
        if nudged:
            wake.wake_at(now)
    return DueDigest(digest, target.timezone, nudged)


# --- alerts the owner opts into -------------------------------------------------------------------------------------


async def change_alerts(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int,
    choice: AlertChoice,
    title: str,
    timezone: str,
    now: datetime,
) -> AlertSettings:
    """Toggle one alert (or move the plan threshold to the next of PLAN_THRESHOLDS, turning it on)."""
    current = await store.digests.alert_settings(actor_id, team_id)
    plan, ritual, export = current.plan_below_pct, current.ritual_skips, current.no_export
    if choice == "plan":
        plan = None if plan is not None else DEFAULT_PLAN_BELOW_PCT
    elif choice == "threshold":
        following = [t for t in PLAN_THRESHOLDS if plan is not None and t > plan]
        plan = following[0] if following else PLAN_THRESHOLDS[0]
    elif choice == "ritual":
        ritual = not ritual
    else:
        export = not export
    rule = alerts_rule(local_today(now, timezone))
    reminder = await store.digests.set_alerts(actor_id, team_id, plan, ritual, export, title, rule, timezone, now)
    if reminder is not None and reminder.next_due_at is not None:
        wake.wake_at(reminder.next_due_at)
    return await store.digests.alert_settings(actor_id, team_id)


@dataclass(frozen=True, slots=True)
class DueAlerts:
    alerts: Alerts
    team_name: str
    currency: str | None


async def alerts_due(store: Store, reminder_id: int, delivery_id: int, now: datetime) -> DueAlerts | None:
    """The owner's daily check: the opted-in alerts due now (recorded as sent by this delivery), or None when
    there is nothing to say (or the owner is no longer an owner of the team: the check then ends)."""
    target = await store.digests.target(reminder_id)
    if target is None or target.role is not Role.OWNER:
        await store.digests.finish(reminder_id)
        return None
    settings = await store.digests.alert_settings(target.owner_id, target.team_id)
    if not settings.any_on:
        return None
    inputs = await store.digests.inputs(target.owner_id, target.team_id, DigestPeriod.week_before(now))
    skipped = await store.digests.skipped_twice(target.team_id) if settings.ritual_skips else ()
    today = local_today(now, target.timezone)
    alerts = check_alerts(settings, inputs.latest, inputs.plans, skipped, today, now, delivery_id)
    if not alerts:
        return None
    await store.digests.mark_alerted(target.team_id, target.owner_id, alerts, delivery_id)
    return DueAlerts(alerts, inputs.team_name, None if inputs.latest is None else inputs.latest.currency)
