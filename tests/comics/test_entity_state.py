"""The webhook ordering state (`taddy_entity_state`) and the uuid lookup table."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.entity_state import EntityStateRepository
from inkverse.catalog.events import TaddyType
from inkverse.catalog.lookup import UUIDLookupRepository
from inkverse.database import tables
from tests.fixtures.taddy_payloads import new_uuid

ISSUE = TaddyType.COMICISSUE


async def test_claims_move_forward_only(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    uuid = new_uuid()
    async with sessionmaker() as session:
        state = EntityStateRepository(session)
        assert await state.claim(ISSUE, uuid, 100, deleting=False)
        assert await state.claim(ISSUE, uuid, 100, deleting=False)  # the same event again
        assert await state.claim(ISSUE, uuid, 200, deleting=False)
        assert not await state.claim(ISSUE, uuid, 150, deleting=False)
        assert not await state.claim(ISSUE, uuid, 150, deleting=True)
        assert await state.claim(TaddyType.COMICSERIES, uuid, 1, deleting=False)  # another type, own row
        stored = await state.get(ISSUE, uuid)
        assert stored is not None
        assert (stored.last_timestamp, stored.deleted) == (200, False)


async def test_a_delete_wins_a_tie_and_blocks_older_writes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    uuid = new_uuid()
    async with sessionmaker() as session:
        state = EntityStateRepository(session)
        assert await state.claim(ISSUE, uuid, 100, deleting=False)
        assert await state.claim(ISSUE, uuid, 100, deleting=True)
        assert await state.claim(ISSUE, uuid, 100, deleting=True)  # a redelivered delete
        assert not await state.claim(ISSUE, uuid, 100, deleting=False)
        assert await state.is_tombstoned(ISSUE, uuid, 100)
        assert await state.is_tombstoned(ISSUE, uuid, 99)
        assert not await state.is_tombstoned(ISSUE, uuid, 101)
        assert await state.claim(ISSUE, uuid, 101, deleting=False)
        assert not await state.is_tombstoned(ISSUE, uuid, 50)


async def test_tombstone_many_keeps_newer_state(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    fresh, newer = new_uuid(), new_uuid()
    async with sessionmaker() as session:
        state = EntityStateRepository(session)
        await state.claim(ISSUE, newer, 500, deleting=False)
        await state.tombstone_many(ISSUE, [fresh, newer], 300)
        await state.tombstone_many(ISSUE, [], 300)
        assert await state.is_tombstoned(ISSUE, fresh, 300)
        assert not await state.is_tombstoned(ISSUE, newer, 300)
        stored = await state.get(ISSUE, newer)
        assert stored is not None
        assert (stored.last_timestamp, stored.deleted) == (500, False)


async def test_uuid_lookup_register_is_idempotent_and_delete_many(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    series, issue = new_uuid(), new_uuid()
    async with sessionmaker() as session:
        lookup = UUIDLookupRepository(session)
        await lookup.register(series, tables.ContentType.COMICSERIES)
        await lookup.register(series, tables.ContentType.COMICSERIES)
        await lookup.register(issue, tables.ContentType.COMICISSUE)
        found = await lookup.get(series)
        assert found is not None
        assert found.taddy_type is tables.ContentType.COMICSERIES
        await lookup.delete_many([series, new_uuid()])
        await lookup.delete_many([])
        session.expunge_all()
        assert await lookup.get(series) is None
        assert await lookup.get(issue) is not None
