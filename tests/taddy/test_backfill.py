"""`inkverse taddy images backfill`: the same skip rule, `updated_at` and purges as the worker's sizing."""

from datetime import datetime

from dishka import AsyncContainer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.cache.purge import CacheType
from inkverse.database import tables
from inkverse.taddy.backfill import backfill_story_sizes
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor
from tests.fixtures.taddy_payloads import issue_data, new_uuid, series_data
from tests.taddy.conftest import ImageServer, RecordingPurger
from tests.taddy.test_processing import served_stories, webhook

Stories = dict[str, tuple[int | None, datetime | None]]


async def stories(sessionmaker: async_sessionmaker[AsyncSession]) -> Stories:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(tables.ComicStory.uuid, tables.ComicStory.width, tables.ComicStory.updated_at)
        )
    return {uuid: (width, updated_at) for uuid, width, updated_at in rows}


async def test_backfill_skips_exclusive_issues_stamps_and_purges(
    pipeline: AsyncContainer,
    engine: AsyncEngine,
    queues: None,
    images: ImageServer,
    purger: RecordingPurger,
) -> None:
    processor = await pipeline.get(WebhookProcessor)
    series = series_data()
    await processor.process(webhook("comicseries", "created", series))
    free_uuid, exclusive_uuid = new_uuid(), new_uuid()
    free = served_stories(images, series["uuid"], free_uuid, 2)
    exclusive = served_stories(images, series["uuid"], exclusive_uuid, 1)
    await processor.process(webhook("comicissue", "created", issue_data(series["uuid"], free_uuid, free)))
    await processor.process(
        webhook("comicissue", "created",
                issue_data(series["uuid"], exclusive_uuid, exclusive, scopesForExclusiveContent=["patreon"]))
    )  # fmt: skip
    sessionmaker = async_sessionmaker(engine)
    before = await stories(sessionmaker)
    purger.purges.clear()

    measured = await backfill_story_sizes(sessionmaker, await pipeline.get(StoryImageMeasurer))

    assert measured == (2, 2)
    assert images.requests == 2  # the exclusive issue's image was never downloaded
    after = await stories(sessionmaker)
    assert after[exclusive[0]["uuid"]] == before[exclusive[0]["uuid"]]
    for story in free:
        width, updated_at = after[story["uuid"]]
        assert width == 800
        assert updated_at is not None
        assert updated_at != before[story["uuid"]][1]
    purged = {purge.cache_type: purge for purge in purger.purges}
    assert sorted(purged[CacheType.COMICSTORY].ids) == sorted(story["uuid"] for story in free)
    assert purged[CacheType.COMICISSUE].ids == (free_uuid,)
    assert await backfill_story_sizes(sessionmaker, await pipeline.get(StoryImageMeasurer)) == (0, 0)
