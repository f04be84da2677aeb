"""Taddy webhook writes for creators (with their links) and creatorcontent, idempotent and order-safe.

Same contract as `inkverse.comics.writers`: created and updated are one upsert, a delete of something
missing is a no-op, stale events are skipped, the caller's session is never committed, and each write
is a fixed number of set-based statements.
"""

from sqlalchemy import and_, delete, func, not_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.changes import ChangeResult, Outcome
from inkverse.catalog.entity_state import EntityStateRepository
from inkverse.catalog.events import TaddyType
from inkverse.catalog.lookup import UUIDLookupRepository
from inkverse.catalog.payloads import (
    CreatorContentPayload,
    CreatorLinkRow,
    CreatorPayload,
    canonical_uuid,
)
from inkverse.catalog.short_urls import ShortUrlAllocator
from inkverse.catalog.text import create_hash
from inkverse.catalog.writes import NO_SYNC, CatalogWriter, epoch_now, was_inserted
from inkverse.database import tables

Creator = tables.Creator
Content = tables.CreatorContent
Link = tables.CreatorLink


class CreatorWriter(CatalogWriter[CreatorPayload]):
    payload_model = CreatorPayload

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._state = EntityStateRepository(session)
        self._lookup = UUIDLookupRepository(session)
        self._short_urls = ShortUrlAllocator.for_creators(session)

    async def upsert(self, payload: CreatorPayload, timestamp: int) -> ChangeResult:
        """Insert or overwrite the creator; its creatorlink rows are replaced when `links_hash` changes,
        also when the links became empty (the original then kept the stale rows)."""
        uuid = payload.uuid
        if not await self._state.claim(TaddyType.CREATOR, uuid, timestamp, deleting=False):
            return ChangeResult(TaddyType.CREATOR, uuid, Outcome.STALE)
        existing = (
            await self._session.execute(
                select(Creator.short_url, Creator.links_hash).where(Creator.uuid == uuid)
            )
        ).first()
        if existing is None:
            short_url = await self._short_urls.allocate(payload.name, uuid)
            await self._lookup.register(uuid, tables.ContentType.CREATOR)
        else:
            short_url = existing.short_url
        links_hash = create_hash(payload.links)
        inserted = await self._upsert_creator(payload, short_url, links_hash)
        links_changed = existing is None or existing.links_hash != links_hash
        if links_changed:
            await self._replace_links(uuid, payload.link_rows, creator_existed=existing is not None)
        return ChangeResult(
            TaddyType.CREATOR,
            uuid,
            Outcome.CREATED if inserted else Outcome.UPDATED,
            short_url=short_url,
            previous_short_url=existing.short_url if existing is not None else None,
            links_changed=links_changed,
        )

    async def delete(self, uuid: str, timestamp: int) -> ChangeResult:
        """The creator, its creatorcontent and creatorlink rows and its uuid lookup; users who had
        claimed it lose `creator_uuid` (their claims are kept, as in the original)."""
        uuid = canonical_uuid(uuid)
        await self._state.hold(TaddyType.CREATOR, uuid, exclusive=True)
        if not await self._state.claim(TaddyType.CREATOR, uuid, timestamp, deleting=True):
            return ChangeResult(TaddyType.CREATOR, uuid, Outcome.STALE)
        short_url = await self._session.scalar(
            delete(Creator)
            .where(Creator.uuid == uuid)
            .returning(Creator.short_url)
            .execution_options(**NO_SYNC)
        )
        contents = (
            await self._session.execute(
                delete(Content)
                .where(Content.creator_uuid == uuid)
                .returning(Content.uuid, Content.content_uuid)
                .execution_options(**NO_SYNC)
            )
        ).all()
        links = await self._session.scalars(
            delete(Link).where(Link.creator_uuid == uuid).returning(Link.id).execution_options(**NO_SYNC)
        )
        had_links = bool(links.all())
        await self._lookup.delete_many([uuid])
        await self._session.execute(
            update(tables.User)
            .where(tables.User.creator_uuid == uuid)
            .values(creator_uuid=None, updated_at=epoch_now())
            .execution_options(**NO_SYNC)
        )
        content_uuids = tuple(row.uuid for row in contents)
        # A stale creatorcontent event must not recreate content of the deleted creator.
        await self._state.tombstone_many(TaddyType.CREATORCONTENT, content_uuids, timestamp)
        found = short_url is not None or bool(contents) or had_links
        return ChangeResult(
            TaddyType.CREATOR,
            uuid,
            Outcome.DELETED if found else Outcome.NOT_FOUND,
            short_url=short_url,
            previous_short_url=short_url,
            creatorcontent_uuids=content_uuids,
            content_uuids=tuple(dict.fromkeys(row.content_uuid for row in contents)),
            links_changed=had_links,
        )

    async def _upsert_creator(self, payload: CreatorPayload, short_url: str, links_hash: str) -> bool:
        columns = {**_creator_columns(payload), "links_hash": links_hash}
        statement = insert(Creator).values(uuid=payload.uuid, short_url=short_url, **columns)
        statement = statement.on_conflict_do_update(
            index_elements=[Creator.uuid],
            set_={"updated_at": func.now(), **{name: statement.excluded[name] for name in columns}},
        )
        return bool((await self._session.execute(statement.returning(was_inserted()))).scalar_one())

    async def _replace_links(
        self, creator_uuid: str, rows: list[CreatorLinkRow], *, creator_existed: bool
    ) -> None:
        if creator_existed:
            await self._session.execute(
                delete(Link).where(Link.creator_uuid == creator_uuid).execution_options(**NO_SYNC)
            )
        if rows:
            values = [{"creator_uuid": creator_uuid, **row.model_dump()} for row in rows]
            await self._session.execute(insert(Link).values(values))


