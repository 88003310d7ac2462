"""Members' own plans: whether the head lets managers see their standing, and which plan/export name is whose.

A member reads only their own figures: `own` returns their plan and their line of the latest export snapshot,
picked here; other managers' rows never leave this module."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.access import Permission
from domain.errors import NotFound
from domain.models import Role
from domain.my_plan import ExportFacts, ManagerLine, OwnPlanFacts
from storage.access import require_in_team
from storage.db import Database, opt_from_db_date


def name_key(name: str) -> str:
    """Plans typed in the bot and names in an export differ in case and spacing (as analytics.metrics_people)."""
    return " ".join(name.split()).casefold()


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _own_line(metrics_json: str, manager: str) -> tuple[str | None, ManagerLine | None]:
    data = json.loads(metrics_json)
    metrics: dict[str, Any] = data.get("metrics", {}) if isinstance(data, dict) else {}
    key = name_key(manager)
    for line in metrics.get("managers") or ():
        if isinstance(line, dict) and name_key(str(line.get("manager", ""))) == key:
            revenue = _opt_float(line.get("revenue"))
            if not metrics.get("revenue_by_month") and metrics.get("month") is None:
                revenue = None  # amounts unknown in this export (see domain.digest.snapshot_figures)
            plan, over = _opt_float(line.get("plan")), _opt_float(line.get("over_plan"))
            return metrics.get("currency"), ManagerLine(revenue=revenue, plan=plan, over_plan=over)
    return metrics.get("currency"), None


class MemberPlanRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def visible(self, team_id: int) -> bool:
        row = await self._db.fetchone("SELECT members_see FROM member_plan_settings WHERE team_id = ?", (team_id,))
        return row is not None and bool(row["members_see"])

    async def set_visible(self, actor_id: int, team_id: int, on: bool) -> None:
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            await self._db.execute(
                "INSERT INTO member_plan_settings(team_id, members_see) VALUES (?, ?) "
                "ON CONFLICT(team_id) DO UPDATE SET members_see = excluded.members_see",
                (team_id, int(on)),
            )

    async def links(self, actor_id: int, team_id: int) -> dict[int, str]:
        """{member's user id: their name in plans and exports} (the head's linking screen)."""
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        rows = await self._db.fetchall(
            "SELECT n.user_id, n.manager FROM member_plan_names n "
            "JOIN memberships m ON m.team_id = n.team_id AND m.user_id = n.user_id AND m.role = 'member' "
            "WHERE n.team_id = ?",
            (team_id,),
        )
        return {r["user_id"]: r["manager"] for r in rows}

    async def link(self, actor_id: int, team_id: int, user_id: int, manager: str | None) -> None:
        """Say who the member is in plans and exports (None: unlink). A person who is not a member: NotFound."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            row = await self._db.fetchone(
                "SELECT role FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, user_id)
            )
            if row is None or row["role"] != Role.MEMBER.value:
                raise NotFound(f"member {user_id}")
            if manager is None:
                await self._db.execute(
                    "DELETE FROM member_plan_names WHERE team_id = ? AND user_id = ?", (team_id, user_id)
                )
                return
            await self._db.execute(
                "INSERT INTO member_plan_names(team_id, user_id, manager) VALUES (?, ?, ?) "
                "ON CONFLICT(team_id, user_id) DO UPDATE SET manager = excluded.manager",
                (team_id, user_id, manager),
            )

    async def own(self, actor_id: int, team_id: int, month: str) -> OwnPlanFacts:
        """The member's own facts for `month` ("YYYY-MM"): their plan and their line of the latest export."""
        await require_in_team(self._db, actor_id, team_id, Permission.VIEW_OWN_PLAN)
        visible = await self.visible(team_id)
        if not visible:
            return OwnPlanFacts(visible=False, manager=None, month=month, plan=None, export=None)
        row = await self._db.fetchone(
            "SELECT manager FROM member_plan_names WHERE team_id = ? AND user_id = ?", (team_id, actor_id)
        )
        if row is None:
            return OwnPlanFacts(visible=True, manager=None, month=month, plan=None, export=None)
        manager: str = row["manager"]
        plans = await self._db.fetchall(
            "SELECT manager, amount FROM manager_plans WHERE team_id = ? AND month = ?", (team_id, month)
        )
        own_plans = [float(p["amount"]) for p in plans if name_key(p["manager"]) == name_key(manager)]
        plan = sum(own_plans) if own_plans else None
        latest = await self._db.fetchone(
            "SELECT period_start, period_end, metrics_json FROM metric_snapshots WHERE team_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (team_id,),
        )
        export = None
        if latest is not None:
            currency, line = _own_line(latest["metrics_json"], manager)
            start: date | None = opt_from_db_date(latest["period_start"])
            end: date | None = opt_from_db_date(latest["period_end"])
            export = ExportFacts(period_start=start, period_end=end, currency=currency, line=line)
        return OwnPlanFacts(visible=True, manager=manager, month=month, plan=plan, export=export)

    async def plan_names(self, actor_id: int, team_id: int) -> list[str]:
        """The names the head can link a member to: those of the team's plans and of the latest export."""
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        rows = await self._db.fetchall("SELECT DISTINCT manager FROM manager_plans WHERE team_id = ?", (team_id,))
        names = {name_key(r["manager"]): r["manager"] for r in rows}
        latest = await self._db.fetchone(
            "SELECT metrics_json FROM metric_snapshots WHERE team_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
            (team_id,),
        )
        if latest is not None:
            data = json.loads(latest["metrics_json"])
            metrics = data.get("metrics", {}) if isinstance(data, dict) else {}
            for line in metrics.get("managers") or ():
                if isinstance(line, dict) and line.get("manager"):
                    names.setdefault(name_key(str(line["manager"])), str(line["manager"]))
        return sorted(names.values(), key=name_key)
