"""`taddy images backfill` and the weekly `image-audit` job: stories whose size is still unknown go through
the worker's measurer, one issue at a time, so they get the same sizing, `updated_at` and purges."""

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.comics.repository import StoryImageRepository
from inkverse.queues.messages import MeasureStoryImages
from inkverse.taddy.processing import StoryImageMeasurer

BACKFILL_BATCH = 200


async def backfill_story_sizes(
    sessionmaker: async_sessionmaker[AsyncSession],
    measurer: StoryImageMeasurer,
    progress: Callable[[int, int], object] = lambda _measured, _seen: None,
) -> tuple[int, int]:
    """(measured, seen): unsized stories go through the worker's measurer, one issue at a time."""
    after, measured, seen = 0, 0, 0
    while True:
        async with sessionmaker() as session:
            batch = await StoryImageRepository(session).unsized(after, BACKFILL_BATCH)
        if not batch:
            return measured, seen
        for message in _by_issue(batch):
            measured += len(await measurer.measure(message))
        after, seen = batch[-1][0], seen + len(batch)
        progress(measured, seen)


def _by_issue(batch: list[tuple[int, str, str]]) -> list[MeasureStoryImages]:
    stories: dict[str, list[str]] = defaultdict(list)
    for _, story_uuid, issue_uuid in batch:
        stories[issue_uuid].append(story_uuid)
    return [MeasureStoryImages(issue_uuid=issue, story_uuids=uuids) for issue, uuids in stories.items()]
