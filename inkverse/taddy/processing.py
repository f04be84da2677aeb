"""Processing of one Taddy webhook: the 14 events → the catalog writers, then images, caches, follow-ups.

One event is one unit of work. Inside it: the write (idempotent and order-safe, see
`inkverse.catalog`) and the follow-ups staged in the outbox with it: for a genuinely new issue published
within the last 7 days the new-episode push (never for an import), for new or changed stories of a
non-exclusive issue a `MEASURE_STORY_IMAGES` message on the image queue. After the commit: the
follow-ups are handed to the outbox's background relay (which sends those of concurrent events together)
and the caches of every page the event changed are purged (with the purges of concurrent events). None of
the after-commit steps can fail the event: the data is already safe.

Images are measured by `StoryImageMeasurer`, from the image queue, with its own concurrency: a slow image
host delays sizes, never catalogue events, and a staged follow-up survives any crash.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.catalog.changes import ChangeResult, Outcome
from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.catalog.payloads import ComicIssuePayload, TaddyPayload, parse_payload
from inkverse.comics.repository import StoryImageRepository
from inkverse.comics.writers import ComicIssueWriter, ComicSeriesWriter
from inkverse.creators.writers import CreatorContentWriter, CreatorWriter
from inkverse.database import tables
from inkverse.queues.messages import MeasureStoryImages, NewEpisodeReleased, dump
from inkverse.queues.outbox import OutboxRelay, stage_many
from inkverse.taddy.images import ImageSizer
from inkverse.taddy.webhooks import TaddyWebhook

log = structlog.get_logger(__name__)

NOTICE_ACTIONS = frozenset({WebhookAction.NEW_ISSUES_RELEASED, WebhookAction.NEW_CONTENT_RELEASED})
NEW_EPISODE_PUSH_MAX_AGE_SECONDS = 7 * 86_400
"""An issue published longer ago is back catalogue (a series newly added to Taddy): no new-episode push."""


class Writer(Protocol):
    async def apply(self, action: WebhookAction, payload: TaddyPayload, timestamp: int) -> ChangeResult: ...


WRITERS: dict[TaddyType, Callable[[AsyncSession], Writer]] = {
    TaddyType.COMICSERIES: ComicSeriesWriter,
    TaddyType.COMICISSUE: ComicIssueWriter,
    TaddyType.CREATOR: CreatorWriter,
    TaddyType.CREATORCONTENT: CreatorContentWriter,
}


class WebhookProcessor:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        outbox: OutboxRelay,
        push_queue: str,
        *,
        image_queue: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`image_queue` None turns story image sizing off."""
        self._sessionmaker = sessionmaker
        self._purger = purger
        self._outbox = outbox
        self._push_queue = push_queue
        self._image_queue = image_queue
        self._clock = clock

    async def process(self, webhook: TaddyWebhook, *, notify: bool = True) -> ChangeResult | None:
        """Apply the event; raises ValidationError for a payload that can never be applied. `notify`
        False (imports) never stages the new-episode push."""
        if webhook.action in NOTICE_ACTIONS:
            # Summary notices: the individual created/updated events carry the data.
            log.info("taddy.notice_ignored", webhook_event=webhook.event, uuid=webhook.uuid)
            return None
        payload = parse_payload(
            webhook.taddy_type, webhook.action, webhook.data or {"uuid": webhook.entity_uuid()}
        )
        written = await self._write(webhook, payload, notify=notify)
        result = written.result
        log.info(
            "taddy.event_applied", webhook_event=webhook.event, uuid=result.uuid, outcome=result.outcome.value
        )
        # The data is committed: nothing below may fail the event (a retry would find it applied and
        # skip these steps). The follow-ups go out in the background with those of other events; a
        # failed send is redone by the worker's periodic relay.
        self._outbox.relay_soon(written.staged)
        if result.applied:
            await after_commit("cache purge", self._purger.purge(written.purges))
        return result

    async def _write(self, webhook: TaddyWebhook, payload: TaddyPayload, *, notify: bool) -> "Written":
        """The write, the follow-ups staged with it, and what to purge, in one transaction."""
        async with self._sessionmaker() as session, session.begin():
            result = await WRITERS[webhook.taddy_type](session).apply(
                webhook.action, payload, webhook.timestamp
            )
            follow_ups: list[tuple[str, dict[str, Any]]] = []
            if notify and is_new_issue(result) and result.series_uuid and self._is_recent(payload):
                push = NewEpisodeReleased(issue_uuid=result.uuid, series_uuid=result.series_uuid)
                follow_ups.append((self._push_queue, dump(push)))
            measure = self._images_to_measure(result, payload)
            if measure is not None and self._image_queue is not None:
                follow_ups.append((self._image_queue, dump(measure)))
            staged = await stage_many(session, follow_ups)
            purges = await purges_for(session, result) if result.applied else []
        return Written(result, staged, purges)

    def _is_recent(self, payload: TaddyPayload) -> bool:
        """Published within the last 7 days (or dated ahead, as a scheduled episode); undated is not."""
        published = payload.date_published if isinstance(payload, ComicIssuePayload) else None
        return published is not None and published >= self._clock() - NEW_EPISODE_PUSH_MAX_AGE_SECONDS

    def _images_to_measure(self, result: ChangeResult, payload: TaddyPayload) -> MeasureStoryImages | None:
        """New or changed stories of a non-exclusive issue: exclusive images are never downloaded."""
        if not result.applied or not isinstance(payload, ComicIssuePayload):
            return None
        story_uuids = result.stories_added + result.stories_updated
        if payload.scopes_for_exclusive_content or not story_uuids:
            return None
        return MeasureStoryImages(issue_uuid=result.uuid, story_uuids=list(story_uuids))


