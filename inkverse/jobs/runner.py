"""Run each due job once, however many workers look, and record every run in `job_runs`.

A job is due when its latest cron slot at or before now has no run yet. Only that slot is run: a job
missed for several slots while no worker ran is caught up once, not once per slot. A run takes the
job's PostgreSQL advisory lock (session level, on its own connection) and checks again under it, so two
runners that find the same job due run it once. A failed run counts for its slot, as the original's
scheduled tasks have no retries; the next slot runs again.
"""

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from croniter import croniter
from dishka import AsyncContainer
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.jobs.registry import JOBS, Job

log = structlog.get_logger(__name__)

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
# A minutely job records 1,440 runs a day: older runs are dropped as each new run ends.
RUN_RETENTION = timedelta(days=30)
_LOCK_NAMESPACE = "inkverse.job:"


def lock_key(name: str) -> int:
    """The job's advisory-lock key: a stable signed 64-bit hash of its name."""
    digest = hashlib.blake2b(f"{_LOCK_NAMESPACE}{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def latest_slot(job: Job, now: datetime) -> datetime:
    """The job's latest cron slot at or before `now`."""
    minute = now.replace(second=0, microsecond=0)
    if croniter.match(job.schedule, minute):
        return minute
    previous: datetime = croniter(job.schedule, now).get_prev(datetime)
    return previous


def next_slot(job: Job, now: datetime) -> datetime:
    upcoming: datetime = croniter(job.schedule, now).get_next(datetime)
    return upcoming


@dataclass(frozen=True, slots=True)
class JobStatus:
    job: Job
    last_run: tables.JobRun | None
    next_run: datetime


class JobRunner:
    def __init__(
        self,
        container: AsyncContainer,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        jobs: Sequence[Job],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._container = container
        self._engine = engine
        self._sessionmaker = sessionmaker
        self._jobs = jobs
        self._clock = clock

    async def run_due(self) -> list[str]:
        """Run every job due now whose lock is free; the names of those run."""
        ran: list[str] = []
        for job in self._jobs:
            slot = latest_slot(job, self._clock())
            async with self._lock(job, wait=False) as held:
                if held and not await self._has_run_since(job, slot):
                    await self._run(job, slot)
                    ran.append(job.name)
        return ran

    async def run_now(self, job: Job, on_wait: Callable[[], object] = lambda: None) -> bool:
        """Run `job` now, after waiting for its lock if a worker holds it; True when it succeeded."""
        async with self._lock(job, wait=True, on_wait=on_wait):
            return await self._run(job, self._clock())

    async def loop(self, stop: asyncio.Event, interval_seconds: float) -> None:
        """Run due jobs every `interval_seconds` until `stop` is set."""
        while not stop.is_set():
            try:
                await self.run_due()
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database hiccup
                log.warning("jobs.loop_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)

    async def statuses(self) -> list[JobStatus]:
        now = self._clock()
        return [JobStatus(job, await self._last_run(job), next_slot(job, now)) for job in self._jobs]

    @contextlib.asynccontextmanager
    async def _lock(
        self, job: Job, *, wait: bool, on_wait: Callable[[], object] = lambda: None
    ) -> AsyncIterator[bool]:
        key = lock_key(job.name)
        async with self._engine.connect() as raw:
            connection = await raw.execution_options(isolation_level="AUTOCOMMIT")
            held = await _try_lock(connection, key)
            if not held and wait:
                on_wait()
                # Polled rather than `pg_advisory_lock`, which would outlast the driver's command timeout.
                while not held:
                    await asyncio.sleep(1.0)
                    held = await _try_lock(connection, key)
            try:
                yield held
            finally:
                if held:
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    async def _has_run_since(self, job: Job, slot: datetime) -> bool:
        async with self._sessionmaker() as session:
            latest = await session.scalar(
                select(func.max(tables.JobRun.scheduled_for)).where(tables.JobRun.name == job.name)
            )
        return latest is not None and latest >= slot

    async def _last_run(self, job: Job) -> tables.JobRun | None:
        async with self._sessionmaker() as session:
            last: tables.JobRun | None = await session.scalar(
                select(tables.JobRun)
                .where(tables.JobRun.name == job.name)
                .order_by(tables.JobRun.started_at.desc())
                .limit(1)
            )
        return last

    async def _run(self, job: Job, slot: datetime) -> bool:
        run_id = await self._record_start(job, slot)
        log.info("jobs.started", job=job.name, scheduled_for=slot.isoformat())
        try:
            await job.run(self._container)
        except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the runner goes on
            log.warning("jobs.failed", job=job.name, error=repr(exc))
            await self._record_end(job, run_id, FAILED, repr(exc))
            return False
        log.info("jobs.succeeded", job=job.name)
        await self._record_end(job, run_id, SUCCEEDED, None)
        return True

    async def _record_start(self, job: Job, slot: datetime) -> int:
        run = tables.JobRun(
            name=job.name, scheduled_for=slot, started_at=self._clock(), outcome=RUNNING, error=None
        )
        async with self._sessionmaker() as session, session.begin():
            session.add(run)
        return run.id

    async def _record_end(self, job: Job, run_id: int, outcome: str, error: str | None) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(tables.JobRun)
                .where(tables.JobRun.id == run_id)
                .values(finished_at=self._clock(), outcome=outcome, error=error)
            )
            await session.execute(
                delete(tables.JobRun).where(
                    tables.JobRun.id != run_id,
                    tables.JobRun.started_at < self._clock() - RUN_RETENTION,
                    tables.JobRun.name == job.name,
                )
            )


async def _try_lock(connection: AsyncConnection, key: int) -> bool:
    return bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))


async def build_job_runner(container: AsyncContainer, jobs: Sequence[Job] = JOBS) -> JobRunner:
    return JobRunner(
        container,
        await container.get(AsyncEngine),
        await container.get(async_sessionmaker[AsyncSession]),
        jobs,
    )
