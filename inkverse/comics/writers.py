"""Taddy webhook writes for series and issues (with their stories), idempotent and order-safe.

Each writer works in the caller's session and never commits. `apply(action, payload, timestamp)`
(`inkverse.catalog.writes.CatalogWriter`) takes the event's action, its parsed `data`
(`inkverse.catalog.payloads`) and its `timestamp` (epoch seconds):

- created and updated are the same upsert: a repeated `created` updates, an `updated` for an unknown
  object creates it;
- deleted removes the object and what hangs off it by hand (there are no foreign keys); deleting
  something that is not there is a successful no-op;
- an event older than the newest one applied, or not newer than a delete, is skipped (`STALE`), see
  `inkverse.catalog.entity_state`.

Every write is a fixed number of set-based statements, whatever the number of stories.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningDelete

from inkverse.catalog.changes import ChangeResult, Outcome
from inkverse.catalog.entity_state import EntityStateRepository
from inkverse.catalog.events import TaddyType
from inkverse.catalog.lookup import UUIDLookupRepository
from inkverse.catalog.payloads import (
    ComicIssuePayload,
    ComicSeriesPayload,
    ComicStoryPayload,
    canonical_uuid,
)
from inkverse.catalog.short_urls import ShortUrlAllocator
from inkverse.catalog.writes import NO_SYNC, CatalogWriter, was_inserted
from inkverse.database import tables

Series = tables.ComicSeries
Issue = tables.ComicIssue
Story = tables.ComicStory


class ComicSeriesWriter(CatalogWriter[ComicSeriesPayload]):
    payload_model = ComicSeriesPayload

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._state = EntityStateRepository(session)
        self._lookup = UUIDLookupRepository(session)
        self._short_urls = ShortUrlAllocator.for_series(session)

    async def upsert(self, payload: ComicSeriesPayload, timestamp: int) -> ChangeResult:
        """Insert or overwrite every mapped column; the short URL is generated once and then kept."""
        uuid = payload.uuid
        if not await self._state.claim(TaddyType.COMICSERIES, uuid, timestamp, deleting=False):
            return ChangeResult(TaddyType.COMICSERIES, uuid, Outcome.STALE)
        existing_short_url = await self._session.scalar(select(Series.short_url).where(Series.uuid == uuid))
        if existing_short_url is None:
            short_url = await self._short_urls.allocate(payload.name, uuid)
            await self._lookup.register(uuid, tables.ContentType.COMICSERIES)
        else:
            short_url = existing_short_url
        columns = _series_columns(payload)
        statement = insert(Series).values(uuid=uuid, short_url=short_url, **columns)
        statement = statement.on_conflict_do_update(
            index_elements=[Series.uuid],
            set_={"updated_at": func.now(), **{name: statement.excluded[name] for name in columns}},
        )
        inserted = (await self._session.execute(statement.returning(was_inserted()))).scalar_one()
        return ChangeResult(
            TaddyType.COMICSERIES,
            uuid,
            Outcome.CREATED if inserted else Outcome.UPDATED,
            short_url=short_url,
            previous_short_url=existing_short_url,
            series_uuid=uuid,
        )

    async def delete(self, uuid: str, timestamp: int) -> ChangeResult:
        """The series, all its issues and stories, and their uuid lookups. Likes, comments,
        subscriptions and creatorcontent rows are kept (as in the original)."""
        uuid = canonical_uuid(uuid)
        await self._state.hold(TaddyType.COMICSERIES, uuid, exclusive=True)
        if not await self._state.claim(TaddyType.COMICSERIES, uuid, timestamp, deleting=True):
            return ChangeResult(TaddyType.COMICSERIES, uuid, Outcome.STALE)
        short_url = await self._session.scalar(
            delete(Series).where(Series.uuid == uuid).returning(Series.short_url).execution_options(**NO_SYNC)
        )
        issue_uuids = await self._deleted_uuids(
            delete(Issue).where(Issue.series_uuid == uuid).returning(Issue.uuid)
        )
        story_uuids = await self._deleted_uuids(
            delete(Story).where(Story.series_uuid == uuid).returning(Story.uuid)
        )
        await self._lookup.delete_many([uuid, *issue_uuids])
        # A stale event for one of these issues must not recreate it under the deleted series.
        await self._state.tombstone_many(TaddyType.COMICISSUE, issue_uuids, timestamp)
        found = short_url is not None or bool(issue_uuids) or bool(story_uuids)
        return ChangeResult(
            TaddyType.COMICSERIES,
            uuid,
            Outcome.DELETED if found else Outcome.NOT_FOUND,
            short_url=short_url,
            previous_short_url=short_url,
            series_uuid=uuid,
            issue_uuids=issue_uuids,
            stories_removed=story_uuids,
        )

    async def _deleted_uuids(self, statement: ReturningDelete[str]) -> tuple[str, ...]:
        return tuple(await self._session.scalars(statement.execution_options(**NO_SYNC)))


@dataclass(frozen=True, slots=True)
class StoryChanges:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class ComicIssueWriter(CatalogWriter[ComicIssuePayload]):
    payload_model = ComicIssuePayload

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._state = EntityStateRepository(session)
        self._lookup = UUIDLookupRepository(session)

    async def upsert(self, payload: ComicIssuePayload, timestamp: int) -> ChangeResult:
        """Insert or overwrite the issue, then bring its stories in line with `payload.stories`.

        An issue sent under another series moves there with its stories (the original refused).
        """
        uuid = payload.uuid
        stale = ChangeResult(TaddyType.COMICISSUE, uuid, Outcome.STALE, series_uuid=payload.series_uuid)
        # An issue of a series deleted by a later (or simultaneous) event stays gone with it.
        await self._state.hold(TaddyType.COMICSERIES, payload.series_uuid, exclusive=False)
        if await self._state.is_tombstoned(TaddyType.COMICSERIES, payload.series_uuid, timestamp):
            return stale
        if not await self._state.claim(TaddyType.COMICISSUE, uuid, timestamp, deleting=False):
            return stale
        previous = (
            await self._session.execute(select(Issue.series_uuid, Issue.name).where(Issue.uuid == uuid))
        ).first()
        previous_series_uuid = previous.series_uuid if previous else None
        if previous_series_uuid is None:
            await self._lookup.register(uuid, tables.ContentType.COMICISSUE)
        inserted = await self._upsert_issue(payload)
        stories = await self._sync_stories(payload, issue_existed=previous_series_uuid is not None)
        moved_from = previous_series_uuid if previous_series_uuid != payload.series_uuid else None
        return ChangeResult(
            TaddyType.COMICISSUE,
            uuid,
            Outcome.CREATED if inserted else Outcome.UPDATED,
            series_uuid=payload.series_uuid,
            previous_series_uuid=moved_from,
            name=payload.name,
            previous_name=previous.name if previous and previous.name != payload.name else None,
            stories_added=stories.added,
            stories_updated=stories.updated,
            stories_removed=stories.removed,
        )

    async def delete(self, uuid: str, timestamp: int) -> ChangeResult:
        """The issue, its stories and its uuid lookup. Likes, comments and notifications are kept."""
        uuid = canonical_uuid(uuid)
        if not await self._state.claim(TaddyType.COMICISSUE, uuid, timestamp, deleting=True):
            return ChangeResult(TaddyType.COMICISSUE, uuid, Outcome.STALE)
        deleted = (
            await self._session.execute(
                delete(Issue)
                .where(Issue.uuid == uuid)
                .returning(Issue.series_uuid, Issue.name)
                .execution_options(**NO_SYNC)
            )
        ).first()
        series_uuid = deleted.series_uuid if deleted else None
        story_rows = await self._session.execute(
            delete(Story)
            .where(Story.issue_uuid == uuid)
            .returning(Story.uuid, Story.series_uuid)
            .execution_options(**NO_SYNC)
        )
        stories = story_rows.all()
        await self._lookup.delete_many([uuid])
        found = series_uuid is not None or bool(stories)
        return ChangeResult(
            TaddyType.COMICISSUE,
            uuid,
            Outcome.DELETED if found else Outcome.NOT_FOUND,
            series_uuid=series_uuid or (stories[0].series_uuid if stories else None),
            name=deleted.name if deleted else None,
            stories_removed=tuple(story.uuid for story in stories),
        )

    async def _upsert_issue(self, payload: ComicIssuePayload) -> bool:
        columns = _issue_columns(payload)
        statement = insert(Issue).values(uuid=payload.uuid, **columns)
        statement = statement.on_conflict_do_update(
            index_elements=[Issue.uuid],
            set_={"updated_at": func.now(), **{name: statement.excluded[name] for name in columns}},
        )
        return bool((await self._session.execute(statement.returning(was_inserted()))).scalar_one())

    async def _sync_stories(self, payload: ComicIssuePayload, *, issue_existed: bool) -> StoryChanges:
        """Stories absent from the payload are soft-removed, new ones inserted, known ones updated with
        their new position (a removed one that comes back is restored). `stories` absent: untouched."""
        if payload.stories is None:
            return StoryChanges()
        incoming = payload.stories
        removed = await self._remove_missing_stories(payload, incoming) if issue_existed else ()
        if not incoming:
            return StoryChanges(removed=removed)
        await self._release_reassigned_hashes(incoming)
        added, updated = await self._upsert_stories(payload, incoming)
        return StoryChanges(added=added, updated=updated, removed=removed)

    async def _remove_missing_stories(
        self, payload: ComicIssuePayload, incoming: Sequence[ComicStoryPayload]
    ) -> tuple[str, ...]:
        # NULL hash frees the globally unique hash; width and height are kept for a possible return.
        statement = (
            update(Story)
            .where(
                Story.issue_uuid == payload.uuid,
                Story.is_removed.is_not(True),
                Story.uuid.not_in([story.uuid for story in incoming]),
            )
            .values(
                updated_at=func.now(),
                hash=None,
                position=None,
                story_image=None,
                is_removed=True,
                series_uuid=payload.series_uuid,
            )
            .returning(Story.uuid)
            .execution_options(**NO_SYNC)
        )
        return tuple(await self._session.scalars(statement))

    async def _release_reassigned_hashes(self, incoming: Sequence[ComicStoryPayload]) -> None:
        """Story hashes are unique across all stories: clear an incoming hash from any other story
        holding it (one of this issue's being reshuffled, or a duplicate elsewhere) before the upsert."""
        pairs = [(story.uuid, story.hash) for story in incoming if story.hash is not None]
        if not pairs:
            return
        statement = (
            update(Story)
            .where(
                Story.hash.in_([story_hash for _, story_hash in pairs]),
                tuple_(Story.uuid, Story.hash).not_in(pairs),
            )
            .values(hash=None, updated_at=func.now())
            .execution_options(**NO_SYNC)
        )
        await self._session.execute(statement)

    async def _upsert_stories(
        self, payload: ComicIssuePayload, incoming: Sequence[ComicStoryPayload]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        rows = [
            {
                "uuid": story.uuid,
                "issue_uuid": payload.uuid,
                "series_uuid": payload.series_uuid,
                "hash": story.hash,
                "position": position,
                "story_image": story.story_image,
            }
            for position, story in enumerate(incoming)
        ]
        statement = insert(Story).values(rows)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[Story.uuid],
            set_={
                "updated_at": func.now(),
                "hash": excluded.hash,
                "position": excluded.position,
                "story_image": excluded.story_image,
                "is_removed": None,
                "issue_uuid": excluded.issue_uuid,
                "series_uuid": excluded.series_uuid,
            },
        )
        result = await self._session.execute(statement.returning(Story.uuid, was_inserted()))
        written = result.all()
        added = tuple(row.uuid for row in written if row.inserted)
        updated = tuple(row.uuid for row in written if not row.inserted)
        return added, updated


def _series_columns(payload: ComicSeriesPayload) -> dict[str, object]:
    """database.md §3.11.1: every mapped column, a missing field written as NULL (a full replace)."""
    return {
        "name": payload.name,
        "description": payload.description,
        "hash": payload.hash,
        "issues_hash": payload.issues_hash,
        "date_published": payload.date_published,
        "status": payload.status,
        "tags": payload.tags,
        "genre0": payload.genre(0),
        "genre1": payload.genre(1),
        "genre2": payload.genre(2),
        "cover_image": payload.cover_image,
        "banner_image": payload.banner_image,
        "thumbnail_image": payload.thumbnail_image,
        "language": payload.language,
        "content_rating": payload.content_rating,
        "series_type": payload.series_type,
        "series_layout": payload.series_layout,
        "copyright": payload.copyright,
        "sss_url": payload.sss_url,
        "sss_owner_name": payload.sss_owner_name,
        "sss_owner_public_email": payload.sss_owner_public_email,
        "is_blocked": payload.is_blocked,
        "hosting_provider_uuid": payload.hosting_provider_uuid,
        "scopes_for_exclusive_content": payload.scopes_for_exclusive_content,
    }


def _issue_columns(payload: ComicIssuePayload) -> dict[str, object]:
    """database.md §3.11.2, except that Taddy's `isRemoved` is kept (the original always wrote NULL)."""
    return {
        "series_uuid": payload.series_uuid,
        "name": payload.name,
        "hash": payload.hash,
        "stories_hash": payload.stories_hash,
        "position": payload.position,
        "creator_note": payload.creator_note,
        "date_published": payload.date_published,
        "banner_image": payload.banner_image,
        "thumbnail_image": payload.thumbnail_image,
        "is_blocked": payload.is_blocked,
        "is_removed": True if payload.is_removed else None,
        "push_notification_message": payload.push_notification_message,
        "scopes_for_exclusive_content": payload.scopes_for_exclusive_content,
        "date_exclusive_content_is_available": payload.date_exclusive_content_is_available,
    }
