"""Webhook processing end to end inside the worker: writes, image sizes, follow-up push, purges."""

import json
import time
from collections.abc import Sequence
from typing import Any

import pytest
from dishka import AsyncContainer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.cache.purge import CacheType
from inkverse.catalog.changes import Outcome
from inkverse.database import tables
from inkverse.errors import ValidationError
from inkverse.queues.client import QueueClient
from inkverse.queues.messages import MeasureStoryImages
from inkverse.queues.outbox import OutboxRelay
from inkverse.queues.producer import QueueProducer
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook
from tests.fixtures.taddy_payloads import image_json, issue_data, new_uuid, series_data, story_data
from tests.taddy.conftest import ImageServer, RecordingPurger

QUEUE = "INKVERSE_HIGH_PRIORITY"
IMAGE_QUEUE = "INKVERSE_IMAGES"
NOW = int(time.time())
"""New-episode pushes are staged only for issues published within the last 7 days."""


def webhook(taddy_type: str, action: str, data: dict[str, Any] | None, timestamp: int = 100) -> TaddyWebhook:
    uuid = data["uuid"] if data else new_uuid()
    return TaddyWebhook.model_validate(
        {"uuid": uuid, "taddyType": taddy_type, "action": action, "timestamp": timestamp, "data": data}
    )


def served_stories(
    images: ImageServer, series_uuid: str, issue_uuid: str, count: int
) -> list[dict[str, Any]]:
    return [
        story_data(series_uuid, issue_uuid,
                   storyImageAsString=image_json(base_url=f"{images.url}/{series_uuid}/{n}/", story="story.webp"))
        for n in range(count)
    ]  # fmt: skip


async def relayed(container: AsyncContainer) -> None:
    """Wait for the follow-ups processing handed to the outbox's background relay."""
    await (await container.get(OutboxRelay)).wait_idle()


async def queued(container: AsyncContainer) -> list[dict[str, Any]]:
    await relayed(container)
    messages = await (await container.get(QueueClient)).receive(QUEUE, wait_seconds=1)
    return [json.loads(message.body) for message in messages]


async def image_requests(container: AsyncContainer) -> list[MeasureStoryImages]:
    await relayed(container)
    messages = await (await container.get(QueueClient)).receive(IMAGE_QUEUE, wait_seconds=1)
    return [MeasureStoryImages.model_validate_json(message.body) for message in messages]


async def story_sizes(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[int | None, int | None]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(tables.ComicStory.width, tables.ComicStory.height))
    return [(width, height) for width, height in rows]


@pytest.fixture
async def processor(pipeline: AsyncContainer, engine: AsyncEngine, queues: None) -> WebhookProcessor:
    return await pipeline.get(WebhookProcessor)


@pytest.fixture
def sessionmaker(pipeline: AsyncContainer, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine)