class StoryImageMeasurer:
    """Measures the stories a `MEASURE_STORY_IMAGES` message names, stores the sizes, purges their pages.
    An image that cannot be measured is left unsized (`inkverse taddy images backfill` retries those)."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], sizer: ImageSizer, purger: CachePurger
    ) -> None:
        self._sessionmaker = sessionmaker
        self._sizer = sizer
        self._purger = purger

    async def measure(self, message: MeasureStoryImages) -> dict[str, tuple[int, int]]:
        # The URLs are read now, not when the event was written: a later update's image is measured.
        async with self._sessionmaker() as session:
            urls = await StoryImageRepository(session).image_urls(message.story_uuids)
        sizes = await self._sizer.measure_all(urls)
        if sizes:
            async with self._sessionmaker() as session, session.begin():
                await StoryImageRepository(session).set_sizes(sizes)
                purges = await sized_story_purges(session, message.issue_uuid, list(sizes))
            await after_commit("cache purge", self._purger.purge(purges))
        log.info("taddy.images_sized", issue=message.issue_uuid, sized=len(sizes), of=len(urls))
        return sizes


@dataclass(frozen=True, slots=True)
class Written:
    result: ChangeResult
    staged: list[int]
    purges: list[Purge]


def is_new_issue(result: ChangeResult) -> bool:
    return result.taddy_type is TaddyType.COMICISSUE and result.outcome is Outcome.CREATED


async def after_commit(step: str, work: Awaitable[object]) -> None:
    try:
        await work
    except Exception as exc:  # noqa: BLE001 - the event is committed; the failure is logged, not retried
        log.error("taddy.after_commit_failed", step=step, error=f"{type(exc).__name__}: {exc}")


async def purges_for(session: AsyncSession, result: ChangeResult) -> list[Purge]:
    """Every cache entry and page the change makes stale (integrations.md §1.3, URLs corrected)."""
    if result.taddy_type is TaddyType.COMICSERIES:
        return _series_purges(result)
    if result.taddy_type is TaddyType.COMICISSUE:
        return await _issue_purges(session, result)
    if result.taddy_type is TaddyType.CREATOR:
        purges = [
            Purge(CacheType.CREATOR, (result.uuid,), short_url=result.short_url or result.previous_short_url)
        ]
        if result.creatorcontent_uuids:
            purges.append(Purge(CacheType.CREATORCONTENT, result.creatorcontent_uuids))
        return purges
    creator_short_url = None
    if result.creator_uuid:
        creator_short_url = await session.scalar(
            select(tables.Creator.short_url).where(tables.Creator.uuid == result.creator_uuid)
        )
    purges = [Purge(CacheType.CREATORCONTENT, result.creatorcontent_uuids or (result.uuid,))]
    if result.creator_uuid:
        purges.insert(0, Purge(CacheType.CREATOR, (result.creator_uuid,), short_url=creator_short_url))
    purges.extend(Purge(CacheType.COMICSERIES, (content,)) for content in result.content_uuids)
    return purges


async def sized_story_purges(session: AsyncSession, issue_uuid: str, story_uuids: list[str]) -> list[Purge]:
    """The stories whose sizes were just stored, and their issue's page."""
    purges = [Purge(CacheType.COMICSTORY, tuple(story_uuids))]
    issue = (
        await session.execute(
            select(tables.ComicIssue.name, tables.ComicIssue.series_uuid, tables.ComicSeries.short_url)
            .outerjoin(tables.ComicSeries, tables.ComicSeries.uuid == tables.ComicIssue.series_uuid)
            .where(tables.ComicIssue.uuid == issue_uuid)
        )
    ).first()
    if issue is not None:
        name, series_uuid, short_url = issue
        purges.append(
            Purge(
                CacheType.COMICISSUE, (issue_uuid,), short_url=short_url, name=name, series_uuid=series_uuid
            )
        )
    return purges


