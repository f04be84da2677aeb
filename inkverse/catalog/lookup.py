"""`uuid_lookup`: which kind of Taddy object a uuid is (series, issue or creator)."""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables


class UUIDLookupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, uuid: str) -> tables.UUIDLookup | None:
        return await self._session.get(tables.UUIDLookup, uuid)

    async def register(self, uuid: str, taddy_type: tables.ContentType) -> None:
        """Idempotent: a uuid already registered keeps its row (a redelivered `created` is fine)."""
        statement = insert(tables.UUIDLookup).values(uuid=uuid, taddy_type=taddy_type)
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=[tables.UUIDLookup.uuid]))

    async def delete_many(self, uuids: Sequence[str]) -> None:
        if not uuids:
            return
        statement = delete(tables.UUIDLookup).where(tables.UUIDLookup.uuid.in_(uuids))
        await self._session.execute(statement.execution_options(synchronize_session=False))