class CreatorContentWriter(CatalogWriter[CreatorContentPayload]):
    payload_model = CreatorContentPayload

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._state = EntityStateRepository(session)

    async def upsert(self, payload: CreatorContentPayload, timestamp: int) -> ChangeResult:
        """Upsert on (content_uuid, creator_uuid), as the original. A uuid Taddy moved to another pair
        first leaves its old row, so the primary key cannot collide."""
        uuid = payload.uuid
        stale = ChangeResult(TaddyType.CREATORCONTENT, uuid, Outcome.STALE, creator_uuid=payload.creator_uuid)
        await self._state.hold(TaddyType.CREATOR, payload.creator_uuid, exclusive=False)
        if await self._state.is_tombstoned(TaddyType.CREATOR, payload.creator_uuid, timestamp):
            return stale
        if not await self._state.claim(TaddyType.CREATORCONTENT, uuid, timestamp, deleting=False):
            return stale
        moved_from = await self._release_uuid(payload)
        inserted = await self._upsert_content(payload)
        is_series = payload.content_type == tables.ContentType.COMICSERIES
        return ChangeResult(
            TaddyType.CREATORCONTENT,
            uuid,
            Outcome.CREATED if inserted else Outcome.UPDATED,
            series_uuid=payload.content_uuid if is_series else None,
            creator_uuid=payload.creator_uuid,
            creatorcontent_uuids=(uuid,),
            content_uuids=tuple(dict.fromkeys([payload.content_uuid, *moved_from])),
        )

    async def delete(self, uuid: str, timestamp: int) -> ChangeResult:
        uuid = canonical_uuid(uuid)
        if not await self._state.claim(TaddyType.CREATORCONTENT, uuid, timestamp, deleting=True):
            return ChangeResult(TaddyType.CREATORCONTENT, uuid, Outcome.STALE)
        row = (
            await self._session.execute(
                delete(Content)
                .where(Content.uuid == uuid)
                .returning(Content.creator_uuid, Content.content_uuid, Content.content_type)
                .execution_options(**NO_SYNC)
            )
        ).first()
        if row is None:
            return ChangeResult(TaddyType.CREATORCONTENT, uuid, Outcome.NOT_FOUND)
        is_series = row.content_type == tables.ContentType.COMICSERIES
        return ChangeResult(
            TaddyType.CREATORCONTENT,
            uuid,
            Outcome.DELETED,
            series_uuid=row.content_uuid if is_series else None,
            creator_uuid=row.creator_uuid,
            creatorcontent_uuids=(uuid,),
            content_uuids=(row.content_uuid,),
        )

    async def _release_uuid(self, payload: CreatorContentPayload) -> tuple[str, ...]:
        statement = (
            delete(Content)
            .where(
                Content.uuid == payload.uuid,
                not_(
                    and_(
                        Content.creator_uuid == payload.creator_uuid,
                        Content.content_uuid == payload.content_uuid,
                    )
                ),
            )
            .returning(Content.content_uuid)
            .execution_options(**NO_SYNC)
        )
        return tuple(await self._session.scalars(statement))

    async def _upsert_content(self, payload: CreatorContentPayload) -> bool:
        columns = {
            "uuid": payload.uuid,
            "hash": payload.hash,
            "content_type": tables.ContentType(payload.content_type),
            "roles": payload.roles,
            "position": payload.position,
            "content_position": payload.content_position,
        }
        statement = insert(Content).values(
            creator_uuid=payload.creator_uuid, content_uuid=payload.content_uuid, **columns
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Content.content_uuid, Content.creator_uuid],
            set_={"updated_at": func.now(), **{name: statement.excluded[name] for name in columns}},
        )
        return bool((await self._session.execute(statement.returning(was_inserted()))).scalar_one())


def _creator_columns(payload: CreatorPayload) -> dict[str, object]:
    """database.md §3.11.4: every mapped column, a missing field written as NULL (a full replace)."""
    return {
        "name": payload.name,
        "bio": payload.bio,
        "hash": payload.hash,
        "content_hash": payload.content_hash,
        "date_published": payload.date_published,
        "avatar_image": payload.avatar_image,
        "country": payload.country,
        "tags": payload.tags,
        "links": payload.links,
        "copyright": payload.copyright,
        "sss_url": payload.sss_url,
        "sss_owner_name": payload.sss_owner_name,
        "sss_owner_public_email": payload.sss_owner_public_email,
        "is_blocked": payload.is_blocked,
    }