async def test_new_issue_is_stored_sized_pushed_and_purged(
    processor: WebhookProcessor,
    pipeline: AsyncContainer,
    images: ImageServer,
    purger: RecordingPurger,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    series = series_data()
    await processor.process(webhook("comicseries", "created", series))
    issue_uuid = new_uuid()
    stories = served_stories(images, series["uuid"], issue_uuid, 3)
    result = await processor.process(
        webhook("comicissue", "created", issue_data(series["uuid"], issue_uuid, stories, datePublished=NOW))
    )

    assert result is not None
    assert result.outcome is Outcome.CREATED
    await relayed(pipeline)
    async with sessionmaker() as session:
        outbox = await session.scalar(select(func.count()).select_from(tables.QueueOutbox))
    assert outbox == 0
    # Images are not fetched in the event's path: a follow-up on the image queue asks for them.
    assert images.requests == 0
    assert await story_sizes(sessionmaker) == [(None, None)] * 3
    [request] = await image_requests(pipeline)
    assert request.issue_uuid == issue_uuid
    assert sorted(request.story_uuids) == sorted(story["uuid"] for story in stories)
    assert await queued(pipeline) == [
        {"type": "SEND_PUSH_NOTIFICATION", "pushNotificationType": "NEW_EPISODE_RELEASED",
         "issueUuid": issue_uuid, "seriesUuid": series["uuid"]}
    ]  # fmt: skip
    kinds = {purge.cache_type for purge in purger.purges}
    assert {CacheType.COMICSERIES, CacheType.RECENTLY_ADDED, CacheType.COMICISSUE,
            CacheType.COMICISSUE_FOR_SERIES, CacheType.COMICSTORY, CacheType.RECENTLY_UPDATED} <= kinds  # fmt: skip
    issue_purge = next(p for p in purger.purges if p.cache_type is CacheType.COMICISSUE)
    assert issue_purge.short_url == "the-lighthouse-keeper"
    assert issue_purge.name == "Episode 3: The Lighthouse"

    purger.purges.clear()
    await (await pipeline.get(StoryImageMeasurer)).measure(request)
    assert await story_sizes(sessionmaker) == [(800, 1280)] * 3
    sized = {purge.cache_type: purge for purge in purger.purges}
    assert sorted(sized[CacheType.COMICSTORY].ids) == sorted(request.story_uuids)
    assert sized[CacheType.COMICISSUE].name == "Episode 3: The Lighthouse"


async def test_repeated_created_sends_no_second_push(
    processor: WebhookProcessor, pipeline: AsyncContainer, images: ImageServer
) -> None:
    series = series_data()
    stories = served_stories(images, series["uuid"], new_uuid(), 1)
    issue = issue_data(series["uuid"], stories=stories, datePublished=NOW)
    await processor.process(webhook("comicseries", "created", series))
    await processor.process(webhook("comicissue", "created", issue))
    assert len(await queued(pipeline)) == 1
    again = await processor.process(webhook("comicissue", "created", issue))
    assert again is not None
    assert again.outcome is not Outcome.CREATED
    assert await queued(pipeline) == []


async def test_exclusive_issue_images_are_not_downloaded(
    processor: WebhookProcessor, pipeline: AsyncContainer, images: ImageServer
) -> None:
    series = series_data()
    issue = issue_data(series["uuid"], stories=served_stories(images, series["uuid"], new_uuid(), 2),
                       scopesForExclusiveContent=["patreon"])  # fmt: skip
    await processor.process(webhook("comicissue", "created", issue))
    assert await image_requests(pipeline) == []
    assert images.requests == 0


async def test_image_failures_leave_sizes_empty(
    processor: WebhookProcessor,
    pipeline: AsyncContainer,
    images: ImageServer,
    purger: RecordingPurger,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    series = series_data()
    issue_uuid = new_uuid()
    broken = story_data(series["uuid"], issue_uuid,
                        storyImageAsString=image_json(base_url=f"{images.url}/x/", story="missing.webp"))  # fmt: skip
    result = await processor.process(
        webhook("comicissue", "created", issue_data(series["uuid"], issue_uuid, [broken]))
    )
    assert result is not None
    assert result.outcome is Outcome.CREATED
    [request] = await image_requests(pipeline)
    purger.purges.clear()
    assert await (await pipeline.get(StoryImageMeasurer)).measure(request) == {}
    assert images.requests == 1
    assert await story_sizes(sessionmaker) == [(None, None)]
    assert purger.purges == []


@pytest.mark.parametrize(
    ("taddy_type", "action"), [("comicseries", "new_issues_released"), ("creator", "new_content_released")]
)
async def test_release_notices_are_acknowledged_without_writes(
    processor: WebhookProcessor, purger: RecordingPurger, taddy_type: str, action: str
) -> None:
    assert await processor.process(webhook(taddy_type, action, {"uuid": new_uuid()})) is None
    assert purger.purges == []


async def test_invalid_payload_raises_and_writes_nothing(
    processor: WebhookProcessor, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    with pytest.raises(ValidationError, match="name"):
        await processor.process(webhook("comicseries", "created", series_data(name=["not", "a", "string"])))
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(tables.ComicSeries)) == 0


async def test_push_survives_a_queue_failure_after_commit(
    processor: WebhookProcessor,
    pipeline: AsyncContainer,
    images: ImageServer,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    producer = await pipeline.get(QueueProducer)
    real_send_batch = producer.send_batch

    async def unavailable(queue: str, messages: Sequence[Any]) -> list[str | None]:
        return ["ConnectionError: SQS unreachable"] * len(messages)

    monkeypatch.setattr(producer, "send_batch", unavailable)
    series = series_data()
    issue = issue_data(series["uuid"], stories=0, datePublished=NOW)
    await processor.process(webhook("comicissue", "created", issue))
    await relayed(pipeline)
    async with sessionmaker() as session:
        waiting = (await session.scalars(select(tables.QueueOutbox))).all()
    assert len(waiting) == 1
    assert waiting[0].attempts == 1

    assert waiting[0].next_attempt_at is not None  # retried after a delay

    monkeypatch.setattr(producer, "send_batch", real_send_batch)

    async with sessionmaker() as session, session.begin():
        await session.execute(update(tables.QueueOutbox).values(next_attempt_at=None))  # the delay is over
    assert await (await pipeline.get(OutboxRelay)).relay() == 1
    assert [message["pushNotificationType"] for message in await queued(pipeline)] == ["NEW_EPISODE_RELEASED"]


async def test_deleted_series_purges_its_issues_and_stories(
    processor: WebhookProcessor, purger: RecordingPurger, images: ImageServer
) -> None:
    series = series_data()
    await processor.process(webhook("comicseries", "created", series))
    issue = issue_data(series["uuid"], stories=served_stories(images, series["uuid"], new_uuid(), 2))
    await processor.process(webhook("comicissue", "created", issue))
    purger.purges.clear()
    await processor.process(webhook("comicseries", "deleted", {"uuid": series["uuid"]}, timestamp=200))
    by_type = {purge.cache_type: purge for purge in purger.purges}
    assert by_type[CacheType.COMICSERIES].short_url == "the-lighthouse-keeper"
    assert by_type[CacheType.COMICISSUE].ids == (issue["uuid"],)
    assert len(by_type[CacheType.COMICSTORY].ids) == 2


async def test_renamed_issue_purges_its_old_and_new_page(
    processor: WebhookProcessor, purger: RecordingPurger
) -> None:
    series = series_data()
    await processor.process(webhook("comicseries", "created", series))
    issue = issue_data(series["uuid"], stories=0, name="Old name")
    await processor.process(webhook("comicissue", "created", issue))
    purger.purges.clear()
    await processor.process(webhook("comicissue", "updated", {**issue, "name": "New name"}, timestamp=200))
    names = {purge.name for purge in purger.purges if purge.cache_type is CacheType.COMICISSUE}
    assert names == {"Old name", "New name"}


async def test_deleted_issue_purges_its_page(processor: WebhookProcessor, purger: RecordingPurger) -> None:
    series = series_data()
    await processor.process(webhook("comicseries", "created", series))
    issue = issue_data(series["uuid"], stories=0, name="Gone soon")
    await processor.process(webhook("comicissue", "created", issue))
    purger.purges.clear()
    await processor.process(webhook("comicissue", "deleted", {"uuid": issue["uuid"]}, timestamp=200))
    [page] = [purge for purge in purger.purges if purge.cache_type is CacheType.COMICISSUE]
    assert (page.name, page.short_url) == ("Gone soon", "the-lighthouse-keeper")


async def test_an_issue_moved_to_another_series_purges_both_series_pages(
    processor: WebhookProcessor, purger: RecordingPurger
) -> None:
    old, new = series_data(name="Old Home"), series_data(name="New Home")
    for series in (old, new):
        await processor.process(webhook("comicseries", "created", series))
    issue = issue_data(old["uuid"], stories=1, name="Moving Day")
    await processor.process(webhook("comicissue", "created", issue))
    purger.purges.clear()
    await processor.process(
        webhook("comicissue", "updated", {**issue, "seriesUuid": new["uuid"]}, timestamp=200)
    )
    pages = {
        (purge.series_uuid, purge.short_url)
        for purge in purger.purges
        if purge.cache_type is CacheType.COMICISSUE
    }
    assert pages == {(old["uuid"], "old-home"), (new["uuid"], "new-home")}
    series_pages = {purge.short_url for purge in purger.purges if purge.cache_type is CacheType.COMICSERIES}
    assert series_pages == {"old-home", "new-home"}
