"""Reads of `users`. The caller owns the session."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.database.reads import CompiledSelect, Entity, ReadConnection, any_of

_USER = Entity(tables.User)
_USERS_OF_CREATORS = CompiledSelect(
    select(*_USER.columns).where(any_of(tables.User.creator_uuid, "creator_uuids")).order_by(tables.User.id)
)


async def users_of_creators(reads: ReadConnection, creator_uuids: Sequence[str]) -> dict[str, tables.User]:
    """The user who claimed each creator (the lowest id when, unexpectedly, several did), for the
    DataLoaders on the request's connection; the rows are transient (read them, never change them)."""
    if not creator_uuids:
        return {}
    found: dict[str, tables.User] = {}
    for record in await _USERS_OF_CREATORS.fetch(reads, creator_uuids=list(set(creator_uuids))):
        row = _USER.row(record)
        if row.creator_uuid is not None:
            found.setdefault(row.creator_uuid, row)
    return found


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_id(self, user_id: int) -> tables.User | None:
        return await self._session.get(tables.User, user_id)

    async def get_by_username(self, username: str) -> tables.User | None:
        """Usernames are stored lower-cased; the lookup lower-cases and trims like the original."""
        statement = select(tables.User).where(tables.User.username == username.strip().lower()).limit(1)
        return (await self._session.scalars(statement)).first()

    async def by_ids(self, user_ids: Sequence[int]) -> dict[int, tables.User]:
        if not user_ids:
            return {}
        rows = await self._session.scalars(select(tables.User).where(tables.User.id.in_(set(user_ids))))
        return {row.id: row for row in rows}

    async def by_creator_uuids(self, creator_uuids: Sequence[str]) -> dict[str, tables.User]:
        """The user who claimed each creator (the lowest id when, unexpectedly, several did); the rows
        are not in the session (read them, never change them)."""
        return await users_of_creators(await ReadConnection.of(self._session), creator_uuids)

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count(tables.User.id))) or 0)
