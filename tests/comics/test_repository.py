"""Catalog reads of series, issues and stories against real PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.catalog_enums import SortOrder
from inkverse.comics.repository import ComicIssueRepository, ComicSeriesRepository, ComicStoryRepository
from inkverse.database import tables
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import creatorcontent_data, issue_data, new_uuid, series_data, story_data

NOW = int(datetime.now(UTC).timestamp())


async def add_series(events: EventApplier, **overrides: Any) -> dict[str, Any]:
    data = series_data(**overrides)
    await events.created(TaddyType.COMICSERIES, data)
    return data


async def add_issue(events: EventApplier, series_uuid: str, **overrides: Any) -> dict[str, Any]:
    data = issue_data(series_uuid, **overrides)
    await events.created(TaddyType.COMICISSUE, data)
    return data


async def set_created_at(sessionmaker: async_sessionmaker[AsyncSession], uuid: str, days_ago: int) -> None:
    created_at = datetime.now(UTC) - timedelta(days=days_ago)
    async with sessionmaker() as session, session.begin():
        statement = (
            update(tables.ComicSeries).where(tables.ComicSeries.uuid == uuid).values(created_at=created_at)
        )
        await session.execute(statement)


# --- series -------------------------------------------------------------------------------------------


async def test_series_by_uuid_short_url_and_issue(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = await add_series(events, name="Night Shift")
    issue = await add_issue(events, series["uuid"])
    async with sessionmaker() as session:
        repository = ComicSeriesRepository(session)
        by_uuid = await repository.get_by_uuid(series["uuid"])
        by_short_url = await repository.get_by_short_url("night-shift")
        by_issue = await repository.get_by_issue_uuid(issue["uuid"])
        assert by_uuid is not None
        assert by_short_url is by_uuid
        assert by_issue is by_uuid
        assert await repository.get_by_short_url("Night-Shift") is None
        assert await repository.get_by_uuid(new_uuid()) is None
        assert await repository.get_by_issue_uuid(new_uuid()) is None


async def test_series_by_uuid_list_keeps_the_given_order(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second, third = [await add_series(events) for _ in range(3)]
    wanted = [third["uuid"], new_uuid(), first["uuid"], third["uuid"], second["uuid"]]
    async with sessionmaker() as session:
        repository = ComicSeriesRepository(session)
        listed = await repository.list_by_uuids(wanted)
        mapped = await repository.map_by_uuids(wanted)
        assert await repository.list_by_uuids([]) == []
    assert [series.uuid for series in listed] == [third["uuid"], first["uuid"], second["uuid"]]
    assert set(mapped) == {first["uuid"], second["uuid"], third["uuid"]}


async def test_recently_added_is_newest_first_without_blocked_series(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    oldest, blocked, legacy, newest = [await add_series(events) for _ in range(4)]
    for days_ago, series in enumerate([newest, legacy, blocked, oldest]):
        await set_created_at(sessionmaker, series["uuid"], days_ago)
    async with sessionmaker() as session, session.begin():
        series_table = tables.ComicSeries
        await session.execute(
            update(series_table).where(series_table.uuid == blocked["uuid"]).values(is_blocked=True)
        )
        await session.execute(
            update(series_table).where(series_table.uuid == legacy["uuid"]).values(is_blocked=None)
        )
    async with sessionmaker() as session:
        repository = ComicSeriesRepository(session)
        page = [series.uuid for series in await repository.recently_added(limit=10)]
        second_page = [series.uuid for series in await repository.recently_added(limit=2, offset=2)]
    assert page == [newest["uuid"], legacy["uuid"], oldest["uuid"]]
    assert second_page == [oldest["uuid"]]


async def test_recently_updated_orders_series_by_their_newest_published_issue(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    older, newer, future_only, undated = [await add_series(events) for _ in range(4)]
    await add_issue(events, older["uuid"], datePublished=NOW - 5000)
    await add_issue(events, older["uuid"], datePublished=NOW - 3000)
    await add_issue(events, newer["uuid"], datePublished=NOW - 1000)
    await add_issue(events, newer["uuid"], datePublished=NOW + 86_400)  # scheduled: not counted yet
    await add_issue(events, future_only["uuid"], datePublished=NOW + 86_400)
    await add_issue(events, undated["uuid"], datePublished=None)
    async with sessionmaker() as session:
        repository = ComicSeriesRepository(session)
        assert await repository.recently_updated_uuids(limit=10) == [newer["uuid"], older["uuid"]]
        assert await repository.recently_updated_uuids(limit=1, offset=1) == [older["uuid"]]


async def test_series_of_creators_are_listed_once(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    shared, solo, blocked = (
        await add_series(events),
        await add_series(events),
        await add_series(events, isBlocked=True),
    )
    ann, bob = new_uuid(), new_uuid()
    for creator, series in [(ann, shared), (bob, shared), (ann, solo), (bob, blocked)]:
        await events.created(TaddyType.CREATORCONTENT, creatorcontent_data(creator, series["uuid"]))
    await set_created_at(sessionmaker, solo["uuid"], 1)
    async with sessionmaker() as session:
        repository = ComicSeriesRepository(session)
        listed = [series.uuid for series in await repository.list_for_creators([ann, bob])]
        assert await repository.list_for_creators([]) == []
    assert listed == [shared["uuid"], solo["uuid"]]


# --- issues -------------------------------------------------------------------------------------------


async def issues_at_positions(
    events: EventApplier, series_uuid: str, positions: list[int | None]
) -> list[str]:
    return [(await add_issue(events, series_uuid, position=position))["uuid"] for position in positions]


async def test_issues_of_a_series_by_sort_order_with_paging(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    unpositioned, zero, one, two = await issues_at_positions(events, series_uuid, [None, 0, 1, 2])
    await add_issue(events, new_uuid(), position=5)
    async with sessionmaker() as session:
        issues = ComicIssueRepository(session)

        async def uuids(**arguments: Any) -> list[str]:
            return [issue.uuid for issue in await issues.list_for_series(series_uuid, **arguments)]

        assert await uuids() == [two, one, zero, unpositioned]
        assert await uuids(sort_order=SortOrder.SEARCH) == [two, one, zero, unpositioned]
        assert await uuids(sort_order=SortOrder.OLDEST) == [zero, one, two, unpositioned]
        assert await uuids(sort_order=SortOrder.OLDEST, limit=2, offset=1) == [one, two]


async def test_removed_issues_are_hidden_unless_asked_for(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    live = (await add_issue(events, series_uuid, position=0))["uuid"]
    removed = (await add_issue(events, series_uuid, position=1, isRemoved=True))["uuid"]
    async with sessionmaker() as session:
        issues = ComicIssueRepository(session)
        assert [i.uuid for i in await issues.list_for_series(series_uuid)] == [live]
        assert [i.uuid for i in await issues.list_for_series(series_uuid, include_removed=True)] == [
            removed,
            live,
        ]
        assert await issues.count_for_series(series_uuid) == 2


async def test_issues_by_series_and_position(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    zero, _, two = await issues_at_positions(events, series_uuid, [0, 1, 2])
    async with sessionmaker() as session:
        found = await ComicIssueRepository(session).map_by_positions(
            [(series_uuid, 0), (series_uuid, 2), (series_uuid, 3)]
        )
    assert {key: issue.uuid for key, issue in found.items()} == {
        (series_uuid, 0): zero,
        (series_uuid, 2): two,
    }


async def test_issue_counts_and_issues_by_uuids(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    busy, quiet, empty = new_uuid(), new_uuid(), new_uuid()
    busy_issues = await issues_at_positions(events, busy, [0, 1, 2])
    await issues_at_positions(events, quiet, [0])
    async with sessionmaker() as session:
        issues = ComicIssueRepository(session)
        assert await issues.map_counts_for_series([busy, quiet, empty]) == {busy: 3, quiet: 1, empty: 0}
        assert await issues.map_counts_for_series([]) == {}
        assert set(await issues.map_by_uuids([*busy_issues, new_uuid()])) == set(busy_issues)
        assert await issues.map_by_uuids([]) == {}


# --- stories ------------------------------------------------------------------------------------------


async def test_stories_of_issues_in_position_order(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    issue = await add_issue(events, series_uuid, stories=3)
    first, second, third = issue["stories"]
    newcomer = story_data(series_uuid, issue["uuid"])
    await events.updated(TaddyType.COMICISSUE, {**issue, "stories": [third, newcomer, first]}, timestamp=200)
    empty_issue = new_uuid()
    async with sessionmaker() as session:
        stories = ComicStoryRepository(session)
        live = [story.uuid for story in await stories.list_for_issue(issue["uuid"])]
        everything = [
            story.uuid for story in await stories.list_for_issue(issue["uuid"], include_removed=True)
        ]
        mapped = await stories.map_for_issues([issue["uuid"], empty_issue])
        single = await stories.get_by_uuid(first["uuid"])
    assert live == [third["uuid"], newcomer["uuid"], first["uuid"]]
    assert everything == [*live, second["uuid"]]
    assert [story.uuid for story in mapped[issue["uuid"]]] == live
    assert mapped[empty_issue] == []
    assert single is not None
    assert single.position == 2
