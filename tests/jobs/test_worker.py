"""The worker runs the scheduled jobs only when `WORKER_RUN_JOBS` is on: every job due, on start."""

import asyncio

from dishka import AsyncContainer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.container import build_container
from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import JOBS
from inkverse.settings import Settings, WorkerSettings
from inkverse.worker.runner import serve
from tests.fixtures.queues import eventually

DEADLINE_SECONDS = 30


async def test_a_worker_with_run_jobs_runs_every_job_due_on_start(
    container: AsyncContainer, engine: AsyncEngine, settings: Settings, queues: None
) -> None:
    worker = WorkerSettings(shutdown_grace_seconds=5, run_jobs=True, jobs_poll_interval_seconds=0.2)
    worker_container = build_container(settings.model_copy(update={"worker": worker}), "test")
    sessionmaker = make_sessionmaker(engine)

    async def finished_runs() -> list[tuple[str, str]]:
        async with sessionmaker() as session:
            runs = await session.scalars(select(tables.JobRun).where(tables.JobRun.finished_at.is_not(None)))
            return sorted((run.name, run.outcome) for run in runs)

    async def both_ran() -> bool:
        return {name for name, _ in await finished_runs()} == {job.name for job in JOBS}

    stop = asyncio.Event()
    serving = asyncio.create_task(serve(worker_container, stop))
    try:
        await eventually(both_ran, DEADLINE_SECONDS)
    finally:
        stop.set()
        await asyncio.wait_for(serving, DEADLINE_SECONDS)
        await worker_container.close()
    assert set(await finished_runs()) == {(job.name, "succeeded") for job in JOBS}
