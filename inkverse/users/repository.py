"""Reads of `users`. The caller owns the session."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables


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
        """The user who claimed each creator (the lowest id when, unexpectedly, several did)."""
        if not creator_uuids:
            return {}
        statement = (
            select(tables.User)
            .where(tables.User.creator_uuid.in_(set(creator_uuids)))
            .order_by(tables.User.id)
        )
        found: dict[str, tables.User] = {}
        for row in await self._session.scalars(statement):
            if row.creator_uuid is not None:
                found.setdefault(row.creator_uuid, row)
        return found

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count(tables.User.id))) or 0)
