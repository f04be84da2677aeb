"""Reads of `creator`, `creatorcontent` and `creatorlink`. The caller owns the session.

Methods named `map_...` take a list of keys and return a dict, for DataLoaders. Webhook writes are in
`inkverse.creators.writers`.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from sqlalchemy import ARRAY, String, Subquery, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import position_order
from inkverse.catalog_enums import SortOrder
from inkverse.database import tables
from inkverse.database.reads import CompiledSelect, Entity, ReadConnection, WholeRows, any_of

Creator = tables.Creator
Content = tables.CreatorContent
Link = tables.CreatorLink

# Built once (a DataLoader's statement): building a statement costs more than running a cached one.
_CREATOR = Entity(Creator)
_CONTENT = Entity(Content)
_SERIES = Entity(tables.ComicSeries)
_CREATORS_BY_UUIDS = WholeRows(Creator, "uuid")
_CREATORS_OF_CONTENTS = CompiledSelect(
    select(Content.content_uuid, *_CREATOR.columns)
    .join(Content, Content.creator_uuid == Creator.uuid)
    .where(any_of(Content.content_uuid, "content_uuids"), Content.content_type == bindparam("content_type"))
    .order_by(Content.content_uuid, Content.content_position.asc().nulls_last(), Creator.uuid)
)


# Reads by key for the DataLoaders, on the request's connection; the repositories' `map_...` methods
# run the same reads in a session.


async def creators_by_uuids(reads: ReadConnection, uuids: Sequence[str]) -> dict[str, tables.Creator]:
    if not uuids:
        return {}
    return {row.uuid: row for row in await _CREATORS_BY_UUIDS.fetch(reads, list(set(uuids)))}


async def creators_of_contents(
    reads: ReadConnection,
    content_uuids: Sequence[str],
    content_type: tables.ContentType = tables.ContentType.COMICSERIES,
) -> dict[str, list[tables.Creator]]:
    """Creators per content (e.g. per series uuid) in `content_position` order (missing positions
    last); blocked included; every requested content is present (maybe empty)."""
    creators: dict[str, list[tables.Creator]] = defaultdict(list)
    if content_uuids:
        records = await _CREATORS_OF_CONTENTS.fetch(
            reads, content_uuids=list(set(content_uuids)), content_type=content_type
        )
        for record in records:
            creators[str(record[0])].append(_CREATOR.row(record, start=1))
    return {content_uuid: creators[content_uuid] for content_uuid in content_uuids}


async def series_of_creators(
    reads: ReadConnection, creator_uuids: Sequence[str], *, limit: int
) -> dict[str, list[tables.ComicSeries]]:
    """The series on each creator's first page of series content (newest feed position first), in one
    query with the page; content whose series is missing is left out. Every requested creator is
    present (maybe empty)."""
    found: dict[str, list[tables.ComicSeries]] = {uuid: [] for uuid in creator_uuids}
    if creator_uuids:
        records = await _SERIES_OF_CREATORS.fetch(
            reads,
            creator_uuids=list(set(creator_uuids)),
            offset=0,
            last=limit,
            content_type=tables.ContentType.COMICSERIES,
        )
        for record in records:
            found[str(record[0])].append(_SERIES.row(record, start=1))
    return found


async def content_pages_of_creators(
    reads: ReadConnection,
    creator_uuids: Sequence[str],
    *,
    sort_order: SortOrder = SortOrder.LATEST,
    limit: int = 10,
    offset: int = 0,
    content_type: tables.ContentType | None = None,
) -> dict[str, list[tables.CreatorContent]]:
    """A page of each creator's content by its feed `position` (LATEST descending, missing last),
    optionally of one type, in one query; every requested creator is present (maybe empty)."""
    pages: dict[str, list[tables.CreatorContent]] = {uuid: [] for uuid in creator_uuids}
    if not creator_uuids:
        return pages
    records = await _content_pages(sort_order, of_one_type=content_type is not None).fetch(
        reads,
        creator_uuids=list(set(creator_uuids)),
        offset=offset,
        last=offset + limit,
        content_type=content_type,
    )
    for record in records:
        content = _CONTENT.row(record)
        pages[content.creator_uuid].append(content)
    return pages


class CreatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.Creator | None:
        return await self._session.get(Creator, uuid)

    async def get_by_short_url(self, short_url: str) -> tables.Creator | None:
        statement = select(Creator).where(Creator.short_url == short_url)
        return (await self._session.scalars(statement)).first()

    async def map_by_uuids(self, uuids: Sequence[str]) -> dict[str, tables.Creator]:
        return await creators_by_uuids(await ReadConnection.of(self._session), uuids)

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
        return await creators_of_contents(await ReadConnection.of(self._session), content_uuids, content_type)


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
        return await content_pages_of_creators(
            await ReadConnection.of(self._session), creator_uuids, sort_order=sort_order, limit=limit,
            offset=offset, content_type=content_type,
        )  # fmt: skip

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
def _content_pages(sort_order: SortOrder, *, of_one_type: bool) -> CompiledSelect:
    """Ranks `offset` < rank <= `last` of each creator's content in `creator_uuids` (optionally of
    `content_type` only); built once per variant."""
    page = _ranked_content(sort_order, of_one_type=of_one_type)
    return CompiledSelect(
        select(*(page.c[column.key] for column in _CONTENT.columns))
        .where(page.c.rank > bindparam("offset"), page.c.rank <= bindparam("last"))
        .order_by(page.c.creator_uuid, page.c.rank)
    )


def _ranked_content(sort_order: SortOrder, *, of_one_type: bool) -> Subquery:
    """Each content of the creators in `creator_uuids` (optionally of `content_type` only) with its
    `rank` in the creator's feed order."""
    rank = (
        func.row_number()
        .over(
            partition_by=Content.creator_uuid,
            order_by=(position_order(Content.position, sort_order), Content.uuid),
        )
        .label("rank")
    )
    ranked = select(*_CONTENT.columns, rank).where(any_of(Content.creator_uuid, "creator_uuids"))
    if of_one_type:
        ranked = ranked.where(Content.content_type == bindparam("content_type"))
    return ranked.subquery()


def _series_of_creators() -> CompiledSelect:
    page = _ranked_content(SortOrder.LATEST, of_one_type=True)
    return CompiledSelect(
        select(page.c.creator_uuid, *_SERIES.columns)
        .join(page, page.c.content_uuid == tables.ComicSeries.uuid)
        .where(page.c.rank > bindparam("offset"), page.c.rank <= bindparam("last"))
        .order_by(page.c.creator_uuid, page.c.rank)
    )


_SERIES_OF_CREATORS = _series_of_creators()
