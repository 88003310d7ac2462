"""The only place with SQL. `await open_store(path)` builds the Database and its repositories;
`storage.fsm.SQLiteStorage(store.db)` is the Dispatcher's FSM storage on the same connection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.calls import CallReviewRepo
from storage.case_reviews import CaseReviewRepo
from storage.column_choices import ColumnChoiceRepo
from storage.db import Database
from storage.deliveries import DeliveryRepo
from storage.digests import DigestRepo
from storage.failures import FailureRepo, SendFailure
from storage.groups import GroupRepo
from storage.invites import InviteRepo
from storage.member_plans import MemberPlanRepo
from storage.pdca import PdcaRepo
from storage.plans import PlanRepo
from storage.reminder_queue import ReminderQueue
from storage.reminders import ReminderRepo
from storage.reports import ReportRepo
from storage.runs import RunRepo
from storage.shares import SharedResultRepo
from storage.snapshots import SnapshotRepo
from storage.strategy import StrategyRepo
from storage.tasks import TaskRepo
from storage.teams import TeamRepo
from storage.training import TrainingRepo
from storage.uploads import UploadRepo
from storage.users import UserRepo
from storage.zone_change import ZoneChangeRepo

# storage.fsm (aiogram FSM storage) is imported only where the Dispatcher is built: aiogram is heavy.
__all__ = ["Database", "SendFailure", "Store", "open_store"]


@dataclass(frozen=True, slots=True)
class Store:
    db: Database
    users: UserRepo
    teams: TeamRepo
    invites: InviteRepo
    runs: RunRepo
    tasks: TaskRepo
    snapshots: SnapshotRepo
    mappings: ColumnChoiceRepo  # column choices remembered per export layout
    plans: PlanRepo
    reports: ReportRepo
    failures: FailureRepo
    reminders: ReminderRepo  # actor-scoped: a person's own reminders
    deliveries: DeliveryRepo  # actor-scoped: what a person answered to a reminder
    reminder_queue: ReminderQueue  # system-scoped: acts for no one, used by the reminder engine only
    uploads: UploadRepo  # system-scoped: files being processed, cleaned up at start after a crash
    pdca: PdcaRepo  # rituals (actor-scoped): Deming cycles
    calls: CallReviewRepo  # call listening
    training: TrainingRepo  # training modules
    strategy: StrategyRepo  # strategy milestones
    cases: CaseReviewRepo  # team case reviews
    digests: DigestRepo  # the owners' weekly digest: settings, its figures, the heads' nudge
    groups: GroupRepo  # team group chats: which group serves which team
    shares: SharedResultRepo  # results heads sent to owners (the digest reads for_team)
    member_plans: MemberPlanRepo  # members' own plan standing: the switch and who is who in plans
    zones: ZoneChangeRepo  # records with a zone of their own that follow a zone change

    async def close(self) -> None:
        await self.db.close()


async def open_store(path: str | Path) -> Store:
    db = await Database.open(path)
    return Store(
        db=db,
        users=UserRepo(db),
        teams=TeamRepo(db),
        invites=InviteRepo(db),
        runs=RunRepo(db),
        tasks=TaskRepo(db),
        snapshots=SnapshotRepo(db),
        mappings=ColumnChoiceRepo(db),
        plans=PlanRepo(db),
        reports=ReportRepo(db),
        failures=FailureRepo(db),
        reminders=ReminderRepo(db),
        deliveries=DeliveryRepo(db),
        reminder_queue=ReminderQueue(db),
        uploads=UploadRepo(db),
        pdca=PdcaRepo(db),
        calls=CallReviewRepo(db),
        training=TrainingRepo(db),
        strategy=StrategyRepo(db),
        cases=CaseReviewRepo(db),
        digests=DigestRepo(db),
        groups=GroupRepo(db),
        shares=SharedResultRepo(db),
        member_plans=MemberPlanRepo(db),
        zones=ZoneChangeRepo(db),
    )
