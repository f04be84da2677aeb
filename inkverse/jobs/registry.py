"""Every scheduled job, in one place: its name, its cron expression (UTC) and what it does.

A job takes the APP container and gets what it needs from it; it must be safe to run again (a run that
crashed is not retried before its next slot, but `inkverse jobs run NAME` can repeat it at any time).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.cache.purge import CachePurger
from inkverse.cloudflare.storage import ObjectStore
from inkverse.jobs.sitemap import SitemapBuilder
from inkverse.messaging.push import ExpoPushClient
from inkverse.notifications.cleanup import NotificationCleanup
from inkverse.notifications.digest import DigestStager
from inkverse.notifications.receipts import check_push_receipts
from inkverse.queues.outbox import RELAY_BATCH, OutboxRelay
from inkverse.settings import Settings
from inkverse.taddy.backfill import backfill_story_sizes
from inkverse.taddy.oauth import TaddyAuthClient
from inkverse.taddy.processing import StoryImageMeasurer
from inkverse.users.hosting_providers import HostingProviderKeys
from inkverse.users.hosting_token_refresh import HostingTokenRefresher

log = structlog.get_logger(__name__)

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


async def send_creator_digests(container: AsyncContainer) -> None:
    """Stage the digests of the windows still unsent, then hand them to the queue (the outbox relay
    retries whatever SQS does not take now)."""
    settings = await container.get(Settings)
    stager = DigestStager(await container.get(async_sessionmaker[AsyncSession]), queue=settings.worker.queue)
    staged = await stager.stage()
    relay = await container.get(OutboxRelay)
    for first in range(0, len(staged.outbox_ids), RELAY_BATCH):
        await relay.relay(staged.outbox_ids[first : first + RELAY_BATCH])
    windows = [window.start.isoformat() for window in staged.windows]
    log.info("digest.staged", windows=windows, recipients=staged.recipients, messages=len(staged.outbox_ids))


async def write_sitemaps(container: AsyncContainer) -> None:
    settings = await container.get(Settings)
    builder = SitemapBuilder(
        await container.get(async_sessionmaker[AsyncSession]),
        await container.get(ObjectStore),
        await container.get(CachePurger),
        website_url=settings.server.website_url,
        max_urls=settings.sitemap.max_urls,
        production=settings.server.is_production,
    )
    await builder.build()


async def delete_old_notifications(container: AsyncContainer) -> None:
    counts = await NotificationCleanup(await container.get(async_sessionmaker[AsyncSession])).run()
    log.info("notifications.cleaned", notifications=counts.notifications, deliveries=counts.deliveries)


async def refresh_hosting_provider_tokens(container: AsyncContainer) -> None:
    refresher = HostingTokenRefresher(
        await container.get(async_sessionmaker[AsyncSession]),
        await container.get(TaddyAuthClient),
        await container.get(HostingProviderKeys),
    )
    await refresher.refresh_expiring()


async def read_push_receipts(container: AsyncContainer) -> None:
    await check_push_receipts(
        await container.get(async_sessionmaker[AsyncSession]), await container.get(ExpoPushClient)
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
    Job(
        "creator-digest",
        "5 14 * * *",
        send_creator_digests,
        "push and e-mail each creator the likes and comments of the day window(s) not yet sent",
    ),
    Job(
        "sitemap",
        "0 1 * * *",
        write_sitemaps,
        "write the comicseries and creator sitemaps to R2 and purge them from the CDN",
    ),
    Job(
        "delete-old-notifications",
        "25 16 * * *",
        delete_old_notifications,
        "delete new-episode notifications older than 180 days and delivery records older than 30",
    ),
    Job(
        "hosting-provider-tokens",
        "0 6 * * 1",
        refresh_hosting_provider_tokens,
        "refresh the stored Taddy OAuth tokens that expire within 3 days",
    ),
    Job(
        "push-receipts",
        "*/15 * * * *",
        read_push_receipts,
        "read the receipts of push tickets older than 15 minutes, prune dead devices, forget old tickets",
    ),
)


def job_named(name: str, jobs: Sequence[Job] = JOBS) -> Job | None:
    return next((job for job in jobs if job.name == name), None)
