"""Catalog reads of creators, their content and their links against real PostgreSQL."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.catalog_enums import SortOrder
from inkverse.creators.repository import CreatorContentRepository, CreatorLinkRepository, CreatorRepository
from inkverse.database import tables
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import creator_data, creatorcontent_data, link, new_uuid


async def add_creator(events: EventApplier, **overrides: Any) -> str:
    data = creator_data(**overrides)
    await events.created(TaddyType.CREATOR, data)
    return str(data["uuid"])


async def add_content(events: EventApplier, creator_uuid: str, content_uuid: str, **overrides: Any) -> str:
    data = creatorcontent_data(creator_uuid, content_uuid, **overrides)
    await events.created(TaddyType.CREATORCONTENT, data)
    return str(data["uuid"])


async def test_creator_by_uuid_short_url_and_uuids(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ann = await add_creator(events, name="Ann Example")
    bob = await add_creator(events, name="Bob")
    async with sessionmaker() as session:
        creators = CreatorRepository(session)
        by_uuid = await creators.get_by_uuid(ann)
        assert by_uuid is not None
        assert await creators.get_by_short_url("ann-example") is by_uuid
        assert await creators.get_by_short_url("nobody") is None
        assert set(await creators.map_by_uuids([ann, bob, new_uuid()])) == {ann, bob}
        assert await creators.map_by_uuids([]) == {}


async def test_creators_of_a_series_in_content_position_order(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series, other_series, lonely = new_uuid(), new_uuid(), new_uuid()
    writer, artist, editor = [await add_creator(events) for _ in range(3)]
    await add_content(events, editor, series, contentPosition=None)
    await add_content(events, artist, series, contentPosition=1)
    await add_content(events, writer, series, contentPosition=0)
    await add_content(events, artist, other_series, contentPosition=0)
    await add_content(events, writer, new_uuid(), contentType="COMICISSUE")
    async with sessionmaker() as session:
        creators = CreatorRepository(session)
        listed = [creator.uuid for creator in await creators.list_for_content(series)]
        mapped = await creators.map_for_contents([series, other_series, lonely])
    assert listed == [writer, artist, editor]
    assert [creator.uuid for creator in mapped[other_series]] == [artist]
    assert mapped[lonely] == []


async def test_content_of_a_creator_with_sort_order_paging_and_type(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    creator = await add_creator(events)
    first = await add_content(events, creator, new_uuid(), position=0)
    second = await add_content(events, creator, new_uuid(), position=1)
    unplaced = await add_content(events, creator, new_uuid(), position=None)
    issue = await add_content(events, creator, new_uuid(), position=2, contentType="COMICISSUE")
    async with sessionmaker() as session:
        content = CreatorContentRepository(session)

        async def uuids(**arguments: Any) -> list[str]:
            return [row.uuid for row in await content.list_for_creator(creator, **arguments)]

        assert await uuids() == [issue, second, first, unplaced]
        assert await uuids(sort_order=SortOrder.OLDEST) == [first, second, issue, unplaced]
        assert await uuids(sort_order=SortOrder.OLDEST, limit=2, offset=1) == [second, issue]
        assert await uuids(content_type=tables.ContentType.COMICSERIES) == [second, first, unplaced]
        found = await content.get_by_uuid(first)
        assert found is not None
        assert await content.get(creator, found.content_uuid) is found
        assert await content.get(creator, new_uuid()) is None


async def test_creators_of_a_content_are_ordered_and_complete(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = new_uuid()
    second, first = new_uuid(), new_uuid()
    await add_content(events, second, series, contentPosition=1)
    await add_content(events, first, series, contentPosition=0)
    async with sessionmaker() as session:
        assert await CreatorContentRepository(session).creator_uuids_for_content(series) == [first, second]


async def test_creator_links_by_creator_and_by_handle(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ann = await add_creator(events, links=[link("PATREON", "ann"), link("BLUESKY", "ann.bsky.social")])
    bob = await add_creator(events, links=[link("PATREON", "bob"), link("PATREON", "bob")])
    quiet = await add_creator(events, links=[])
    async with sessionmaker() as session:
        links = CreatorLinkRepository(session)
        assert [(row.type, row.value) for row in await links.list_for_creator(ann)] == [
            ("BLUESKY", "ann.bsky.social"),
            ("PATREON", "ann"),
        ]
        mapped = await links.map_for_creators([bob, quiet])
        assert [row.value for row in mapped[bob]] == ["bob", "bob"]
        assert mapped[quiet] == []
        assert await links.creator_uuids_by_link("PATREON", ["bob", "ann", "carol"]) == sorted([ann, bob])
        assert await links.creator_uuids_by_link("PATREON", ["Ann"]) == []
        assert await links.creator_uuids_by_link("PATREON", []) == []