def _series_purges(result: ChangeResult) -> list[Purge]:
    short_url = result.short_url or result.previous_short_url
    purges = [Purge(CacheType.COMICSERIES, (result.uuid,), short_url=short_url)]
    if result.outcome is Outcome.CREATED:
        purges.append(Purge(CacheType.RECENTLY_ADDED))
    if result.issue_uuids:
        purges.append(
            Purge(CacheType.COMICISSUE, result.issue_uuids, series_uuid=result.uuid, short_url=short_url)
        )
        purges.append(Purge(CacheType.COMICISSUE_FOR_SERIES, (result.uuid,)))
    if result.story_uuids:
        purges.append(Purge(CacheType.COMICSTORY, result.story_uuids))
    return purges


async def _issue_purges(session: AsyncSession, result: ChangeResult) -> list[Purge]:
    purges: list[Purge] = []
    known = dict(result.series_short_urls)
    for series_uuid in filter(None, (result.series_uuid, result.previous_series_uuid)):
        if series_uuid in known:
            series_short_url = known[series_uuid]
        else:
            series_short_url = await session.scalar(
                select(tables.ComicSeries.short_url).where(tables.ComicSeries.uuid == series_uuid)
            )
        purges.append(Purge(CacheType.COMICSERIES, (series_uuid,), short_url=series_short_url))
        # The page URL contains the issue's name: a renamed issue has two pages to purge.
        names: list[str | None] = list(dict.fromkeys(filter(None, (result.name, result.previous_name)))) or [
            None
        ]
        purges.extend(
            Purge(
                CacheType.COMICISSUE,
                (result.uuid,),
                short_url=series_short_url,
                name=name,
                series_uuid=series_uuid,
            )
            for name in names
        )
        purges.append(Purge(CacheType.COMICISSUE_FOR_SERIES, (series_uuid,)))
    if result.story_uuids:
        purges.append(Purge(CacheType.COMICSTORY, result.story_uuids))
    if result.outcome is Outcome.CREATED:
        purges.append(Purge(CacheType.RECENTLY_UPDATED))
    return purges
