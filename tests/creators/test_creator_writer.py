"""creator webhooks: mapping, links and `links_hash`, idempotency, ordering and the delete cascade."""

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.changes import Outcome
from inkverse.catalog.events import TaddyType
from inkverse.catalog.text import create_hash
from inkverse.database import tables
from tests.fixtures.catalog import EventApplier, count_rows, fetch
from tests.fixtures.taddy_payloads import DEFAULT_LINKS, creator_data, creatorcontent_data, link, new_uuid

CREATOR = TaddyType.CREATOR


async def links_of(
    sessionmaker: async_sessionmaker[AsyncSession], creator_uuid: str
) -> list[tables.CreatorLink]:
    async with sessionmaker() as session:
        statement = (
            select(tables.CreatorLink)
            .where(tables.CreatorLink.creator_uuid == creator_uuid)
            .order_by(tables.CreatorLink.id)
        )
        return list(await session.scalars(statement))


async def test_created_writes_the_creator_its_links_and_lookup(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    links = [*DEFAULT_LINKS, link("MYSPACE", "ann")]
    data = creator_data(links=links, bio="B" * 1200, isBlocked="yes")
    result = await events.created(CREATOR, data)

    assert result.outcome is Outcome.CREATED
    assert (result.short_url, result.links_changed) == ("ann-example", True)
    creator = await fetch(sessionmaker, tables.Creator, data["uuid"])
    assert creator is not None
    assert (creator.name, creator.country, creator.is_blocked) == ("Ann Example", "CANADA", True)
    assert creator.bio == "B" * 996 + "..."
    assert creator.links == DEFAULT_LINKS
    assert creator.links_hash == create_hash(DEFAULT_LINKS)
    assert list(creator.avatar_image or {}) == ["base_url", "avatar_sm", "avatar_md", "avatar_lg"]
    assert creator.websub_hash is None
    assert [(row.type, row.base_url, row.value) for row in await links_of(sessionmaker, data["uuid"])] == [
        ("PATREON", "https://patreon.com/", "annexample"),
        ("BLUESKY", "https://bsky.app/profile/", "ann.example.com"),
    ]
    lookup = await fetch(sessionmaker, tables.UUIDLookup, data["uuid"])
    assert lookup is not None
    assert lookup.taddy_type is tables.ContentType.CREATOR


async def test_unchanged_links_are_not_rewritten(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    await events.created(CREATOR, data)
    before = [row.id for row in await links_of(sessionmaker, data["uuid"])]
    result = await events.updated(CREATOR, {**data, "bio": "New bio"}, timestamp=200)
    assert (result.outcome, result.links_changed) == (Outcome.UPDATED, False)
    assert [row.id for row in await links_of(sessionmaker, data["uuid"])] == before


async def test_changed_links_replace_the_rows(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    await events.created(CREATOR, data)
    new_links = [link("KO_FI", "annexample", "https://ko-fi.com/")]
    result = await events.updated(CREATOR, {**data, "linksAsString": json.dumps(new_links)}, timestamp=200)
    assert result.links_changed
    assert [(row.type, row.value) for row in await links_of(sessionmaker, data["uuid"])] == [
        ("KO_FI", "annexample")
    ]


async def test_links_becoming_empty_remove_the_creatorlink_rows(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    await events.created(CREATOR, data)
    result = await events.updated(CREATOR, {**data, "linksAsString": "[]"}, timestamp=200)
    assert result.links_changed
    assert await links_of(sessionmaker, data["uuid"]) == []
    creator = await fetch(sessionmaker, tables.Creator, data["uuid"])
    assert creator is not None
    assert (creator.links, creator.links_hash) == ([], create_hash([]))


async def test_links_absent_store_null_and_remove_the_rows(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    await events.created(CREATOR, data)
    without_links = {key: value for key, value in data.items() if key != "linksAsString"}
    await events.updated(CREATOR, without_links, timestamp=200)
    creator = await fetch(sessionmaker, tables.Creator, data["uuid"])
    assert creator is not None
    assert (creator.links, creator.links_hash) == (None, create_hash(None))
    assert await links_of(sessionmaker, data["uuid"]) == []


async def test_the_third_creator_with_the_same_name_gets_a_distinct_short_url(events: EventApplier) -> None:
    short_urls = [
        (await events.created(CREATOR, creator_data(name="Ann Example"))).short_url for _ in range(3)
    ]
    assert short_urls == ["ann-example", "ann-example-1", "ann-example-2"]


async def test_short_url_is_stable_and_a_repeated_created_is_an_update(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data(name="Ann")
    await events.created(CREATOR, data)
    again = await events.created(CREATOR, {**data, "name": "Ann Renamed"}, timestamp=200)
    assert again.outcome is Outcome.UPDATED
    assert again.short_url == again.previous_short_url == "ann"
    assert await count_rows(sessionmaker, tables.Creator) == 1
    assert await count_rows(sessionmaker, tables.CreatorLink) == len(DEFAULT_LINKS)


async def test_updated_for_a_missing_creator_creates_it(events: EventApplier) -> None:
    assert (await events.updated(CREATOR, creator_data())).outcome is Outcome.CREATED


async def test_out_of_order_events_leave_the_newest_links(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    await events.updated(CREATOR, {**data, "linksAsString": "[]"}, timestamp=300)
    stale = await events.created(CREATOR, data, timestamp=100)
    assert stale.outcome is Outcome.STALE
    assert await links_of(sessionmaker, data["uuid"]) == []


async def test_delete_cascades_and_clears_claimed_users(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    other = creator_data()
    series_a, series_b = new_uuid(), new_uuid()
    await events.created(CREATOR, data)
    await events.created(CREATOR, other)
    content = [creatorcontent_data(data["uuid"], series) for series in (series_a, series_b)]
    for item in [*content, creatorcontent_data(other["uuid"], series_a)]:
        await events.created(TaddyType.CREATORCONTENT, item)
    async with sessionmaker() as session, session.begin():
        session.add(tables.User(email="ann@example.com", created_at=1, creator_uuid=data["uuid"]))

    result = await events.deleted(CREATOR, data["uuid"], timestamp=200)

    assert result.outcome is Outcome.DELETED
    assert result.short_url == "ann-example"
    assert set(result.creatorcontent_uuids) == {item["uuid"] for item in content}
    assert set(result.content_uuids) == {series_a, series_b}
    assert await fetch(sessionmaker, tables.Creator, data["uuid"]) is None
    assert await fetch(sessionmaker, tables.UUIDLookup, data["uuid"]) is None
    assert await links_of(sessionmaker, data["uuid"]) == []
    assert await count_rows(sessionmaker, tables.CreatorContent) == 1
    async with sessionmaker() as session:
        user = (await session.scalars(select(tables.User))).one()
    assert user.creator_uuid is None
    assert user.updated_at is not None


async def test_deleting_a_missing_creator_is_a_no_op(events: EventApplier) -> None:
    result = await events.deleted(CREATOR, new_uuid())
    assert result.outcome is Outcome.NOT_FOUND


async def test_stale_events_after_a_creator_delete_do_not_resurrect_it_or_its_content(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = creator_data()
    known = creatorcontent_data(data["uuid"], new_uuid())
    unknown = creatorcontent_data(data["uuid"], new_uuid())
    await events.created(CREATOR, data, timestamp=100)
    await events.created(TaddyType.CREATORCONTENT, known, timestamp=100)
    await events.deleted(CREATOR, data["uuid"], timestamp=300)

    assert (await events.updated(CREATOR, data, timestamp=200)).outcome is Outcome.STALE
    assert (await events.updated(TaddyType.CREATORCONTENT, known, timestamp=200)).outcome is Outcome.STALE
    assert (await events.created(TaddyType.CREATORCONTENT, unknown, timestamp=250)).outcome is Outcome.STALE
    assert await count_rows(sessionmaker, tables.Creator) == 0
    assert await count_rows(sessionmaker, tables.CreatorContent) == 0
