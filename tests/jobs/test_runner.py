"""The scheduler: each due job runs once however many runners look, and a missed slot is caught up once."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from dishka import AsyncContainer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import Job
from inkverse.jobs.runner import JobRunner, latest_slot

Sessionmaker = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 12, 4, 14, 7, 30, tzinfo=UTC)
DEADLINE_SECONDS = 30


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return make_sessionmaker(engine)


class CountingJob:
    """A job that counts its runs; with `gate` set, each run waits for the gate to open."""

    def __init__(self, gated: bool = False) -> None:
        self.runs = 0
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()

    async def __call__(self, _container: AsyncContainer) -> None:
        self.runs += 1
        self.started.set()
        await self.gate.wait()


def runner_for(
    container: AsyncContainer, engine: AsyncEngine, job: Job, clock: Callable[[], datetime] = lambda: NOW
) -> JobRunner:
    return JobRunner(container, engine, make_sessionmaker(engine), [job], clock)


async def runs_of(sessionmaker: Sessionmaker, name: str) -> list[tables.JobRun]:
    async with sessionmaker() as session:
        return list((await session.scalars(select(tables.JobRun).where(tables.JobRun.name == name))).all())


def test_latest_slot_is_the_cron_slot_at_or_before_now() -> None:
    digest = Job("digest", "5 14 * * *", CountingJob(), "")
    assert latest_slot(digest, NOW) == datetime(2026, 12, 4, 14, 5, tzinfo=UTC)
    assert latest_slot(digest, datetime(2026, 12, 4, 14, 5, tzinfo=UTC)) == datetime(
        2026, 12, 4, 14, 5, tzinfo=UTC
    )
    assert latest_slot(digest, datetime(2026, 12, 4, 14, 4, tzinfo=UTC)) == datetime(
        2026, 12, 3, 14, 5, tzinfo=UTC
    )


async def test_two_runners_started_together_run_a_due_job_once(
    container: AsyncContainer, engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    work = CountingJob(gated=True)
    job = Job("digest", "5 14 * * *", work, "")
    first, second = runner_for(container, engine, job), runner_for(container, engine, job)

    tasks = [asyncio.create_task(first.run_due()), asyncio.create_task(second.run_due())]
    # One runner holds the lock and waits at the gate: the other must give up on the job, not run it too.
    done, _ = await asyncio.wait(tasks, timeout=DEADLINE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1
    assert done.pop().result() == []
    work.gate.set()
    results = await asyncio.gather(*tasks)

    assert work.runs == 1
    assert sorted(results) == [[], ["digest"]]
    [run] = await runs_of(sessionmaker, "digest")
    assert (run.scheduled_for, run.outcome) == (datetime(2026, 12, 4, 14, 5, tzinfo=UTC), "succeeded")
    assert run.finished_at is not None


async def test_a_job_that_already_ran_for_its_slot_does_not_run_again(
    container: AsyncContainer, engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    work = CountingJob()
    runner = runner_for(container, engine, Job("digest", "5 14 * * *", work, ""))

    assert await runner.run_due() == ["digest"]
    assert await runner.run_due() == []
    assert work.runs == 1


async def test_a_job_missed_while_down_runs_once_on_start(
    container: AsyncContainer, engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    three_days_ago = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.JobRun(
                name="digest", scheduled_for=three_days_ago, started_at=three_days_ago,
                finished_at=three_days_ago, outcome="succeeded",
            )
        )  # fmt: skip
    work = CountingJob()
    runner = runner_for(container, engine, Job("digest", "5 14 * * *", work, ""))

    assert await runner.run_due() == ["digest"]
    assert await runner.run_due() == []

    assert work.runs == 1
    slots = sorted(run.scheduled_for for run in await runs_of(sessionmaker, "digest"))
    assert slots == [three_days_ago, datetime(2026, 12, 4, 14, 5, tzinfo=UTC)]


async def test_the_next_slot_runs_again_and_a_failure_is_recorded(
    container: AsyncContainer, engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    now = [NOW]

    async def fails(_container: AsyncContainer) -> None:
        raise RuntimeError("bucket unreachable")

    runner = runner_for(container, engine, Job("sitemap", "0 * * * *", fails, ""), lambda: now[0])
    assert await runner.run_due() == ["sitemap"]
    assert await runner.run_due() == []
    now[0] = NOW + timedelta(hours=1)
    assert await runner.run_due() == ["sitemap"]

    runs = await runs_of(sessionmaker, "sitemap")
    assert [(run.outcome, run.error) for run in runs] == [
        ("failed", "RuntimeError('bucket unreachable')")
    ] * 2


async def test_runs_older_than_30_days_are_dropped_as_a_new_run_ends(
    container: AsyncContainer, engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    async with sessionmaker() as session, session.begin():
        for name, moment in (("relay", old), ("relay", recent), ("other", old)):
            session.add(
                tables.JobRun(name=name, scheduled_for=moment, started_at=moment, outcome="succeeded")
            )
    runner = runner_for(container, engine, Job("relay", "* * * * *", CountingJob(), ""))

    assert await runner.run_due() == ["relay"]

    assert sorted(run.started_at for run in await runs_of(sessionmaker, "relay")) == [recent, NOW]
    assert [run.started_at for run in await runs_of(sessionmaker, "other")] == [old]
