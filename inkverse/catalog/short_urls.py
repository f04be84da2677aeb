"""Short URLs (`comicseries.short_url`, `creator.short_url`): generated once from the name, never changed.

Series and creators are separate namespaces (a creator may share a series' short URL). The first object
with a name gets the bare slug, later ones `<slug>-1`, `<slug>-2`, ... (the smallest number not taken),
so a third duplicate name no longer collides as it did in the original. A transaction-scoped advisory
lock per (namespace, slug) makes concurrent writers of the same name take turns.
"""

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from inkverse.catalog.text import pretty_encode_title
from inkverse.database import tables

# Leaves room for a `-<n>` suffix in the varchar(255) column.
MAX_SLUG_LENGTH = 240


def slug_for(name: str | None, uuid: str) -> str:
    """The slug of a name; a name that leaves nothing (absent, or only punctuation) falls back to the uuid."""
    return pretty_encode_title(name or "")[:MAX_SLUG_LENGTH] or uuid


def first_free(slug: str, taken: set[str]) -> str:
    if slug not in taken:
        return slug
    number = 1
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


class ShortUrlAllocator:
    def __init__(self, session: AsyncSession, column: InstrumentedAttribute[str]) -> None:
        self._session = session
        self._column = column

    @classmethod
    def for_series(cls, session: AsyncSession) -> "ShortUrlAllocator":
        return cls(session, tables.ComicSeries.short_url)

    @classmethod
    def for_creators(cls, session: AsyncSession) -> "ShortUrlAllocator":
        return cls(session, tables.Creator.short_url)

    async def allocate(self, name: str | None, uuid: str) -> str:
        slug = slug_for(name, uuid)
        namespace = self._column.class_.__tablename__
        await self._session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{namespace}:{slug}"))))
        statement = select(self._column).where(
            or_(self._column == slug, self._column.startswith(f"{slug}-", autoescape=True))
        )
        taken = set((await self._session.scalars(statement)).all())
        return first_free(slug, taken)
