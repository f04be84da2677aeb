"""Every scheduled job, in one place: its name, its cron expression (UTC) and what it does.

A job takes the APP container and gets what it needs from it; it must be safe to run again (a run that
crashed is not retried before its next slot, but `inkverse jobs run NAME` can repeat it at any time).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.queues.outbox import OutboxRelay
from inkverse.taddy.backfill import backfill_story_sizes
from inkverse.taddy.processing import StoryImageMeasurer

JobFunction = Callable[[AsyncContainer], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    schedule: str
    """A cron expression in UTC (minute hour day-of-month month day-of-week)."""
    run: JobFunction
    description: str


async def relay_outbox(container: AsyncContainer) -> None:
    relay = await container.get(OutboxRelay)
    while await relay.relay():
        pass


async def audit_image_sizes(container: AsyncContainer) -> None:
    await backfill_story_sizes(
        await container.get(async_sessionmaker[AsyncSession]), await container.get(StoryImageMeasurer)
    )


JOBS: Sequence[Job] = (
    Job(
        "outbox-relay",
        "* * * * *",
        relay_outbox,
        "send the follow-up messages a crash or an SQS failure left in the outbox",
    ),
    Job(
        "image-audit",
        "0 6 * * 0",
        audit_image_sizes,
        "measure story images whose size is still unknown (`inkverse taddy images backfill`)",
    ),
)


def job_named(name: str, jobs: Sequence[Job] = JOBS) -> Job | None:
    return next((job for job in jobs if job.name == name), None)
