"""creatorcontent webhooks: the upsert on (content, creator), uuid changes, deletes and ordering."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.changes import Outcome
from inkverse.catalog.events import TaddyType
from inkverse.database import tables
from tests.fixtures.catalog import EventApplier, count_rows, fetch
from tests.fixtures.taddy_payloads import creatorcontent_data, new_uuid

CONTENT = TaddyType.CREATORCONTENT


async def all_content(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tables.CreatorContent]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(tables.CreatorContent)))


async def test_created_writes_the_row_and_reports_what_to_purge(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    creator, series = new_uuid(), new_uuid()
    data = creatorcontent_data(creator, series, contentType="comicseries", roles=["COMICSERIES_WRITER", "X"])
    result = await events.created(CONTENT, data)

    assert result.outcome is Outcome.CREATED
    assert (result.creator_uuid, result.series_uuid) == (creator, series)
    assert result.creatorcontent_uuids == (data["uuid"],)
    assert result.content_uuids == (series,)
    row = await fetch(sessionmaker, tables.CreatorContent, data["uuid"])
    assert row is not None
    assert (row.creator_uuid, row.content_uuid, row.content_type) == (
        creator,
        series,
        tables.ContentType.COMICSERIES,
    )
    assert (row.roles, row.position, row.content_position) == (["COMICSERIES_WRITER"], 0, 0)
    assert await fetch(sessionmaker, tables.UUIDLookup, data["uuid"]) is None


async def test_created_and_updated_upsert_on_the_pair(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creatorcontent_data(new_uuid(), new_uuid())
    await events.created(CONTENT, data)
    again = await events.created(CONTENT, {**data, "roles": ["COMICSERIES_EDITOR"]}, timestamp=200)
    assert again.outcome is Outcome.UPDATED
    rows = await all_content(sessionmaker)
    assert [(row.uuid, row.roles) for row in rows] == [(data["uuid"], ["COMICSERIES_EDITOR"])]
    assert rows[0].updated_at is not None


async def test_a_new_uuid_for_the_same_pair_replaces_the_row(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creatorcontent_data(new_uuid(), new_uuid())
    await events.created(CONTENT, data)
    renewed = {**data, "uuid": new_uuid()}
    await events.updated(CONTENT, renewed, timestamp=200)
    assert [row.uuid for row in await all_content(sessionmaker)] == [renewed["uuid"]]


async def test_a_uuid_moved_to_another_pair_leaves_its_old_row(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    creator, old_series, new_series = new_uuid(), new_uuid(), new_uuid()
    data = creatorcontent_data(creator, old_series)
    await events.created(CONTENT, data)
    result = await events.updated(CONTENT, {**data, "contentUuid": new_series}, timestamp=200)
    assert set(result.content_uuids) == {new_series, old_series}
    assert [(row.uuid, row.content_uuid) for row in await all_content(sessionmaker)] == [
        (data["uuid"], new_series)
    ]


async def test_delete_and_delete_of_a_missing_row(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    creator, series = new_uuid(), new_uuid()
    data = creatorcontent_data(creator, series)
    await events.created(CONTENT, data)
    deleted = await events.deleted(CONTENT, data["uuid"], timestamp=200)
    assert deleted.outcome is Outcome.DELETED
    assert (deleted.creator_uuid, deleted.series_uuid) == (creator, series)
    assert await count_rows(sessionmaker, tables.CreatorContent) == 0
    again = await events.deleted(CONTENT, data["uuid"], timestamp=200)
    assert again.outcome is Outcome.NOT_FOUND


async def test_a_stale_update_after_the_delete_does_not_resurrect(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creatorcontent_data(new_uuid(), new_uuid())
    await events.created(CONTENT, data, timestamp=100)
    await events.deleted(CONTENT, data["uuid"], timestamp=300)
    assert (await events.updated(CONTENT, data, timestamp=200)).outcome is Outcome.STALE
    assert await count_rows(sessionmaker, tables.CreatorContent) == 0
    assert (await events.updated(CONTENT, data, timestamp=400)).outcome is Outcome.CREATED
