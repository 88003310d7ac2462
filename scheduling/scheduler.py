"""The scheduler behind a small interface. This is the only module that imports APScheduler.

Jobs are not the source of truth (the database is), so the job store is the in-memory one, rebuilt at every
start: no pickled callables, nothing shared between processes (APScheduler's FAQ warns that a shared job store
runs jobs twice). Job ids are deterministic, so re-planning replaces a job instead of adding one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

Job = Callable[[], Awaitable[None]]


class Scheduler(Protocol):
    def start(self) -> None: ...

    def shutdown(self) -> None: ...

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        """Run `job` every `seconds`, first after one interval; replaces a job with the same id."""
        ...

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        """Run `job` once at `when` (at once if it has passed); replaces a job with the same id."""
        ...


class APSchedulerAdapter:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": AsyncIOExecutor()},
            job_defaults={
                # The default (1 s) silently drops a run after any stall; a late tick is still wanted.
                "misfire_grace_time": None,
                # After a stall, one catch-up run is enough: the tick itself reads everything due.
                "coalesce": True,
                # A tick never overlaps itself.
                "max_instances": 1,
            },
            timezone=UTC,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        self._scheduler.add_job(job, IntervalTrigger(seconds=seconds, timezone=UTC), id=job_id, replace_existing=True)

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self._scheduler.add_job(
            job, DateTrigger(run_date=when.astimezone(UTC), timezone=UTC), id=job_id, replace_existing=True
        )
