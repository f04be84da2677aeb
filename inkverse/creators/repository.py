"""Reads of `creator`, `creatorcontent` and `creatorlink`. The caller owns the session.

Methods named `map_...` take a list of keys and return a dict, for DataLoaders. Webhook writes are in
`inkverse.creators.writers`.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from sqlalchemy import ARRAY, Select, String, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from inkverse.catalog.ordering import position_order
from inkverse.catalog_enums import SortOrder
from inkverse.database import tables
from inkverse.database.reads import WholeRows, any_of

Creator = tables.Creator
Content = tables.CreatorContent
Link = tables.CreatorLink

# Built once (a DataLoader's statement): building a statement costs more than running a cached one.
_CREATORS_BY_UUIDS = WholeRows(Creator, "uuid")
_CREATORS_OF_CONTENTS = (
    select(Content.content_uuid, Creator)
    .join(Content, Content.creator_uuid == Creator.uuid)
    .where(any_of(Content.content_uuid, "content_uuids"), Content.content_type == bindparam("content_type"))
    .order_by(Content.content_uuid, Content.content_position.asc().nulls_last(), Creator.uuid)
)


class CreatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.Creator | None:
        return await self._session.get(Creator, uuid)

    async def get_by_short_url(self, short_url: str) -> tables.Creator | None:
        statement = select(Creator).where(Creator.short_url == short_url)
        return (await self._session.scalars(statement)).first()

    async def map_by_uuids(self, uuids: Sequence[str]) -> dict[str, tables.Creator]:
        if not uuids:
            return {}
        rows = await _CREATORS_BY_UUIDS.fetch(self._session, list(set(uuids)))
        return {row.uuid: row for row in rows}

    async def list_for_content(
        self, content_uuid: str, content_type: tables.ContentType = tables.ContentType.COMICSERIES
    ) -> list[tables.Creator]:
        """The content's creators in `content_position` order (missing positions last); blocked included."""
        return (await self.map_for_contents([content_uuid], content_type))[content_uuid]

    async def map_for_contents(
        self,
        content_uuids: Sequence[str],
        content_type: tables.ContentType = tables.ContentType.COMICSERIES,
    ) -> dict[str, list[tables.Creator]]:
        """Creators per content (e.g. per series uuid); every requested content is present (maybe empty)."""
        creators: dict[str, list[tables.Creator]] = defaultdict(list)
        if content_uuids:
            parameters = {"content_uuids": list(set(content_uuids)), "content_type": content_type}
            for content_uuid, creator in await self._session.execute(_CREATORS_OF_CONTENTS, parameters):
                creators[content_uuid].append(creator)
        return {content_uuid: creators[content_uuid] for content_uuid in content_uuids}


class CreatorContentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.CreatorContent | None:
        return await self._session.get(Content, uuid)

    async def get(self, creator_uuid: str, content_uuid: str) -> tables.CreatorContent | None:
        statement = select(Content).where(
            Content.creator_uuid == creator_uuid, Content.content_uuid == content_uuid
        )
        return (await self._session.scalars(statement)).first()

    async def list_for_creator(
        self,
        creator_uuid: str,
        *,
        sort_order: SortOrder = SortOrder.LATEST,
        limit: int = 10,
        offset: int = 0,
        content_type: tables.ContentType | None = None,
    ) -> list[tables.CreatorContent]:
        """A page of the creator's content by its feed `position` (LATEST descending, missing last)."""
        pages = await self.map_pages_for_creators(
            [creator_uuid], sort_order=sort_order, limit=limit, offset=offset, content_type=content_type
        )
        return pages[creator_uuid]

    async def map_pages_for_creators(
        self,
        creator_uuids: Sequence[str],
        *,
        sort_order: SortOrder = SortOrder.LATEST,
        limit: int = 10,
        offset: int = 0,
        content_type: tables.ContentType | None = None,
    ) -> dict[str, list[tables.CreatorContent]]:
        """`list_for_creator` for several creators in one query; every requested creator is present."""
        pages: dict[str, list[tables.CreatorContent]] = {uuid: [] for uuid in creator_uuids}
        if not creator_uuids:
            return pages
        parameters = {
            "creator_uuids": list(set(creator_uuids)),
            "offset": offset,
            "last": offset + limit,
            "content_type": content_type,
        }
        statement = _content_pages(sort_order, of_one_type=content_type is not None)
        for content in await self._session.scalars(statement, parameters):
            pages[content.creator_uuid].append(content)
        return pages

    async def creator_uuids_for_content(self, content_uuid: str) -> list[str]:
        """All creators of a content, first by `content_position` (the original picked one at random)."""
        statement = (
            select(Content.creator_uuid)
            .where(Content.content_uuid == content_uuid)
            .order_by(Content.content_position.asc().nulls_last(), Content.creator_uuid)
        )
        return list(await self._session.scalars(statement))


class CreatorLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_creator(self, creator_uuid: str) -> list[tables.CreatorLink]:
        return (await self.map_for_creators([creator_uuid]))[creator_uuid]

    async def map_for_creators(self, creator_uuids: Sequence[str]) -> dict[str, list[tables.CreatorLink]]:
        """Links per creator, by type then insertion order; every requested creator is present."""
        links: dict[str, list[tables.CreatorLink]] = defaultdict(list)
        if creator_uuids:
            statement = (
                select(Link)
                .where(Link.creator_uuid.in_(set(creator_uuids)))
                .order_by(Link.creator_uuid, Link.type, Link.id)
            )
            for link in await self._session.scalars(statement):
                links[link.creator_uuid].append(link)
        return {creator_uuid: links[creator_uuid] for creator_uuid in creator_uuids}

    async def creator_uuids_by_link(self, link_type: str, values: Sequence[str]) -> list[str]:
        """Creators having a link of this type whose value is one of `values` (exact match), each once.

        The values travel as one array parameter: a Bluesky user can follow more accounts than
        PostgreSQL takes parameters in one statement."""
        if not values:
            return []
        wanted = bindparam("values", sorted(set(values)), type_=ARRAY(String))
        statement = (
            select(Link.creator_uuid)
            .where(Link.type == link_type, Link.value == any_(wanted))
            .distinct()
            .order_by(Link.creator_uuid)
        )
        return list(await self._session.scalars(statement))


@cache
def _content_pages(sort_order: SortOrder, *, of_one_type: bool) -> Select[tables.CreatorContent]:
    """Ranks `offset` < rank <= `last` of each creator's content in `creator_uuids` (optionally of
    `content_type` only); built once per variant."""
    rank = (
        func.row_number()
        .over(
            partition_by=Content.creator_uuid,
            order_by=(position_order(Content.position, sort_order), Content.uuid),
        )
        .label("rank")
    )
    ranked = select(Content, rank).where(any_of(Content.creator_uuid, "creator_uuids"))
    if of_one_type:
        ranked = ranked.where(Content.content_type == bindparam("content_type"))
    page = ranked.subquery()
    return (
        select(aliased(Content, page))
        .where(page.c.rank > bindparam("offset"), page.c.rank <= bindparam("last"))
        .order_by(page.c.creator_uuid, page.c.rank)
    )
