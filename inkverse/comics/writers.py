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

from dataclasses import dataclass

from sqlalchemy import delete, func, select
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
    canonical_uuid,
)
from inkverse.catalog.short_urls import ShortUrlAllocator
from inkverse.catalog.writes import NO_SYNC, CatalogWriter, was_inserted
from inkverse.database import tables
from inkverse.database.engine import compact_json
from inkverse.database.reads import ReadConnection

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
class IssueWritten:
    inserted: bool
    previous_series_uuid: str | None
    previous_name: str | None
    series_short_url: str | None
    previous_series_short_url: str | None
    stories_added: tuple[str, ...]
    stories_updated: tuple[str, ...]


class ComicIssueWriter(CatalogWriter[ComicIssuePayload]):
    payload_model = ComicIssuePayload

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._state = EntityStateRepository(session)
        self._lookup = UUIDLookupRepository(session)

    async def upsert(self, payload: ComicIssuePayload, timestamp: int) -> ChangeResult:
        """Insert or overwrite the issue, then bring its stories in line with `payload.stories`.

        An issue sent under another series moves there with its stories (the original refused). Four
        statements whatever the number of stories: the series lock, the claim, the stories that step
        aside, then the issue with its stories and uuid lookup. The lock goes through SQLAlchemy, which
        begins the transaction with it; the others run on the connection's driver, built once.
        """
        uuid = payload.uuid
        # An issue of a series deleted by a later (or simultaneous) event stays gone with it.
        await self._state.hold(TaddyType.COMICSERIES, payload.series_uuid, exclusive=False)
        parent = (TaddyType.COMICSERIES, payload.series_uuid)
        if not await self._state.claim_child(TaddyType.COMICISSUE, uuid, timestamp, parent=parent):
            return ChangeResult(TaddyType.COMICISSUE, uuid, Outcome.STALE, series_uuid=payload.series_uuid)
        removed = await self._retire_stories(payload) if payload.stories is not None else ()
        written = await self._write(payload)
        moved_from = written.previous_series_uuid
        short_urls = [(payload.series_uuid, written.series_short_url)]
        if moved_from is not None and moved_from != payload.series_uuid:
            short_urls.append((moved_from, written.previous_series_short_url))
        return ChangeResult(
            TaddyType.COMICISSUE,
            uuid,
            Outcome.CREATED if written.inserted else Outcome.UPDATED,
            series_uuid=payload.series_uuid,
            previous_series_uuid=moved_from if moved_from != payload.series_uuid else None,
            name=payload.name,
            previous_name=written.previous_name if written.previous_name != payload.name else None,
            stories_added=written.stories_added,
            stories_updated=written.stories_updated,
            stories_removed=removed,
            series_short_urls=tuple(short_urls),
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

    async def _retire_stories(self, payload: ComicIssuePayload) -> tuple[str, ...]:
        """Before the stories are written: soft-remove those of the issue that the payload no longer
        lists (only if the issue existed), and clear an incoming hash from any other story holding it
        (story hashes are unique across all stories). Returns the soft-removed ones."""
        incoming = payload.stories or []
        parameters = (
            payload.uuid,
            payload.series_uuid,
            [story.uuid for story in incoming],
            [story.hash for story in incoming],
        )
        rows = await (await ReadConnection.of(self._session)).fetch(_RETIRE_STORIES, parameters)
        return tuple(story_uuid for story_uuid, missing in rows if missing)

    async def _write(self, payload: ComicIssuePayload) -> IssueWritten:
        columns = _issue_columns(payload)
        stories = payload.stories or []
        parameters = (
            payload.uuid,
            *(_driver_value(columns[name]) for name in ISSUE_COLUMNS),
            [story.uuid for story in stories],
            [story.hash for story in stories],
            [_driver_value(story.story_image) for story in stories],
            tables.ContentType.COMICISSUE.value,
        )
        [row] = await (await ReadConnection.of(self._session)).fetch(_WRITE_ISSUE, parameters)
        inserted, previous_series_uuid, previous_name, short_url, previous_short_url, added, updated = row
        return IssueWritten(
            inserted,
            previous_series_uuid,
            previous_name,
            short_url,
            previous_short_url,
            tuple(added),
            tuple(updated),
        )


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


ISSUE_COLUMNS = (
    "series_uuid", "name", "hash", "stories_hash", "position", "creator_note", "date_published",
    "banner_image", "thumbnail_image", "is_blocked", "is_removed", "push_notification_message",
    "scopes_for_exclusive_content", "date_exclusive_content_is_available",
)  # fmt: skip
"""The order of `_WRITE_ISSUE`'s parameters $2 to $15."""


def _driver_value(value: object) -> object:
    """A column value as the driver takes it: JSON as the engine's serializer writes it (None is NULL)."""
    return compact_json(value) if isinstance(value, dict) else value


# The hot path's statements as the driver runs them: no statement building or compiling per event.
_RETIRE_STORIES = """
UPDATE comicstory AS story
SET updated_at = now(),
    hash = NULL,
    position = CASE WHEN target.missing THEN NULL ELSE story.position END,
    story_image = CASE WHEN target.missing THEN NULL ELSE story.story_image END,
    is_removed = CASE WHEN target.missing THEN true ELSE story.is_removed END,
    series_uuid = CASE WHEN target.missing THEN $2::uuid ELSE story.series_uuid END
FROM (
    SELECT candidate.uuid,
           candidate.issue_uuid = $1::uuid AND candidate.is_removed IS NOT TRUE
           AND candidate.uuid <> ALL ($3::uuid[])
           AND EXISTS (SELECT FROM comicissue WHERE comicissue.uuid = $1::uuid) AS missing
    FROM comicstory AS candidate
    WHERE candidate.issue_uuid = $1::uuid OR candidate.hash = ANY ($4::varchar[])
) AS target
WHERE story.uuid = target.uuid
  AND (
      target.missing
      OR (
          story.hash = ANY ($4::varchar[])
          AND NOT EXISTS (
              SELECT FROM unnest($3::uuid[], $4::varchar[]) AS incoming (uuid, hash)
              WHERE incoming.uuid = story.uuid AND incoming.hash = story.hash
          )
      )
  )
RETURNING story.uuid::text, target.missing
"""
"""Soft-removes the issue's stories missing from $3 (when the issue exists) and clears the hashes of $4
from stories other than the incoming one with that hash: the two updates of database.md §3.11.3."""

_WRITE_ISSUE = """
WITH previous AS (
    SELECT series_uuid, name FROM comicissue WHERE uuid = $1::uuid
), issue AS (
    INSERT INTO comicissue AS issue (
        uuid, series_uuid, name, hash, stories_hash, position, creator_note, date_published,
        banner_image, thumbnail_image, is_blocked, is_removed, push_notification_message,
        scopes_for_exclusive_content, date_exclusive_content_is_available
    )
    VALUES (
        $1::uuid, $2::uuid, $3::varchar, $4::varchar, $5::varchar, $6::integer, $7::text, $8::bigint,
        $9::json, $10::json, $11::boolean, $12::boolean, $13::text, $14::varchar[], $15::bigint
    )
    ON CONFLICT (uuid) DO UPDATE SET
        updated_at = now(),
        series_uuid = excluded.series_uuid,
        name = excluded.name,
        hash = excluded.hash,
        stories_hash = excluded.stories_hash,
        position = excluded.position,
        creator_note = excluded.creator_note,
        date_published = excluded.date_published,
        banner_image = excluded.banner_image,
        thumbnail_image = excluded.thumbnail_image,
        is_blocked = excluded.is_blocked,
        is_removed = excluded.is_removed,
        push_notification_message = excluded.push_notification_message,
        scopes_for_exclusive_content = excluded.scopes_for_exclusive_content,
        date_exclusive_content_is_available = excluded.date_exclusive_content_is_available
    RETURNING issue.xmax = 0 AS inserted
), lookup AS (
    INSERT INTO uuid_lookup (uuid, taddy_type)
    SELECT $1::uuid, $19::content_type
    WHERE NOT EXISTS (SELECT FROM previous)
    ON CONFLICT (uuid) DO NOTHING
), stories AS (
    INSERT INTO comicstory AS story (uuid, issue_uuid, series_uuid, hash, position, story_image)
    SELECT incoming.uuid, $1::uuid, $2::uuid, incoming.hash, incoming.n - 1, incoming.image::json
    FROM unnest($16::uuid[], $17::varchar[], $18::text[]) WITH ORDINALITY AS incoming (uuid, hash, image, n)
    ON CONFLICT (uuid) DO UPDATE SET
        updated_at = now(),
        hash = excluded.hash,
        position = excluded.position,
        story_image = excluded.story_image,
        is_removed = NULL,
        issue_uuid = excluded.issue_uuid,
        series_uuid = excluded.series_uuid
    RETURNING story.uuid, story.position, story.xmax = 0 AS inserted
)
SELECT
    (SELECT inserted FROM issue),
    (SELECT series_uuid::text FROM previous),
    (SELECT name FROM previous),
    (SELECT short_url FROM comicseries WHERE uuid = $2::uuid),
    (SELECT short_url FROM comicseries WHERE uuid = (SELECT series_uuid FROM previous)),
    ARRAY(SELECT uuid::text FROM stories WHERE inserted ORDER BY position),
    ARRAY(SELECT uuid::text FROM stories WHERE NOT inserted ORDER BY position)
"""
"""The issue (every mapped column; `updated_at` on an update), its uuid lookup when it is new, and its
stories (new ones inserted, known ones overwritten and restored) at their payload positions. Returns
whether the issue is new, its series and name before, the short URLs of its series and of the one before
(for the page purges), and the stories added and updated. `previous` is
read in this statement's snapshot, taken after the claim: a write of the same issue that committed
while the claim waited is seen."""
