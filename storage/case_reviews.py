"""Team case reviews: the series, cases and drafts, decisions and action items (actor-scoped), and the few reads the
reminder engine's render needs (system-scoped, named `*_for_render`: they act for no one and only read).

The head of the team manages the series, sees every case and every item; a member writes their own draft and
case and sees their own items. A forged id of another team reads as a missing one."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from domain.access import Permission
from domain.case_reviews import (
    ACTION_KIND,
    ActionItem,
    ActionItemGone,
    Case,
    CaseSeries,
    Decision,
    Draft,
    SeriesState,
    TeamMember,
)
from domain.errors import AccessDenied, NotFound
from domain.models import Role
from storage.access import require_in_team, role_in
from storage.db import Database, from_db_time, opt_from_db_time, to_db_time

_SERIES = (
    "s.id, s.team_id, s.head_id, s.weekday, s.at, s.interval_weeks, s.timezone, s.first_on, s.questions, s.state, "
    "s.nudge_reminder_id, s.escalation_reminder_id, s.agenda_reminder_id, s.created_at"
)
_CASE = (
    "c.id, c.series_id, c.review_on, c.author_id, u.display_name AS author_name, c.questions, c.answers, c.submitted_at"
)
_ACTION = (
    "a.id, a.series_id, s.team_id, a.review_on, a.assignee_id, u.display_name AS assignee_name, a.text, a.due_on, "
    "a.done_at, EXISTS(SELECT 1 FROM memberships m WHERE m.team_id = s.team_id AND m.user_id = a.assignee_id "
    "AND m.role = 'member') AS in_team"
)
_ACTION_FROM = "FROM case_actions a JOIN case_series s ON s.id = a.series_id JOIN users u ON u.id = a.assignee_id"


def _texts(raw: str) -> tuple[str, ...]:
    return tuple(str(x) for x in json.loads(raw))


def _dump(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _series(row: Any) -> CaseSeries:
    return CaseSeries(
        id=row["id"],
        team_id=row["team_id"],
        head_id=row["head_id"],
        weekday=row["weekday"],
        at=time.fromisoformat(row["at"]),
        interval=row["interval_weeks"],
        timezone=row["timezone"],
        first_on=date.fromisoformat(row["first_on"]),
        questions=_texts(row["questions"]),
        state=SeriesState(row["state"]),
        nudge_reminder_id=row["nudge_reminder_id"],
        escalation_reminder_id=row["escalation_reminder_id"],
        agenda_reminder_id=row["agenda_reminder_id"],
        created_at=from_db_time(row["created_at"]),
    )


def _case(row: Any) -> Case:
    return Case(
        id=row["id"],
        series_id=row["series_id"],
        review_on=date.fromisoformat(row["review_on"]),
        author_id=row["author_id"],
        author_name=row["author_name"],
        questions=_texts(row["questions"]),
        answers=_texts(row["answers"]),
        submitted_at=from_db_time(row["submitted_at"]),
    )


def _action(row: Any) -> ActionItem:
    return ActionItem(
        id=row["id"],
        series_id=row["series_id"],
        team_id=row["team_id"],
        review_on=date.fromisoformat(row["review_on"]),
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        text=row["text"],
        due_on=date.fromisoformat(row["due_on"]),
        done_at=opt_from_db_time(row["done_at"]),
        assignee_in_team=bool(row["in_team"]),
    )


class CaseReviewRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- the series -----------------------------------------------------------------------------------------------

    async def series_for(self, actor_id: int, team_id: int) -> CaseSeries | None:
        """The team's series, for anyone in the team (members send cases to it)."""
        if await role_in(self._db, actor_id, team_id) is None:
            raise NotFound(f"team {team_id}")
        row = await self._db.fetchone(f"SELECT {_SERIES} FROM case_series s WHERE s.team_id = ?", (team_id,))
        return None if row is None else _series(row)

    async def get_series(self, actor_id: int, series_id: int) -> CaseSeries:
        row = await self._db.fetchone(
            f"SELECT {_SERIES} FROM case_series s JOIN memberships m ON m.team_id = s.team_id AND m.user_id = ? "
            "WHERE s.id = ?",
            (actor_id, series_id),
        )
        if row is None:
            raise NotFound(f"case series {series_id}")
        return _series(row)

    async def _head_series(self, actor_id: int, series_id: int) -> CaseSeries:
        series = await self.get_series(actor_id, series_id)
        await require_in_team(self._db, actor_id, series.team_id, Permission.MANAGE_TEAM)
        return series

    async def save_series(
        self,
        actor_id: int,
        team_id: int,
        weekday: int,
        at: time,
        interval: int,
        timezone: str,
        first_on: date,
        now: datetime,
    ) -> CaseSeries:
        """Creates the team's series or changes its day, time and frequency (the template and state stay)."""
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.MANAGE_TEAM)
            await self._db.execute(
                "INSERT INTO case_series(team_id, head_id, weekday, at, interval_weeks, timezone, first_on, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(team_id) DO UPDATE SET "
                "head_id = excluded.head_id, weekday = excluded.weekday, at = excluded.at, "
                "interval_weeks = excluded.interval_weeks, timezone = excluded.timezone, first_on = excluded.first_on, "
                "state = 'active'",
                (
                    team_id,
                    actor_id,
                    weekday,
                    at.strftime("%H:%M"),
                    interval,
                    timezone,
                    first_on.isoformat(),
                    to_db_time(now),
                ),
            )
            series = await self.series_for(actor_id, team_id)
            assert series is not None
            return series

    async def set_reminders(
        self, actor_id: int, series_id: int, nudge: int | None, escalation: int | None, agenda: int | None
    ) -> CaseSeries:
        async with self._db.transaction():
            await self._head_series(actor_id, series_id)
            await self._db.execute(
                "UPDATE case_series SET nudge_reminder_id = ?, escalation_reminder_id = ?, agenda_reminder_id = ? "
                "WHERE id = ?",
                (nudge, escalation, agenda, series_id),
            )
            return await self.get_series(actor_id, series_id)

    async def set_questions(self, actor_id: int, series_id: int, questions: tuple[str, ...]) -> CaseSeries:
        """() restores the default template."""
        async with self._db.transaction():
            await self._head_series(actor_id, series_id)
            await self._db.execute("UPDATE case_series SET questions = ? WHERE id = ?", (_dump(questions), series_id))
            return await self.get_series(actor_id, series_id)

    async def set_state(self, actor_id: int, series_id: int, state: SeriesState) -> CaseSeries:
        async with self._db.transaction():
            await self._head_series(actor_id, series_id)
            await self._db.execute("UPDATE case_series SET state = ? WHERE id = ?", (state.value, series_id))
            return await self.get_series(actor_id, series_id)

    async def members(self, actor_id: int, team_id: int) -> list[TeamMember]:
        """The team's members (managers), in the order they joined."""
        if await role_in(self._db, actor_id, team_id) is None:
            raise NotFound(f"team {team_id}")
        return await self._members(team_id)

    async def _members(self, team_id: int) -> list[TeamMember]:
        rows = await self._db.fetchall(
            "SELECT m.user_id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id "
            "WHERE m.team_id = ? AND m.role = 'member' ORDER BY m.joined_at, m.user_id",
            (team_id,),
        )
        return [TeamMember(r["user_id"], r["display_name"]) for r in rows]

    # --- drafts and cases -------------------------------------------------------------------------------------------

    async def draft(self, actor_id: int, series_id: int) -> Draft | None:
        await self.get_series(actor_id, series_id)
        row = await self._db.fetchone(
            "SELECT questions, answers FROM case_drafts WHERE series_id = ? AND author_id = ?", (series_id, actor_id)
        )
        if row is None:
            return None
        return Draft(series_id, actor_id, _texts(row["questions"]), _texts(row["answers"]))

    async def start_draft(self, actor_id: int, series_id: int, questions: tuple[str, ...], now: datetime) -> Draft:
        """A new form (an unfinished one is started over)."""
        async with self._db.transaction():
            series = await self.get_series(actor_id, series_id)
            if await role_in(self._db, actor_id, series.team_id) is not Role.MEMBER:
                raise AccessDenied("submit_case")
            await self._db.execute(
                "INSERT INTO case_drafts(series_id, author_id, questions, answers, started_at) "
                "VALUES (?, ?, ?, '[]', ?) "
                "ON CONFLICT(series_id, author_id) DO UPDATE SET questions = excluded.questions, answers = '[]', "
                "started_at = excluded.started_at",
                (series_id, actor_id, _dump(questions), to_db_time(now)),
            )
            return Draft(series_id, actor_id, questions, ())

    async def answer_draft(self, actor_id: int, series_id: int, answer: str) -> Draft:
        async with self._db.transaction():
            draft = await self.draft(actor_id, series_id)
            if draft is None or draft.complete:
                raise NotFound(f"case draft {series_id}")
            answers = (*draft.answers, answer)
            await self._db.execute(
                "UPDATE case_drafts SET answers = ? WHERE series_id = ? AND author_id = ?",
                (_dump(answers), series_id, actor_id),
            )
            return Draft(series_id, actor_id, draft.questions, answers)

    async def drop_draft(self, actor_id: int, series_id: int) -> None:
        await self._db.execute_write(
            "DELETE FROM case_drafts WHERE series_id = ? AND author_id = ?", (series_id, actor_id)
        )

    async def submit(self, actor_id: int, series_id: int, review_on: date, now: datetime) -> tuple[Case, bool]:
        """The complete draft becomes the member's case for `review_on`; a case already sent for that review is
        replaced (one case per member and review). Returns the case and whether it replaced one."""
        async with self._db.transaction():
            draft = await self.draft(actor_id, series_id)
            if draft is None or not draft.complete:
                raise NotFound(f"case draft {series_id}")
            series = await self.get_series(actor_id, series_id)
            if await role_in(self._db, actor_id, series.team_id) is not Role.MEMBER:
                raise AccessDenied("submit_case")
            replaced = await self.own_case(actor_id, series_id, review_on) is not None
            await self._db.execute(
                "INSERT INTO cases(series_id, review_on, author_id, questions, answers, submitted_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(series_id, review_on, author_id) DO UPDATE SET "
                "questions = excluded.questions, answers = excluded.answers, submitted_at = excluded.submitted_at",
                (
                    series_id,
                    review_on.isoformat(),
                    actor_id,
                    _dump(draft.questions),
                    _dump(draft.answers[: len(draft.questions)]),
                    to_db_time(now),
                ),
            )
            await self.drop_draft(actor_id, series_id)
            case = await self.own_case(actor_id, series_id, review_on)
            assert case is not None
            return case, replaced

    async def own_case(self, actor_id: int, series_id: int, review_on: date) -> Case | None:
        row = await self._db.fetchone(
            f"SELECT {_CASE} FROM cases c JOIN users u ON u.id = c.author_id "
            "WHERE c.series_id = ? AND c.review_on = ? AND c.author_id = ?",
            (series_id, review_on.isoformat(), actor_id),
        )
        return None if row is None else _case(row)

    async def cases(self, actor_id: int, series_id: int, review_on: date) -> list[Case]:
        """Every case sent for the review (the head's agenda); a member sees only their own."""
        series = await self.get_series(actor_id, series_id)
        if await role_in(self._db, actor_id, series.team_id) is not Role.HEAD:
            own = await self.own_case(actor_id, series_id, review_on)
            return [] if own is None else [own]
        return await self._cases(series_id, review_on)

    async def _cases(self, series_id: int, review_on: date) -> list[Case]:
        rows = await self._db.fetchall(
            f"SELECT {_CASE} FROM cases c JOIN users u ON u.id = c.author_id "
            "WHERE c.series_id = ? AND c.review_on = ? ORDER BY c.submitted_at, c.id",
            (series_id, review_on.isoformat()),
        )
        return [_case(r) for r in rows]

    # --- decisions and action items ---------------------------------------------------------------------------------

    async def add_decision(self, actor_id: int, series_id: int, review_on: date, text: str, now: datetime) -> Decision:
        async with self._db.transaction():
            await self._head_series(actor_id, series_id)
            decision_id = await self._db.insert(
                "INSERT INTO case_decisions(series_id, review_on, text, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                (series_id, review_on.isoformat(), text, actor_id, to_db_time(now)),
            )
            return Decision(decision_id, series_id, review_on, text, now)

    async def decisions(self, actor_id: int, series_id: int, review_on: date) -> list[Decision]:
        await self._head_series(actor_id, series_id)
        rows = await self._db.fetchall(
            "SELECT id, series_id, review_on, text, created_at FROM case_decisions "
            "WHERE series_id = ? AND review_on = ? ORDER BY id",
            (series_id, review_on.isoformat()),
        )
        return [
            Decision(
                r["id"], r["series_id"], date.fromisoformat(r["review_on"]), r["text"], from_db_time(r["created_at"])
            )
            for r in rows
        ]

    async def add_action(
        self,
        actor_id: int,
        series_id: int,
        review_on: date,
        assignee_id: int,
        text: str,
        due_on: date,
        now: datetime,
    ) -> ActionItem:
        """An action item for a member of the team (someone who left since the list was shown: NotFound)."""
        async with self._db.transaction():
            series = await self._head_series(actor_id, series_id)
            if await role_in(self._db, assignee_id, series.team_id) is not Role.MEMBER:
                raise NotFound(f"member {assignee_id}")
            action_id = await self._db.insert(
                "INSERT INTO case_actions(series_id, review_on, assignee_id, text, due_on, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (series_id, review_on.isoformat(), assignee_id, text, due_on.isoformat(), actor_id, to_db_time(now)),
            )
            return await self.action(actor_id, action_id)

    async def action(self, actor_id: int, action_id: int) -> ActionItem:
        """The item for its member or a head of the team."""
        row = await self._db.fetchone(f"SELECT {_ACTION} {_ACTION_FROM} WHERE a.id = ?", (action_id,))
        if row is None:
            raise NotFound(f"case action {action_id}")
        item = _action(row)
        role = await role_in(self._db, actor_id, item.team_id)
        if role is not Role.HEAD and not (role is Role.MEMBER and item.assignee_id == actor_id):
            raise NotFound(f"case action {action_id}")
        return item

    async def actions(self, actor_id: int, series_id: int, only_open: bool = True) -> list[ActionItem]:
        """The head: every item of the team (of members who left too); a member: their own. Soonest due first."""
        series = await self.get_series(actor_id, series_id)
        role = await role_in(self._db, actor_id, series.team_id)
        where = "a.series_id = ?" + (" AND a.done_at IS NULL" if only_open else "")
        params: tuple[Any, ...] = (series_id,)
        if role is not Role.HEAD:
            where += " AND a.assignee_id = ?"
            params = (series_id, actor_id)
        rows = await self._db.fetchall(
            f"SELECT {_ACTION} {_ACTION_FROM} WHERE {where} ORDER BY a.done_at IS NOT NULL, a.due_on, a.id", params
        )
        return [_action(r) for r in rows]

    async def mark_done(self, actor_id: int, action_id: int, now: datetime) -> ActionItem:
        """Done by its member (or the head); its reminder ends, pending snoozes included. Twice: ActionItemGone."""
        async with self._db.transaction():
            item = await self.action(actor_id, action_id)
            if not item.open:
                raise ActionItemGone(action_id)
            await self._db.execute("UPDATE case_actions SET done_at = ? WHERE id = ?", (to_db_time(now), action_id))
            await self._db.execute(
                "UPDATE reminders SET state = 'finished', next_due_at = NULL WHERE kind = ? AND subject_id = ?",
                (ACTION_KIND, action_id),
            )
            await self._db.execute(
                "DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN "
                "(SELECT id FROM reminders WHERE kind = ? AND subject_id = ?)",
                (ACTION_KIND, action_id),
            )
            return await self.action(actor_id, action_id)

    # --- the group ----------------------------------------------------------------------------------------------------

    async def record_group_post(
        self, actor_id: int, series_id: int, review_on: date, chat_id: int, now: datetime
    ) -> bool:
        """False when the agenda of this review was posted to the group already (a second tap sends nothing)."""
        async with self._db.transaction():
            await self._head_series(actor_id, series_id)
            changed = await self._db.execute_write(
                "INSERT INTO case_group_posts(series_id, review_on, chat_id, posted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (series_id, review_on.isoformat(), chat_id, to_db_time(now)),
            )
            return changed == 1

    async def forget_group_post(self, actor_id: int, series_id: int, review_on: date) -> None:
        """The send failed: a later tap may try again."""
        await self._head_series(actor_id, series_id)
        await self._db.execute_write(
            "DELETE FROM case_group_posts WHERE series_id = ? AND review_on = ?", (series_id, review_on.isoformat())
        )

    # --- system-scoped reads for the engine's render (act for no one) ----------------------------------------------

    async def series_for_render(self, series_id: int) -> CaseSeries | None:
        row = await self._db.fetchone(f"SELECT {_SERIES} FROM case_series s WHERE s.id = ?", (series_id,))
        return None if row is None else _series(row)

    async def members_for_render(self, team_id: int) -> list[TeamMember]:
        return await self._members(team_id)

    async def cases_for_render(self, series_id: int, review_on: date) -> list[Case]:
        return await self._cases(series_id, review_on)

    async def action_for_render(self, action_id: int) -> ActionItem | None:
        row = await self._db.fetchone(f"SELECT {_ACTION} {_ACTION_FROM} WHERE a.id = ?", (action_id,))
        return None if row is None else _action(row)
