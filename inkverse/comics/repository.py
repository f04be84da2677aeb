"""Reads and writes of `comicseries`, `comicissue` and `comicstory`. The caller owns the session."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables


class ComicSeriesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.ComicSeries | None:
        return await self._session.get(tables.ComicSeries, uuid)

    async def get_by_short_url(self, short_url: str) -> tables.ComicSeries | None:
        statement = select(tables.ComicSeries).where(tables.ComicSeries.short_url == short_url)
        return (await self._session.scalars(statement)).first()
