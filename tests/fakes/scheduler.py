"""A scheduler that records what was planned and runs it only when a test says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduling.scheduler import Job


@dataclass
class PlannedJob:
    job_id: str
    job: Job
    when: datetime | None  # one-off time
    every: timedelta | None


class RecordingScheduler:
    def __init__(self) -> None:
        self.jobs: dict[str, PlannedJob] = {}
        self.started = False

    def start(self) -> None:
        self.started = True

    def shutdown(self) -> None:
        self.started = False

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        self.jobs[job_id] = PlannedJob(job_id, job, None, timedelta(seconds=seconds))

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self.jobs[job_id] = PlannedJob(job_id, job, when, None)

    def when(self, job_id: str) -> datetime | None:
        planned = self.jobs.get(job_id)
        return None if planned is None else planned.when

    async def run_due(self, now: datetime, rounds: int = 20) -> int:
        """Run every one-off job whose time has come (then forget it), again while jobs re-plan themselves for a
        moment already past, as APScheduler would; returns how many ran."""
        ran = 0
        for _ in range(rounds):
            due = [p for p in self.jobs.values() if p.when is not None and p.when <= now]
            if not due:
                break
            for planned in due:
                if self.jobs.get(planned.job_id) is planned:
                    del self.jobs[planned.job_id]
                await planned.job()
                ran += 1
        return ran

    async def run(self, job_id: str) -> None:
        await self.jobs[job_id].job()
