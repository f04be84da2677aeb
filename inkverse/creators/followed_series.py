"""Series of the creators someone follows elsewhere (graphql.md §2.6): Bluesky handles and Patreon
usernames are matched exactly against `creatorlink` values of that type, then each matched creator's
non-blocked series (through `creatorcontent`) are listed newest first, each series once."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog_enums import LinkType
from inkverse.comics.repository import ComicSeriesRepository
from inkverse.creators.repository import CreatorLinkRepository
from inkverse.database import tables


async def series_for_bluesky_handles(
    session: AsyncSession, handles: Sequence[str]
) -> list[tables.ComicSeries]:
    return await _series_for_links(session, LinkType.BLUESKY, handles)


async def series_for_patreon_usernames(
    session: AsyncSession, usernames: Sequence[str]
) -> list[tables.ComicSeries]:
    return await _series_for_links(session, LinkType.PATREON, usernames)


async def _series_for_links(
    session: AsyncSession, link_type: LinkType, values: Sequence[str]
) -> list[tables.ComicSeries]:
    creator_uuids = await CreatorLinkRepository(session).creator_uuids_by_link(link_type, values)
    return await ComicSeriesRepository(session).list_for_creators(creator_uuids)
