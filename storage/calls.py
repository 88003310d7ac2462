"""Call listening: weekly targets, rotation, call reviews.

Actor-scoped: every method takes `actor_id` first and checks in SQL that the actor heads the plan's team; a forged
id of another team's plan, manager or review reads as NotFound. `hygiene` alone acts for no one: it serves the
owners' digest (a scheduled job) and returns aggregates only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.access import Permission
from domain.calls import (
    MAX_ROSTER,
    CallHygiene,
    CallManager,
    CallPlan,
    CallReview,
    CriterionScore,
    Feedback,
    IsoWeek,
    RosterFull,
    check_target,
    score_review,
    tally_weeks,
    week_of,
    weeks_touched,
)
from domain.errors import NotFound
from domain.models import Role
from domain.timezones import parse_timezone
from storage.access import require_in_team, visible_or_not_found
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

_PLAN = "p.id, p.team_id, p.head_id, p.weekly_target, p.timezone, p.reminder_id, p.created_at"
# in_team: a typed name is always "in the team"; a member in the bot only while their membership lasts.
_MANAGER = (
    "c.id, c.plan_id, c.name, c.user_id, c.added_at, c.removed_at, "
    "(c.user_id IS NULL OR EXISTS (SELECT 1 FROM memberships x WHERE x.team_id = p.team_id "
    "AND x.user_id = c.user_id)) AS in_team"
)
_REVIEW = (
    "r.id, r.plan_id, r.manager_id, c.name AS manager_name, r.reviewer_id, r.week, r.points, r.max_points, "
    "r.praise, r.fix, r.feedback, r.created_at"
)


def _plan(row: Any) -> CallPlan:
    return CallPlan(
        id=row["id"],
        team_id=row["team_id"],
        head_id=row["head_id"],
        weekly_target=row["weekly_target"],
        timezone=row["timezone"],
        reminder_id=row["reminder_id"],
        created_at=from_db_time(row["created_at"]),
    )


def _manager(row: Any) -> CallManager:
    return CallManager(
        id=row["id"],
        plan_id=row["plan_id"],
        name=row["name"],
        user_id=row["user_id"],
        in_team=bool(row["in_team"]),
        removed=opt_from_db_time(row["removed_at"]) is not None,
        added_at=from_db_time(row["added_at"]),
    )


class CallReviewRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- the plan -------------------------------------------------------------------------------------------

    async def plan_for(self, actor_id: int, team_id: int) -> CallPlan | None:
        await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
        row = await self._db.fetchone(f"SELECT {_PLAN} FROM call_plans p WHERE p.team_id = ?", (team_id,))
        return None if row is None else _plan(row)

    async def get_plan(self, actor_id: int, plan_id: int) -> CallPlan:
        row = await self._db.fetchone(
            f"SELECT {_PLAN}, m.role AS actor_role FROM call_plans p "
            "LEFT JOIN memberships m ON m.team_id = p.team_id AND m.user_id = ? WHERE p.id = ?",
            (actor_id, plan_id),
        )
        if row is None:
            raise NotFound(f"call plan {plan_id}")
        visible_or_not_found(row["actor_role"], Permission.MANAGE_TEAM, f"call plan {plan_id}")
        return _plan(row)

    async def save_plan(
        self, actor_id: int, team_id: int, weekly_target: int, timezone: str, now: datetime
    ) -> CallPlan:
        """Creates the team's plan, or changes its target (and zone) when it exists."""
        target, zone = check_target(weekly_target), parse_timezone(timezone)
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._db.execute(
                "INSERT INTO call_plans(team_id, head_id, weekly_target, timezone, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(team_id) DO UPDATE SET weekly_target = excluded.weekly_target, "
                "timezone = excluded.timezone",
                (team_id, actor_id, target, zone, to_db_time(now)),
            )
            plan = await self.plan_for(actor_id, team_id)
        assert plan is not None
        return plan

    async def set_reminder(self, actor_id: int, plan_id: int, reminder_id: int | None) -> CallPlan:
        async with self._db.transaction():
            await self.get_plan(actor_id, plan_id)
            await self._db.execute("UPDATE call_plans SET reminder_id = ? WHERE id = ?", (reminder_id, plan_id))
            return await self.get_plan(actor_id, plan_id)

    # --- the managers ---------------------------------------------------------------------------------------

    async def roster(self, actor_id: int, plan_id: int, include_removed: bool = False) -> list[CallManager]:
        """In the order they were added; without include_removed only those still listed by the head (members
        who left the team are listed too: `active` says whether they are in the rotation)."""
        await self.get_plan(actor_id, plan_id)
        listed = "" if include_removed else "AND c.removed_at IS NULL "
        rows = await self._db.fetchall(
            f"SELECT {_MANAGER} FROM call_managers c JOIN call_plans p ON p.id = c.plan_id "
            f"WHERE c.plan_id = ? {listed}ORDER BY c.id",
            (plan_id,),
        )
        return [_manager(r) for r in rows]

    async def manager(self, actor_id: int, manager_id: int) -> CallManager:
        row = await self._db.fetchone(
            f"SELECT {_MANAGER}, m.role AS actor_role FROM call_managers c JOIN call_plans p ON p.id = c.plan_id "
            "LEFT JOIN memberships m ON m.team_id = p.team_id AND m.user_id = ? WHERE c.id = ?",
            (actor_id, manager_id),
        )
        if row is None:
            raise NotFound(f"call manager {manager_id}")
        visible_or_not_found(row["actor_role"], Permission.MANAGE_TEAM, f"call manager {manager_id}")
        return _manager(row)

    async def toggle_member(self, actor_id: int, plan_id: int, user_id: int, now: datetime) -> CallManager:
        """A team member (role «менеджер») in or out of the rotation; their reviews stay either way."""
        async with self._db.transaction():
            plan = await self.get_plan(actor_id, plan_id)
            member = await self._db.fetchone(
                "SELECT u.display_name FROM memberships m JOIN users u ON u.id = m.user_id "
                "WHERE m.team_id = ? AND m.user_id = ? AND m.role = ?",
                (plan.team_id, user_id, Role.MEMBER.value),
            )
            if member is None:
                raise NotFound(f"team member {user_id}")
            row = await self._db.fetchone(
                "SELECT id, removed_at FROM call_managers WHERE plan_id = ? AND user_id = ?", (plan_id, user_id)
            )
            if row is None:
                await self._check_room(plan_id)
                manager_id = await self._db.insert(
                    "INSERT INTO call_managers(plan_id, user_id, name, added_at) VALUES (?, ?, ?, ?)",
                    (plan_id, user_id, member["display_name"], to_db_time(now)),
                )
            else:
                manager_id = row["id"]
                if row["removed_at"] is None:
                    await self._db.execute(
                        "UPDATE call_managers SET removed_at = ? WHERE id = ?", (to_db_time(now), manager_id)
                    )
                else:
                    await self._check_room(plan_id)
                    await self._db.execute(
                        "UPDATE call_managers SET removed_at = NULL, name = ? WHERE id = ?",
                        (member["display_name"], manager_id),
                    )
            return await self.manager(actor_id, manager_id)

    async def add_names(self, actor_id: int, plan_id: int, names: Sequence[str], now: datetime) -> list[CallManager]:
        """Typed names of managers who are not in the bot (already cleaned by the caller); a name already listed
        is not added twice."""
        async with self._db.transaction():
            await self.get_plan(actor_id, plan_id)
            added: list[CallManager] = []
            for name in dict.fromkeys(names):
                exists = await self._db.fetchone(
                    "SELECT id FROM call_managers WHERE plan_id = ? AND user_id IS NULL AND removed_at IS NULL "
                    "AND name = ?",
                    (plan_id, name),
                )
                if exists is not None:
                    continue
                await self._check_room(plan_id)
                manager_id = await self._db.insert(
                    "INSERT INTO call_managers(plan_id, user_id, name, added_at) VALUES (?, NULL, ?, ?)",
                    (plan_id, name, to_db_time(now)),
                )
                added.append(await self.manager(actor_id, manager_id))
            return added

    async def remove(self, actor_id: int, manager_id: int, now: datetime) -> CallManager:
        """Out of the rotation (idempotent); the reviews stay in the history."""
        async with self._db.transaction():
            await self.manager(actor_id, manager_id)
            await self._db.execute(
                "UPDATE call_managers SET removed_at = COALESCE(removed_at, ?) WHERE id = ?",
                (to_db_time(now), manager_id),
            )
            return await self.manager(actor_id, manager_id)

    async def _check_room(self, plan_id: int) -> None:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM call_managers WHERE plan_id = ? AND removed_at IS NULL", (plan_id,)
        )
        if row is not None and row["n"] >= MAX_ROSTER:
            raise RosterFull()

    # --- the week's lineup ----------------------------------------------------------------------------------

    async def lineup(self, actor_id: int, plan_id: int, week: IsoWeek) -> tuple[int, ...]:
        await self.get_plan(actor_id, plan_id)
        rows = await self._db.fetchall(
            "SELECT manager_id FROM call_lineups WHERE plan_id = ? AND week = ? ORDER BY position",
            (plan_id, week.key),
        )
        return tuple(int(r["manager_id"]) for r in rows)

    async def set_lineup(self, actor_id: int, plan_id: int, week: IsoWeek, managers: Sequence[int]) -> None:
        async with self._db.transaction():
            await self.get_plan(actor_id, plan_id)
            await self._db.execute("DELETE FROM call_lineups WHERE plan_id = ? AND week = ?", (plan_id, week.key))
            await self._db.executemany(
                "INSERT INTO call_lineups(plan_id, week, manager_id, position) "
                "SELECT ?, ?, id, ? FROM call_managers WHERE id = ? AND plan_id = ?",
                [(plan_id, week.key, n, manager, plan_id) for n, manager in enumerate(managers)],
            )

    async def last_reviewed(self, actor_id: int, plan_id: int, before: IsoWeek) -> dict[int, IsoWeek]:
        """Each manager's latest week with a reviewed call, before `before` (this week's reviews do not move the
        lineup announced for it)."""
        await self.get_plan(actor_id, plan_id)
        rows = await self._db.fetchall(
            "SELECT manager_id, MAX(week) AS week FROM call_reviews WHERE plan_id = ? AND week < ? GROUP BY manager_id",
            (plan_id, before.key),
        )
        return {int(r["manager_id"]): IsoWeek.parse(r["week"]) for r in rows}

    # --- reviews --------------------------------------------------------------------------------------------

    async def add_review(
        self,
        actor_id: int,
        manager_id: int,
        week: IsoWeek,
        criteria: Sequence[str],
        scores: Sequence[CriterionScore],
        praise: str,
        fix: str,
        timezone: str,
        now: datetime,
    ) -> CallReview:
        """Saved against the manager and the week, with the feedback kept private until it is sent."""
        total = score_review(criteria, scores)
        order = {key: n for n, key in enumerate(criteria)}
        async with self._db.transaction():
            manager = await self.manager(actor_id, manager_id)
            review_id = await self._db.insert(
                "INSERT INTO call_reviews(plan_id, manager_id, reviewer_id, week, points, max_points, praise, fix, "
                "feedback, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    manager.plan_id,
                    manager.id,
                    actor_id,
                    week.key,
                    total.points,
                    total.max_points,
                    praise,
                    fix,
                    Feedback.PRIVATE.value,
                    to_db_time(now),
                ),
            )
            await self._db.executemany(
                "INSERT INTO call_review_scores(review_id, position, criterion, score, note) VALUES (?, ?, ?, ?, ?)",
                [(review_id, order[s.criterion], s.criterion, s.score, s.note) for s in scores],
            )
            await self._db.execute(
                "UPDATE call_plans SET timezone = ? WHERE id = ?", (parse_timezone(timezone), manager.plan_id)
            )
            return await self.review(actor_id, review_id)

    async def set_feedback(self, actor_id: int, review_id: int, feedback: Feedback) -> CallReview:
        async with self._db.transaction():
            await self.review(actor_id, review_id)
            await self._db.execute("UPDATE call_reviews SET feedback = ? WHERE id = ?", (feedback.value, review_id))
            return await self.review(actor_id, review_id)

    async def review(self, actor_id: int, review_id: int) -> CallReview:
        row = await self._db.fetchone(
            f"SELECT {_REVIEW}, m.role AS actor_role FROM call_reviews r "
            "JOIN call_managers c ON c.id = r.manager_id JOIN call_plans p ON p.id = r.plan_id "
            "LEFT JOIN memberships m ON m.team_id = p.team_id AND m.user_id = ? WHERE r.id = ?",
            (actor_id, review_id),
        )
        if row is None:
            raise NotFound(f"call review {review_id}")
        visible_or_not_found(row["actor_role"], Permission.MANAGE_TEAM, f"call review {review_id}")
        return (await self._with_scores([row]))[0]

    async def count_week(self, actor_id: int, plan_id: int, week: IsoWeek) -> int:
        await self.get_plan(actor_id, plan_id)
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM call_reviews WHERE plan_id = ? AND week = ?", (plan_id, week.key)
        )
        return 0 if row is None else int(row["n"])

    async def recent(self, actor_id: int, plan_id: int, limit: int = 5) -> list[CallReview]:
        """The latest reviews of the team, latest first."""
        await self.get_plan(actor_id, plan_id)
        rows = await self._db.fetchall(
            f"SELECT {_REVIEW} FROM call_reviews r JOIN call_managers c ON c.id = r.manager_id "
            "WHERE r.plan_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
            (plan_id, limit),
        )
        return await self._with_scores(rows)

    async def history(self, actor_id: int, manager_id: int, limit: int = 10) -> list[CallReview]:
        """One manager's reviews, latest first (kept after the manager left the rotation or the team)."""
        await self.manager(actor_id, manager_id)
        rows = await self._db.fetchall(
            f"SELECT {_REVIEW} FROM call_reviews r JOIN call_managers c ON c.id = r.manager_id "
            "WHERE r.manager_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
            (manager_id, limit),
        )
        return await self._with_scores(rows)

    async def _with_scores(self, rows: Sequence[Any]) -> list[CallReview]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ", ".join("?" for _ in ids)
        score_rows = await self._db.fetchall(
            f"SELECT review_id, criterion, score, note FROM call_review_scores WHERE review_id IN ({marks}) "
            "ORDER BY review_id, position",
            ids,
        )
        scores: dict[int, list[CriterionScore]] = {}
        for s in score_rows:
            scores.setdefault(s["review_id"], []).append(CriterionScore(s["criterion"], s["score"], s["note"]))
        return [
            CallReview(
                id=r["id"],
                plan_id=r["plan_id"],
                manager_id=r["manager_id"],
                manager_name=r["manager_name"],
                reviewer_id=r["reviewer_id"],
                week=IsoWeek.parse(r["week"]),
                scores=tuple(scores.get(r["id"], ())),
                points=r["points"],
                max_points=r["max_points"],
                praise=r["praise"],
                fix=r["fix"],
                feedback=Feedback(r["feedback"]),
                created_at=from_db_time(r["created_at"]),
            )
            for r in rows
        ]

    # --- for the owners' digest (system-scoped) -----------------------------------------------------------

    async def hygiene(self, team_id: int, since: datetime, until: datetime) -> CallHygiene:
        """Calls listened against the weekly target in every ISO week (in the plan's zone) that [since, until)
        touches; a review counts in the week it was saved in. Aggregates only: no names, no notes. Pass whole
        weeks for exact figures (each touched week carries the full weekly target); the current target is used
        for every week."""
        plan = await self._db.fetchone(
            "SELECT id, weekly_target, timezone FROM call_plans WHERE team_id = ?", (team_id,)
        )
        if plan is None:
            return CallHygiene(has_plan=False, weekly_target=0, weeks=())
        zone, target = plan["timezone"], int(plan["weekly_target"])
        rows = await self._db.fetchall(
            "SELECT created_at FROM call_reviews WHERE plan_id = ? AND created_at >= ? AND created_at < ?",
            (plan["id"], to_db_time(since), to_db_time(until)),
        )
        listened = Counter(week_of(from_db_time(r["created_at"]), zone) for r in rows)
        return CallHygiene(
            has_plan=True, weekly_target=target, weeks=tally_weeks(weeks_touched(since, until, zone), listened, target)
        )
